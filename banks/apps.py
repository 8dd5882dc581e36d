from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BanksConfig(AppConfig):
    name = "banks"
    verbose_name = _("银行与推荐")

    def ready(self) -> None:
        from core.audit import track
        from scoring.signals import run_released

        from . import financing_notices  # noqa: F401  (registers the firm's notice kinds)
        from .models import FinancingApplication, FinancingNeed
        from .receivers import recommendations_push_on_publication

        track(FinancingNeed, m2m=("preferred_banks", "preferred_products"))
        track(FinancingApplication)

        run_released.connect(recommendations_push_on_publication, dispatch_uid="banks-push-on-release")
