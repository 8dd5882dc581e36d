"""Factories for scoring: a batch with its scoring settings (``batch_create``) and an editable indicator system.

Runs and scores are made the way production makes them — ``scoring_run_create`` / ``scoring_run_execute`` over demo
filings (``demo.services.demo_firms_create``) — never row by row: a score only means something inside its run.
"""

from datetime import date

import factory

from enterprises.models import Batch
from scoring.indicator_systems import indicator_system_clone
from scoring.models import IndicatorSystem
from scoring.services import batch_create


def national_v1() -> IndicatorSystem:
    return IndicatorSystem.objects.get(code="national", version=1)


class BatchFactory(factory.Factory):
    """An open national batch scored with national-v1 (``scoring.services.batch_create`` writes both rows)."""

    class Meta:
        model = Batch

    name = factory.Sequence(lambda n: f"{2020 + n % 50}年度批次{n}")
    year = 2024
    reference_date = date(2024, 12, 31)
    region_scope = ""
    status = "open"
    opens_on = date(2025, 1, 1)
    closes_on = date(2025, 12, 31)
    system = factory.LazyFunction(national_v1)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return batch_create(**kwargs)


class IndicatorSystemFactory(factory.Factory):
    """An editable local copy of national-v1 (``indicator_system_clone``), with its 18 indicators."""

    class Meta:
        model = IndicatorSystem

    code = factory.Sequence(lambda n: f"local{n}")
    name = factory.Sequence(lambda n: f"地方指标体系{n}")
    region_scope = "44"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return indicator_system_clone(source=national_v1(), user=None, **kwargs)
