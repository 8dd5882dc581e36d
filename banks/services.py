"""Bank-side writes: loan products, the recommendation push, the officers' workflow on a list, notices.

The push is the one bulk path here (``core.db.copy``): at national scale a published run gives ~70,000 eligible firms
and 21 national banks serving every province, ~1.5 million list rows, written by one task per bank.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
import pandas as pd
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mass_mail
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.actors import actor_of
from core.audit import audit_changes
from core.db.copy import ArrayColumn, arrays_frame, arrays_insert
from core.exceptions import ApplicationError
from core.models import Bank, BankOfficer, Branch, User
from enterprises.models import Batch
from enterprises.selectors import consenting_enterprise_ids
from scoring.choices import RunState
from scoring.models import ScoringRun

from . import partitions
from .choices import DeclineCategory, RecommendationStatus
from .financing import recommendation_status_notify
from .models import LoanProduct, Notice, Recommendation, RecommendationList, list_notice_message
from .rules import credit_lines_half_cents, half_cents_to_cents, product_fit_mask
from .selectors import GRADES, STAGES, preferred_enterprise_ids, product_rules, push_population

logger = logging.getLogger(__name__)

S = RecommendationStatus
RATE_SPREAD_MAX_BP = 500
"""A points loan priced above LPR + 5 percentage points is no longer a preferential product; also catches a rate typed
in percent where basis points are expected."""
MAX_TERM_MONTHS = 120


# --- Loan products -------------------------------------------------------------------------------------------------

PRODUCT_FIELDS = (
    "name",
    "min_grade",
    "stages",
    "sections",
    "max_amount",
    "term_months",
    "rate_spread_bp",
    "line_by_grade",
    "active",
)


def _product_validate(product: LoanProduct, branches: list[Branch] | None) -> None:
    """Every rule of a product, collected per field; raises one ValidationError naming them all."""
    errors: dict[str, list[str]] = {}

    def fail(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    try:
        product.max_amount = Decimal(str(product.max_amount))
        if product.max_amount <= 0:
            fail("max_amount", _("最高额度必须为正数。"))
    except (InvalidOperation, ValueError):
        fail("max_amount", _("最高额度必须为数字。"))
    if product.min_grade not in GRADES:
        fail("min_grade", _("最低等级必须是 A、B、C、D、E 之一。"))
    if not isinstance(product.stages, list) or any(s not in STAGES for s in product.stages):
        fail("stages", _("适用阶段只能是初创期、成长期、稳定期。"))
    if not isinstance(product.sections, list) or any(
        not isinstance(s, str) or len(s) != 1 or not "A" <= s <= "T" for s in product.sections
    ):
        fail("sections", _("行业门类必须是 A 至 T 的字母。"))
    if not 1 <= int(product.term_months or 0) <= MAX_TERM_MONTHS:
        fail("term_months", _("期限须在 1 至 %(max)s 个月之间。") % {"max": MAX_TERM_MONTHS})
    if not 0 <= int(product.rate_spread_bp) <= RATE_SPREAD_MAX_BP:
        fail("rate_spread_bp", _("利率上限须为 LPR 加 0 至 %(max)s 个基点。") % {"max": RATE_SPREAD_MAX_BP})
    lines = product.line_by_grade
    if not isinstance(lines, dict) or set(lines) != set(GRADES):
        fail("line_by_grade", _("须为 A、B、C、D、E 每个等级给出授信额度。"))
    else:
        try:
            values = [Decimal(str(lines[g])) for g in GRADES]
        except (InvalidOperation, ValueError):
            values = None
            fail("line_by_grade", _("授信额度必须为数字。"))
        if values is not None:
            if any(v < 0 for v in values):
                fail("line_by_grade", _("授信额度不能为负数。"))
            if any(a < b for a, b in zip(values, values[1:], strict=False)):
                fail("line_by_grade", _("等级越高,授信额度不应越低。"))
            if "max_amount" not in errors and any(v > product.max_amount for v in values):
                fail("line_by_grade", _("各等级授信额度不能超过产品最高额度。"))
            product.line_by_grade = {g: float(v) for g, v in zip(GRADES, values, strict=True)}
    if branches and any(b.bank_id != product.bank_id for b in branches):
        fail("branches", _("只能选择本行的分支机构。"))
    if (
        "name" not in errors
        and LoanProduct.objects.filter(bank_id=product.bank_id, name=product.name).exclude(pk=product.pk).exists()
    ):
        fail("name", _("本行已有同名产品。"))
    try:
        product.full_clean(exclude=["bank", *errors], validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _product_admin(officer: BankOfficer, bank: Bank) -> None:
    if not officer.is_admin or officer.bank_id != bank.pk:
        raise ApplicationError(_("只有本行的产品管理员可以管理积分贷产品。"))


@transaction.atomic
def loan_product_create(*, officer: BankOfficer, branches: list[Branch] | None = None, **fields: Any) -> LoanProduct:
    """Create a product of the officer's bank (product admins only). Raises ValidationError naming each field."""
    _product_admin(officer, officer.bank)
    product = LoanProduct(bank=officer.bank, **{k: v for k, v in fields.items() if k in PRODUCT_FIELDS})
    _product_validate(product, branches)
    product.save()
    if branches:
        product.branches.set(branches)
    return product


@transaction.atomic
def loan_product_update(
    *, officer: BankOfficer, product: LoanProduct, branches: list[Branch] | None = None, **fields: Any
) -> LoanProduct:
    """Change a product; lists already pushed keep the products they matched (the next published run re-matches)."""
    _product_admin(officer, product.bank)
    product = LoanProduct.objects.select_for_update().get(pk=product.pk)
    for name, value in fields.items():
        if name in PRODUCT_FIELDS:
            setattr(product, name, value)
    _product_validate(product, branches)
    product.save()
    if branches is not None:
        product.branches.set(branches)
    return product


# --- The push ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PushResult:
    bank_id: int
    listed: int  # firms on the bank's list for the run
    inserted: int  # rows written by this call (0 on a repeated push)
    carried: int  # rows that took over the officers' work from a superseded list
    superseded: int
    seconds: float


class RunNotCurrent(ApplicationError):
    """The run is not (or no longer) its batch's published run: nothing to push, the newer run's push carries it."""


def banks_to_push() -> list[int]:
    """Banks with at least one product on sale and one branch: the others can match no firm."""
    return list(
        Bank.objects.filter(products__active=True, branches__isnull=False)
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def recommendation_push_prepare(*, run: ScoringRun) -> list[int]:
    """What the fan-out does before the bank tasks start: create the run's partition (PostgreSQL) in a short
    transaction of its own, so that the bank tasks find it and never wait on each other to create it. Returns the
    banks to push."""
    if partitions.partitioned():
        partitions.run_partition_ensure(run.pk)
    return banks_to_push()


def recommendation_columns(*, run: ScoringRun, bank: Bank) -> list[ArrayColumn]:
    """The bank's list for ``run`` as the Recommendation table's columns (``core.db.copy.ArrayColumn``), computed with
    numpy over the eligible firms: every firm matching at least one product in a region the product's branches
    serve, best total first. Empty when no firm matches."""
    firms = push_population(run=run)
    products = product_rules(bank=bank)
    matches = np.zeros((firms.n, len(products)), dtype=bool)
    lines_x2 = np.zeros((firms.n, len(products)), dtype=np.int64)  # half-cents, exact
    # Methodology §7: a firm is on this bank's list only with a consent covering this bank (blanket or naming it).
    consenting = np.isin(firms.enterprise_id, consenting_enterprise_ids(bank_id=bank.pk))
    for j, (product, rule) in enumerate(products):
        mask = consenting & product_fit_mask(
            rule, grade=firms.grade, stage=firms.stage, section=firms.section, region=firms.region, stages=STAGES
        )
        matches[:, j] = mask
        line = credit_lines_half_cents(  # eligible firms only (all of them here)
            line_by_grade=product.line_by_grade, max_amount=product.max_amount, grade=firms.grade,
            basis_x2=firms.revenue_basis_x2,
        )  # fmt: skip
        lines_x2[:, j] = np.where(mask, line, 0)
    rows = np.flatnonzero(matches.any(axis=1))
    n = rows.size
    if not n:
        return []
    # The matching products as a JSON array: few distinct combinations, so each is one categorical label. A
    # combination is a bit mask (a bank has far fewer than 63 products on sale).
    ids = [p.pk for p, _ in products]
    if len(ids) > MAX_PRODUCTS:
        raise ApplicationError(_("一家银行在售的积分贷产品不能超过 %(max)s 个。") % {"max": MAX_PRODUCTS})
    masks = matches[rows] @ (np.int64(1) << np.arange(len(ids), dtype=np.int64))
    combos, combo_codes = np.unique(masks, return_inverse=True)
    labels = ["[" + ", ".join(str(i) for j, i in enumerate(ids) if int(c) >> j & 1) + "]" for c in combos]
    enterprise_id = firms.enterprise_id[rows]
    need = firms.financing_cents[rows]
    now = np.full(n, np.datetime64(timezone.now().replace(tzinfo=None), "us"))  # UTC (USE_TZ)
    zeros = np.zeros(n, dtype=np.int64)
    return [
        ArrayColumn("run_id", "int8", np.full(n, run.pk, dtype=np.int64)),
        ArrayColumn("bank_id", "int8", np.full(n, bank.pk, dtype=np.int64)),
        ArrayColumn("enterprise_id", "int8", enterprise_id),
        ArrayColumn("list_rank", "int4", np.arange(1, n + 1, dtype=np.int32)),
        ArrayColumn("total", "cents", firms.total_cents[rows]),
        ArrayColumn("grade", "bytes", GRADE_BYTES[firms.grade[rows]]),
        ArrayColumn("stage", "text", firms.stage[rows], STAGES),
        ArrayColumn("region_code", "bytes", firms.region_code[rows]),
        ArrayColumn("section", "bytes", firms.section[rows]),
        ArrayColumn("product_ids", "jsonb", combo_codes.reshape(-1), labels),  # NumPy 2.0: (n, 1)
        ArrayColumn("suggested_line", "cents", half_cents_to_cents(lines_x2[rows].max(axis=1))),
        ArrayColumn("financing_amount", "cents", need, null=need < 0),
        ArrayColumn("preferred", "bool", np.isin(enterprise_id, preferred_enterprise_ids(run=run, bank=bank))),
        ArrayColumn("status", "text", zeros, (S.NEW.value,)),
        ArrayColumn("notes", "text", zeros, ("",)),
        ArrayColumn("decline_category", "text", zeros, ("",)),
        ArrayColumn("decline_reason", "text", zeros, ("",)),
        ArrayColumn("superseded", "bool", np.zeros(n, dtype=bool)),
        ArrayColumn("created_at", "timestamptz", now),
        ArrayColumn("updated_at", "timestamptz", now),
    ]


MAX_PRODUCTS = 62  # matching products travel as bits of an int64
GRADE_BYTES = np.array([g.encode() for g in GRADES], dtype="S1")


def recommendation_rows(*, run: ScoringRun, bank: Bank) -> pd.DataFrame:
    """The bank's list for ``run`` as a DataFrame of plain values (database column names): what the push writes,
    readable (tests, the bench's one-row-at-a-time baseline)."""
    columns = recommendation_columns(run=run, bank=bank)
    return arrays_frame(Recommendation, columns) if columns else pd.DataFrame()


WORKED_FIELDS = ("status", "officer_id", "notes", "decline_category", "decline_reason", "status_changed_at")
WORKED_TYPES = ("varchar", "bigint", "text", "varchar", "text", "timestamptz")  # their SQL types, in that order
WORKED_SQL = "(status <> 'new' OR officer_id IS NOT NULL OR notes <> '')"
"""Rows an officer has worked on: the only rows that carry anything to a new list (clicks, not a bulk load: few)."""


def _newest_work(rows: list[dict]) -> dict[int, dict]:
    """Per firm, the work of its row on the newest run (``rows`` sorted newest run first)."""
    latest: dict[int, dict] = {}
    for row in rows:
        latest.setdefault(row.pop("enterprise_id"), row)
    return latest


def _carry_over_work(*, run: ScoringRun, bank: Bank, work: dict[int, dict], table: str | None = None) -> int:
    """Give the new list's rows of the firms in ``work`` the officers' status, claim and notes; returns how many.

    On PostgreSQL ``table`` is the new list's own table, not attached yet: one UPDATE joined to the few worked rows.
    """
    if not work:
        return 0
    if table is None:
        targets = list(Recommendation.objects.filter(run=run, bank=bank, enterprise_id__in=list(work)))
        for rec in targets:
            for name, value in work[rec.enterprise_id].items():
                setattr(rec, name, value)
        Recommendation.objects.bulk_update(targets, list(WORKED_FIELDS), batch_size=1000)
        return len(targets)
    firms = list(work)
    arrays = ", ".join(f"%s::{kind}[]" for kind in WORKED_TYPES)
    assigned = ", ".join(f"{name} = w.{name}" for name in WORKED_FIELDS)
    with connection.cursor() as cursor:
        sql = (
            f"UPDATE {connection.ops.quote_name(table)} AS r SET {assigned}"  # nosec B608 # names from constants, ids
            f" FROM unnest(%s::bigint[], {arrays}) AS w(enterprise_id, {', '.join(WORKED_FIELDS)})"  # nosec B608
            " WHERE r.enterprise_id = w.enterprise_id"
        )
        cursor.execute(sql, [firms, *([work[f][name] for f in firms] for name in WORKED_FIELDS)])
        return cursor.rowcount


def _push_rows(*, run: ScoringRun, bank: Bank, columns: list[ArrayColumn], older_runs: list[int]) -> tuple[int, ...]:
    """SQLite: insert the list, supersede the older lists' current rows with an UPDATE, carry the work over.
    Returns (rows written, rows that took over work, rows superseded)."""
    inserted = arrays_insert(Recommendation, columns) if columns else 0
    current = Recommendation.objects.filter(bank=bank, run_id__in=older_runs, superseded=False)
    worked = current.filter(~Q(status=S.NEW) | Q(officer__isnull=False) | ~Q(notes=""))
    work = _newest_work(list(worked.order_by("enterprise_id", "-run_id").values("enterprise_id", *WORKED_FIELDS)))
    superseded = current.update(superseded=True)
    return inserted, _carry_over_work(run=run, bank=bank, work=work), superseded


def _push_partitioned(
    *, run: ScoringRun, bank: Bank, columns: list[ArrayColumn], older_runs: list[int]
) -> tuple[int, ...]:
    """PostgreSQL (``banks.partitions``): the list goes into a table of its own, created, filled with
    ``COPY … FREEZE`` and indexed in one subtransaction (the condition for FREEZE) while nothing is locked that
    others need. Then, holding the older runs' partitions against writes, the officers' work is read from the lists
    being superseded and copied onto the new rows, those lists are flipped to superseded, and the new list is
    attached. Nothing here reads the older lists through the parent table before their lock: a push holding a
    shared lock on a run's partition while waiting for another could deadlock with it.
    Returns (rows written, rows that took over work, rows superseded)."""
    table, inserted = None, 0
    if columns:
        partitions.run_partition_ensure(run.pk)
        with transaction.atomic():
            table = partitions.list_table_create(run.pk, bank.pk)
            inserted = arrays_insert(Recommendation, columns, table=table, freeze=True)
            partitions.list_table_index(table)
    pushed_before = sorted(
        RecommendationList.objects.filter(bank=bank, run_id__in=older_runs).values_list("run_id", flat=True)
    )
    superseded, worked, replaced = 0, [], []
    qn = connection.ops.quote_name
    fields = ", ".join(WORKED_FIELDS)
    with connection.cursor() as cursor:
        for old_run in pushed_before:  # in run order, like every push: no deadlock
            if not partitions.run_partition_lock(old_run):
                continue
            old = qn(partitions.list_table(old_run, bank.pk))
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [partitions.list_table(old_run, bank.pk)])
            if not cursor.fetchone()[0]:
                continue
            cursor.execute(f"SELECT count(*) FROM {old} WHERE NOT superseded")  # nosec B608 # from ids
            current = cursor.fetchone()[0]
            if not current:
                continue
            cursor.execute(
                f"SELECT {old_run}, enterprise_id, {fields} FROM {old}"  # nosec B608 # from ids
                f" WHERE NOT superseded AND {WORKED_SQL}"
            )
            worked += cursor.fetchall()
            superseded += current
            replaced.append(old_run)
    worked.sort(key=lambda row: -row[0])  # the newest run's row of a firm first
    work = _newest_work([dict(zip(("enterprise_id", *WORKED_FIELDS), row[1:], strict=True)) for row in worked])
    carried = _carry_over_work(run=run, bank=bank, work=work, table=table) if table else 0
    for old_run in replaced:
        partitions.list_table_supersede(old_run, bank.pk)
    if table:
        partitions.list_table_attach(run.pk, bank.pk)
    return inserted, carried, superseded


def _counts(codes: np.ndarray) -> dict[str, int]:
    values, counts = np.unique(codes, return_counts=True)
    return {v.decode(): int(c) for v, c in zip(values, counts, strict=True)}


@transaction.atomic
def recommendation_list_push(*, run: ScoringRun, bank: Bank, notify: bool = True) -> PushResult:
    """Write ``bank``'s list for the published ``run``: idempotent, and superseding the batch's older lists.

    A list is written whole in one transaction together with its ``RecommendationList`` summary, so a summary means
    the list is complete: repeating the push (a duplicate task delivery, a re-publication) writes nothing. The bank's
    current rows of the batch's older runs are marked superseded, and the officers' work on them moves to the new
    rows of the firms that stay. A run that is no longer its batch's published run is not pushed (a late task after
    a newer publication).
    """
    started = time.perf_counter()
    bank = Bank.objects.select_for_update().get(pk=bank.pk)  # one push per bank at a time
    run = ScoringRun.objects.select_related("batch").get(pk=run.pk)
    if (
        run.state != RunState.PUBLISHED
        or not Batch.objects.filter(pk=run.batch_id, scoring__published_run=run).exists()
    ):
        raise RunNotCurrent(_("只有已发布的评分结果才能推送给银行。"))
    summary = RecommendationList.objects.filter(run=run, bank=bank).first()
    if summary is not None:
        return PushResult(bank.pk, summary.size, 0, 0, 0, time.perf_counter() - started)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL synchronous_commit = off")  # the list can be pushed again if the server dies
    columns = recommendation_columns(run=run, bank=bank)
    older_runs = list(ScoringRun.objects.filter(batch_id=run.batch_id).exclude(pk=run.pk).values_list("pk", flat=True))
    push = _push_partitioned if partitions.partitioned() else _push_rows
    inserted, carried, superseded = push(run=run, bank=bank, columns=columns, older_runs=older_runs)
    region = next((c.values for c in columns if c.name == "region_code"), np.zeros(0, dtype="S6"))
    summary = RecommendationList.objects.create(
        run=run,
        bank=bank,
        size=inserted,
        by_province=_counts(region.astype("S2")),
        by_region=_counts(region),
        seconds=time.perf_counter() - started,
    )
    if notify and inserted:
        recommendation_list_notify(summary=summary)
    return PushResult(bank.pk, inserted, inserted, carried, superseded, time.perf_counter() - started)


# --- Notices -------------------------------------------------------------------------------------------------------


def recommendation_list_notify(*, summary: RecommendationList) -> int:
    """Tell every officer who can see the list (their bank's, within their branch's regions, holding at least one of
    its firms) that it arrived, with the number of firms they see: an in-app notice, and an email to those with an
    address (sent after commit). Idempotent — an officer is told of a list once (``Notice.recommendation_list``) —
    so it can run again after officers were added (the demo creates them after its first push). Returns how many
    were told now."""
    summary = RecommendationList.objects.select_related("run__batch", "bank").get(pk=summary.pk)
    bank, batch = summary.bank, summary.run.batch
    told = Notice.objects.filter(recommendation_list=summary).values("user_id")
    officers = BankOfficer.objects.filter(bank=bank, user__is_active=True).exclude(user_id__in=told)
    url = reverse("banks:list")
    notices, mails = [], []
    for officer in officers.select_related("user").order_by("pk"):
        actor = actor_of(officer.user)
        if not actor.is_bank:
            continue
        count = sum(n for code, n in summary.by_region.items() if code.startswith(actor.region))
        if not count:
            continue
        message = list_notice_message(bank=bank, batch=batch, count=count)
        notices.append(Notice(user=officer.user, message=message, url=url, recommendation_list=summary, firms=count))
        if officer.user.email:
            mails.append((_("新的推荐名单"), message, settings.DEFAULT_FROM_EMAIL, [officer.user.email]))
    Notice.objects.bulk_create(notices, ignore_conflicts=True)
    if mails:
        transaction.on_commit(lambda: send_mass_mail(mails, fail_silently=True))
    return len(notices)


def recommendation_lists_notify(*, run: ScoringRun) -> int:
    """``recommendation_list_notify`` for every bank's list of ``run`` (the demo, after creating its officers)."""
    return sum(recommendation_list_notify(summary=summary) for summary in RecommendationList.objects.filter(run=run))


# --- The officer's workflow ----------------------------------------------------------------------------------------

TRANSITIONS: dict[str, set[str]] = {
    S.NEW: {S.VIEWED, S.CONTACTED, S.DECLINED},
    S.VIEWED: {S.CONTACTED, S.DECLINED},
    S.CONTACTED: {S.APPROVED, S.DECLINED},
    S.APPROVED: {S.DECLINED},  # → contracted only by recording the loan (loans.services.loan_contract_create)
    S.DECLINED: set(),
    S.CONTRACTED: set(),
}


def _lock_visible(recommendation: Recommendation, user: User) -> Recommendation:
    try:
        return Recommendation.objects.visible_to(user).select_for_update().get(pk=recommendation.pk)
    except Recommendation.DoesNotExist:
        raise ApplicationError(_("推荐记录不存在。"))


@transaction.atomic
def recommendation_claim(*, recommendation: Recommendation, user: User) -> Recommendation:
    """Take the firm for follow-up: a conditional UPDATE, so two officers clicking at once cannot both win."""
    rows = Recommendation.objects.visible_to(user).filter(pk=recommendation.pk, superseded=False)
    claimed = rows.filter(Q(officer__isnull=True) | Q(officer=user)).update(officer=user, updated_at=timezone.now())
    if not claimed:
        if not rows.exists():
            raise ApplicationError(_("推荐记录不存在。"))
        raise ApplicationError(_("该企业已由其他客户经理跟进。"))
    return Recommendation.objects.get(pk=recommendation.pk)


@transaction.atomic
def recommendation_release(*, recommendation: Recommendation, user: User) -> Recommendation:
    updated = Recommendation.objects.visible_to(user).filter(pk=recommendation.pk, officer=user).update(officer=None)
    if not updated:
        raise ApplicationError(_("只能放弃本人跟进的企业。"))
    return Recommendation.objects.get(pk=recommendation.pk)


@transaction.atomic
def recommendation_transition(
    *,
    recommendation: Recommendation,
    user: User,
    status: str,
    category: str = "",
    reason: str = "",
    notes: str | None = None,
) -> Recommendation:
    """Move a recommendation along new → viewed → contacted → approved / declined.

    A decline names its category (``DeclineCategory``: what the firm may later be told) and may add an internal note
    (``reason``, the bank's alone). The acting officer claims an unclaimed firm; a firm claimed by a colleague cannot
    be moved. Contract signed is reached by recording the loan contract, which checks the amount and rate rules.
    """
    rec = _lock_visible(recommendation, user)
    if rec.superseded:
        raise ApplicationError(_("该名单已被新的评分结果取代,请在最新名单中处理。"))
    if rec.officer_id not in (None, user.pk):
        raise ApplicationError(_("该企业已由其他客户经理跟进。"))
    if status == S.CONTRACTED:
        raise ApplicationError(_("签约须登记贷款合同。"))
    if status not in TRANSITIONS.get(rec.status, set()):
        new = S(status).label if status in S.values else status
        raise ApplicationError(_("状态不能从“%(old)s”变为“%(new)s”。") % {"old": S(rec.status).label, "new": new})
    reason = (reason or "").strip()
    if status == S.DECLINED and category not in DeclineCategory.values:
        raise ValidationError({"decline_category": [_("拒绝时必须选择拒绝原因类别。")]})
    old_status = rec.status
    rec.status = status
    rec.status_changed_at = timezone.now()
    if status == S.DECLINED:
        rec.decline_category = category
        rec.decline_reason = reason
    if notes is not None:
        rec.notes = notes
    if rec.officer_id is None and status != S.VIEWED:
        rec.officer = user
    rec.save()
    recommendation_status_notify(rec)
    if status == S.DECLINED:
        audit_changes(rec, {"status": (old_status, status), "decline_category": ("", category)}, actor=user,
                      object_repr=f"{rec._meta.verbose_name} #{rec.pk}")  # fmt: skip
    return rec


def _reworkable(user: User, recommendation: Recommendation) -> tuple[Recommendation, BankOfficer]:
    """The row, locked, if ``user`` may reopen or reassign it: an officer of its bank who can see it (anyone else
    never reaches this: the row is not theirs to see), on the current list, and either the officer following it or
    the bank's admin."""
    rec = _lock_visible(recommendation, user)
    officer = BankOfficer.objects.filter(user=user, bank_id=rec.bank_id).first()
    if officer is None:
        raise ApplicationError(_("推荐记录不存在。"))
    if rec.superseded:
        raise ApplicationError(_("该名单已被新的评分结果取代,请在最新名单中处理。"))
    if rec.status == S.CONTRACTED:
        raise ApplicationError(_("已签约的企业不能重新打开或改派:贷款合同已登记。"))
    if rec.status != S.DECLINED and rec.officer_id is None:
        raise ApplicationError(_("只能重新打开已拒绝或已认领的推荐记录。"))
    if rec.officer_id not in (None, user.pk) and not officer.is_admin:
        raise ApplicationError(_("只有跟进该企业的客户经理或本行管理员可以重新打开或改派。"))
    return rec, officer


def _audit_work(rec: Recommendation, before: dict, *, user: User, action: str) -> None:
    changes = {name: (before[name], getattr(rec, name)) for name in before if before[name] != getattr(rec, name)}
    audit_changes(rec, changes, actor=user, additional_data={"action": action},
                  object_repr=f"{rec._meta.verbose_name} #{rec.pk}")  # fmt: skip


@transaction.atomic
def recommendation_reopen(*, recommendation: Recommendation, user: User) -> Recommendation:
    """Give a declined or claimed firm a second look: a declined row goes back to viewed (its category and internal
    note cleared; the audit trail keeps them, with who reopened it); a claimed row that is not declined is released,
    so any colleague may take it. Refused, with the rule, for a row that is neither."""
    rec, _officer = _reworkable(user, recommendation)
    before = {name: getattr(rec, name) for name in ("status", "officer_id", "decline_category", "decline_reason")}
    if rec.status == S.DECLINED:
        rec.status, rec.status_changed_at = S.VIEWED, timezone.now()
        rec.decline_category, rec.decline_reason = "", ""
    else:
        rec.officer = None
    rec.save()
    if rec.status != before["status"]:
        recommendation_status_notify(rec)
    _audit_work(rec, before, user=user, action="reopen")
    return rec


@transaction.atomic
def recommendation_reassign(*, recommendation: Recommendation, user: User, officer: User | None) -> Recommendation:
    """Hand a declined or claimed firm to another officer of the bank who can see it (its follow-up officer or the
    bank's admin decides); the status stays, the audit trail records who handed it to whom. ``officer`` is None when
    the caller named nobody who exists (an API username): the same refusal as a colleague who cannot see the firm,
    so the answer never tells whether a name exists at another bank."""
    rec, _officer = _reworkable(user, recommendation)
    target = BankOfficer.objects.filter(user=officer, bank_id=rec.bank_id).first() if officer else None
    if target is None or not Recommendation.objects.visible_to(officer).filter(pk=rec.pk).exists():
        raise ValidationError({"officer": [_("只能改派给能看到该企业的本行客户经理。")]})
    if officer.pk == rec.officer_id:
        raise ValidationError({"officer": [_("该企业已由这位客户经理跟进。")]})
    before = {"officer_id": rec.officer_id}
    rec.officer = officer
    rec.save(update_fields=["officer", "updated_at"])
    _audit_work(rec, before, user=user, action="reassign")
    return rec


def recommendation_mark_viewed(*, recommendation: Recommendation, user: User) -> None:
    """Opening the profile moves a new recommendation to viewed (a conditional UPDATE: no lock, no race)."""
    moved = (
        Recommendation.objects.visible_to(user)
        .filter(pk=recommendation.pk, status=S.NEW)
        .update(status=S.VIEWED, status_changed_at=timezone.now())
    )
    if moved:
        recommendation.status = S.VIEWED
        recommendation_status_notify(recommendation)


@transaction.atomic
def recommendation_note(*, recommendation: Recommendation, user: User, notes: str) -> Recommendation:
    rec = _lock_visible(recommendation, user)
    if rec.officer_id not in (None, user.pk):
        raise ApplicationError(_("该企业已由其他客户经理跟进。"))
    rec.notes = notes.strip()
    rec.save(update_fields=["notes", "updated_at"])
    return rec
