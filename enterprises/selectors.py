"""Reads for the enterprise journey and the bureau review: open batches, filings, queues, counts, trails."""

import numpy as np
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from core.db.copy import queryset_to_arrays
from core.models import Bank, User
from enterprises.choices import BatchStatus
from enterprises.models import Batch

from .choices import SubmissionStatus
from .labels import value_label
from .models import Consent, Enterprise, ProfileAccessLog, Submission, SubmissionChange


def consent_covers_bank(bank_id: int, enterprise: str = "enterprise_id") -> Exists:
    """The outer row's firm (its field ``enterprise``) has a consent active now covering bank ``bank_id``: what
    every bank read asks (list, profile, score lookup, API). Active by the database's clock (``ConsentQuerySet``)."""
    return Exists(Consent.objects.active().covering(bank_id).filter(enterprise_id=OuterRef(enterprise)))


def consenting_enterprise_ids(*, bank_id: int | None = None, enterprise_id: int | None = None) -> np.ndarray:
    """Ids of firms with a consent active now (methodology §7), unsorted, in one bulk read: covering ``bank_id``
    (what the bank's list may hold), or any consent at all when ``bank_id`` is None (the ``no_consent`` reason);
    ``enterprise_id``: that firm's id or none (one firm's page: ~0.3 s to read every consenting firm nationally).

    A bulk read rather than a subquery per row: EXISTS probes an index 520,000 times, and IN is hashed only while
    the id set fits in ``work_mem`` — beyond that PostgreSQL rescans it for every row.
    """
    consents = Consent.objects.active()
    if bank_id is not None:
        consents = consents.covering(bank_id)
    if enterprise_id is not None:
        consents = consents.filter(enterprise_id=enterprise_id)
    return queryset_to_arrays(consents, {"enterprise_id": "int64"})["enterprise_id"]


def region_prefixes(region_code: str) -> list[str]:
    """The region scopes that cover ``region_code``: national, province, city and the county itself."""
    return ["", region_code[:2], region_code[:4], region_code]


def open_batches_for(*, enterprise: Enterprise) -> QuerySet[Batch]:
    """Every open batch whose region covers the enterprise (national, its province, city, county), newest first:
    the rounds it may file in now (a national and a provincial round can be open at once)."""
    return Batch.objects.filter(
        status=BatchStatus.OPEN, region_scope__in=region_prefixes(enterprise.region_code)
    ).order_by("-year", "-opens_on", "-pk")


def open_batch_for(*, enterprise: Enterprise, batch_id: int | None = None) -> Batch | None:
    """The open batch ``batch_id`` if the enterprise may file in it, else (no id) the newest open one; ``None``
    when there is none (or ``batch_id`` names a batch it cannot file in)."""
    batches = open_batches_for(enterprise=enterprise)
    return batches.filter(pk=batch_id).first() if batch_id is not None else batches.first()


def submission_of(*, enterprise: Enterprise, batch: Batch) -> Submission | None:
    return Submission.objects.filter(enterprise=enterprise, batch=batch).select_related("batch", "reviewer").first()


def submission_history(*, submission: Submission) -> QuerySet[SubmissionChange]:
    return submission.changes.select_related("user").order_by("-created_at", "-pk")


def previous_submission(*, submission: Submission) -> Submission | None:
    """The same firm's filing of the latest earlier year (what the reviewer compares with)."""
    return (
        Submission.objects.filter(enterprise_id=submission.enterprise_id, batch__year__lt=submission.batch.year)
        .order_by("-batch__year")
        .first()
    )


def review_queue(
    *, user: User, batch: Batch | None = None, status: str = "", search: str = "", section: str = ""
) -> QuerySet[Submission]:
    """Filings in the reviewer's region, filtered; submitted ones first (oldest submission first)."""
    queryset = Submission.objects.visible_to(user).exclude(status=SubmissionStatus.DRAFT)
    if batch is not None:
        queryset = queryset.filter(batch=batch)
    if status:
        queryset = queryset.filter(status=status)
    if section:
        queryset = queryset.filter(enterprise__section_id=section)
    if search:
        queryset = queryset.filter(
            Q(enterprise__name__icontains=search) | Q(enterprise__credit_code__startswith=search.upper())
        )
    return queryset.select_related("enterprise", "batch", "reviewer").order_by("submitted_at", "pk")


def status_counts(*, user: User, batch: Batch | None = None) -> dict[str, int]:
    """Filings per status in the reviewer's region (every status present, zeros included)."""
    queryset = Submission.objects.visible_to(user)
    if batch is not None:
        queryset = queryset.filter(batch=batch)
    counts = dict.fromkeys(SubmissionStatus.values, 0)
    counts.update(dict(queryset.values_list("status").annotate(n=Count("pk")).values_list("status", "n")))
    return counts


def consents_of(*, enterprise: Enterprise) -> QuerySet[Consent]:
    return enterprise.consents.select_related("bank", "granted_by").order_by("-granted_at", "-pk")


def access_log_of(*, enterprise: Enterprise) -> QuerySet[ProfileAccessLog]:
    return enterprise.access_logs.select_related("bank", "user")


# A year-on-year change beyond +100 % or −50 % is flagged for the reviewer (and any change from 0 to a value).
JUMP_UP = 1.0
JUMP_DOWN = -0.5


def filing_comparison(*, submission: Submission, previous: Submission | None) -> list[dict]:
    """One row per numeric raw field: this year's value, last year's, the relative change and a jump flag."""
    from .filing import GROUPS

    rows = []
    for _title, names in GROUPS:
        for name in names:
            current = getattr(submission, name)
            before = getattr(previous, name) if previous is not None else None
            change = None
            if isinstance(current, bool) or before is None or isinstance(before, bool):
                jump = before is not None and current != before
            elif before:
                change = float(current) / float(before) - 1
                jump = change > JUMP_UP or change < JUMP_DOWN
            else:
                jump = bool(current)
            label = Submission._meta.get_field(name).verbose_name
            rows.append({"name": name, "label": label, "current": current, "previous": before, "change": change,
                         "jump": jump, "current_label": value_label(name, current),
                         "previous_label": value_label(name, before),
                         "change_label": "" if change is None else f"{change * 100:+,.1f} %"})  # fmt: skip
    return rows + _extra_comparison(submission, previous)


def _extra_comparison(submission: Submission, previous: Submission | None) -> list[dict]:
    """The batch's extra fields as rows of ``filing_comparison``: last year's value when last year's batch had a
    field of the same code."""
    from .batch_fields import batch_fields_of, extra_key, extra_value_label

    rows = []
    before_values = (previous.extra_values or {}) if previous is not None else {}
    for field in batch_fields_of(submission.batch_id):
        text, before = (submission.extra_values or {}).get(field.code), before_values.get(field.code)
        current, old = float(text or 0), (float(before) if before is not None else None)
        change = current / old - 1 if old else None
        jump = (change is not None and (change > JUMP_UP or change < JUMP_DOWN)) or (old == 0 and current != 0)
        rows.append({"name": extra_key(field.code), "label": field.label, "current": text, "previous": before,
                     "change": change, "jump": jump, "current_label": extra_value_label(field, text),
                     "previous_label": extra_value_label(field, before),
                     "change_label": "" if change is None else f"{change * 100:+,.1f} %"})  # fmt: skip
    return rows


def consenting_bank_ids(*, enterprise_id: int) -> set[int]:
    """Ids of the banks the firm's consents active now cover (``ConsentQuerySet.covering``: a blanket consent covers
    every bank, one naming a bank that bank alone): the banks whose list may hold the firm. One query."""
    covered = Consent.objects.active().covering(OuterRef("pk")).filter(enterprise_id=enterprise_id)
    return set(Bank.objects.filter(Exists(covered)).values_list("pk", flat=True))
