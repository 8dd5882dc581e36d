from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    """Pages that read across the apps: the bureau's funnel (collected → recommended → pushed → worked →
    contracted → guaranteed) with its export and API, and the firm's score report (its published score from
    scoring, the products that fit it from banks). It reads every app below it; only the demo sits above it."""

    name = "dashboard"
    verbose_name = _("融资对接看板")

    def ready(self) -> None:
        from core.audit import track

        from .models import CertificateRecognition, IssuedCertificate

        track(IssuedCertificate, only=("enterprise", "run", "key_id", "expires_on", "issued_to", "revoked_at",
                                       "revoked_reason"))  # fmt: skip
        track(CertificateRecognition)
