from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("平台基础")

    def ready(self) -> None:
        from .audit import track
        from .models import ApiClient

        # Who issued which token with which scopes, and who revoked it (the token itself is never recorded).
        track(ApiClient, only=("name", "bank", "guarantor", "region_scope", "scopes", "created_by", "revoked_at"))
