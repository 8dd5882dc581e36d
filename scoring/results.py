"""Per-firm results of one run (any run, trial included) for bureau staff: the filtered, searched and sorted rows,
their keyset pages, the export, and one firm's per-indicator breakdown. The bureau pages and the API both read
them here; what a caller may see is ``Score.objects.visible_to(actor)`` (its region) of a run it may see."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from core.actors import actor_of
from core.labels import listing, region_label, section_label
from enterprises.models import Submission

from .choices import Stage
from .engine.system import RAW_FIELDS
from .filters import ScoreFilterSet
from .labels import indicator_category, indicator_name, reason_labels
from .models import Score, ScoringRun

RESULT_COLUMNS = (
    "enterprise_id", "enterprise__credit_code", "enterprise__name", "region", "enterprise__section_id", "stage",
    "total", "base", "bonus", "grade", "rank_national", "rank_province", "rank_industry", "stage_percentile",
    "eligible", "reasons",
)  # fmt: skip

RESULT_ORDERS: dict[str, tuple[str, bool, Any]] = {
    # key → (column, descending, label). Ties are broken by the firm's id, which makes every order a total order
    # and so a keyset: a page starts after the last row of the previous one, never at an OFFSET.
    "-total": ("total", True, _("总分从高到低")),
    "total": ("total", False, _("总分从低到高")),
    "rank_province": ("rank_province", False, _("省内排名")),
    "rank_industry": ("rank_industry", False, _("行业门类排名")),
    "-stage_percentile": ("stage_percentile", True, _("阶段内百分位从高到低")),
    "credit_code": ("enterprise__credit_code", False, _("统一社会信用代码")),
}
DEFAULT_ORDER = "-total"
PAGE_SIZE = 50
SEARCH_MAX = 50


def results_run(*, who, run_id: int) -> ScoringRun | None:
    """Run ``run_id`` if ``who`` (bureau staff) may read its per-firm results, else ``None``."""
    return ScoringRun.objects.visible_to(who).select_related("batch", "system").filter(pk=run_id).first()


def results_filterset(*, who, run: ScoringRun, params: Mapping) -> ScoreFilterSet:
    """The score filters (region, section, stage, grade, eligible, total range) over the rows ``who`` may read."""
    scores = Score.objects.visible_to(actor_of(who)).filter(run_id=run.pk)
    return ScoreFilterSet(_without_blanks(params), queryset=scores)


def _without_blanks(params: Mapping) -> QueryDict:
    """The query without empty values: a form's "全部" (all) sends ``grade=``, which means no filter."""
    kept = QueryDict(mutable=True)
    getlist = params.getlist if hasattr(params, "getlist") else lambda key: [params[key]]
    for key in params:
        values = [value for value in getlist(key) if value != ""]
        if values:
            kept.setlist(key, values)
    return kept


def results_search(scores: QuerySet[Score], text: str) -> QuerySet[Score]:
    """A firm by (part of) its name, or its credit code from the start (case-insensitive)."""
    text = (text or "").strip()[:SEARCH_MAX]
    if not text:
        return scores
    return scores.filter(Q(enterprise__name__icontains=text) | Q(enterprise__credit_code__startswith=text.upper()))


def results_queryset(*, who, run: ScoringRun, params: Mapping) -> tuple[QuerySet[Score], ScoreFilterSet]:
    """The rows of ``run`` that ``who`` may read, filtered and searched (``q``) as ``params`` say. When a filter is
    invalid the rows are empty and the filterset carries the errors, naming the field."""
    filterset = results_filterset(who=who, run=run, params=params)
    if not filterset.is_valid():
        return Score.objects.none(), filterset
    return results_search(filterset.qs, params.get("q", "")), filterset


def order_key(value: str | None) -> str:
    return value if value in RESULT_ORDERS else DEFAULT_ORDER


@dataclass
class ResultPage:
    rows: list[dict]
    next_cursor: str | None
    order: str


def _encode(value: Any, enterprise_id: int) -> str:
    raw = json.dumps([str(value) if isinstance(value, Decimal) else value, enterprise_id])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str, column: str) -> tuple[Any, int] | None:
    """The position a cursor names, or ``None`` for a cursor this page did not hand out (the first page then)."""
    try:
        value, enterprise_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(enterprise_id, int):
            return None
        if column == "total":
            value = Decimal(str(value))
        elif column == "stage_percentile":
            value = float(value)
        elif column.startswith("rank_"):
            value = int(value)
        elif not isinstance(value, str):
            return None
        return value, enterprise_id
    except (ValueError, TypeError, InvalidOperation, binascii.Error, UnicodeDecodeError):
        return None


def results_page(scores: QuerySet[Score], *, order: str, cursor: str = "", size: int = PAGE_SIZE) -> ResultPage:
    """One keyset page of ``scores`` in ``order``, starting after ``cursor``; rows are ``RESULT_COLUMNS`` dicts."""
    order = order_key(order)
    column, descending, _label = RESULT_ORDERS[order]
    scores = scores.order_by(f"-{column}" if descending else column, "enterprise_id")
    position = _decode(cursor, column) if cursor else None
    if position is not None:
        value, last_id = position
        beyond = Q(**{f"{column}__lt" if descending else f"{column}__gt": value})
        scores = scores.filter(beyond | Q(**{column: value, "enterprise_id__gt": last_id}))
    rows = list(scores.values(*RESULT_COLUMNS)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = _encode(rows[-1][column], rows[-1]["enterprise_id"]) if more else None
    return ResultPage(rows=[_readable(row) for row in rows], next_cursor=next_cursor, order=order)


def _readable(row: dict) -> dict:
    """A row with what people read beside the codes: region and section names, stage and reasons as labels."""
    region = f"{row['region']:06d}"
    return {
        **row,
        "region_code": region,
        "region_name": region_label(region),
        "section_name": section_label(row["enterprise__section_id"]),
        "stage_name": str(Stage(row["stage"]).label) if row["stage"] in Stage.values else row["stage"],
        "reason_labels": reason_labels(row["reasons"]),
    }


EXPORT_HEADER = (
    _("统一社会信用代码"), _("企业名称"), _("行政区划代码"), _("所在地区"), _("行业门类"), _("发展阶段"), _("总分"),
    _("基础分"), _("加分"), _("等级"), _("全国排名"), _("省内排名"), _("行业门类排名"), _("阶段内百分位"),
    _("可推荐"), _("不可推荐原因"),
)  # fmt: skip
EXPORT_FETCH_ROWS = 5_000


def results_export_rows(scores: QuerySet[Score], *, order: str) -> Iterator[list[Any]]:
    """Every row of ``scores`` in ``order`` as export cells (labels, not codes), fetched in chunks."""
    column, descending, _label = RESULT_ORDERS[order_key(order)]
    scores = scores.order_by(f"-{column}" if descending else column, "enterprise_id").values(*RESULT_COLUMNS)
    yes, no = str(_("是")), str(_("否"))
    for row in scores.iterator(chunk_size=EXPORT_FETCH_ROWS):
        row = _readable(row)
        yield [
            row["enterprise__credit_code"], row["enterprise__name"], row["region_code"], row["region_name"],
            row["section_name"], row["stage_name"], row["total"], row["base"], row["bonus"], row["grade"],
            row["rank_national"], row["rank_province"], row["rank_industry"], round(row["stage_percentile"], 4),
            yes if row["eligible"] else no, listing(row["reason_labels"]),
        ]  # fmt: skip


@dataclass
class Breakdown:
    score: Score
    indicators: list[dict]
    categories: list[tuple[str, float]]
    reasons: list[str]


def result_breakdown(*, who, run: ScoringRun, enterprise_id: int) -> Breakdown | None:
    """One firm's result in ``run`` indicator by indicator (its filed value, normalised value, points and weight for
    its stage), or ``None`` when ``who`` may not read it (another region, or not scored in the run)."""
    score = (
        Score.objects.visible_to(actor_of(who))
        .filter(run_id=run.pk, enterprise_id=enterprise_id)
        .select_related("enterprise")
        .first()
    )
    if score is None:
        return None
    indicators = {row.code: row for row in run.system.indicators.all()}
    filing = Submission.objects.filter(batch_id=run.batch_id, enterprise_id=enterprise_id).first()
    lines = []
    for position, code in enumerate(run.indicator_codes):
        indicator = indicators.get(code)
        field = indicator.source_field if indicator else ""
        lines.append({
            "code": code,
            "name": indicator_name(indicator.name) if indicator else code,
            "category": indicator_category(indicator.category) if indicator else "",
            "source_field": field,
            "value": getattr(filing, field, None) if filing is not None and field in RAW_FIELDS else None,
            "normalised": score.normalised[position] if position < len(score.normalised) else None,
            "points": score.points[position] if position < len(score.points) else None,
            "weight": getattr(indicator, f"weight_{score.stage}", None) if indicator else None,
            "is_bonus": bool(indicator and indicator.is_bonus),
        })  # fmt: skip
    categories = [(indicator_category(name), value) for name, value in zip(run.categories, score.subtotals,
                                                                           strict=False)]  # fmt: skip
    return Breakdown(score=score, indicators=lines, categories=categories, reasons=reason_labels(score.reasons))
