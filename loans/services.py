"""Loan contracts: recorded from an approved recommendation, under the product's amount, rate and term rules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mass_mail
from django.db import connections, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)  # fmt: skip
from django.db.models.functions import Cast, Coalesce, Concat, Trim
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from banks.choices import RecommendationStatus
from banks.financing import recommendation_status_notify
from banks.models import LoanProduct, Notice, Recommendation, warnings_notice_message
from banks.rules import credit_line
from core.actors import actor_of
from core.exceptions import ApplicationError
from core.models import BankOfficer, User
from enterprises.choices import SubmissionStatus
from enterprises.models import Batch, Submission
from scoring.choices import GRADE_ORDER
from scoring.models import Score, ScoringRun

from .models import OUTSTANDING_STATUSES, GuaranteeMode, LoanContract, LoanWarning, RepaymentStatus, WarningKind

RELENDING_MIN_TOTAL = Decimal("70")
RELENDING_STAGES = ("startup", "growth")
"""科技创新再贷款 supports tech SMEs in their start-up and growth stages; with the points system, firms the run found
eligible with a total of at least 70."""


def loan_prime_rate(*, term_months: int) -> Decimal:
    """The LPR the product's ceiling is quoted on: 1-year for terms up to 5 years, the 5-year LPR beyond."""
    key = "LPR_5Y" if term_months > 60 else "LPR_1Y"
    return Decimal(str(getattr(settings, key, "3.50" if key == "LPR_5Y" else "3.00")))


def rate_ceiling(*, product: LoanProduct, term_months: int) -> Decimal:
    return loan_prime_rate(term_months=term_months) + Decimal(product.rate_spread_bp) / 100


def suggested_line(*, recommendation: Recommendation, product: LoanProduct) -> Decimal:
    """Methodology §11 for one product of a list row (``banks.rules.credit_line``; a listed firm is eligible)."""
    filing = Submission.objects.filter(
        enterprise_id=recommendation.enterprise_id, batch_id=recommendation.run.batch_id
    ).first()
    revenue, previous = (filing.revenue, filing.revenue_prev) if filing else (0, 0)
    return credit_line(line_by_grade=product.line_by_grade, max_amount=product.max_amount, grade=recommendation.grade,
                       revenue=revenue, revenue_prev=previous, eligible=True)  # fmt: skip


def relending_eligible(*, recommendation: Recommendation) -> bool:
    score = Score.objects.filter(run_id=recommendation.run_id, enterprise_id=recommendation.enterprise_id).first()
    return bool(score and score.eligible and score.total >= RELENDING_MIN_TOTAL and score.stage in RELENDING_STAGES)


@transaction.atomic
def loan_contract_create(
    *,
    recommendation: Recommendation,
    user: User,
    product: LoanProduct,
    amount: Decimal,
    rate: Decimal,
    term_months: int,
    signed_on: date,
    disbursed_on: date | None = None,
    over_line_reason: str = "",
    guarantee_mode: str = GuaranteeMode.CREDIT,
    contract_no: str = "",
) -> LoanContract:
    """Record the loan signed on an approved recommendation and move it to contract signed.

    Rules (each failure names its field and the rule; nothing is saved): amount positive and ≤ the product's maximum;
    above the suggested line only with a written reason; rate ≤ LPR + the product's spread; term ≤ the product's;
    disbursement not before signature; signature not in the future.
    """
    try:
        rec = (
            Recommendation.objects.visible_to(user)
            .consented()
            .select_for_update()
            .select_related("run")
            .get(pk=recommendation.pk)
        )
    except Recommendation.DoesNotExist:
        raise ApplicationError(_("推荐记录不存在。"))
    if rec.superseded:
        raise ApplicationError(_("该名单已被新的评分结果取代,请在最新名单中签约。"))
    if rec.status != RecommendationStatus.APPROVED:
        raise ApplicationError(_("只有已审批的推荐才能签约。"))
    if rec.officer_id not in (None, user.pk):
        raise ApplicationError(_("该企业已由其他客户经理跟进。"))
    errors: dict[str, list[str]] = {}
    if product.bank_id != rec.bank_id or product.pk not in rec.product_ids:
        errors["product"] = [_("只能选择该企业匹配的本行产品。")]
    else:
        amount, rate = Decimal(str(amount)), Decimal(str(rate))
        if amount <= 0:
            errors["amount"] = [_("合同金额必须为正数。")]
        elif amount > product.max_amount:
            errors["amount"] = [_("合同金额超过产品最高额度 %(max)s 万元。") % {"max": product.max_amount}]
        elif amount > suggested_line(recommendation=rec, product=product) and not over_line_reason.strip():
            errors["over_line_reason"] = [
                _("合同金额超过建议授信额度 %(line)s 万元,须填写理由。")
                % {"line": suggested_line(recommendation=rec, product=product)}
            ]
        if term_months is None or not 1 <= int(term_months) <= product.term_months:
            errors["term_months"] = [_("期限须在 1 至 %(max)s 个月之间(产品最长期限)。") % {"max": product.term_months}]
        else:
            ceiling = rate_ceiling(product=product, term_months=int(term_months))
            if rate <= 0:
                errors["rate"] = [_("年利率必须为正数。")]
            elif rate > ceiling:
                errors["rate"] = [
                    _("年利率超过产品利率上限 %(ceiling)s%%(LPR 加 %(bp)s 个基点)。")
                    % {"ceiling": ceiling, "bp": product.rate_spread_bp}
                ]
    if signed_on > timezone.localdate():
        errors["signed_on"] = [_("签约日期不能晚于今天。")]
    if disbursed_on is not None and disbursed_on < signed_on:
        errors["disbursed_on"] = [_("放款日期不能早于签约日期。")]
    if guarantee_mode not in GuaranteeMode.values:
        errors["guarantee_mode"] = [_("担保方式无效。")]
    if errors:
        raise ValidationError(errors)
    contract_no = contract_no.strip() or f"{rec.bank.code.upper()}-{signed_on:%Y%m%d}-{rec.pk}"
    if LoanContract.objects.filter(contract_no=contract_no).exists():
        raise ValidationError({"contract_no": [_("合同编号已存在。")]})
    loan = LoanContract(
        contract_no=contract_no,
        enterprise_id=rec.enterprise_id,
        bank_id=rec.bank_id,
        product=product,
        recommendation=rec,
        amount=amount,
        over_line_reason=over_line_reason.strip(),
        rate=rate,
        term_months=term_months,
        signed_on=signed_on,
        disbursed_on=disbursed_on,
        guarantee_mode=guarantee_mode,
        relending_eligible=relending_eligible(recommendation=rec),
        officer=user,
    )
    loan.full_clean()
    loan.save()
    rec.status = RecommendationStatus.CONTRACTED
    rec.status_changed_at = timezone.now()
    rec.officer_id = rec.officer_id or user.pk
    rec.save(update_fields=["status", "status_changed_at", "officer", "updated_at"])
    recommendation_status_notify(rec)
    return loan


@transaction.atomic
def _lenders_loans(user: User):
    """The loans ``user`` may change: only the lending bank's (a guarantor sees the loans it guarantees, read only)."""
    actor = actor_of(user)
    return LoanContract.objects.visible_to(actor) if actor.is_bank else LoanContract.objects.none()


def loan_repayment_update(*, loan: LoanContract, user: User, status: str) -> LoanContract:
    """Set the repayment status; a settled loan is final."""
    try:
        loan = _lenders_loans(user).select_for_update().get(pk=loan.pk)
    except LoanContract.DoesNotExist:
        raise ApplicationError(_("贷款合同不存在。"))
    if status not in RepaymentStatus.values:
        raise ValidationError({"repayment_status": [_("还款状态无效。")]})
    if loan.repayment_status == RepaymentStatus.SETTLED and status != RepaymentStatus.SETTLED:
        raise ApplicationError(_("已结清的贷款不能再变更还款状态。"))
    loan.repayment_status = status
    loan.save(update_fields=["repayment_status", "updated_at"])
    return loan


@transaction.atomic
def loan_disbursement_record(*, loan: LoanContract, user: User, disbursed_on: date) -> LoanContract:
    try:
        loan = _lenders_loans(user).select_for_update().get(pk=loan.pk)
    except LoanContract.DoesNotExist:
        raise ApplicationError(_("贷款合同不存在。"))
    if disbursed_on < loan.signed_on:
        raise ValidationError({"disbursed_on": [_("放款日期不能早于签约日期。")]})
    loan.disbursed_on = disbursed_on
    loan.save(update_fields=["disbursed_on", "updated_at"])
    return loan


# --- Post-loan warnings (贷后预警) -----------------------------------------------------------------------------------

TOTAL_FALL_WARNING = Decimal(10)
"""A total that fell by this much or more since the loan was signed is a warning, whatever the grade."""

WARNING_COLUMNS = (
    "loan_id", "enterprise_id", "kind", "batch_id", "run_id", "previous_grade", "grade", "previous_total", "total",
    "reasons", "note", "created_at", "updated_at",
)  # fmt: skip


def _grade_rank(field: str) -> Case:
    """A grade as a number (A highest), so that "dropped" is one comparison in SQL."""
    ranks = [When(**{field: grade}, then=Value(len(GRADE_ORDER) - i)) for i, grade in enumerate(GRADE_ORDER)]
    return Case(*ranks, default=Value(0), output_field=IntegerField())


def _warnings_insert(rows: QuerySet, *, kind: str, batch_id: int, run_id: int | None, now) -> int:
    """Write one warning per row of ``rows`` (loans annotated with ``w_*`` columns) with one ``INSERT … SELECT``:
    no loan is read into this process, however large the loan book."""
    constants = {
        "kind": Value(kind, output_field=CharField()),
        "batch_id": Value(batch_id, output_field=IntegerField()),
        "run_id": Cast(Value(run_id), IntegerField()),  # a typed NULL: PostgreSQL will not insert untyped text
        "note": Value("", output_field=CharField()),
        "created_at": Value(now, output_field=DateTimeField()),
        "updated_at": Value(now, output_field=DateTimeField()),
    }
    columns = {}
    for name in WARNING_COLUMNS:
        columns[f"c_{name}"] = constants[name] if name in constants else F(f"w_{name}")
    query = rows.order_by().values(**columns)
    connection = connections[query.db]
    quote = connection.ops.quote_name
    select, params = query.query.sql_with_params()
    table = quote(LoanWarning._meta.db_table)
    names = ", ".join(quote(c) for c in WARNING_COLUMNS)
    sql = f"INSERT INTO {table} ({names}) {select}"  # nosec B608 # quoted model names; the ORM's own SELECT, bound
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


def _outstanding_loans() -> QuerySet:
    return LoanContract.objects.filter(repayment_status__in=OUTSTANDING_STATUSES)


def _not_warned(queryset: QuerySet, *, kind: str, batch_id: int, run_id: int | None = None) -> QuerySet:
    earlier = LoanWarning.objects.filter(loan_id=OuterRef("pk"), kind=kind, batch_id=batch_id)
    if run_id is not None:
        earlier = earlier.filter(run_id=run_id)
    return queryset.exclude(Exists(earlier))


@transaction.atomic
def loan_warnings_for_run(*, run: ScoringRun) -> int:
    """A newer run was published: every outstanding loan whose borrower it scores lower than the loan was signed on
    gets a warning per kind — grade dropped, total fell by ≥ 10, no longer recommendable — and, when the borrower's
    filing of that batch carries a veto flag, a veto warning (``loan_warnings_for_vetoes``). Idempotent: a loan is
    warned once per kind and run. Set-based: one ``INSERT … SELECT`` per kind. Returns the number written."""
    now = timezone.now()
    batch = run.batch
    scored = (
        _outstanding_loans()
        .filter(recommendation__isnull=False, recommendation__run__batch__year__lte=batch.year)
        .exclude(recommendation__run_id=run.pk)
        .filter(enterprise__scores__run_id=run.pk)
        .annotate(
            w_loan_id=F("pk"),
            w_enterprise_id=F("enterprise_id"),
            w_previous_grade=F("recommendation__grade"),
            w_grade=F("enterprise__scores__grade"),
            w_previous_total=F("recommendation__total"),
            w_total=F("enterprise__scores__total"),
            w_reasons=F("enterprise__scores__reasons"),
            w_eligible=F("enterprise__scores__eligible"),
            w_old_rank=_grade_rank("recommendation__grade"),
            w_new_rank=_grade_rank("enterprise__scores__grade"),
        )
    )
    kinds = {
        WarningKind.GRADE_DROPPED: scored.filter(w_new_rank__lt=F("w_old_rank")),
        WarningKind.TOTAL_FELL: scored.filter(w_total__lte=F("w_previous_total") - TOTAL_FALL_WARNING),
        WarningKind.LEFT_LIST: scored.filter(w_eligible=False),
    }
    written = 0
    for kind, rows in kinds.items():
        rows = _not_warned(rows, kind=kind, batch_id=batch.pk, run_id=run.pk)
        written += _warnings_insert(rows, kind=kind, batch_id=batch.pk, run_id=run.pk, now=now)
    written += _vetoes_insert(batch_id=batch.pk, run_id=run.pk, now=now)
    loan_warnings_notify(created_at=now)
    return written


SCORED_FILINGS = (SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED)
VETO_FLAGS = {"dishonest_debtor": "veto_dishonest", "tax_credit_d": "veto_tax_d", "major_violation": "veto_violation"}


def _vetoes_insert(*, batch_id: int, run_id: int | None, now) -> int:
    filings = Submission.objects.filter(batch_id=batch_id, enterprise_id=OuterRef("enterprise_id"),
                                        status__in=SCORED_FILINGS)  # fmt: skip
    flags = {f"w_flag_{field}": Exists(filings.filter(**{field: True})) for field in VETO_FLAGS}
    codes = [
        Case(When(**{f"w_flag_{field}": True}, then=Value(code + " ")), default=Value(""), output_field=CharField())
        for field, code in VETO_FLAGS.items()
    ]
    # The recommendation a loan came from, by a correlated lookup that names its bank: PostgreSQL then prunes the
    # lists' partitions per loan. A join to the whole list table made the planner hash every list row of every run
    # and bank (26 s at 520,000 firms, for a few thousand loans).
    signed_on = Recommendation.objects.filter(pk=OuterRef("recommendation_id"), bank_id=OuterRef("bank_id")).order_by()
    vetoed = Q()
    for field in VETO_FLAGS:
        vetoed |= Q(**{field: True})
    firms = Submission.objects.filter(vetoed, batch_id=batch_id, status__in=SCORED_FILINGS).values("enterprise_id")
    loan_ids = list(_outstanding_loans().filter(enterprise_id__in=firms).values_list("pk", flat=True))
    if not loan_ids:  # the usual case: no borrower is vetoed
        return 0
    rows = (
        _outstanding_loans()
        .filter(pk__in=loan_ids)  # each has a vetoed filing: the flags below only say which
        .annotate(**flags)
        .annotate(
            w_loan_id=F("pk"),
            w_enterprise_id=F("enterprise_id"),
            w_previous_grade=Coalesce(Subquery(signed_on.values("grade")[:1]), Value("")),
            w_grade=Value("", output_field=CharField()),
            w_previous_total=Subquery(signed_on.values("total")[:1]),
            w_total=Subquery(signed_on.values("total")[:1]),
            w_reasons=Trim(Concat(*codes, output_field=CharField())),
        )
    )
    rows = _not_warned(rows, kind=WarningKind.VETO, batch_id=batch_id)
    return _warnings_insert(rows, kind=WarningKind.VETO, batch_id=batch_id, run_id=run_id, now=now)


@transaction.atomic
def loan_warnings_for_vetoes(*, batch: Batch) -> int:
    """Imported data set a veto flag (失信被执行人, 纳税信用D级, major violation) on a filing of ``batch``: every
    outstanding loan to that firm gets a veto warning, once per batch. One ``INSERT … SELECT``."""
    now = timezone.now()
    written = _vetoes_insert(batch_id=batch.pk, run_id=None, now=now)
    loan_warnings_notify(created_at=now)
    return written


def loan_warnings_notify(*, created_at) -> None:
    """Tell each officer of a bank with new warnings, in the app and by e-mail (the push's notice mechanism)."""
    counts = (
        LoanWarning.objects.filter(created_at=created_at)
        .values("loan__bank_id")
        .annotate(n=Count("pk"))
        .values_list("loan__bank_id", "n")
    )
    per_bank = dict(counts)
    if not per_bank:
        return
    url = reverse("loans:warnings")
    notices, mails = [], []
    for officer in BankOfficer.objects.filter(bank_id__in=per_bank).select_related("user"):
        count = per_bank[officer.bank_id]
        message = warnings_notice_message(count=count)
        notices.append(Notice(user=officer.user, message=message, url=url, firms=count))
        if officer.user.email:
            mails.append((_("贷后预警"), message, settings.DEFAULT_FROM_EMAIL, [officer.user.email]))
    Notice.objects.bulk_create(notices)
    if mails:
        transaction.on_commit(lambda: send_mass_mail(mails, fail_silently=True))


@transaction.atomic
def loan_warning_acknowledge(*, warning: LoanWarning, user: User, note: str) -> LoanWarning:
    """An officer of the lending bank acknowledges a warning with a note saying what was done; once only (a
    conditional UPDATE, so two officers clicking at once cannot both succeed)."""
    visible = LoanWarning.objects.visible_to(user).filter(pk=warning.pk)
    if not visible.exists():
        raise ApplicationError(_("贷后预警不存在。"))
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": [_("请填写处理说明。")]})
    if len(note) > 2000:
        raise ValidationError({"note": [_("处理说明不能超过 2000 字。")]})
    done = visible.filter(acknowledged_at__isnull=True).update(
        acknowledged_at=timezone.now(), acknowledged_by=user, note=note, updated_at=timezone.now()
    )
    warning = LoanWarning.objects.select_related("acknowledged_by").get(pk=warning.pk)
    if not done:
        raise ApplicationError(
            _("该预警已于 %(at)s 由 %(user)s 确认,不能重复确认。")
            % {
                "at": timezone.localtime(warning.acknowledged_at).strftime("%Y-%m-%d %H:%M"),
                "user": warning.acknowledged_by or "-",
            }
        )
    return warning
