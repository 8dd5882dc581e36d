from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BanksConfig(AppConfig):
    name = "banks"
    verbose_name = _("银行与推荐")

    def ready(self) -> None:
        from scoring.signals import run_released

        from .receivers import recommendations_push_on_publication

        run_released.connect(recommendations_push_on_publication, dispatch_uid="banks-push-on-release")
