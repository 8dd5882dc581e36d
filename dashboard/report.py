"""The firm's score report: its published score explained, where it stands among peers, and what lifts it most.

Published figures (total, grade, ranks, points) come from the published ``Score`` row. Peer percentiles per
indicator and the lift options need the whole run's arrays, so the batch is re-scored with the engine from the
current filings (``scoring.engine.score``) once per run and process and kept in memory; ``stale`` says when the
filings changed since the run (then those two parts describe the current data rather than the published run).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from banks.models import LoanProduct
from banks.rules import credit_line
from banks.selectors import products_fitting
from enterprises.models import Batch, Enterprise, Submission
from scoring.engine import lift
from scoring.engine.core import score
from scoring.models import Indicator, Score, ScoringRun
from scoring.selectors import population_digest, population_load, system_definition

# Each reason code of methodology §7: what it means and what the firm can do about it.
REASONS = {
    "not_approved": (_("本年度填报尚未审核通过。"), _("请完成填报并提交;如被退回,按审核意见修改后重新提交。")),
    "veto_dishonest": (_("企业被列为失信被执行人。"), _("履行生效法律文书确定的义务,申请移出失信名单后再参加评价。")),
    "veto_tax_d": (_("纳税信用评价为D级。"), _("纠正失信行为并申请纳税信用修复。")),
    "veto_violation": (_("近三年有重大违法违规记录。"), _("记录期满或依法修复后方可推荐。")),
    "not_tech_firm": (_("企业不是科技型中小企业或高新技术企业。"), _("申请科技型中小企业入库或高新技术企业认定。")),
    "no_consent": (_("企业尚未授权向银行共享数据。"), _("在“数据授权”页面授权全部或指定银行查看企业画像。")),
    "below_threshold": (_("总分低于推荐门槛。"), _("参考下方“怎样提分最多”的建议提升相关指标。")),
}


# Derived fields of methodology §2, as a lift target names them.
DERIVED_LABELS = {
    "rd_intensity": _("研发费用占营业收入比重"),
    "rd_staff_ratio": _("研发人员占比"),
    "roe": _("净资产利润率"),
    "high_tech_share": _("高新技术产品收入占比"),
    "revenue_growth": _("营业收入增长率"),
    "rd_expense_growth": _("研发费用增长率"),
    "qualification": _("企业资质等级"),
}
_STEP = re.compile(r"\((peer quartile (?P<q>\d+)%|tier (?P<tier>\d+)|full marks|flag set)\)$")


def field_label(name: str) -> str:
    if name in DERIVED_LABELS:
        return str(DERIVED_LABELS[name])
    try:
        return str(Submission._meta.get_field(name).verbose_name)
    except Exception:
        return name


def step_label(description: str) -> str:
    """The engine's step (``… (peer quartile 75%)``, ``(tier 2)``, ``(full marks)``) in the reader's language."""
    match = _STEP.search(description)
    if match is None:
        return description
    if match["q"]:
        return _("达到同行 %(q)s%% 分位") % {"q": match["q"]}
    if match["tier"]:
        return _("达到第 %(tier)s 档") % {"tier": match["tier"]}
    return str(_("达到满分标杆值")) if "full" in match[0] else str(_("满足条件"))


@dataclass
class IndicatorLine:
    code: str
    name: str
    category: str
    points: float
    maximum: float
    peer_percentile: float | None = None


@dataclass
class LiftLine:
    code: str
    name: str
    field: str
    target: float
    gain: float
    description: str


@dataclass
class ProductLine:
    product: LoanProduct
    line: Decimal


@dataclass
class ScoreReport:
    score: Score
    run: ScoringRun
    indicators: list[IndicatorLine]
    categories: list[dict]
    reasons: list[dict]
    lifts: list[LiftLine] = field(default_factory=list)
    products: list[ProductLine] = field(default_factory=list)
    stale: bool = False


_cache_lock = threading.Lock()
_cache: dict[tuple, tuple] = {}


def _filings_changed_after(run: ScoringRun):
    """The newest change to a filing of the run's batch made after the run read them, or None: one query."""
    since = run.started_at or run.created_at
    return Submission.objects.filter(batch_id=run.batch_id, updated_at__gt=since).aggregate(m=Max("updated_at"))["m"]


def _scored_run(run: ScoringRun):
    """(population, result, stale) for the run's batch, re-scored from the filings; one run kept per process.

    Reloading 520,000 filings costs seconds, so it happens once per run and process: later views reuse the arrays
    until a filing of the batch changes (``stale``), and only then are they read again. A stale pair is recomputed
    at most once per change, keyed on the batch's newest filing time.
    """
    changed = _filings_changed_after(run)
    key = (run.pk, changed)
    with _cache_lock:
        if key in _cache:
            return _cache[key]
    population = population_load(batch=run.batch)
    stale = changed is not None
    if stale:  # confirm with the digest: a save that changed nothing the engine reads is not staleness
        stale = bool(run.input_digest) and population_digest(population) != run.input_digest
    result = score(population, system_definition(system=run.system))
    with _cache_lock:
        _cache.clear()
        _cache[key] = (population, result, stale)
    return population, result, stale


def matching_products(*, score_row: Score, enterprise: Enterprise, submission: Submission | None) -> list[ProductLine]:
    """The products whose bank would list this firm under them (the push's rule, ``banks.rules.product_fits``:
    grade, stage, section and the regions the branches serve), each with the §11 line, largest first. A firm that
    is not recommendable is on no list, so it gets none: its report shows the reasons instead."""
    if not score_row.eligible:
        return []
    revenue, previous = (submission.revenue, submission.revenue_prev) if submission else (0, 0)
    fitting = products_fitting(
        grade=score_row.grade, stage=score_row.stage, section=enterprise.section_id, region_code=score_row.region_code
    )
    lines = [
        ProductLine(product, credit_line(line_by_grade=product.line_by_grade, max_amount=product.max_amount,
                                         grade=score_row.grade, revenue=revenue, revenue_prev=previous,
                                         eligible=score_row.eligible))
        for product, _rule in fitting
    ]  # fmt: skip
    return sorted(lines, key=lambda item: -item.line)


def score_report(*, enterprise: Enterprise, run: ScoringRun, score_row: Score, with_peers: bool = True) -> ScoreReport:
    indicators_by_code = {i.code: i for i in Indicator.objects.filter(system=run.system)}
    weight = f"weight_{score_row.stage}"
    lines = []
    for j, code in enumerate(run.indicator_codes):
        indicator = indicators_by_code[code]
        lines.append(IndicatorLine(code, indicator.name, indicator.category, score_row.points[j],
                                   getattr(indicator, weight)))  # fmt: skip
    categories = []
    for j, name in enumerate(run.categories):
        maximum = sum(line.maximum for line in lines if line.category == name)
        categories.append({"name": name, "points": score_row.subtotals[j], "maximum": maximum})
    reasons = [{"code": code, "meaning": REASONS.get(code, (code, ""))[0], "action": REASONS.get(code, ("", ""))[1]}
               for code in score_row.reason_codes]  # fmt: skip
    submission = Submission.objects.filter(enterprise=enterprise, batch=run.batch).first()
    products = matching_products(score_row=score_row, enterprise=enterprise, submission=submission)
    report = ScoreReport(score_row, run, lines, categories, reasons, products=products)
    if with_peers:
        _add_peer_figures(report, enterprise, run)
    return report


def _add_peer_figures(report: ScoreReport, enterprise: Enterprise, run: ScoringRun) -> None:
    population, result, report.stale = _scored_run(run)
    position = np.flatnonzero(population.enterprise_id == enterprise.pk)
    if position.size == 0:
        return
    index = int(position[0])
    level = int(result.peer_level[index])
    same_stage = result.stage == result.stage[index]
    peers = same_stage & (population.section == population.section[index]) if level == 0 else (
        same_stage if level == 1 else np.ones(population.n, dtype=bool))  # fmt: skip
    system = system_definition(system=run.system)
    names = {line.code: line.name for line in report.indicators}
    for j, line in enumerate(report.indicators):
        column = result.points[peers, j]
        line.peer_percentile = float(np.count_nonzero(column <= result.points[index, j]) / column.size)
    sources = {ind.code: ind.source for ind in system.indicators}
    for option in lift.score_lift(population, system, result, index):
        source = sources[option.code]
        report.lifts.append(LiftLine(option.code, names.get(option.code, option.code), field_label(source),
                                     option.value, option.gain, step_label(option.target)))  # fmt: skip


def published_score_history(*, enterprise: Enterprise) -> list[Score]:
    """The firm's published scores, one per batch, newest year first."""
    published = Batch.objects.filter(scoring__published_run__isnull=False).values("scoring__published_run_id")
    return list(
        Score.objects.filter(enterprise=enterprise, run_id__in=published)
        .select_related("run__batch", "run__system")
        .order_by("-run__batch__year", "-run_id")
    )
