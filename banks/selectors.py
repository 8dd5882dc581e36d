"""Reads for banks: the published run's eligible firms as arrays (bulk, for the push) and the officer's list."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import numpy as np
from django.db.models import Case, DecimalField, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, Ord

from core.actors import actor_of
from core.db.copy import CENTS, queryset_to_arrays
from core.models import Bank, BankOfficer, Branch
from enterprises.choices import ConsentScope
from enterprises.models import Consent, Submission
from scoring.choices import GRADE_ORDER, Stage
from scoring.models import Score, ScoringRun

from .models import LoanProduct, Recommendation, RecommendationList
from .rules import ProductRule, credit_line, product_fits

GRADES = GRADE_ORDER
STAGES = tuple(Stage.values)


def _code_of(field: str, labels: tuple[str, ...]) -> Case:
    """``field``'s position in ``labels`` (a text column read as a small integer, for binary COPY)."""
    return Case(
        *[When(**{field: label}, then=Value(i)) for i, label in enumerate(labels)],
        default=Value(-1),
        output_field=IntegerField(),
    )


@dataclass(frozen=True, eq=False)
class PushPopulation:
    """The eligible firms of one run (methodology §7), as aligned arrays sorted best first (the list order).

    Amounts are integer cents of 万元, as the list stores them, so a suggested line is exact (no float rounding).
    """

    enterprise_id: np.ndarray  # int64
    total_cents: np.ndarray  # int64
    grade: np.ndarray  # int index into GRADES
    stage: np.ndarray  # int index into STAGES
    region: np.ndarray  # int, the 6-digit region code when scored
    region_code: np.ndarray  # the same as 6 bytes ("S6"), as the list stores it
    section: np.ndarray  # the section letter as one byte ("S1")
    revenue_basis_x2: np.ndarray  # int64: twice the revenue term of methodology §11, in cents (halves stay exact)
    financing_cents: np.ndarray  # int64, -1 when the firm stated no financing need

    @property
    def n(self) -> int:
        return int(self.enterprise_id.size)


def push_population(*, run: ScoringRun) -> PushPopulation:
    """Eligible firms of ``run`` with what matching needs; cached per run in the worker (a run's scores never change
    once computed, and one worker serves many of the run's bank tasks in a row)."""
    return _push_population(run.pk, run.batch_id)


def _cents(values: np.ndarray) -> np.ndarray:
    """Back to integer cents from ``CENTS`` floats (cents / 100.0, correctly rounded, so this is exact)."""
    return np.rint(values * 100).astype(np.int64)


@lru_cache(maxsize=1)
def _push_population(run_id: int, batch_id: int) -> PushPopulation:
    # One query: the eligible scores joined with their firm and its filing of the batch (~70,000 rows), rather than
    # every filing of the batch (520,000) read and matched in numpy.
    money = Submission._meta.get_field("revenue")
    scores = queryset_to_arrays(
        Score.objects.filter(run_id=run_id, eligible=True, enterprise__submissions__batch_id=batch_id).annotate(
            section_ascii=Ord("enterprise__industry_code"),
            grade_code=_code_of("grade", GRADES),
            stage_code=_code_of("stage", STAGES),
            revenue=F("enterprise__submissions__revenue"),
            revenue_prev=F("enterprise__submissions__revenue_prev"),
            need=Coalesce("enterprise__submissions__financing_amount", Value(-1), output_field=money),
        ),
        {
            "enterprise_id": "int64",
            "total": CENTS,
            "grade_code": "int32",
            "stage_code": "int32",
            "region": "int32",
            "section_ascii": "int32",
            "revenue": CENTS,
            "revenue_prev": CENTS,
            "need": CENTS,
        },
    )
    if (scores["grade_code"] < 0).any() or (scores["stage_code"] < 0).any():
        raise ValueError("an eligible score with an unknown grade or stage")
    ids = scores["enterprise_id"]
    revenue, previous = _cents(scores["revenue"]), _cents(scores["revenue_prev"])
    # methodology §11: the average of revenue and revenue_prev when revenue_prev > 0, else revenue
    basis_x2 = np.where(previous > 0, revenue + previous, 2 * revenue)
    cents = _cents(scores["total"])
    order = np.lexsort((ids, -cents))  # best total first, then the lower id: a stable, reproducible list order
    region = scores["region"][order]
    return PushPopulation(
        enterprise_id=ids[order],
        total_cents=cents[order],
        grade=scores["grade_code"][order],
        stage=scores["stage_code"][order],
        region=region,
        region_code=np.char.zfill(region.astype("U6"), 6).astype("S6"),
        section=scores["section_ascii"][order].astype(np.uint8).view("S1"),
        revenue_basis_x2=basis_x2[order],
        financing_cents=_cents(scores["need"])[order],
    )


def push_population_forget() -> None:
    """Drop the per-run cache (tests, and a bench that re-pushes after changing filings)."""
    _push_population.cache_clear()


def product_rules(*, bank: Bank | None = None) -> list[tuple[LoanProduct, ProductRule]]:
    """Products on sale (of ``bank``, or of every bank) with the rule of who they are for; the regions a product
    serves are those of its own branches, or of every branch of its bank. Three queries, whatever the count."""
    products = LoanProduct.objects.filter(active=True).select_related("bank").prefetch_related("branches")
    if bank is not None:
        products = products.filter(bank=bank)
    products = list(products.order_by("pk"))
    bank_scopes: dict[int, set[str]] = {}
    for bank_id, scope in Branch.objects.filter(bank__in={p.bank_id for p in products}).values_list(
        "bank_id", "region_scope"
    ):
        bank_scopes.setdefault(bank_id, set()).add(scope)
    return [
        (p, ProductRule(p.min_grade, p.stages, p.sections,
                        sorted({b.region_scope for b in p.branches.all()} or bank_scopes.get(p.bank_id, set()))))
        for p in products
    ]  # fmt: skip


def products_fitting(*, grade: str, stage: str, section: str, region_code: str, bank: Bank | None = None):
    """The products on sale that fit a firm (``banks.rules.product_fits``), as the push would match them."""
    return [
        (product, rule)
        for product, rule in product_rules(bank=bank)
        if product_fits(rule, grade=grade, stage=stage, section=section, region_code=region_code)
    ]


def suggested_lines(*, recommendation: Recommendation) -> list[tuple[LoanProduct, Decimal]]:
    """Each matching product of a list row with the §11 line for the firm (``banks.rules.credit_line``), from the
    firm's filing of the run's batch: what the officer's page, the API profile and the loan form show."""
    filing = (
        Submission.objects.filter(enterprise_id=recommendation.enterprise_id, batch_id=recommendation.run.batch_id)
        .only("revenue", "revenue_prev")
        .first()
    )
    revenue, previous = (filing.revenue, filing.revenue_prev) if filing else (0, 0)
    products = LoanProduct.objects.filter(bank_id=recommendation.bank_id, pk__in=recommendation.product_ids)
    return [
        (product, credit_line(line_by_grade=product.line_by_grade, max_amount=product.max_amount,
                              grade=recommendation.grade, revenue=revenue, revenue_prev=previous, eligible=True))
        for product in products.order_by("pk")
    ]  # fmt: skip


def preferred_enterprise_ids(*, run: ScoringRun, bank: Bank) -> np.ndarray:
    through = Submission.preferred_banks.through
    rows = through.objects.filter(bank_id=bank.pk, submission__batch_id=run.batch_id)
    return np.fromiter(rows.values_list("submission__enterprise_id", flat=True), dtype=np.int64)


# --- The officer's list -------------------------------------------------------------------------------------------

NEED_KEY = Coalesce("financing_amount", Value(Decimal(-1)), output_field=DecimalField(max_digits=12, decimal_places=2))
"""The financing need as a sort key: firms that stated none sort below every amount (a NULL would sort first)."""
SORT_KEYS: dict[str, tuple[tuple[str, bool], ...]] = {
    "rank": (("list_rank", False), ("id", False)),
    "-total": (("total", True), ("list_rank", False), ("id", False)),
    "total": (("total", False), ("list_rank", True), ("id", True)),
    "-line": (("suggested_line", True), ("list_rank", False), ("id", False)),
    "-need": (("need_key", True), ("list_rank", False), ("id", False)),
    "status": (("status", False), ("list_rank", False), ("id", False)),
}
"""Each sort of the officer's list as (field, descending) keys, ending with the id: a total order, so a page can
start right after a row (keyset pagination). ``need_key`` is ``NEED_KEY``."""


LIST_ORDER_OF = {"-total": (("list_rank", False), ("id", False)), "total": (("list_rank", True), ("id", True))}
"""The sorts by total that are list order within one list: the push ranks a list by total, best first (ties by the
firm's id), so (total desc, list_rank) is list_rank and (total asc, list_rank desc) is list_rank desc. Read through
the list's index instead of sorting its ~70,000 rows for each page; across several lists (batches) ranks repeat, and
the sort by total is what it says."""


def page_keys(sort: str, *, lists: int) -> tuple[tuple[str, bool], ...]:
    """The keys ``recommendation_page`` orders ``sort`` by when the officer's rows come from ``lists`` lists."""
    if lists == 1 and sort in LIST_ORDER_OF:
        return LIST_ORDER_OF[sort]
    return SORT_KEYS.get(sort, SORT_KEYS["rank"])


def _order(name: str, descending: bool):
    expression = NEED_KEY if name == "need_key" else F(name)
    return expression.desc() if descending else expression.asc()


SORTS = {sort: tuple(_order(name, descending) for name, descending in keys) for sort, keys in SORT_KEYS.items()}
"""``order_by()`` arguments of each sort (shared with ``banks.filters``)."""


@dataclass(eq=False)
class ListPage:
    """One page of the officer's list, reached by keyset: ``after`` / ``before`` name the row it continues from."""

    rows: list[Recommendation]
    count: int  # rows of the whole filtered list
    next_after: int | None  # the id to continue after, when there are more rows
    previous_before: int | None  # the id to go back before, when this is not the first page

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def _beyond(keys: tuple[tuple[str, bool], ...], anchor: dict, *, backwards: bool) -> Q:
    """Rows strictly after ``anchor`` in the order of ``keys`` (strictly before it when ``backwards``).

    The lexicographic comparison, (a > x) OR (a = x AND b > y) OR …, plus ``a >= x`` on its own: a condition on
    the first key alone that an index in that order can start from (list order: page 1,000 reads 50 index entries,
    not 50,000)."""

    def op(descending: bool, strict: bool) -> str:
        return ("gt" if descending == backwards else "lt") + ("" if strict else "e")

    first, first_desc = keys[0]
    condition, equal = Q(pk__in=[]), Q()
    for name, descending in keys:
        condition |= equal & Q(**{f"{name}__{op(descending, strict=True)}": anchor[name]})
        equal &= Q(**{name: anchor[name]})
    return Q(**{f"{first}__{op(first_desc, strict=False)}": anchor[first]}) & condition


def recommendation_page(
    *,
    user,
    rows: QuerySet[Recommendation],
    sort: str,
    after: int | None = None,
    before: int | None = None,
    start_rank: int | None = None,
    size: int,
    count: int | None = None,
    lists: int = 0,
) -> ListPage:
    """A page of ``rows`` (the officer's filtered list) in the order ``sort``: the first, the one after row
    ``after``, the one before row ``before``, or — in list order — the one starting at list rank ``start_rank`` (the
    page jump). Any depth costs the same: no OFFSET, the keys of the row named are read (or, for a jump, are the rank
    itself) and the page starts there (an id not on the officer's list gives the first page). ``count`` is the
    length of ``rows`` when the caller knows it already (``banks.list_summary`` keeps it), else counted. ``lists``:
    how many lists the rows come from, when known (``page_keys``: a sort by total within one list is list order)."""
    keys = page_keys(sort, lists=lists)
    names = [name for name, _ in keys]
    rows = rows.annotate(need_key=NEED_KEY)
    anchor_id, backwards = (before, True) if before else (after, False)
    anchor = None
    if start_rank is not None and keys == SORT_KEYS["rank"] and start_rank > 1:
        anchor, backwards = {"list_rank": start_rank, "id": 0}, False  # ids start at 1: from rank N on
    elif anchor_id:
        visible = Recommendation.objects.listed_to(user).annotate(need_key=NEED_KEY)
        anchor = visible.filter(pk=anchor_id).order_by().values(*names)[:1]
        anchor = anchor[0] if anchor else None
    if anchor is None:
        backwards = False
    ordered = rows.filter(_beyond(keys, anchor, backwards=backwards)) if anchor else rows
    ordering = [_order(name, descending != backwards) for name, descending in keys]
    found = list(ordered.order_by(*ordering)[: size + 1])
    more = len(found) > size
    found = found[:size]
    if backwards:
        found.reverse()
    count = rows.count() if count is None else count
    if not found:
        return ListPage([], count, None, None)
    if backwards:  # came back from a later page: one follows; one precedes when the query found more
        return ListPage(found, count, found[-1].pk, found[0].pk if more else None)
    preceded = anchor is not None
    if preceded and start_rank is not None:  # a jump: rows precede only if the filtered list has some before it
        preceded = rows.filter(
            _beyond(keys, {"list_rank": found[0].list_rank, "id": found[0].pk}, backwards=True)
        ).exists()
    return ListPage(found, count, found[-1].pk if more else None, found[0].pk if preceded else None)


def profile_consent_scope(*, enterprise_id: int, bank: Bank) -> str | None:
    """The widest scope of the firm's active consents covering ``bank`` (blanket or naming it): ``financials``,
    ``profile``, or None when there is none (then the profile is a 404)."""
    scopes = set(
        Consent.objects.active().covering(bank.pk).filter(enterprise_id=enterprise_id).values_list("scope", flat=True)
    )
    if ConsentScope.FINANCIALS in scopes:
        return ConsentScope.FINANCIALS
    return ConsentScope.PROFILE if scopes else None


# --- What the list is and what changed -----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ListHeader:
    """A current list of the bank (one per batch whose published run was pushed to it) and the list it superseded:
    the bank's list of the same batch pushed before it, None for the batch's first."""

    current: RecommendationList
    previous: RecommendationList | None

    @property
    def batch(self):
        return self.current.run.batch


def bank_lists(*, user) -> list[ListHeader]:
    """The bank's current lists, newest push first, each with the one it superseded (one query: a bank has a list
    per published run, a handful)."""
    actor = actor_of(user)
    if not actor.is_bank:
        return []
    lists = list(
        RecommendationList.objects.filter(bank_id=actor.bank_id)
        .select_related("run__batch__scoring", "run__system")
        .defer("by_region", "by_province")
        .order_by("created_at", "pk")
    )
    headers, before = [], {}
    for summary in lists:
        batch = summary.run.batch
        scoring = getattr(batch, "scoring", None)
        if scoring is not None and scoring.published_run_id == summary.run_id:
            headers.append(ListHeader(summary, before.get(batch.pk)))
        before[batch.pk] = summary
    return headers[::-1]


CHANGE_NEW, CHANGE_UP, CHANGE_DOWN, CHANGE_SAME = "new", "up", "down", "same"


@dataclass(frozen=True)
class Change:
    kind: str  # CHANGE_NEW, CHANGE_UP, CHANGE_DOWN or CHANGE_SAME
    grade_before: str = ""  # the grade on the previous list ("" when new)


def list_changes(*, user, rows: list[Recommendation], headers: list[ListHeader]) -> dict[int, Change]:
    """Per row (by id), what changed since the bank's previous list of its batch: ``new`` (the firm was not on it),
    ``up`` / ``down`` (a better / worse grade), ``same``. Rows of a batch's first list get nothing. One query for the
    whole page, whatever its size (the previous rows of the page's firms, through ``visible_to``)."""
    previous_run = {h.current.run_id: h.previous.run_id for h in headers if h.previous is not None}
    firms_by_run: dict[int, list[int]] = {}
    for rec in rows:
        if rec.run_id in previous_run and not rec.masked:
            firms_by_run.setdefault(previous_run[rec.run_id], []).append(rec.enterprise_id)
    if not firms_by_run:
        return {}
    wanted = Q(pk__in=[])
    for run_id, firms in firms_by_run.items():
        wanted |= Q(run_id=run_id, enterprise_id__in=firms)
    before = {
        (run_id, firm): grade
        for run_id, firm, grade in Recommendation.objects.listed_to(user)
        .filter(wanted)
        .order_by()  # not the model's (bank, list_rank): ordering by the bank joins its table
        .values_list("run_id", "enterprise_id", "grade")
    }
    changes = {}
    for rec in rows:
        if rec.run_id not in previous_run or rec.masked:
            continue
        old = before.get((previous_run[rec.run_id], rec.enterprise_id))
        if old is None:
            changes[rec.pk] = Change(CHANGE_NEW)
        elif old == rec.grade:
            changes[rec.pk] = Change(CHANGE_SAME, old)
        else:
            changes[rec.pk] = Change(CHANGE_UP if GRADES.index(rec.grade) < GRADES.index(old) else CHANGE_DOWN, old)
    return changes


def dropped_rows(*, user, headers: list[ListHeader]) -> QuerySet[Recommendation]:
    """Firms on the bank's previous list of a batch and not on its current one, as their rows of the previous list
    (rank, grade, total as they were). Scoped like the list: the officer's regions, and only firms that consent to
    the bank now (a firm whose consent lapsed shows nothing)."""
    actor = actor_of(user)
    wanted = Q(pk__in=[])
    for header in headers:
        if header.previous is None:
            continue
        still_listed = Recommendation.objects.filter(
            run_id=header.current.run_id, bank_id=actor.bank_id, enterprise_id=OuterRef("enterprise_id")
        )
        wanted |= Q(run_id=header.previous.run_id) & ~Exists(still_listed)
    return Recommendation.objects.listed_to(user).filter(wanted)


def named_consent_firms(*, bank_id: int, enterprise_ids) -> set[int]:
    """Which of these firms have an active consent naming ``bank_id`` (the others are on the list under a blanket
    consent to the platform's partner banks): the list's consent badge, one query per page."""
    named = Consent.objects.active().filter(bank_id=bank_id, enterprise_id__in=list(enterprise_ids))
    return set(named.values_list("enterprise_id", flat=True))


def reassign_candidates(*, recommendation: Recommendation) -> list[BankOfficer]:
    """The bank's active officers who can see the row (``Recommendation.visible_to``: their branch's regions cover
    the firm), but the one following it: whom it may be handed to. A bank has a handful of officers per region."""
    officers = (
        BankOfficer.objects.filter(bank_id=recommendation.bank_id, user__is_active=True)
        .exclude(user_id=recommendation.officer_id)
        .select_related("user")
        .order_by("user__username")
    )
    return [o for o in officers if Recommendation.objects.visible_to(o.user).filter(pk=recommendation.pk).exists()]
