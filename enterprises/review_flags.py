"""Plausibility flags that help a reviewer: a filing whose figures look wrong is flagged, with the reason in words.

Each flag is a condition in SQL on ``Submission`` (so the review queue filters by it, counts it and approves "all
that match" in one statement) and is shown on the filing's page. The peer range of R&D intensity is computed once
per batch from its filings (numpy percentiles per industry section), then becomes a condition like the others.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.core.cache import cache
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Cast, NullIf, Ord
from django.utils.translation import gettext_lazy as _

from core.db.copy import CENTS, queryset_to_arrays

from .choices import SubmissionStatus
from .models import Batch, Submission

GROWTH_LIMIT = 10
"""A figure more than ten times its previous-year value (filed beside it, or in last year's filing) is flagged."""
PEER_FENCE = 3.0
"""R&D intensity (R&D expense / revenue) beyond Tukey's far-out fences of the batch's section peers — more than 3
interquartile ranges below the first quartile or above the third — is flagged: robust to the outliers it looks
for, where extreme percentiles of a small peer group are the outliers themselves."""
PEER_MIN_GROUP = 30


@dataclass(frozen=True)
class Flag:
    code: str
    label: object
    help: object


FLAGS = (
    Flag("growth", _("增长超过10倍"), _("营业收入或研发费用超过所填上年数的10倍。")),
    Flag("last_year", _("与上年填报相差超过10倍"), _("营业收入、研发费用或从业人员数超过该企业上年度填报值的10倍。")),
    Flag("rd_staff", _("研发人员多于从业人员"), _("研发人员数大于从业人员数。")),
    Flag("rd_over_revenue", _("研发费用高于营业收入"), _("研发费用大于营业收入。")),
    Flag("peer_range", _("研发投入强度超出同行范围"),
         _("研发费用占营业收入比重远离本批次同行业门类企业(低于下四分位或高于上四分位超过3倍四分位距)。")),
)  # fmt: skip
FLAG_LABELS = {flag.code: flag.label for flag in FLAGS}


def _last_year_jump() -> Exists:
    previous = Submission.objects.filter(enterprise_id=OuterRef("enterprise_id"),
                                         batch__year__lt=OuterRef("batch__year"))  # fmt: skip
    jump = Q()
    for name in ("revenue", "rd_expense", "employees"):
        jump |= Q(**{f"{name}__gt": 0, f"{name}__lt": OuterRef(name) / GROWTH_LIMIT})
    return Exists(previous.filter(jump))


PEER_CACHE_SECONDS = 300
"""The peer ranges of a batch are cached this long: every queue page of the batch needs them, a bulk read of its
filings (~0.5 s at 520,000) does not need repeating for each; a filing filed meanwhile moves quartiles very little."""


def peer_ranges(batch: Batch) -> dict[str, tuple[float, float]]:
    """Section letter → (low, high) R&D intensity of the batch's filed (not draft) filings with revenue, for
    sections with at least ``PEER_MIN_GROUP`` of them: one bulk read, quartiles in numpy (cached briefly)."""
    key = f"review-peer-ranges:{batch.pk}:{batch.created_at.timestamp()}"  # a batch id never stands for another
    ranges = cache.get(key)
    if ranges is None:
        ranges = _peer_ranges(batch)
        cache.set(key, ranges, PEER_CACHE_SECONDS)
    return ranges


def _peer_ranges(batch: Batch) -> dict[str, tuple[float, float]]:
    filings = (
        Submission.objects.filter(batch=batch, revenue__gt=0).exclude(status=SubmissionStatus.DRAFT)
        .annotate(section_ascii=Ord("enterprise__section_id")).order_by()
    )  # fmt: skip
    arrays = queryset_to_arrays(filings, {"section_ascii": "int32", "revenue": CENTS, "rd_expense": CENTS})
    ratio = arrays["rd_expense"] / arrays["revenue"]
    ranges = {}
    for code in np.unique(arrays["section_ascii"]):
        values = ratio[arrays["section_ascii"] == code]
        if values.size >= PEER_MIN_GROUP:
            first, third = np.percentile(values, [25, 75])
            spread = PEER_FENCE * (third - first)
            ranges[chr(int(code))] = (float(first - spread), float(third + spread))
    return ranges


def flag_conditions(batch: Batch | None) -> dict[str, Q | Exists | Value | ExpressionWrapper]:
    """Flag code → its condition on ``Submission``. The peer range needs a batch (a queue over every batch has no
    single peer group): without one it flags nothing."""
    # NULLIF: PostgreSQL may evaluate the ratio of a zero-revenue row before the ``revenue__gt=0`` beside it.
    revenue = NullIf(Cast("revenue", FloatField()), Value(0.0))
    ratio = ExpressionWrapper(Cast("rd_expense", FloatField()) / revenue, FloatField())
    peer: Q | Value = Value(False, output_field=BooleanField())
    ranges = peer_ranges(batch) if batch is not None else {}
    if ranges:
        peer = Q()
        for section, (low, high) in ranges.items():
            peer |= Q(enterprise__section_id=section, revenue__gt=0) & (Q(rd_ratio__lt=low) | Q(rd_ratio__gt=high))
    return {
        "growth": Q(revenue_prev__gt=0, revenue__gt=F("revenue_prev") * GROWTH_LIMIT)
        | Q(rd_expense_prev__gt=0, rd_expense__gt=F("rd_expense_prev") * GROWTH_LIMIT),
        "last_year": _last_year_jump(),
        "rd_staff": Q(rd_staff__gt=F("employees")),
        "rd_over_revenue": Q(rd_expense__gt=F("revenue")),
        "peer_range": peer,
        "_ratio": ratio,
    }


def with_flags(queryset: QuerySet[Submission], batch: Batch | None) -> QuerySet[Submission]:
    """``queryset`` with one boolean annotation per flag (``flag_growth``, ...) and ``rd_ratio``."""
    conditions = flag_conditions(batch)
    queryset = queryset.annotate(rd_ratio=conditions.pop("_ratio"))
    return queryset.annotate(**{f"flag_{code}": ExpressionWrapper(condition, output_field=BooleanField())
                                for code, condition in conditions.items()})  # fmt: skip


def flagged(queryset: QuerySet[Submission], batch: Batch | None, code: str) -> QuerySet[Submission]:
    """The filings of ``queryset`` raising flag ``code`` ("any" for any flag; an unknown code filters nothing)."""
    queryset = with_flags(queryset, batch)
    if code == "any":
        any_flag = Q()
        for flag in FLAGS:
            any_flag |= Q(**{f"flag_{flag.code}": True})
        return queryset.filter(any_flag)
    if code in FLAG_LABELS:
        return queryset.filter(**{f"flag_{code}": True})
    return queryset


def flags_of(submission: Submission) -> list[Flag]:
    """The flags one filing raises (its page), judged against its own batch's peers."""
    row = with_flags(Submission.objects.filter(pk=submission.pk), submission.batch).values(
        *[f"flag_{flag.code}" for flag in FLAGS]
    ).first() or {}  # fmt: skip
    return [flag for flag in FLAGS if row.get(f"flag_{flag.code}")]


def row_flags(row: Submission) -> list[Flag]:
    """The flags of a queue row annotated by ``with_flags``."""
    return [flag for flag in FLAGS if getattr(row, f"flag_{flag.code}", False)]
