from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoansConfig(AppConfig):
    name = "loans"
    verbose_name = _("贷款合同")

    def ready(self) -> None:
        from core.audit import track

        from .models import LoanContract

        track(LoanContract)
