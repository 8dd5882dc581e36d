"""Write operations on enterprises and filings. Every write validates the whole object first: bad input saves none."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connections, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_bulk_status, audit_changes
from core.exceptions import ApplicationError
from core.models import Bank, User
from enterprises.models import Batch

from .batch_fields import batch_fields_of, extra_values_check, extra_values_merge
from .choices import BankRead, BatchStatus, ConsentScope, DataSource, MemberRole, SubmissionStatus
from .filing import FINANCING_FIELDS, FilingCheck, check_values
from .models import (
    COUNT_FIELDS,
    FLAG_FIELDS,
    MONEY_FIELDS,
    Consent,
    Enterprise,
    EnterpriseMembership,
    ProfileAccessLog,
    Submission,
    SubmissionChange,
    SubmissionEvidence,
)

VALUE_FIELDS = (*MONEY_FIELDS, *COUNT_FIELDS, *FLAG_FIELDS, "financing_amount", "financing_term_months")
EXTRA_VALUES = "extra_values"
"""The key of ``data`` holding the batch's extra fields (code → raw value; ``enterprises.batch_fields``)."""
EDITABLE_STATUSES = (SubmissionStatus.DRAFT, SubmissionStatus.RETURNED)
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_FIRM_MAX_FILES = 200  # a firm's evidence over all its filings: ~10 documents a year leaves decades of room
EVIDENCE_FIRM_MAX_BYTES = 50 * 1024 * 1024  # ... and five full-size scans, or a hundred phone photos
EVIDENCE_SIGNATURES = ((b"%PDF-", "application/pdf"), (b"\xff\xd8\xff", "image/jpeg"),
                       (b"\x89PNG\r\n\x1a\n", "image/png"))  # fmt: skip


BATCH_STATUS_MOVES = {
    BatchStatus.OPEN: (BatchStatus.DRAFT, BatchStatus.CLOSED),  # open a new round, or reopen a closed one
    BatchStatus.CLOSED: (BatchStatus.OPEN,),
}


@transaction.atomic
def batch_status_set(*, batch: Batch, status: str, user: User | None = None) -> Batch:
    """Open or close filing for ``batch`` (audited by its ``save``): a firm files only while its batch is open."""
    batch = Batch.objects.select_for_update().get(pk=batch.pk)
    if batch.status not in BATCH_STATUS_MOVES.get(status, ()):
        raise ApplicationError(
            _("批次当前为“%(current)s”,不能改为“%(new)s”。")
            % {"current": batch.get_status_display(), "new": BatchStatus(status).label}
        )
    batch.status = status
    batch.save(update_fields=["status", "updated_at"])
    return batch


@transaction.atomic
def enterprise_create(
    *,
    credit_code: str,
    name: str,
    region_code: str,
    industry_code: str,
    established: date,
    admin_user: User | None = None,
    **attributes: Any,
) -> Enterprise:
    """Register an enterprise (and make ``admin_user`` its administrator). Raises ValidationError naming each field."""
    enterprise = Enterprise(
        credit_code=credit_code.strip().upper(),
        name=name.strip(),
        region_code=region_code.strip(),
        industry_code=industry_code.strip().upper(),
        established=established,
        **attributes,
    )
    enterprise.section_id = enterprise.industry_code[:1]
    enterprise.full_clean(exclude=["section"])
    enterprise.save()
    if admin_user is not None:
        EnterpriseMembership.objects.create(user=admin_user, enterprise=enterprise, role=MemberRole.ADMIN)
    return enterprise


# --- Filing ------------------------------------------------------------------------------------------------------


def _parse(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Raw values (strings from a form or a file, or Python values) → typed values; blank → None."""
    parsed: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, raw in values.items():
        if name == "preferred_banks":
            parsed[name] = list(raw) if raw is not None else None
            continue
        if name == "financing_purpose":
            parsed[name] = (raw or "").strip()
            continue
        if name not in VALUE_FIELDS:
            raise ValueError(f"unknown filing field {name!r}")
        if raw is None or (isinstance(raw, str) and raw.strip() == ""):
            parsed[name] = None
            continue
        try:
            parsed[name] = Submission._meta.get_field(name).to_python(raw.strip() if isinstance(raw, str) else raw)
        except ValidationError:
            errors[name] = [_("请输入数字。") if name not in FLAG_FIELDS else _("请填写“是”或“否”。")]
    return parsed, errors


def _as_json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _current(submission: Submission, name: str) -> Any:
    if name == "preferred_banks":
        return sorted(submission.preferred_banks.values_list("pk", flat=True)) if submission.pk else []
    return getattr(submission, name)


def _apply(submission: Submission, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Set ``values`` on the submission (saving it) and return the field-level diff ``{field: [old, new]}``."""
    diff: dict[str, list[Any]] = {}
    banks = values.pop("preferred_banks", None)
    extra = values.pop(EXTRA_VALUES, None)
    if extra:
        submission.extra_values, diff = extra_values_merge(submission.extra_values or {}, extra)
    for name, value in values.items():
        if value is None:
            value = None if name in ("financing_amount", "financing_term_months") else (
                False if name in FLAG_FIELDS else 0)  # fmt: skip
        old = getattr(submission, name)
        normalised = Submission._meta.get_field(name).to_python(value)
        if old != normalised and not (old is None and normalised is None):
            diff[name] = [_as_json(old), _as_json(normalised)]
        setattr(submission, name, normalised)
    submission.full_clean(exclude=["enterprise", "batch", "preferred_banks"])
    submission.save()
    if banks is not None:
        ids = sorted(bank.pk if isinstance(bank, Bank) else int(bank) for bank in banks)
        old_ids = sorted(submission.preferred_banks.values_list("pk", flat=True))
        if ids != old_ids:
            submission.preferred_banks.set(ids)
            diff["preferred_banks"] = [old_ids, ids]
    return diff


def _validated(submission: Submission, data: dict[str, Any], *, require: bool) -> tuple[dict[str, Any], FilingCheck]:
    """Parse ``data`` merged over the stored values and check the whole filing; raise ValidationError on errors."""
    data = dict(data)
    raw_extra = data.pop(EXTRA_VALUES, None)
    parsed, parse_errors = _parse(data)
    merged = {name: _current(submission, name) for name in (*VALUE_FIELDS, "preferred_banks")}
    merged.update(parsed)
    check = check_values(merged, require=require)
    errors = {**check.errors, **parse_errors}
    if raw_extra:
        parsed[EXTRA_VALUES], extra_errors = extra_values_check(batch_fields_of(submission.batch_id), raw_extra)
        errors.update(extra_errors)
    if errors:
        raise ValidationError(errors)
    return parsed, check


def _editable(submission: Submission) -> None:
    """The one rule of who may change a filing's values: a draft or a returned filing, of a batch open for filing
    (pages, API and imports all save through the services that call this)."""
    if submission.status not in EDITABLE_STATUSES:
        raise ApplicationError(_("已提交或已审核的填报不能修改。"))
    if Batch.objects.filter(pk=submission.batch_id).values_list("status", flat=True).first() != BatchStatus.OPEN:
        raise ApplicationError(_("该批次已不在填报期内,不能修改。"))


def submission_get_or_create(*, enterprise: Enterprise, batch: Batch) -> Submission:
    """The enterprise's filing for ``batch``, creating an empty draft the first time."""
    submission, _created = Submission.objects.get_or_create(enterprise=enterprise, batch=batch)
    return submission


@transaction.atomic
def submission_save_draft(*, submission: Submission, user: User | None, data: dict[str, Any]) -> FilingCheck:
    """Save a draft (or correct a returned filing). Blank fields are allowed; bad values raise and save nothing.

    Returns the check, whose ``warnings`` the page shows beside the saved values.
    """
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    _editable(submission)
    parsed, check = _validated(submission, data, require=False)
    diff = _apply(submission, parsed)
    if diff:
        SubmissionChange.objects.create(submission=submission, user=user, action=SubmissionChange.Action.SAVE,
                                        diff=diff)  # fmt: skip
    return check


@transaction.atomic
def submission_submit(*, submission: Submission, user: User | None, data: dict[str, Any] | None = None) -> FilingCheck:
    """Submit a draft or a returned filing for review, saving ``data`` first; every required field must be filled."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    _editable(submission)
    if data is None:
        data = {name: _current(submission, name) for name in VALUE_FIELDS}
    required = {name: data.get(name) for name in VALUE_FIELDS}
    required.update({k: v for k, v in data.items() if k in (*FINANCING_FIELDS, EXTRA_VALUES)})
    parsed, check = _validated(submission, required, require=True)
    diff = _apply(submission, parsed)
    submission.status = SubmissionStatus.SUBMITTED
    submission.submitted_at = timezone.now()
    submission.save(update_fields=["status", "submitted_at", "updated_at"])
    SubmissionChange.objects.create(submission=submission, user=user, action=SubmissionChange.Action.SUBMIT,
                                    diff=diff)  # fmt: skip
    return check


def _reviewable(submission: Submission, user: User) -> Submission:
    """Lock the filing if the reviewer's region covers it and it awaits review; otherwise an ApplicationError."""
    locked = Submission.objects.visible_to(user).select_for_update().filter(pk=submission.pk).first()
    if locked is None or not hasattr(user, "bureau_staff"):
        raise ApplicationError(_("无权审核该企业的填报。"))
    if locked.status != SubmissionStatus.SUBMITTED:
        raise ApplicationError(_("只有已提交、待审核的填报可以审核。"))
    return locked


@transaction.atomic
def submission_approve(*, submission: Submission, user: User, comment: str = "") -> Submission:
    """Approve a submitted filing (it becomes eligible for recommendation, methodology §7)."""
    submission = _reviewable(submission, user)
    submission.status = SubmissionStatus.APPROVED
    submission.reviewer = user
    submission.reviewed_at = timezone.now()
    submission.review_comment = comment.strip()
    submission.save(update_fields=["status", "reviewer", "reviewed_at", "review_comment", "updated_at"])
    SubmissionChange.objects.create(submission=submission, user=user, action=SubmissionChange.Action.APPROVE,
                                    comment=submission.review_comment)  # fmt: skip
    return submission


@transaction.atomic
def submission_return(*, submission: Submission, user: User, comment: str) -> Submission:
    """Return a submitted filing to the firm for correction; the comment tells it what to fix."""
    if not comment or not comment.strip():
        raise ValidationError({"comment": [_("退回时必须填写审核意见。")]})
    submission = _reviewable(submission, user)
    submission.status = SubmissionStatus.RETURNED
    submission.reviewer = user
    submission.reviewed_at = timezone.now()
    submission.review_comment = comment.strip()
    submission.save(update_fields=["status", "reviewer", "reviewed_at", "review_comment", "updated_at"])
    SubmissionChange.objects.create(submission=submission, user=user, action=SubmissionChange.Action.RETURN,
                                    comment=submission.review_comment)  # fmt: skip
    return submission


@transaction.atomic
def submission_correct(*, submission: Submission, user: User, data: dict[str, Any], comment: str) -> dict[str, list]:
    """Bureau staff correct a submitted or approved filing's values after the batch closed (an accepted objection):
    the filing's own checks apply, its trail records the diff with ``comment``; returns the diff. A value equal to
    the stored one changes nothing; a filing outside the officer's region is refused."""
    if not comment or not comment.strip():
        raise ValidationError({"comment": [_("更正时必须说明理由。")]})
    locked = Submission.objects.visible_to(user).select_for_update().filter(pk=submission.pk).first()
    if locked is None or not hasattr(user, "bureau_staff"):
        raise ApplicationError(_("无权更正该企业的填报。"))
    if locked.status not in (SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED):
        raise ApplicationError(_("只有已提交或已审核通过的填报可以更正。"))
    parsed, _check = _validated(locked, data, require=True)
    diff = _apply(locked, parsed)
    if diff:
        SubmissionChange.objects.create(submission=locked, user=user, action=SubmissionChange.Action.CORRECT,
                                        diff=diff, comment=comment.strip())  # fmt: skip
    return diff


@transaction.atomic
def submission_bulk_approve(*, user: User, submission_ids: Iterable[int]) -> int:
    """Approve every listed filing that is submitted and in the reviewer's region; returns how many were approved.

    One conditional UPDATE claims them (a filing approved or returned meanwhile by someone else is skipped).
    """
    if not hasattr(user, "bureau_staff"):
        raise ApplicationError(_("无权审核该企业的填报。"))
    claimable = Submission.objects.visible_to(user).filter(pk__in=list(submission_ids),
                                                           status=SubmissionStatus.SUBMITTED)  # fmt: skip
    ids = list(claimable.select_for_update().values_list("pk", flat=True))
    now = timezone.now()
    Submission.objects.filter(pk__in=ids, status=SubmissionStatus.SUBMITTED).update(
        status=SubmissionStatus.APPROVED, reviewer=user, reviewed_at=now, review_comment="", updated_at=now
    )
    SubmissionChange.objects.bulk_create(
        SubmissionChange(submission_id=pk, user=user, action=SubmissionChange.Action.APPROVE, created_at=now)
        for pk in ids
    )
    audit_bulk_status(Submission, ids, field="status", old=SubmissionStatus.SUBMITTED, new=SubmissionStatus.APPROVED,
                      actor=user)  # fmt: skip
    return len(ids)


@transaction.atomic
def evidence_add(*, submission: Submission, user: User | None, upload, description: str = "") -> SubmissionEvidence:
    """Attach a PDF, JPEG or PNG (checked by its first bytes, not its name) of at most 10 MB to an editable filing,
    within the firm's quota: ``EVIDENCE_FIRM_MAX_FILES`` files and ``EVIDENCE_FIRM_MAX_BYTES`` over all its filings."""
    _editable(submission)
    return evidence_attach(submission=submission, user=user, upload=upload, description=description)


@transaction.atomic
def evidence_attach(*, submission: Submission, user: User | None, upload, description: str = "") -> SubmissionEvidence:
    """``evidence_add`` without the filing's edit window: the document a firm sends with an objection to a
    published result (``scoring.objections``), under the same type, size and quota limits."""
    from django.db.models import Count, Sum

    if upload.size > EVIDENCE_MAX_BYTES:
        raise ValidationError({"file": [_("文件不能超过 10 MB。")]})
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    content_type = next((kind for magic, kind in EVIDENCE_SIGNATURES if head.startswith(magic)), None)
    if content_type is None:
        raise ValidationError({"file": [_("只接受 PDF、JPEG 或 PNG 文件。")]})
    # The firm's row is locked first, so two uploads at once cannot both take the last of the quota.
    list(Enterprise.objects.select_for_update().filter(pk=submission.enterprise_id).values_list("pk", flat=True))
    used = SubmissionEvidence.objects.filter(submission__enterprise_id=submission.enterprise_id).aggregate(
        files=Count("pk"), size=Sum("size")
    )
    if used["files"] >= EVIDENCE_FIRM_MAX_FILES:
        message = _("本企业的证明材料已达 %(limit)d 个文件的上限,请先删除不需要的材料。")
        raise ValidationError({"file": [message % {"limit": EVIDENCE_FIRM_MAX_FILES}]})
    if (used["size"] or 0) + upload.size > EVIDENCE_FIRM_MAX_BYTES:
        message = _("本企业的证明材料总大小不能超过 %(limit)d MB(已用 %(used).1f MB),请先删除不需要的材料。")
        raise ValidationError({"file": [message % {"limit": EVIDENCE_FIRM_MAX_BYTES // (1024 * 1024),
                                                   "used": (used["size"] or 0) / (1024 * 1024)}]})  # fmt: skip
    evidence = SubmissionEvidence.objects.create(
        submission=submission, file=upload, original_name=upload.name[:200], content_type=content_type,
        size=upload.size, description=description.strip()[:200], uploaded_by=user,
    )  # fmt: skip
    SubmissionChange.objects.create(submission=submission, user=user, action=SubmissionChange.Action.EVIDENCE,
                                    diff={"evidence": [None, evidence.original_name]})  # fmt: skip
    return evidence


@transaction.atomic
def evidence_delete(*, evidence: SubmissionEvidence, user: User) -> None:
    """Remove a document from an editable filing, for a confirmed member of its firm. The filing's trail records it;
    the file leaves storage once the deletion commits (a rolled-back deletion keeps its file)."""
    submission = evidence.submission
    members = EnterpriseMembership.objects.filter(enterprise_id=submission.enterprise_id, approved=True)
    if not members.filter(user=user).exists():
        raise ApplicationError(_("只有本企业的成员可以删除证明材料。"))
    _editable(submission)
    storage, stored_name, original_name = evidence.file.storage, evidence.file.name, evidence.original_name
    evidence.delete()
    SubmissionChange.objects.create(submission=submission, user=user, action=SubmissionChange.Action.EVIDENCE,
                                    diff={"evidence": [original_name, None]})  # fmt: skip
    transaction.on_commit(lambda: storage.delete(stored_name))


# --- Consent and profile access -----------------------------------------------------------------------------------


def firm_admin_is(*, user: User, enterprise: Enterprise) -> bool:
    """``user`` is a confirmed administrator of ``enterprise`` (the one rule for a firm's own decisions)."""
    return EnterpriseMembership.objects.filter(
        user=user, enterprise=enterprise, approved=True, role=MemberRole.ADMIN
    ).exists()


@transaction.atomic
def consent_grant(
    *, enterprise: Enterprise, bank: Bank | None, user: User | None, scope: str = ConsentScope.PROFILE,
    expires_at: datetime | None = None,
) -> Consent:  # fmt: skip
    """Grant ``bank`` (``None``: every partner bank) access to the profile; replaces an active consent for that bank.

    Only the firm's administrator decides what banks may see (``user`` None: a system step, e.g. the demo). Any member
    may revoke (``consent_revoke``): stopping a share is always safe, starting one is the firm's decision.
    """
    if user is not None and not firm_admin_is(user=user, enterprise=enterprise):
        raise ApplicationError(_("只有企业管理员可以授权银行查看企业信息。"))
    now = timezone.now()
    if scope not in ConsentScope.values:
        raise ValidationError({"scope": [_("无效的授权范围。")]})
    if expires_at is not None and expires_at <= now:
        raise ValidationError({"expires_at": [_("到期时间必须晚于现在。")]})
    Consent.objects.active(now).filter(enterprise=enterprise, bank=bank).update(revoked_at=now)
    return Consent.objects.create(enterprise=enterprise, bank=bank, scope=scope, granted_at=now,
                                  expires_at=expires_at, granted_by=user)  # fmt: skip


@transaction.atomic
def consent_revoke(*, consent: Consent, user: User | None) -> Consent:
    """Revoke a consent from now on; revoking twice keeps the first time."""
    Consent.objects.filter(pk=consent.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    consent.refresh_from_db()
    return consent


def profile_access_record(
    *, enterprise: Enterprise, bank: Bank, user: User | None, scope: str, ip: str | None
) -> ProfileAccessLog:
    """Record that a bank officer opened the enterprise's profile (called by the bank journey on every read)."""
    if scope not in ConsentScope.values:
        raise ValueError(f"unknown consent scope {scope!r}")
    return ProfileAccessLog.objects.create(
        enterprise=enterprise, bank=bank, user=user, scope=scope, ip_address=ip or None
    )


BANK_READS_BATCH = 900  # ids per INSERT of a listed page's log: within SQLite's 999 parameters, one statement a page


def bank_reads_record(*, enterprise_ids, bank_id: int, user: User | None, read: str, ip: str | None) -> int:
    """Record that a bank read the named firms in bulk (a page of the list, scores or rankings, an export): one
    access-log row per firm, so each firm sees the read on its own page. Returns the number of rows.

    ``enterprise_ids`` is a list of ids (a page) or a ``values_list("enterprise_id", flat=True)`` queryset (an export
    of up to every listed firm), which is logged by one ``INSERT … SELECT`` in the database: no row of it is read into
    this process."""
    if read not in BankRead.values:
        raise ValueError(f"unknown bank read {read!r}")
    now = timezone.now()
    if isinstance(enterprise_ids, QuerySet):
        return _bank_reads_insert_select(enterprise_ids, bank_id=bank_id, user=user, read=read, ip=ip, now=now)
    ids = list(dict.fromkeys(int(pk) for pk in enterprise_ids))
    written = 0
    for start in range(0, len(ids), BANK_READS_BATCH):  # one statement per page of ids, whatever the backend
        named = Enterprise.objects.filter(pk__in=ids[start : start + BANK_READS_BATCH]).values_list("pk", flat=True)
        written += _bank_reads_insert_select(named, bank_id=bank_id, user=user, read=read, ip=ip, now=now)
    return written


def _bank_reads_insert_select(ids: QuerySet, *, bank_id, user, read, ip, now) -> int:
    using = ids.db
    connection = connections[using]
    quote = connection.ops.quote_name
    select, params = ids.query.sql_with_params()  # one column: the firm ids (``named.*`` below)
    table = quote(ProfileAccessLog._meta.db_table)
    columns = ", ".join(quote(c) for c in ("enterprise_id", "bank_id", "user_id", "scope", "read", "ip_address",
                                           "accessed_at"))  # fmt: skip
    ip_value = "CAST(%s AS inet)" if connection.vendor == "postgresql" else "%s"  # a bare literal is text there
    sql = (
        f"INSERT INTO {table} ({columns}) SELECT DISTINCT named.*, %s, %s, %s, %s, {ip_value}, %s "  # nosec B608
        f"FROM ({select}) named"  # names quoted from the model; the subquery is the ORM's own, its values bound
    )
    stamp = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        values = (bank_id, user.pk if user else None, ConsentScope.PROFILE, read, ip or None, stamp)
        cursor.execute(sql, (*values, *params))  # the outer SELECT's values come before the subquery's in the text
        return cursor.rowcount


# --- Bulk import ---------------------------------------------------------------------------------------------------


CHANGES_SHOWN = 1000  # changed values the dry run lists (the counts cover them all)


@dataclass
class ImportReport:
    """The outcome of an import or its dry run: every problem by row and column; counts when it went through."""

    rows: int
    columns: list[str]
    errors: list  # RowError(row, column, message), sorted
    new_count: int = 0
    update_count: int = 0  # existing filings the import changes
    committed: bool = False
    unchanged_count: int = 0  # existing filings it leaves as they are (not rewritten)
    change_count: int = 0  # values it changes in existing filings
    changes: list = field(default_factory=list)  # the first CHANGES_SHOWN of them, CellChange(row, …, old, new)


def submission_import(
    *, user: User, batch: Batch, data: bytes, filename: str, source: str = DataSource.IMPORTED, dry_run: bool = True
) -> ImportReport:
    """Validate a table of filings (or verified values) for ``batch``; unless ``dry_run``, write it all or nothing.

    Rows are keyed by credit code; only firms in the user's region may be imported. New filings are created as
    submitted; existing ones get the imported columns. Every written filing is marked with ``source`` and gets an
    audit entry. Raises ``ApplicationError`` when the file as a whole cannot be read.
    """
    from .imports.changes import plan_changes
    from .imports.reader import ImportFileError, read_table
    from .imports.validation import validate
    from .imports.writer import write_plan
    from .signals import filings_imported

    if not hasattr(user, "bureau_staff"):
        raise ApplicationError(_("只有科技管理部门人员可以批量导入。"))
    if source not in (DataSource.IMPORTED, DataSource.VERIFIED):
        raise ValidationError({"source": [_("无效的数据来源。")]})
    try:
        table = read_table(data, filename)
    except ImportFileError as error:
        raise ApplicationError(error.message) from None
    plan = validate(table, batch=batch, user=user)
    report = ImportReport(plan.rows, plan.columns, plan.errors, plan.new_count)
    if plan.errors:
        return report
    changes = plan_changes(plan, limit=CHANGES_SHOWN)
    report.update_count, report.unchanged_count = changes.filings, changes.unchanged
    report.change_count, report.changes = changes.cells, changes.shown
    if dry_run:
        return report
    with transaction.atomic():
        counts = write_plan(plan, batch=batch, user=user, source=source)
        # One audit entry per import, on the batch (each filing's diff is in its SubmissionChange rows).
        audit_changes(batch, {"import": (None, filename)}, actor=user,
                      additional_data={"source": source, "rows": plan.rows, **counts})  # fmt: skip
        # Higher apps (post-loan warnings on veto flags) hear of the import only once it is committed.
        transaction.on_commit(lambda: filings_imported.send(sender=Submission, batch=batch))
    report.committed = True
    return report
