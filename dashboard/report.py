"""The firm's score report: its published score explained, where it stands among peers, and what lifts it most.

Everything the report says about the run comes from the firm's published ``Score`` row, read with the rest of its
history in one query: the total, grade, ranks and points, and the figures the run computed for every firm with the
engine (``scoring.engine.report``) and stored with the scores — the peer percentile per indicator and the best
improvement options. No page runs the engine on a population, and a published run's report never changes.

What is about *today* is said as such: a notice when this firm's scored data changed after the run (its own
``input_hash`` against its current filing), or when it consented after a run that found no consent; and the loan
products on sale now that the push's rule (``banks.rules``) matches to the firm's published grade.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from banks.models import LoanProduct
from banks.rules import credit_line
from banks.selectors import products_fitting
from enterprises.models import Batch, Consent, Enterprise, Submission
from enterprises.selectors import consenting_bank_ids
from loans.services import rate_ceiling
from scoring.definitions import system_grade_ranges
from scoring.engine.report import PEER_STEPS, unpack_figures
from scoring.models import Indicator, Score, ScoringRun
from scoring.selectors import filing_input_hash
from scoring.units import change_in_unit, field_label, value_in_unit

# Each reason code of methodology §7: what it means and what the firm can do about it.
REASONS = {
    "not_approved": (gettext_lazy("本年度填报尚未审核通过。"),
                     gettext_lazy("请完成填报并提交;如被退回,按审核意见修改后重新提交。")),
    "veto_dishonest": (gettext_lazy("企业被列为失信被执行人。"),
                       gettext_lazy("履行生效法律文书确定的义务,申请移出失信名单后再参加评价。")),
    "veto_tax_d": (gettext_lazy("纳税信用评价为D级。"), gettext_lazy("纠正失信行为并申请纳税信用修复。")),
    "veto_violation": (gettext_lazy("近三年有重大违法违规记录。"), gettext_lazy("记录期满或依法修复后方可推荐。")),
    "not_tech_firm": (gettext_lazy("企业不是科技型中小企业或高新技术企业。"),
                      gettext_lazy("申请科技型中小企业入库或高新技术企业认定。")),
    "no_consent": (gettext_lazy("企业尚未授权向银行共享数据。"),
                   gettext_lazy("在“数据授权”页面授权全部或指定银行查看企业画像。")),
    "below_threshold": (gettext_lazy("总分低于推荐门槛。"), gettext_lazy("参考下方“怎样提分最多”的建议提升相关指标。")),
}  # fmt: skip

MAX_PRODUCTS_SHOWN = 5


@dataclass
class IndicatorLine:
    code: str
    name: str
    category: str
    points: float
    maximum: float
    peer_percentile: float | None = None


@dataclass
class AdviceLine:
    """One improvement option the run stored for the firm: reach ``target`` of ``field`` to gain ``gain`` points."""

    code: str
    name: str
    field: str
    step: str
    today: str
    target: str
    change: str
    gain: float


@dataclass
class ProductLine:
    product: LoanProduct
    line: Decimal
    rate_ceiling: Decimal | None = None


@dataclass
class GradeBand:
    grade: str
    low: float | None
    high: float | None
    current: bool


@dataclass
class Standing:
    """The firm's grade among the bands of the run's system, the points to the next grade and to the threshold."""

    bands: list[GradeBand]
    next_grade: str | None
    to_next_grade: Decimal | None
    threshold: Decimal
    to_threshold: Decimal


@dataclass
class ScoreReport:
    score: Score
    run: ScoringRun
    indicators: list[IndicatorLine]
    categories: list[dict]
    reasons: list[dict]
    standing: Standing | None = None
    lifts: list[AdviceLine] = field(default_factory=list)
    products: list[ProductLine] = field(default_factory=list)
    products_fitting: int = 0
    products_zero_line: int = 0
    notices: list[str] = field(default_factory=list)
    figures_stored: bool = True
    stale: bool = False
    """This firm's scored data changed after the run (the report still shows the run's figures)."""


FILING_CHANGED = gettext_lazy(
    "本企业的填报数据在本次评分后有变动:本报告仍按已发布的评分结果展示,变动将在下一次评分中体现。"
)
CONSENT_DONE = gettext_lazy("已在评分后授权,下一次评分起生效。")
CONSENT_LATER = gettext_lazy("本次评分时企业尚未授权向银行共享数据;授权已在评分后生效,将从下一次评分起参与推荐。")


def matching_products(*, score_row: Score, enterprise: Enterprise, submission: Submission | None) -> list[ProductLine]:
    """The products whose bank would list this firm under them — the push's rules: recommendable, a consent covering
    the bank (``ConsentQuerySet.covering``) and the product's own conditions (``banks.rules.product_fits``: grade,
    stage, section, the regions its branches serve) — each with the §11 line (``banks.rules.credit_line``), the
    best line first, then the lower rate ceiling, then the longer term. A firm that is not recommendable is on no
    list, so it gets none: its report shows the reasons instead."""
    if not score_row.eligible:
        return []
    revenue, previous = (submission.revenue, submission.revenue_prev) if submission else (0, 0)
    banks = consenting_bank_ids(enterprise_id=enterprise.pk)
    fitting = products_fitting(
        grade=score_row.grade, stage=score_row.stage, section=enterprise.section_id, region_code=score_row.region_code
    )
    lines = [
        ProductLine(product, credit_line(line_by_grade=product.line_by_grade, max_amount=product.max_amount,
                                         grade=score_row.grade, revenue=revenue, revenue_prev=previous,
                                         eligible=score_row.eligible),
                    rate_ceiling(product=product, term_months=product.term_months))
        for product, _rule in fitting if product.bank_id in banks
    ]  # fmt: skip
    return sorted(lines, key=lambda item: (-item.line, item.product.rate_spread_bp, -item.product.term_months))


def standing_of(*, score_row: Score, run: ScoringRun) -> Standing:
    """The grade bands of the run's system (``scoring.definitions.system_grade_ranges``, the rule the engine grades
    with), the firm's band, the points to the next better grade and to the recommendation threshold."""
    total = Decimal(score_row.total)
    ranges = system_grade_ranges(run.system)
    bands = [GradeBand(grade, low, high, grade == score_row.grade) for grade, low, high in ranges]
    current = next((i for i, band in enumerate(bands) if band.current), None)
    next_grade = to_next = None
    if current:
        better = bands[current - 1]
        next_grade, to_next = better.grade, max(Decimal(str(better.low)) - total, Decimal("0.01"))
    threshold = Decimal(str(run.system.threshold))
    return Standing(bands, next_grade, to_next, threshold, max(threshold - total, Decimal(0)))


def _advice(stored: list, score_row: Score, run: ScoringRun, indicators: dict[str, Indicator]) -> list[AdviceLine]:
    lines = []
    for column, today, target, gain in stored:
        code = run.indicator_codes[int(column)]
        indicator = indicators[code]
        source = indicator.source_field
        lines.append(AdviceLine(
            code=code, name=indicator.name, field=field_label(source),
            step=_step(indicator, target, score_row.normalised[int(column)], gain / _weight(indicator, score_row)),
            today=value_in_unit(source, today), target=value_in_unit(source, target),
            change=change_in_unit(source, today, target), gain=gain,
        ))  # fmt: skip
    return lines


def _weight(indicator: Indicator, score_row: Score) -> float:
    return float(getattr(indicator, f"weight_{score_row.stage}") or 0) or 1.0


def _step(indicator: Indicator, target: float, s_now: float, s_gained: float) -> str:
    """Which step the target is: the peer percentile it reaches, the next tier, full marks, or the qualification.
    A percentile step names the percentile the firm *reaches* (s today + gain / weight), not the nominal one: when
    most peers report 0, the smallest positive value that passes p25 already puts a firm at p87."""
    if indicator.method == "percentile":
        step = next((q for q in PEER_STEPS.tolist() if q > s_now), 1.0)
        reached = max(step, min(s_now + s_gained, 1.0)) if not indicator.is_bonus else step
        if reached >= 1.0:
            return _("达到同行组的最高值(满分)")
        return _("达到同行组的 %(q)s%% 分位") % {"q": math.floor(reached * 100 + 1e-6)}
    if indicator.method == "tiers":
        thresholds = list(indicator.thresholds or [])
        tier = next((j + 1 for j, t in enumerate(thresholds) if math.isclose(t, target)), None)
        if tier is None or tier == len(thresholds):
            return _("达到最高档(满分)")
        return _("达到第 %(tier)s 档") % {"tier": tier}
    if indicator.method == "reference":
        return _("达到满分标杆值")
    return _("满足条件")


def _add_notices(report: ScoreReport, enterprise: Enterprise) -> None:
    """Notices true for this firm only: its own scored data changed after the run (its filing hashed as the run
    hashed it, against the run's stored hash), or it consented after a run that found no consent."""
    score_row, run = report.score, report.run
    if score_row.input_hash is not None:
        now = filing_input_hash(batch=run.batch, enterprise_id=enterprise.pk)
        report.stale = now is not None and now != score_row.input_hash
        if report.stale:
            report.notices.append(str(FILING_CHANGED))
    if "no_consent" in score_row.reason_codes:
        since = run.started_at or run.created_at
        if Consent.objects.active().filter(enterprise=enterprise, granted_at__gt=since).exists():
            report.notices.append(str(CONSENT_LATER))
            for reason in report.reasons:  # done already: say so instead of asking for it again
                if reason["code"] == "no_consent":
                    reason["action"] = CONSENT_DONE


def score_report(*, enterprise: Enterprise, run: ScoringRun, score_row: Score, with_peers: bool = True) -> ScoreReport:
    """The report of ``score_row`` (the firm's row of ``run``). ``with_peers=False`` leaves out what is not needed
    for products and reasons (advice, standing, notices) — for callers that want only those."""
    indicators_by_code = {i.code: i for i in Indicator.objects.filter(system=run.system)}
    weight = f"weight_{score_row.stage}"
    percentiles, stored_advice = None, []
    if score_row.figures is not None:
        percentiles, stored_advice = unpack_figures(score_row.figures, len(run.indicator_codes))
    lines = []
    for j, code in enumerate(run.indicator_codes):
        indicator = indicators_by_code[code]
        lines.append(IndicatorLine(code, indicator.name, indicator.category, score_row.points[j],
                                   getattr(indicator, weight), percentiles[j] if percentiles else None))  # fmt: skip
    categories = []
    for j, name in enumerate(run.categories):
        maximum = sum(line.maximum for line in lines if line.category == name)
        categories.append({"name": name, "points": score_row.subtotals[j], "maximum": maximum})
    reasons = [{"code": code, "meaning": REASONS.get(code, (code, ""))[0], "action": REASONS.get(code, ("", ""))[1]}
               for code in score_row.reason_codes]  # fmt: skip
    submission = Submission.objects.filter(enterprise=enterprise, batch=run.batch).first()
    fitting = matching_products(score_row=score_row, enterprise=enterprise, submission=submission)
    shown = [item for item in fitting if item.line > 0]
    report = ScoreReport(score_row, run, lines, categories, reasons, products=shown[:MAX_PRODUCTS_SHOWN],
                         products_fitting=len(fitting), products_zero_line=len(fitting) - len(shown),
                         figures_stored=percentiles is not None)  # fmt: skip
    if with_peers:
        report.standing = standing_of(score_row=score_row, run=run)
        report.lifts = _advice(stored_advice, score_row, run, indicators_by_code)
        _add_notices(report, enterprise)
    return report


def published_score_history(*, enterprise: Enterprise) -> list[Score]:
    """The firm's published scores, one per batch, newest year first (one query, the report's stored figures with
    them)."""
    published = Batch.objects.filter(scoring__published_run__isnull=False).values("scoring__published_run_id")
    return list(
        Score.objects.filter(enterprise=enterprise, run_id__in=published)
        .select_related("run__batch", "run__system")
        .order_by("-run__batch__year", "-run_id")
    )
