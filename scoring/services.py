"""Scoring runs: create, execute (load → score → persist), publish and cancel.

The ``ScoringRun`` row is the truth about a job: ``queued → loading → scoring → persisting → computed → published``,
or ``failed`` (with the error) or ``cancelled``. Every transition is a conditional UPDATE on the current state, so a
duplicate task delivery, a cancellation racing a worker, or a second worker finds nothing to do. Scores appear only
in the transaction that marks the run computed, and publication switches ``BatchScoring.published_run`` in one
transaction:
readers see the whole old run or the whole new one.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_bulk_status, audit_transition
from core.exceptions import ApplicationError
from core.models import User
from enterprises.models import Batch

from .choices import ACTIVE_RUN_STATES, RunState
from .engine import score
from .engine.report import report_figures
from .engine.result import ScoreResult
from .engine.whatif import PeerSampler, peer_distributions
from .indicator_systems import batch_missing_fields, indicator_system_errors, indicator_system_freeze
from .models import BatchScoring, IndicatorSystem, RunPeerDistribution, ScoringRun
from .notice import notice_end
from .persistence import scores_discard, scores_write
from .selectors import population_digest, population_load, scored_submissions, system_definition
from .signals import run_published, run_released

logger = logging.getLogger(__name__)

RUN_STALE_AFTER = timedelta(seconds=settings.SCORING_RUN_STALE_AFTER)
"""A run whose heartbeat is older than this in an active state lost its worker: a redelivered task may take it over.
Far above the longest phase (a few seconds at 1,000,000 firms), far below the broker's visibility timeout. 10 minutes
unless ``SCORING_RUN_STALE_AFTER`` (seconds) says otherwise: the fault tests run their workers with a few seconds."""

RUNNING_STATES = (RunState.LOADING, RunState.SCORING, RunState.PERSISTING)

MAX_RUN_ATTEMPTS = 3
"""A run whose worker was lost this many times is failed by the reconciler rather than sent again: a run that kills
its worker every time (out of memory on a huge batch) must not take a worker down every ``RUN_STALE_AFTER`` forever."""

PROGRESS = {RunState.LOADING: 5, RunState.SCORING: 35, RunState.PERSISTING: 55, RunState.COMPUTED: 100}
"""Percent shown when a phase starts, roughly the share of a run's time spent before it."""

MAX_ERROR_LENGTH = 4000

QUEUED_RESEND_AFTER = timedelta(minutes=2)
"""A run still queued after this lost its message (a flushed or restarted broker): the reconciler sends it again.
A duplicate message is harmless: only one delivery can claim the run."""


class RunAbandoned(Exception):
    """The run left the state this worker expected (cancelled, or taken over): stop without touching it."""


BATCH_FIELDS = (
    "name",
    "year",
    "reference_date",
    "region_scope",
    "opens_on",
    "closes_on",
    "notice_days",
    "push_during_notice",
)
MAX_NOTICE_DAYS = 60  # as ``Batch.notice_days`` allows
"""What a bureau administrator sets on a batch (its status moves by ``enterprises.services.batch_status_set``)."""


def _batch_checked(batch: Batch, *, system: IndicatorSystem, user: User | None) -> None:
    """Validate ``batch`` as a form would, plus the rules only the platform knows, each naming its field: a bureau
    creates batches inside its own region, and a batch's system must apply to the batch's region (a Zhejiang
    system cannot score a national batch) and pass its checks."""
    errors: dict[str, list[str]] = {}
    try:
        batch.full_clean()
    except ValidationError as error:
        errors = dict(error.message_dict)
    staff = getattr(user, "bureau_staff", None) if user is not None else None
    if staff is not None and not (batch.region_scope or "").startswith(staff.region_scope):
        errors.setdefault("region_scope", []).append(
            _("区域范围须在本部门的管辖范围(%(scope)s)之内。") % {"scope": staff.region_scope or _("全国")}
        )
    if not (batch.region_scope or "").startswith(system.region_scope):
        errors.setdefault("system", []).append(_("指标体系的适用范围不包含该批次的区域。"))
    elif not system.frozen and indicator_system_errors(system):
        errors.setdefault("system", []).append(_("该指标体系未通过校验,请先修改或选择其他体系。"))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def batch_create(*, system: IndicatorSystem, user: User | None = None, **fields: Any) -> Batch:
    """Create a collection round with the indicator system that scores it by default (``BatchScoring``).

    ``fields`` are ``enterprises.Batch`` fields (name, year, reference_date, region_scope, status, opens_on,
    closes_on, notice_days). With ``user`` (a bureau officer) the batch must lie inside the officer's region. Bad
    input raises ``ValidationError`` naming each field, and nothing is saved.
    """
    batch = Batch(**fields)
    _batch_checked(batch, system=system, user=user)
    batch.save()
    BatchScoring.objects.create(batch=batch, system=system)
    return batch


@transaction.atomic
def batch_update(*, batch: Batch, system: IndicatorSystem, user: User | None = None, **fields: Any) -> Batch:
    """Change a batch's settings (``BATCH_FIELDS``) and its default indicator system, under the rules of
    ``batch_create``. Runs already made keep their own system; published results are not touched."""
    batch = Batch.objects.select_for_update().get(pk=batch.pk)
    for name, value in fields.items():
        if name not in BATCH_FIELDS:
            raise ValueError(f"not a batch setting: {name}")
        setattr(batch, name, value)
    _batch_checked(batch, system=system, user=user)
    batch.save()
    scheme = BatchScoring.objects.select_for_update().get(pk=batch.pk)
    if scheme.system_id != system.pk:
        scheme.system = system
        scheme.save(update_fields=["system"])
    return batch


@transaction.atomic
def scoring_run_create(
    *,
    batch: Batch,
    user: User | None = None,
    enqueue: bool = True,
    system: IndicatorSystem | None = None,
    trial: bool = False,
) -> ScoringRun:
    """Queue a run of ``batch`` with ``system`` (default: the batch's own), which is frozen (validated, hashed,
    immutable) first. Any valid system whose region covers the batch's may score it; a *trial* run is for
    comparison only: never published, so never pushed to banks.

    The run is handed to a worker only once its row is committed (``score_run_dispatch``; ``enqueue=False`` leaves
    that to the caller, e.g. ``score_batch`` executing in-process). At most one active run per batch.
    """
    batch = Batch.objects.select_for_update(of=("self",)).select_related("scoring__system").get(pk=batch.pk)
    if batch.runs.filter(state__in=ACTIVE_RUN_STATES).exists():
        raise ApplicationError(_("该批次已有正在进行的评分任务,请等待其完成或先取消。"))
    if not scored_submissions(batch=batch).exists():
        raise ApplicationError(_("该批次还没有可评分的填报。"))
    system = system or batch.scoring.system
    if not batch.region_scope.startswith(system.region_scope):
        raise ApplicationError(
            _("指标体系 %(system)s 的适用范围不包含该批次的区域,不能用于本批次。") % {"system": system.key}
        )
    missing = batch_missing_fields(system_definition(system=system), batch)
    if missing:  # refused before anything is frozen or scored: the engine would read fields nobody filed
        raise ApplicationError(
            _("指标体系 %(system)s 使用了本批次没有的扩展字段:%(fields)s。请先在批次的扩展字段中添加,或换用其他体系。")
            % {"system": system.key, "fields": "、".join(missing)}
        )
    system = indicator_system_freeze(system=system)
    definition = system_definition(system=system)
    run = ScoringRun.objects.create(
        batch=batch,
        system=system,
        system_hash=definition.content_hash(),
        indicator_codes=list(definition.indicator_codes),
        categories=list(definition.categories),
        created_by=user,
        trial=trial,
    )
    if enqueue:
        from .tasks import score_run_dispatch  # the task module imports this one

        transaction.on_commit(lambda: score_run_dispatch(run.pk))
    return run


def scoring_run_execute(*, run_id: int) -> None:
    """Claim run ``run_id`` if it is queued (or stale) and compute it; a run in any other state is left alone.

    Never raises for a failure of the run itself: the run ends ``failed`` with the error text, its partial rows are
    removed, and the batch's published run is untouched.
    """
    now = timezone.now()
    claimable = Q(state=RunState.QUEUED) | Q(
        state__in=RUNNING_STATES, heartbeat_at__lt=now - RUN_STALE_AFTER, attempts__lt=MAX_RUN_ATTEMPTS
    )
    claimed = ScoringRun.objects.filter(claimable, pk=run_id).update(
        state=RunState.LOADING,
        attempts=F("attempts") + 1,
        progress=PROGRESS[RunState.LOADING],
        started_at=now,
        heartbeat_at=now,
        finished_at=None,
        error="",
    )
    if not claimed:
        logger.info("scoring run %s: not claimable (duplicate delivery or already handled)", run_id)
        return
    # ``run.attempts`` is now this delivery's fencing token: every later write is conditional on it, so a worker that
    # stalled past RUN_STALE_AFTER and was taken over can neither finish, fail nor discard the run of the new attempt.
    run = ScoringRun.objects.select_related("batch", "system").get(pk=run_id)
    # The audit trail has every state change (core/audit.py); a second attempt takes over a run whose worker was lost.
    audit_transition(run, RunState.QUEUED if run.attempts == 1 else "lost", RunState.LOADING,
                     attempts=(run.attempts - 1, run.attempts))  # fmt: skip
    try:
        _compute(run)
    except RunAbandoned:
        logger.info("scoring run %s: abandoned (cancelled or taken over)", run_id)
    except Exception as error:
        logger.exception("scoring run %s failed", run_id)
        with transaction.atomic():
            failed = ScoringRun.objects.filter(pk=run_id, state__in=ACTIVE_RUN_STATES, attempts=run.attempts).update(
                state=RunState.FAILED,
                error=f"{type(error).__name__}: {error}"[:MAX_ERROR_LENGTH],
                finished_at=timezone.now(),
                heartbeat_at=timezone.now(),
            )
            if failed:  # only the owner discards: another attempt's partition may be attached by now
                scores_discard(run=run)
                audit_transition(run, None, RunState.FAILED)


def scoring_runs_reconcile(*, now=None) -> list[int]:
    """Send the task again for every run that lost its message or its worker; returns their ids.

    Called every minute by Celery beat. A queued run older than ``QUEUED_RESEND_AFTER`` lost its message; an active
    run whose heartbeat is older than ``RUN_STALE_AFTER`` lost its worker (killed mid-run) and is claimable again,
    unless that already happened ``MAX_RUN_ATTEMPTS`` times: then it fails.
    """
    from .tasks import score_run_task  # the task module imports this one

    now = now or timezone.now()
    lost_worker = Q(state__in=RUNNING_STATES, heartbeat_at__lt=now - RUN_STALE_AFTER)
    given_up = ScoringRun.objects.filter(lost_worker, attempts__gte=MAX_RUN_ATTEMPTS)
    given_up_ids = list(given_up.values_list("pk", flat=True))
    for run_id in given_up_ids:
        logger.error("scoring run %s: worker lost %s times, failing it", run_id, MAX_RUN_ATTEMPTS)
    given_up.update(
        state=RunState.FAILED,
        error=_("评分任务的工作进程已中途丢失 %(count)s 次,不再重试。") % {"count": MAX_RUN_ATTEMPTS},
        finished_at=now,
    )
    audit_bulk_status(ScoringRun, given_up_ids, field="state", old=None, new=RunState.FAILED, actor=None)
    stale = ScoringRun.objects.filter(Q(state=RunState.QUEUED, created_at__lt=now - QUEUED_RESEND_AFTER) | lost_worker)
    run_ids = list(stale.values_list("pk", flat=True))
    for run_id in run_ids:
        logger.warning("scoring run %s: resending (lost message or worker)", run_id)
        score_run_task.delay(run_id)
    return run_ids


def _compute(run: ScoringRun) -> None:
    timings: dict[str, Any] = {}
    started = time.perf_counter()

    with transaction.atomic():  # one snapshot; and an error leaves the connection usable
        population = population_load(batch=run.batch)
    if population.n == 0:
        raise ValueError("the batch has no scored filings")
    definition = system_definition(system=run.system)
    if definition.content_hash() != run.system_hash:
        raise ValueError("the indicator system changed after the run was created")
    digest = population_digest(population)
    timings["load"] = time.perf_counter() - started
    _advance(run, RunState.LOADING, RunState.SCORING, enterprise_count=population.n, input_digest=digest)

    mark = time.perf_counter()
    result = score(population, definition)
    timings["score"] = time.perf_counter() - mark
    mark = time.perf_counter()
    # What each firm's report shows (stored with its score) and what a self-assessment reads, from one arrangement
    # of the source fields per peer level.
    sampler = PeerSampler(definition)
    figures = report_figures(population, definition, result, also=sampler)
    distributions = peer_distributions(population, definition, result, sampler=sampler).to_bytes()
    regions = population.region
    del population
    timings["report"] = time.perf_counter() - mark
    timings["engine"] = dict(result.timings)
    _advance(run, RunState.SCORING, RunState.PERSISTING)

    mark = time.perf_counter()
    with transaction.atomic():
        scores_write(run=run, result=result, figures=figures, regions=regions)
        RunPeerDistribution.objects.update_or_create(run=run, defaults={"data": distributions})
        finished = timezone.now()
        updated = ScoringRun.objects.filter(pk=run.pk, state=RunState.PERSISTING, attempts=run.attempts).update(
            state=RunState.COMPUTED,
            progress=PROGRESS[RunState.COMPUTED],
            finished_at=finished,
            heartbeat_at=finished,
            counts=run_counts(result),
        )
        if not updated:
            raise RunAbandoned  # cancelled or taken over meanwhile: rolls the rows back with this transaction
        audit_transition(run, RunState.PERSISTING, RunState.COMPUTED)
    timings["persist"] = time.perf_counter() - mark
    timings["total"] = time.perf_counter() - started
    ScoringRun.objects.filter(pk=run.pk).update(timings=timings)


def _advance(run: ScoringRun, current: str, following: str, **fields: Any) -> None:
    """Move the run to the next phase, with a heartbeat; raise RunAbandoned if it is no longer in ``current`` or
    another attempt took it over."""
    updated = ScoringRun.objects.filter(pk=run.pk, state=current, attempts=run.attempts).update(
        state=following, progress=PROGRESS[following], heartbeat_at=timezone.now(), **fields
    )
    if not updated:
        raise RunAbandoned
    audit_transition(run, current, following)


def run_counts(result: ScoreResult) -> dict[str, Any]:
    """Counts by grade, stage and province, and the number of eligible firms (methodology §10)."""
    summary = result.summary()
    return {key: summary[key] for key in ("enterprises", "eligible", "by_grade", "by_stage", "by_province")}


@transaction.atomic
def scoring_run_publish(*, run: ScoringRun, user: User | None = None, notice_days: int = 0) -> ScoringRun:
    """Make ``run`` its batch's published run, in one transaction; the previously published run goes back to
    computed, marked superseded (its scores stay, for comparison and rollback). A trial run is refused.

    ``notice_days`` working days of public notice (``scoring.notice``; the publish page offers the batch's
    ``notice_days``): firms see the result at once and may object until it ends; banks get it when it ends, or at
    once if the batch pushes during the notice. Without a period the run is released to banks at publication."""
    if not 0 <= notice_days <= MAX_NOTICE_DAYS:
        raise ValidationError({"notice_days": [_("公示期须为 0 至 %(max)d 个工作日。") % {"max": MAX_NOTICE_DAYS}]})
    started = time.perf_counter()
    scheme = BatchScoring.objects.select_for_update().get(pk=run.batch_id)
    run = ScoringRun.objects.select_for_update().get(pk=run.pk)
    if run.trial:
        raise ApplicationError(_("试算任务只供比较,不能发布。请以“正式评分”重新启动评分。"))
    if run.state != RunState.COMPUTED:
        raise ApplicationError(_("只有已计算完成的评分任务才能发布。"))
    if scheme.published_run_id is not None:
        ScoringRun.objects.filter(pk=scheme.published_run_id).update(
            state=RunState.COMPUTED, published_at=None, superseded_at=timezone.now()
        )
        audit_bulk_status(ScoringRun, [scheme.published_run_id], field="state", old=RunState.PUBLISHED,
                          new=RunState.COMPUTED, actor=user)  # fmt: skip
    scheme.published_run = run
    scheme.save(update_fields=["published_run"])
    run.state = RunState.PUBLISHED
    run.published_at = timezone.now()
    run.published_by = user
    run.superseded_at = None  # published again (a rollback to an earlier run)
    run.notice_ends_on = notice_end(timezone.localdate(run.published_at), notice_days)
    # Without a notice (or when the batch pushes during it) the run is released to banks with its publication: one
    # audited save; otherwise ``scoring.notice`` releases it when the period ends.
    released = run.notice_ends_on is None or run.batch.push_during_notice
    run.released_at = run.published_at if released else None
    run.timings = {**run.timings, "publish": time.perf_counter() - started}
    run.save(update_fields=["state", "published_at", "published_by", "superseded_at", "notice_ends_on", "released_at",
                            "timings", "updated_at"])  # fmt: skip
    # Higher apps subscribe; they hear of the run only once the switch is committed. Banks hear of it when released.
    transaction.on_commit(lambda: run_published.send(sender=ScoringRun, run=run))
    if released:
        transaction.on_commit(lambda: run_released.send(sender=ScoringRun, run=run))
    return run


def scoring_run_publication_error(*, run_id: int, source: str, message: str) -> None:
    """Record that a subscriber to the publication of run ``run_id`` failed (e.g. a bank's list could not be
    written), so that bureau staff see the reason on the run's page. Appended under a row lock, never lost to a
    concurrent failure of another bank's push."""
    with transaction.atomic():
        run = ScoringRun.objects.select_for_update().only("pk", "publication_errors").get(pk=run_id)
        entry = {"source": source, "message": message[:MAX_ERROR_LENGTH], "at": timezone.now().isoformat()}
        run.publication_errors = [*run.publication_errors, entry]
        run.save(update_fields=["publication_errors"])


def scoring_run_cancel(*, run: ScoringRun, user: User | None = None) -> ScoringRun:
    """Stop a run that has not finished: a worker on it notices at its next phase and writes nothing."""
    cancelled = ScoringRun.objects.filter(pk=run.pk, state__in=ACTIVE_RUN_STATES).update(
        state=RunState.CANCELLED, finished_at=timezone.now(), error=_("已由 %(user)s 取消。") % {"user": user or "-"}
    )
    if not cancelled:
        raise ApplicationError(_("只有排队中或计算中的评分任务才能取消。"))
    old_state = run.state
    run.refresh_from_db()
    audit_transition(run, old_state, RunState.CANCELLED, actor=user)
    return run
