"""The weight sandbox (issue #13 item 6): score a batch with a *draft* indicator system in memory and set the result
beside the batch's published run — the funnel (recommendable firms, grades, provinces) and the run comparison of
``scoring.comparison`` — without writing a run, a score or anything else.

Decisions (measured with ``bench/sandbox_bench.py``):

- **What is cached.** Loading dominates (the engine takes ~0.5 s at 520,000 firms, the bulk read of the filings
  several seconds), so each web process keeps the engine's input of the last ``CACHE_BATCHES`` batches it previewed:
  the population (with each firm's region code, for the bureau's scope; its consent flags are replaced at each
  preview). What is not cached is read at once on as many connections (``comparison.reads_at_once``). An entry is
  keyed by batch id and a *data version*, one aggregate query over the batch's filings and firms (count of scored
  filings, count approved, latest ``updated_at`` of each) plus the batch's extra field codes: any saved change of a
  filing, a review decision, a firm's record or a new extra field gives a new version and the next preview reloads.
  Writes that bypass ``updated_at`` (a bulk ``UPDATE`` of values) are bounded by ``CACHE_SECONDS``. Consent is read
  afresh at every preview (one id read, ~0.2 s at 520,000 firms): it changes by expiry too, with no row written. The
  published run's side (its stored score arrays, indicator means and the firms' sections, in the bureau's scope) is
  cached by run id and scope, under the same data version: a run's scores never change. Per process, not in Redis: the
  arrays are ~100 MB at national scale, and a preview must not pay their transfer. Nothing is stored with the
  published run: that would freeze the population at the time of publication, while the sandbox previews what a run
  started now would compute.
- **Synchronous.** A preview is a read with no state worth tracking (no run row, nothing to resume), so it is one
  request: ~0.1 s on the demo (2,000 firms, SQLite), 0.24 s warm and 0.98 s cold at 20,000 on PostgreSQL; at
  national scale a warm preview should be the engine (~0.5 s), the version query and consent read (~0.3–0.5 s) and
  the comparison (~0.2 s) — an estimate until the 520,000-firm bench is run; only the first preview of a batch in a
  process pays the full load. A trial run remains the way to keep a result.
- **Equal to a real run.** The same selector reads the population, the same ``engine.score`` computes it, the same
  ``comparison_of`` compares it; a test scores a draft here and in a real run and finds the same figures.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from django.db import transaction
from django.db.models import Count, Max, Q

from core.actors import actor_of
from core.labels import region_label
from core.regions import REGION_DIGITS, region_range
from enterprises.batch_fields import batch_field_codes
from enterprises.choices import SubmissionStatus
from enterprises.models import Batch
from enterprises.selectors import consenting_enterprise_ids

from .choices import GRADE_ORDER
from .comparison import (
    PROVINCE_DIVISOR,
    Comparison,
    comparison_of,
    indicator_means,
    reads_at_once,
    run_score_arrays,
    section_table,
)
from .engine import score
from .engine.population import Population
from .engine.result import ScoreResult
from .engine.rounding import total_cents
from .engine.system import SystemDef
from .labels import indicator_name
from .models import IndicatorSystem, ScoringRun
from .selectors import population_load, published_run, scored_submissions

CACHE_BATCHES = 2
"""Populations kept per process: ~100 MB each at 520,000 firms; a bureau previews one batch at a time."""
CACHE_SECONDS = 600
"""An entry is reloaded after this long even if the data version did not change (see the module docstring)."""


@dataclass
class _Entry:
    version: tuple
    loaded_at: float
    value: Any


class _Cache:
    """A small LRU of (key → value) valid for one data version and at most ``CACHE_SECONDS``; thread-safe."""

    def __init__(self, size: int) -> None:
        self.size, self.entries, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key, version: tuple):
        with self.lock:
            entry = self.entries.get(key)
            if entry is None or entry.version != version or time.monotonic() - entry.loaded_at > CACHE_SECONDS:
                return None
            self.entries.move_to_end(key)
            return entry.value

    def put(self, key, version: tuple, value) -> None:
        with self.lock:
            self.entries[key] = _Entry(version, time.monotonic(), value)
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


_populations = _Cache(CACHE_BATCHES)
_published_sides = _Cache(CACHE_BATCHES * 4)


def sandbox_cache_clear() -> None:
    """Forget every cached population and published side of this process (tests; an operator after a bulk fix)."""
    _populations.clear()
    _published_sides.clear()


def population_version(*, batch: Batch) -> tuple:
    """What identifies the batch's scored data now (see the module docstring): one aggregate query."""
    figures = scored_submissions(batch=batch).aggregate(
        filings=Count("pk"),
        approved=Count("pk", filter=Q(status=SubmissionStatus.APPROVED)),
        filed=Max("updated_at"),
        firms=Max("enterprise__updated_at"),
    )
    # The batch's extra field codes too: a field added since the load must be in the population a draft reads.
    return (batch.reference_date, *figures.values(), tuple(batch_field_codes(batch.pk)))


def _population_read(batch: Batch) -> Population:
    with transaction.atomic():  # one snapshot, as a run reads it
        return population_load(batch=batch)


def _inputs(batch: Batch, run: ScoringRun | None, actor, version: tuple) -> tuple[Population, tuple | None, bool]:
    """The batch's engine input and the published run's side, each from this process's cache or read — whatever is
    missing in one go, each read on its own connection (``reads_at_once``); and whether the population was cached."""
    population = _populations.get(batch.pk, version)
    side_key = (run.pk, actor.region) if run is not None else None
    side = _published_sides.get(side_key, version) if run is not None else None
    tasks = {}
    if population is None:
        tasks["population"] = (_population_read, batch)
    if run is not None and side is None:
        tasks |= {"scores": (run_score_arrays, run, actor), "means": (indicator_means, run, actor),
                  "sections": (section_table, actor)}  # fmt: skip
    read = dict(zip(tasks, reads_at_once(tasks.values()), strict=True))
    if "population" in read:
        _populations.put(batch.pk, version, read["population"])
    if "scores" in read:
        side = (read["scores"], read["means"], read["sections"])
        _published_sides.put(side_key, version, side)
    return read.get("population", population), side, population is not None


def _in_scope(regions: np.ndarray, prefix: str) -> np.ndarray | slice:
    """Positions of the firms whose region starts with ``prefix`` (``ScoreQuerySet.in_region`` on arrays)."""
    if not prefix:
        return slice(None)
    if len(prefix) == REGION_DIGITS:
        return regions == int(prefix)
    low, high = region_range(prefix)
    return (regions >= low) & (regions < high)


def _draft_side(result: ScoreResult, regions: np.ndarray, prefix: str) -> tuple[dict[str, np.ndarray], dict]:
    """The draft's result in the caller's scope as ``comparison.COLUMNS`` arrays (in id order) and indicator means:
    what ``run_score_arrays`` and ``indicator_means`` would read of a run that stored it."""
    scope = _in_scope(regions, prefix)
    labels = np.frombuffer("".join(result.grade_labels).encode("ascii"), dtype=np.uint8).astype(np.int32)
    arrays = {
        "enterprise_id": result.enterprise_id[scope].astype(np.int64),
        "grade_ascii": labels[result.grade][scope],
        "total": total_cents(result.total)[scope] / 100.0,
        "rank_national": result.rank_national[scope].astype(np.int64),
        "eligible": result.eligible[scope],
        "province": (regions[scope] // PROVINCE_DIVISOR).astype(np.int32),
    }
    order = np.argsort(arrays["enterprise_id"], kind="stable")
    arrays = {name: values[order] for name, values in arrays.items()}
    points = result.points[scope]
    means = {code: float(points[:, i].mean()) if len(points) else 0.0 for i, code in enumerate(result.indicator_codes)}
    return arrays, means


@dataclass
class Funnel:
    """One side's funnel in the caller's scope: firms scored, recommendable (total ≥ the threshold and no veto),
    firms per grade, and recommendable firms per province."""

    firms: int
    eligible: int
    by_grade: list[tuple[str, int]]
    by_province: list[dict]


def _funnel(arrays: dict[str, np.ndarray]) -> Funnel:
    grades = np.bincount(arrays["grade_ascii"] - ord("A"), minlength=len(GRADE_ORDER))
    firms = np.bincount(arrays["province"], minlength=100)
    eligible = np.bincount(arrays["province"], weights=arrays["eligible"], minlength=100)
    provinces = [{"key": f"{p:02d}", "name": region_label(f"{p:02d}"), "firms": int(firms[p]),
                  "eligible": int(eligible[p])} for p in np.flatnonzero(firms)]  # fmt: skip
    return Funnel(firms=int(arrays["enterprise_id"].size), eligible=int(arrays["eligible"].sum()),
                  by_grade=[(g, int(n)) for g, n in zip(GRADE_ORDER, grades, strict=False)],
                  by_province=provinces)  # fmt: skip


@dataclass
class DraftRun:
    """What the comparison page names for the sandbox's side: no run row (``pk`` is None), the draft's system."""

    system: IndicatorSystem
    indicator_codes: list[str]
    pk: None = None
    trial: bool = True


@dataclass
class SandboxPreview:
    batch: Batch
    draft: Funnel
    published_run: ScoringRun | None
    published: Funnel | None
    comparison: Comparison | None
    seconds: dict[str, float] = field(default_factory=dict)
    cached: bool = False


def sandbox_preview(*, who, batch: Batch, system: IndicatorSystem, definition: SystemDef) -> SandboxPreview:
    """Score ``batch`` with ``definition`` (the draft of ``system`` as the editor holds it, saved or not) for the
    bureau officer ``who``, beside the batch's published run, in the officer's scope. Writes nothing.

    The definition must pass ``validate()`` (the editor's form checks it first); raises ``ValueError`` otherwise."""
    actor = actor_of(who)
    clock = time.perf_counter()
    version = population_version(batch=batch)
    run = published_run(batch=batch)
    loaded, published, cached = _inputs(batch, run, actor, version)
    population = replace(loaded, consent=np.isin(loaded.enterprise_id, consenting_enterprise_ids()))
    load_done = time.perf_counter()

    result = score(population, definition)
    engine_done = time.perf_counter()

    draft_arrays, draft_means = _draft_side(result, loaded.region, actor.region)
    comparison = None
    if published is not None:
        base_arrays, base_means, sections = published
        labels = {i.code: indicator_name(i.name) for i in run.system.indicators.all()}
        labels |= {i.code: indicator_name(i.name) for i in definition.indicators}
        draft = DraftRun(system=system, indicator_codes=list(result.indicator_codes))
        comparison = comparison_of(run, draft, base_arrays, draft_arrays, base_means, draft_means, sections,
                                   clock=engine_done, labels=labels)  # fmt: skip
    done = time.perf_counter()
    return SandboxPreview(
        batch=batch, draft=_funnel(draft_arrays), published_run=run,
        published=_funnel(published[0]) if published is not None else None, comparison=comparison,
        seconds={"load": load_done - clock, "engine": engine_done - load_done, "compare": done - engine_done,
                 "total": done - clock},
        cached=cached,
    )  # fmt: skip
