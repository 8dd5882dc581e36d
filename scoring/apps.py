from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = _("积分评价")

    def ready(self) -> None:
        from core.audit import track

        from .models import BatchScoring, Indicator, IndicatorSystem, ScoringRun

        track(IndicatorSystem)
        track(Indicator)
        track(BatchScoring)
        # State changes only: progress, heartbeat, timings and counts move on every phase and are not decisions.
        track(
            ScoringRun,
            only=("batch", "system", "system_hash", "state", "created_by", "published_at", "published_by", "error"),
        )
