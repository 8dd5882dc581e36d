from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterprisesConfig(AppConfig):
    name = "enterprises"
    verbose_name = _("企业与填报")

    def ready(self) -> None:
        from core.audit import track

        from .models import Batch, BatchField, EnterpriseMembership, Submission

        track(Submission, m2m=("preferred_banks",))
        track(Batch)
        track(BatchField)  # a bureau administrator's definition of a batch's extra field
        track(EnterpriseMembership)  # who confirmed or refused whom
