"""Reads for scoring: a batch's population as engine arrays (bulk), system definitions, runs and published scores."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, FloatField, Func, IntegerField, Q, QuerySet, Subquery
from django.db.models import Value as V
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, Ord

from core.db.copy import CENTS, queryset_to_arrays
from enterprises.batch_fields import batch_field_codes
from enterprises.choices import SubmissionStatus
from enterprises.models import Batch, Submission
from enterprises.selectors import consenting_enterprise_ids

from .engine.population import Population
from .engine.report import input_hashes
from .engine.system import BOOL_FIELDS, NUMERIC_FIELDS, STAGES, SystemDef
from .engine.whatif import PeerDistributions, WhatIf, score_what_if
from .indicator_systems import indicator_system_definition
from .models import EngineInput, IndicatorSystem, RunPeerDistribution, Score, ScoringRun


class _EpochDays(Func):
    """Days from 1970-01-01 to a date: what numpy's ``datetime64[D]`` counts, computed by the database."""

    output_field = IntegerField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="(%(expressions)s - DATE '1970-01-01')", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        template = "CAST(julianday(%(expressions)s) - 2440587.5 AS INTEGER)"
        return self.as_sql(compiler, connection, template=template, **extra)


# Column -> numpy dtype of the population read; every value is non-null (filings default to 0, flags to false).
POPULATION_COLUMNS: dict[str, str] = {
    "enterprise_id": "int64",
    "section_ascii": "int32",
    "region": "int32",
    "established_day": "int32",
    "is_approved": "bool",
    **{name: CENTS if name in Submission.MONEY_FIELDS else "float64" for name in NUMERIC_FIELDS},
    **dict.fromkeys(BOOL_FIELDS, "bool"),
}


SCORED_STATUSES = (SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED)
"""Methodology §7, "who is in a run's population": filings the bureau has (submitted) or has accepted (approved).
Drafts and filings returned for correction are in no peer group and no rank."""


def scored_submissions(*, batch: Batch) -> QuerySet[Submission]:
    """The filings a run of ``batch`` scores (``SCORED_STATUSES``; only approved ones can be recommended)."""
    return Submission.objects.filter(batch=batch, status__in=SCORED_STATUSES)


def awaiting_review_count(*, batch: Batch) -> int:
    """Filings of ``batch`` submitted and not yet reviewed: scored, but not recommendable until approved — what a
    bureau should know before it publishes."""
    return Submission.objects.filter(batch=batch, status=SubmissionStatus.SUBMITTED).count()


def population_queryset(*, batch: Batch) -> QuerySet[Submission]:
    """The scored filings annotated with what the engine reads besides the raw fields of methodology §1."""
    return _engine_annotations(scored_submissions(batch=batch))


def _engine_annotations(queryset: QuerySet[Submission]) -> QuerySet[Submission]:
    return queryset.annotate(
        section_ascii=Ord("enterprise__industry_code"),
        region=Cast("enterprise__region_code", IntegerField()),
        established_day=_EpochDays("enterprise__established"),
        is_approved=ExpressionWrapper(Q(status=SubmissionStatus.APPROVED), output_field=BooleanField()),
    )


def population_load(*, batch: Batch, with_codes: bool = False, enterprise_id: int | None = None) -> Population:
    """Every scored filing of ``batch`` as engine arrays, read in bulk: on PostgreSQL one binary COPY of the
    trigger-kept ``EngineInput`` rows (the engine's columns in its types: no join, no numeric casts), elsewhere the
    filings joined to their firms (``population_queryset``); the same arrays either way.

    ``consent`` is whether the firm has an active consent at load time. ``with_codes`` also reads the full industry
    and region codes, which the engine does not need but an export does (an ORM query: exports are rare, offline).
    ``enterprise_id`` reads one firm's row only (a policy page explaining that firm's match).
    """
    if connection.vendor == "postgresql":
        arrays = _engine_input_arrays(batch=batch, enterprise_id=enterprise_id)
    else:
        queryset = population_queryset(batch=batch)
        if enterprise_id is not None:
            queryset = queryset.filter(enterprise_id=enterprise_id)
        arrays = queryset_to_arrays(queryset, POPULATION_COLUMNS)
    ids = arrays["enterprise_id"]
    consent = np.isin(ids, consenting_enterprise_ids(enterprise_id=enterprise_id))
    industry_code = region_code = None
    if with_codes:
        codes = np.array(
            list(scored_submissions(batch=batch).values_list("enterprise_id", "enterprise__industry_code",
                                                             "enterprise__region_code")),
            dtype=object,
        ).reshape(-1, 3)  # fmt: skip
        code_ids = codes[:, 0].astype(np.int64)
        position = np.argsort(code_ids)
        where = position[np.searchsorted(code_ids[position], ids)]
        industry_code = codes[where, 1].astype(str)
        region_code = codes[where, 2].astype(str)
    extra = extra_values_load(batch=batch, ids=ids, codes=batch_field_codes(batch.pk), enterprise_id=enterprise_id)
    return _population(arrays, batch=batch, consent=consent, industry_code=industry_code, region_code=region_code,
                       extra=extra)  # fmt: skip


ENGINE_INPUT_COLUMNS = {
    f"{name}_cents" if dtype == CENTS else name: "int64" if dtype == CENTS else dtype
    for name, dtype in POPULATION_COLUMNS.items()
    if name != "is_approved"
}
"""``EngineInput``'s columns that ``POPULATION_COLUMNS`` reads: money as int64 cents."""


def _engine_input_arrays(*, batch: Batch, enterprise_id: int | None = None) -> dict[str, np.ndarray]:
    """``POPULATION_COLUMNS`` of the scored filings of ``batch`` from ``EngineInput``; cents become the correctly
    rounded float64 of the amount, as the casting read gives."""
    rows = EngineInput.objects.filter(batch_id=batch.pk, status__in=SCORED_STATUSES).annotate(
        is_approved=ExpressionWrapper(Q(status=SubmissionStatus.APPROVED), output_field=BooleanField())
    )
    if enterprise_id is not None:
        rows = rows.filter(enterprise_id=enterprise_id)
    arrays = queryset_to_arrays(rows, {**ENGINE_INPUT_COLUMNS, "is_approved": "bool"})
    return {
        name: arrays[f"{name}_cents"] / 100.0 if dtype == CENTS else arrays[name]
        for name, dtype in POPULATION_COLUMNS.items()
    }


def extra_values_load(
    *, batch: Batch, ids: np.ndarray, codes: list[str], enterprise_id: int | None = None, scored: bool = True
) -> dict[str, np.ndarray]:
    """The batch's extra fields ``codes`` (``enterprises.BatchField``) of the firms ``ids`` as float64 arrays
    aligned with ``ids``, read after the main COPY by one more bulk read of the same filings (``scored``: only
    the scored ones; else any status, as a single firm's hash reads it). A value not filed is 0, as a blank raw
    field is. No codes, no query."""
    if not codes:
        return {}
    queryset = scored_submissions(batch=batch) if scored else Submission.objects.filter(batch=batch)
    if enterprise_id is not None:
        queryset = queryset.filter(enterprise_id=enterprise_id)
    aliases = {f"extra_{i}": code for i, code in enumerate(codes)}  # codes are slugs, but never trusted as SQL names
    queryset = queryset.annotate(**{
        alias: Coalesce(Cast(KeyTextTransform(code, "extra_values"), FloatField()), V(0.0), output_field=FloatField())
        for alias, code in aliases.items()
    })  # fmt: skip
    arrays = queryset_to_arrays(queryset, {"enterprise_id": "int64", **dict.fromkeys(aliases, "float64")})
    loaded = arrays["enterprise_id"]
    order = np.argsort(loaded, kind="stable")
    position = np.searchsorted(loaded[order], ids)
    found = position < loaded.size
    found[found] = loaded[order][position[found]] == ids[found]
    where = order[np.where(found, position, 0)] if loaded.size else np.zeros(ids.size, dtype=np.intp)
    return {code: np.where(found, arrays[alias][where] if loaded.size else 0.0, 0.0).astype(np.float64)
            for alias, code in aliases.items()}  # fmt: skip


def _population(arrays: dict, *, batch: Batch, consent: np.ndarray, extra: dict | None = None, **codes) -> Population:
    return Population(
        enterprise_id=arrays["enterprise_id"],
        section=(arrays["section_ascii"] - ord("A")).astype(np.uint8),
        province=(arrays["region"] // 10_000).astype(np.int16),
        region=arrays["region"],
        established=arrays["established_day"].astype(np.int64).view("datetime64[D]"),
        values={name: arrays[name] for name in NUMERIC_FIELDS} | (extra or {}),
        flags={name: arrays[name] for name in BOOL_FIELDS},
        approved=arrays["is_approved"],
        consent=consent,
        reference_date=batch.reference_date,
        **codes,
    )


def filing_input_hash(*, batch: Batch, enterprise_id: int) -> int | None:
    """The firm's filing of ``batch`` hashed as a run hashes it (``engine.report.input_hashes``), whatever the
    filing's status; ``None`` without a filing. Equal to the firm's ``Score.input_hash`` exactly when nothing the
    engine reads of this firm changed since the run. One query of one row."""
    queryset = _engine_annotations(Submission.objects.filter(batch=batch, enterprise_id=enterprise_id))
    arrays = queryset_to_arrays(queryset, POPULATION_COLUMNS)
    if arrays["enterprise_id"].size == 0:
        return None
    extra = extra_values_load(batch=batch, ids=arrays["enterprise_id"], codes=batch_field_codes(batch.pk),
                              enterprise_id=enterprise_id, scored=False)  # fmt: skip
    population = _population(arrays, batch=batch, consent=np.zeros(1, dtype=bool), extra=extra)
    return int(input_hashes(population)[0])


def what_if_score(*, score_row: Score, values: dict[str, Any]) -> WhatIf | None:
    """The firm of ``score_row`` scored with its filing of the run's batch changed by ``values`` (raw fields of
    methodology §1, or a batch extra field by its code) against the run's stored peer distributions
    (``engine.whatif``): a simulation, never stored.
    Approval and consent are the firm's as they are now. ``None`` when the run kept no distributions (older runs)."""
    run = score_row.run
    stored = RunPeerDistribution.objects.filter(run_id=run.pk).values_list("data", flat=True).first()
    if stored is None:
        return None
    queryset = _engine_annotations(
        Submission.objects.filter(batch_id=run.batch_id, enterprise_id=score_row.enterprise_id)
    )
    arrays = queryset_to_arrays(queryset, POPULATION_COLUMNS)
    if arrays["enterprise_id"].size == 0:
        return None
    extra = extra_values_load(batch=run.batch, ids=arrays["enterprise_id"], codes=batch_field_codes(run.batch_id),
                              enterprise_id=score_row.enterprise_id, scored=False)  # fmt: skip
    for name, value in values.items():
        if name in arrays and value is not None:
            arrays[name] = np.array([value], dtype=arrays[name].dtype)
        elif name in extra and value is not None:  # a batch's extra field, by its code
            extra[name] = np.array([float(value)], dtype=np.float64)
    consent = np.isin(arrays["enterprise_id"], consenting_enterprise_ids())
    firm = _population(arrays, batch=run.batch, consent=consent, extra=extra)
    return score_what_if(firm, system_definition(system=run.system), PeerDistributions.from_bytes(stored),
                         published_cents=int(Decimal(score_row.total) * 100),
                         published_stage=STAGES.index(score_row.stage))  # fmt: skip


def population_digest(population: Population) -> str:
    """SHA-256 of what the engine reads from the filings, independent of row order.

    Covers ids, sections, provinces, establishment dates, every raw and extra field and the reference date — not the
    approval and consent flags, which legitimately change after a run and are recorded in each score's reason codes.
    """
    order = np.argsort(population.enterprise_id, kind="stable")
    if np.array_equal(order, np.arange(order.size)):
        order = slice(None)  # already sorted (the usual case): hash without copying
    digest = hashlib.sha256(str(population.reference_date).encode())
    columns = [
        ("enterprise_id", population.enterprise_id, "<i8"),
        ("section", population.section, "u1"),
        ("province", population.province, "<i2"),
        ("established", population.established.astype("datetime64[D]").view(np.int64), "<i8"),
        *((name, population.values[name], "<f8") for name in NUMERIC_FIELDS),
        *((name, population.flags[name], "?") for name in BOOL_FIELDS),
        *((name, population.values[name], "<f8") for name in population.extra_fields),  # none: the digest as before
    ]
    for name, array, dtype in columns:
        digest.update(name.encode())
        digest.update(np.ascontiguousarray(array[order], dtype=dtype).data)
    return digest.hexdigest()


def system_definition(*, system: IndicatorSystem) -> SystemDef:
    """The engine's view of a stored indicator system."""
    return indicator_system_definition(system)


def published_run(*, batch: Batch) -> ScoringRun | None:
    """The run whose scores ``batch`` currently publishes (``None`` before the first publication)."""
    return ScoringRun.objects.filter(
        pk=Batch.objects.filter(pk=batch.pk).values("scoring__published_run_id")[:1]
    ).first()


def scores_of_run(*, run: ScoringRun) -> QuerySet[Score]:
    return Score.objects.filter(run=run)


def published_scores(*, batch: Batch) -> QuerySet[Score]:
    """The published scores of ``batch`` in one statement: readers see the whole old or the whole new run."""
    return Score.objects.filter(
        run_id=Subquery(Batch.objects.filter(pk=batch.pk).values("scoring__published_run_id")[:1])
    )
