from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoansConfig(AppConfig):
    name = "loans"
    verbose_name = _("贷款合同")

    def ready(self) -> None:
        from core.audit import track
        from enterprises.signals import filings_imported
        from scoring.signals import run_released

        from .models import LoanContract, LoanWarning
        from .receivers import loan_warnings_on_import, loan_warnings_on_publication

        track(LoanContract)
        track(LoanWarning)
        run_released.connect(loan_warnings_on_publication, dispatch_uid="loans-warnings-on-release")
        filings_imported.connect(loan_warnings_on_import, dispatch_uid="loans-warnings-on-import")
