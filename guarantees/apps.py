from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuaranteesConfig(AppConfig):
    name = "guarantees"
    verbose_name = _("融资担保")

    def ready(self) -> None:
        from core.audit import track

        from .models import CompensationEvent, GuaranteeContract

        track(GuaranteeContract)
        track(CompensationEvent)
