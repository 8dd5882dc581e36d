from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = _("积分评价")

    def ready(self) -> None:
        from core.audit import track

        from . import objections  # noqa: F401  (registers the objection notices' wording)
        from .models import BatchScoring, Indicator, IndicatorSystem, Objection, ScoringRun

        track(IndicatorSystem)
        track(Indicator)
        track(BatchScoring)
        track(Objection)
        # State changes only: progress, heartbeat, timings and counts move on every phase and are not decisions.
        track(
            ScoringRun,
            only=(
                "batch",
                "system",
                "system_hash",
                "state",
                "created_by",
                "published_at",
                "published_by",
                "error",
                "notice_ends_on",
                "released_at",
            ),
        )
