"""Objections (异议) to a published result during its notice period (公示期), and the bureau's decision on them.

A confirmed member of a firm lodges an objection against the firm's own row of a published run while the run's
notice is open (``ScoringRun.notice_open``): a reason, the filed value or the score it disputes, and optionally a
document (kept as one of the filing's evidence files: same types, size and quota). Bureau staff of the firm's region
accept it — the reviewer corrects the disputed value (``enterprises.services.submission_correct``, in the filing's
trail and the audit log) and a new run of the batch is made for publication (``objection_rerun``), whose
publication marks the old run 已替代 — or reject it with a reason. The firm is notified of either outcome
(``enterprises.notices``) and sees it on its objections page. Every step is audited (``Objection`` is tracked).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit import audit_bulk_status
from core.exceptions import ApplicationError
from core.models import User
from enterprises.labels import field_label
from enterprises.models import COUNT_FIELDS, FLAG_FIELDS, MONEY_FIELDS, Enterprise, EnterpriseMembership, Submission
from enterprises.notices import enterprise_notify, notice_kind
from enterprises.services import evidence_attach, submission_correct

from .choices import ObjectionStatus
from .models import Objection, Score, ScoringRun
from .services import scoring_run_create

TOTAL = "total"
"""The subject of an objection to the score itself (its calculation, rank or grade) rather than a filed value."""
MAX_REASON_LENGTH = 2000

notice_kind("objection_accepted", gettext_lazy("您对“%(batch)s”评分结果的异议已被采纳:%(note)s。将重新评分并发布。"))
notice_kind("objection_rejected", gettext_lazy("您对“%(batch)s”评分结果的异议未被采纳:%(note)s"))


def objection_subjects() -> list[tuple[str, str]]:
    """What a firm may dispute, as (code, label): the score itself, then each filed value the engine reads."""
    return [(TOTAL, _("总分、排名或等级的计算")),
            *((name, field_label(name)) for name in (*MONEY_FIELDS, *COUNT_FIELDS, *FLAG_FIELDS))]  # fmt: skip


def subject_label(code: str) -> str:
    return dict(objection_subjects()).get(code, code)


def _filing_of(run: ScoringRun, enterprise_id: int) -> Submission:
    return Submission.objects.get(enterprise_id=enterprise_id, batch_id=run.batch_id)


@transaction.atomic
def objection_lodge(
    *, run: ScoringRun, enterprise: Enterprise, user: User, subject: str, reason: str, upload=None
) -> Objection:
    """Lodge ``enterprise``'s objection to its result in ``run``. Refused with a reason (nothing saved): outside the
    run's notice period, by someone not a confirmed member of the firm, on a run that did not score the firm, a
    second pending objection; a missing reason or subject, or a bad file, names its field."""
    run = ScoringRun.objects.select_related("batch").get(pk=run.pk)
    if not run.notice_open:
        if run.notice_ends_on is not None:
            raise ApplicationError(
                _("该评分结果的公示期已于 %(date)s 结束,不能再提出异议。") % {"date": run.notice_ends_on.isoformat()}
            )
        raise ApplicationError(_("该评分结果不在公示期内,不能提出异议。"))
    if not EnterpriseMembership.objects.filter(user=user, enterprise=enterprise, approved=True).exists():
        raise ApplicationError(_("只能对本企业的评分结果提出异议。"))
    if not Score.objects.filter(run=run, enterprise=enterprise).exists():
        raise ApplicationError(_("该评分结果中没有本企业,只能对本企业的评分结果提出异议。"))
    if Objection.objects.filter(run=run, enterprise=enterprise, status=ObjectionStatus.PENDING).exists():
        raise ApplicationError(_("本企业对该评分结果已有一项待处理的异议,请等待处理结果。"))
    errors: dict[str, list[str]] = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [_("请说明异议理由。")]
    elif len(reason) > MAX_REASON_LENGTH:
        errors["reason"] = [_("异议理由不能超过 %(max)d 个字。") % {"max": MAX_REASON_LENGTH}]
    if subject not in dict(objection_subjects()):
        errors["subject"] = [_("请选择对哪项数据或得分有异议。")]
    if errors:
        raise ValidationError(errors)
    evidence = None
    if upload is not None:
        # The firm's own words describe the document (stored text is shown as written, in any language).
        evidence = evidence_attach(submission=_filing_of(run, enterprise.pk), user=user, upload=upload,
                                   description=reason[:200])  # fmt: skip
    return Objection.objects.create(run=run, enterprise=enterprise, subject=subject, reason=reason,
                                    evidence=evidence, lodged_by=user)  # fmt: skip


def _decidable(objection: Objection, user: User) -> Objection:
    locked = (
        (Objection.objects.visible_to(user).select_for_update(of=("self",)).select_related("run__batch", "enterprise"))
        .filter(pk=objection.pk)
        .first()
    )
    if locked is None or not hasattr(user, "bureau_staff"):
        raise ApplicationError(_("无权处理该异议。"))
    if locked.status != ObjectionStatus.PENDING:
        raise ApplicationError(_("该异议已处理,不能再次处理。"))
    return locked


def _note(note: str) -> str:
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": [_("请填写处理意见。")]})
    return note


def _decide(objection: Objection, user: User, status: str, note: str, **fields: Any) -> Objection:
    objection.status = status
    objection.decided_by = user
    objection.decided_at = timezone.now()
    objection.decision_note = note
    for name, value in fields.items():
        setattr(objection, name, value)
    objection.save()
    kind = "objection_accepted" if status == ObjectionStatus.ACCEPTED else "objection_rejected"
    enterprise_notify(enterprise=objection.enterprise, kind=kind, params={"batch": objection.run.batch.name,
                      "note": note}, url=reverse("report:objections"))  # fmt: skip
    return objection


@transaction.atomic
def objection_accept(*, objection: Objection, user: User, note: str, values: dict[str, Any] | None = None) -> Objection:
    """Accept a pending objection: correct the filing with ``values`` (field → value; none when the dispute is about
    the calculation) under the filing's own checks, record the decision and tell the firm. A new run is then made
    with ``objection_rerun``. A bad value names its field and nothing is saved."""
    objection = _decidable(objection, user)
    note = _note(note)
    diff: dict[str, list] = {}
    if values:
        diff = submission_correct(submission=_filing_of(objection.run, objection.enterprise_id), user=user,
                                  data=values, comment=note)  # fmt: skip
    return _decide(objection, user, ObjectionStatus.ACCEPTED, note, correction=diff)


@transaction.atomic
def objection_reject(*, objection: Objection, user: User, note: str) -> Objection:
    """Reject a pending objection with a reason the firm reads; nothing else changes."""
    objection = _decidable(objection, user)
    return _decide(objection, user, ObjectionStatus.REJECTED, _note(note))


@transaction.atomic
def objection_rerun(*, objection: Objection, user: User) -> ScoringRun:
    """Start a run of the objection's batch for publication, with the system of the run objected to (the corrected
    filings in it), and link it to every accepted objection of the batch still waiting for one. Refused like any
    run start (an active run, for one)."""
    objection = Objection.objects.visible_to(user).select_related("run__batch", "run__system").get(pk=objection.pk)
    if objection.status != ObjectionStatus.ACCEPTED:
        raise ApplicationError(_("只有已采纳的异议需要重新评分。"))
    run = scoring_run_create(batch=objection.run.batch, user=user, system=objection.run.system, trial=False)
    waiting = Objection.objects.filter(run__batch_id=objection.run.batch_id, status=ObjectionStatus.ACCEPTED,
                                       rerun__isnull=True)  # fmt: skip
    ids = list(waiting.values_list("pk", flat=True))
    Objection.objects.filter(pk__in=ids).update(rerun=run)
    audit_bulk_status(Objection, ids, field="rerun", old=None, new=run.pk, actor=user)
    return run


# --- Reads ---------------------------------------------------------------------------------------------------------


def objections_of(*, enterprise: Enterprise) -> QuerySet[Objection]:
    return Objection.objects.filter(enterprise=enterprise).select_related("run__batch", "evidence", "rerun")


def objection_pending_of(*, enterprise: Enterprise, run: ScoringRun) -> Objection | None:
    return Objection.objects.filter(enterprise=enterprise, run=run, status=ObjectionStatus.PENDING).first()


def objections_pending_count(*, user: User) -> int:
    return Objection.objects.visible_to(user).filter(status=ObjectionStatus.PENDING).count()
