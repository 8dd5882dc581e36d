from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = _("积分评价")

    def ready(self) -> None:
        from core.audit import track
        from enterprises.batch_fields import reserved_codes_register

        from . import objections  # noqa: F401  (registers the objection notices' wording)
        from .engine.system import RESERVED_NAMES
        from .models import BatchScoring, Indicator, IndicatorSystem, Objection, ScoringRun

        reserved_codes_register(RESERVED_NAMES)  # no batch extra field may shadow a field the engine reads
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
