"""Reads for firms finding money: the product supermarket, a firm's needs and applications with their steps, the
status of its recommendation-list entries, and the open needs a bank sees (issue #15)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, Prefetch, Q, QuerySet, Subquery

from core.actors import actor_of
from enterprises.models import Batch, Enterprise, Submission
from scoring.models import Score

from .financing_notices import status_label
from .models import (
    ApplicationStep,
    ApplicationsVisit,
    FinancingApplication,
    FinancingNeed,
    LoanProduct,
    Recommendation,
)
from .product_reasons import product_misses_text
from .rules import ProductRule, credit_line, product_misses
from .selectors import product_rules


def latest_published_score(*, enterprise: Enterprise) -> Score | None:
    """The firm's score in the newest batch with a published run (its grade and stage decide what fits it)."""
    published = Batch.objects.filter(scoring__published_run__isnull=False).values("scoring__published_run_id")
    return (
        Score.objects.filter(enterprise=enterprise, run_id__in=published)
        .select_related("run")
        .order_by("-run__batch__year", "-run_id")
        .first()
    )


@dataclass(frozen=True)
class ShelfLine:
    """One product of the supermarket, the §11 line it would give this firm (None: no published score yet) and the
    product's conditions the firm does not meet yet (``banks.rules.product_misses``; empty: it may apply), in words."""

    product: LoanProduct
    line: Decimal | None
    misses: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()

    @property
    def available(self) -> bool:
        return not self.misses


@dataclass(frozen=True)
class ShelfFilters:
    bank: int | None = None
    amount: Decimal | None = None  # the firm needs at least this much: products lending up to it or more
    term_months: int | None = None  # ... for at least this long
    guarantee_mode: str = ""
    stage: str = ""


def firm_product_misses(*, enterprise: Enterprise, rule: ProductRule, score: Score | None) -> tuple[str, ...]:
    """The product's conditions this firm does not meet, judged on its latest published result (grade and stage
    are not judged before it has one): the rule the push matches with, for one firm."""
    return product_misses(rule, grade=score.grade if score else None, stage=score.stage if score else None,
                          section=enterprise.section_id, region_code=enterprise.region_code)  # fmt: skip


def product_unmet_reasons(*, enterprise: Enterprise, product: LoanProduct) -> list[str]:
    """Why the firm cannot apply for ``product`` yet, in words (empty: it can), its region apart: the supermarket's
    rule for one product, which ``financing_apply`` checks again (a page is not the only way to apply)."""
    score = latest_published_score(enterprise=enterprise)
    rules = [rule for candidate, rule in product_rules(bank=product.bank) if candidate.pk == product.pk]
    misses = firm_product_misses(enterprise=enterprise, rule=rules[0], score=score) if rules else ()
    return product_misses_text([m for m in misses if m != "region"], product, grade=score.grade if score else None,
                               stage=score.stage if score else None, section=enterprise.section_id)  # fmt: skip


def supermarket(*, enterprise: Enterprise, filters: ShelfFilters = ShelfFilters()) -> list[ShelfLine]:
    """Every active product with a branch serving the firm's region: those it can apply for (the push's rule,
    ``banks.rules.product_misses``: its section, and — once it has a published score — its grade and stage) with
    the §11 line (``banks.rules.credit_line``) from that score and the filing of its batch, best line first; then
    those it cannot apply for yet, each with why (fewest unmet conditions first)."""
    score = latest_published_score(enterprise=enterprise)
    revenue = previous = 0
    if score is not None:
        filing = Submission.objects.filter(enterprise=enterprise, batch_id=score.run.batch_id).first()
        revenue, previous = (filing.revenue, filing.revenue_prev) if filing else (0, 0)
    lines = []
    for product, rule in product_rules():
        misses = firm_product_misses(enterprise=enterprise, rule=rule, score=score)
        if "region" in misses or not _passes(product, filters):
            continue  # no branch serves the firm: not on its shelf at all
        line = None
        if score is not None and not misses:
            line = credit_line(line_by_grade=product.line_by_grade, max_amount=product.max_amount, grade=score.grade,
                               revenue=revenue, revenue_prev=previous, eligible=score.eligible)  # fmt: skip
        reasons = product_misses_text(misses, product, grade=score.grade if score else None,
                                      stage=score.stage if score else None, section=enterprise.section_id)  # fmt: skip
        lines.append(ShelfLine(product, line, misses, tuple(reasons)))
    return sorted(
        lines, key=lambda item: (len(item.misses), -(item.line or 0), item.product.rate_spread_bp, item.product.pk)
    )


def _passes(product: LoanProduct, filters: ShelfFilters) -> bool:
    return (
        (filters.bank is None or product.bank_id == filters.bank)
        and (filters.amount is None or product.max_amount >= filters.amount)
        and (filters.term_months is None or product.term_months >= filters.term_months)
        and (not filters.guarantee_mode or product.guarantee_mode == filters.guarantee_mode)
        and (not filters.stage or not product.stages or filters.stage in product.stages)
    )


def needs_of(*, enterprise: Enterprise) -> QuerySet[FinancingNeed]:
    """The firm's needs, newest first, with their applications, banks, products and steps (four queries)."""
    applications = FinancingApplication.objects.select_related("bank", "product").prefetch_related(
        Prefetch("steps", queryset=ApplicationStep.objects.order_by("at", "id"))
    )
    return (
        FinancingNeed.objects.filter(enterprise=enterprise)
        .prefetch_related(Prefetch("applications", queryset=applications), "preferred_banks")
        .order_by("-created_at", "-id")
    )


def firm_status_label(row) -> str:
    """An application's or a list entry's status as the firm reads it (a decline with its category only)."""
    status = "received" if row.status == "new" else row.status  # a list entry not yet opened: received
    return status_label(status, row.decline_category)


def list_entries_of(*, enterprise: Enterprise) -> list[Recommendation]:
    """The firm's entries on banks' current lists, each with the bank's status and its date (the bank's notes and
    internal reason are not read)."""
    return list(
        Recommendation.objects.filter(enterprise=enterprise, superseded=False)
        .select_related("bank", "run__batch")
        .only("bank", "run__batch__name", "status", "status_changed_at", "decline_category", "created_at")
        .order_by("bank__code", "-run_id")
    )


def open_need_counts(*, user, enterprise_ids) -> dict[int, int]:
    """Per firm, its open needs this bank may see (``FinancingNeed.visible_to``): the list's need badge, one query
    per page."""
    rows = (
        FinancingNeed.objects.visible_to(user)
        .filter(enterprise_id__in=list(enterprise_ids))
        .order_by()
        .values("enterprise_id")
        .annotate(n=Count("pk"))
    )
    return {row["enterprise_id"]: row["n"] for row in rows}


def open_needs_for_bank(*, user, enterprise_id: int) -> QuerySet[FinancingNeed]:
    return (
        FinancingNeed.objects.visible_to(user).filter(enterprise_id=enterprise_id).prefetch_related("preferred_banks")
    )


def incoming_applications(*, user) -> QuerySet[FinancingApplication]:
    """Applications addressed to the user's bank that it may see, newest first; nobody else's (a firm reads its own
    through ``FinancingApplication.visible_to``, without the bank's internal note)."""
    if not actor_of(user).is_bank:
        return FinancingApplication.objects.none()
    return FinancingApplication.objects.visible_to(user).select_related("need__enterprise", "product", "bank")


def needs_naming_bank(*, user) -> QuerySet[FinancingNeed]:
    """Open needs that name the user's bank among their preferred banks and are not yet addressed to it by an
    application (those are on its list of applications), of firms it may see (``FinancingNeed.visible_to``)."""
    actor = actor_of(user)
    if not actor.is_bank:
        return FinancingNeed.objects.none()
    named = FinancingNeed.objects.visible_to(user).filter(preferred_banks=actor.bank_id)
    return named.exclude(applications__bank_id=actor.bank_id).select_related("enterprise")


@dataclass(frozen=True)
class NewForBank:
    """What reached the officer's bank since they last opened its applications page, that they may see."""

    applications: int
    needs: int

    @property
    def total(self) -> int:
        return self.applications + self.needs


def new_for_bank(*, user) -> NewForBank:
    """Applications addressed to the user's bank and needs naming it that arrived since the officer's last visit to
    the applications page (all of them before the first): counted now, through ``visible_to`` (two queries, the
    visit read inside each)."""
    visit = ApplicationsVisit.objects.filter(user=user)
    since = Q(~Exists(visit)) | Q(created_at__gt=Subquery(visit.values("seen_at")[:1]))
    return NewForBank(
        applications=incoming_applications(user=user).filter(since).count(),
        needs=needs_naming_bank(user=user).filter(since).count(),
    )
