"""A batch's extra fields (批次扩展字段): define them, and parse and check the values a firm files for them.

The one place that knows how an extra value is read (a number of at most two decimals, a whole number, or yes/no),
bounded (``min_value``/``max_value``; non-negative by default, as methodology §1 has it for raw fields) and stored
(``Submission.extra_values``: code → canonical decimal text). The filing services, the filing page, the import and
the scoring loader all go through it.

Who: a bureau administrator whose region covers the batch (``Batch.objects.managed_by``, as for editing the batch).
Every save and delete is audited (``core.audit.track`` in ``EnterprisesConfig.ready``), with the request's actor.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from core.models import User

from .choices import BatchFieldKind
from .models import Batch, BatchField, Enterprise, Submission

EXTRA_PREFIX = "extra__"
"""How an extra field is named where it sits beside the standard fields: form fields, change-log diffs, import
columns of a plan (``extra__provincial_platforms``)."""
MAX_ABS = Decimal(10) ** 14  # as the filing's amounts: DecimalField(max_digits=16, decimal_places=2)
YES = {"1", "true", "是", "y", "yes", "on"}
NO = {"0", "false", "否", "n", "no", "off", ""}
BATCH_FIELD_SETTINGS = ("label_zh", "label_en", "unit", "kind", "min_value", "max_value", "help_text", "order")

_reserved: set[str] = set()


def reserved_codes_register(names: Iterable[str]) -> None:
    """Names no extra field may take, from a higher app (scoring registers the engine's field and column names at
    start-up, so a code never shadows a field an indicator already reads)."""
    _reserved.update(names)


def reserved_codes() -> frozenset[str]:
    """Every field of the filing and the firm, and whatever the higher apps registered."""
    own = {f.name for f in Submission._meta.get_fields()} | {f.name for f in Enterprise._meta.get_fields()}
    return frozenset(own | _reserved)


def extra_key(code: str) -> str:
    return f"{EXTRA_PREFIX}{code}"


def batch_fields_of(batch_id: int) -> list[BatchField]:
    """The batch's extra fields in the order the filing shows them."""
    return list(BatchField.objects.filter(batch_id=batch_id).order_by("order", "code"))


def batch_field_codes(batch_id: int) -> list[str]:
    return list(BatchField.objects.filter(batch_id=batch_id).order_by("code").values_list("code", flat=True))


# --- Values --------------------------------------------------------------------------------------------------------


def _text(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return "0" if text in ("-0", "") else text


def extra_value_parse(field: BatchField, raw: Any) -> tuple[str | None, str | None]:
    """``(stored text or None for blank, error or None)``. The error names the field in the reader's language."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None, None
    label = field.label
    if field.kind == BatchFieldKind.YES_NO:
        if isinstance(raw, bool):
            return ("1" if raw else "0"), None
        word = str(raw).strip().lower()
        if word in YES:
            return "1", None
        if word in NO:
            return "0", None
        return None, _("%(field)s:请填写“是”或“否”。") % {"field": label}
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except InvalidOperation:
        return None, _("%(field)s:请输入数字。") % {"field": label}
    if not value.is_finite() or abs(value) >= MAX_ABS:
        return None, _("%(field)s:请输入有效的数字。") % {"field": label}
    if field.kind == BatchFieldKind.INTEGER and value != value.to_integral_value():
        return None, _("%(field)s:应为整数。") % {"field": label}
    if value.as_tuple().exponent < -2 and value != value.quantize(Decimal("0.01")):
        return None, _("%(field)s:最多保留两位小数。") % {"field": label}
    if field.min_value is not None and value < field.min_value:
        if field.min_value == 0:
            return None, _("%(field)s:不能为负数。") % {"field": label}
        return None, _("%(field)s:不能小于 %(min)s。") % {"field": label, "min": _text(field.min_value)}
    if field.max_value is not None and value > field.max_value:
        return None, _("%(field)s:不能大于 %(max)s。") % {"field": label, "max": _text(field.max_value)}
    return _text(value), None


def extra_values_check(fields: list[BatchField], raw: Mapping[str, Any]) -> tuple[dict[str, str | None], dict]:
    """Parse the filed values ``raw`` (code → text or value) of the batch's ``fields``: ``(values, errors)``, values
    by code (``None``: left blank, not filed), errors by ``extra_key(code)``. An unknown code is a programming error."""
    known = {field.code: field for field in fields}
    unknown = set(raw) - set(known)
    if unknown:
        raise ValueError(f"not an extra field of this batch: {', '.join(sorted(unknown))}")
    values: dict[str, str | None] = {}
    errors: dict[str, list[str]] = {}
    for code, value in raw.items():
        parsed, error = extra_value_parse(known[code], value)
        if error:
            errors[extra_key(code)] = [error]
        else:
            values[code] = parsed
    return values, errors


def extra_values_merge(stored: Mapping[str, str], values: Mapping[str, str | None]) -> tuple[dict, dict]:
    """The filing's ``extra_values`` after ``values`` (``None`` removes a value) and the diff
    ``{extra_key(code): [old, new]}`` of what changed (old/new ``None`` when absent)."""
    merged, diff = dict(stored), {}
    for code, value in values.items():
        old = merged.get(code)
        if value is None:
            merged.pop(code, None)
        else:
            merged[code] = value
        if old != value:
            diff[extra_key(code)] = [old, value]
    return merged, diff


def extra_value_label(field: BatchField | None, value: str | None) -> str:
    """A stored value in words: 是/否 for yes/no, a number with separators and the unit."""
    from core.labels import yes_no

    if value is None or value == "":
        return "—"
    if field is None:
        return str(value)
    if field.kind == BatchFieldKind.YES_NO:
        return yes_no(value == "1")
    try:
        text = f"{Decimal(value).normalize():,f}"
    except InvalidOperation:
        return str(value)
    return f"{text} {field.unit}".strip()


# --- Definitions ---------------------------------------------------------------------------------------------------


def _managed(batch: Batch, user: User | None) -> None:
    if user is not None and not Batch.objects.managed_by(user).filter(pk=batch.pk).exists():
        raise ApplicationError(_("只有本辖区的科技管理部门管理员可以设置该批次的扩展字段。"))


def _checked(field: BatchField) -> None:
    """The model's checks plus the rules across fields, each naming its field; raises ``ValidationError``."""
    errors: dict[str, list[str]] = {}
    try:
        field.full_clean(exclude=["batch"], validate_unique=False)
    except ValidationError as error:
        errors = dict(error.message_dict)
    if field.code in reserved_codes():
        errors.setdefault("code", []).append(
            _("字段代码“%(code)s”与标准填报字段重名,请换一个。") % {"code": field.code}
        )
    elif BatchField.objects.filter(batch_id=field.batch_id, code=field.code).exclude(pk=field.pk).exists():
        errors.setdefault("code", []).append(_("本批次已有代码为“%(code)s”的扩展字段。") % {"code": field.code})
    if field.kind == BatchFieldKind.YES_NO:
        field.min_value = field.max_value = None
        field.unit = ""
    elif field.min_value is not None and field.max_value is not None and field.min_value > field.max_value:
        errors.setdefault("max_value", []).append(_("最大值不能小于最小值。"))
    if errors:
        raise ValidationError(errors)


def _filed(field: BatchField) -> bool:
    return Submission.objects.filter(batch_id=field.batch_id, extra_values__has_key=field.code).exists()


@transaction.atomic
def batch_field_create(*, batch: Batch, user: User | None, code: str, **fields: Any) -> BatchField:
    """Add an extra field to ``batch``; bad input raises ``ValidationError`` naming each field, nothing saved."""
    _managed(batch, user)
    field = BatchField(batch=batch, code=(code or "").strip(), **_settings(fields))
    _checked(field)
    field.save()
    return field


@transaction.atomic
def batch_field_update(*, field: BatchField, user: User | None, **fields: Any) -> BatchField:
    """Change a field's labels, unit, bounds, help or order (``BATCH_FIELD_SETTINGS``). Its code never changes,
    and its kind only while no firm has filed a value: the stored values were checked against the old kind."""
    field = BatchField.objects.select_for_update().select_related("batch").get(pk=field.pk)
    _managed(field.batch, user)
    settings = _settings(fields)
    if "kind" in settings and settings["kind"] != field.kind and _filed(field):
        raise ValidationError({"kind": [_("已有企业填报了该字段,不能再修改类型。")]})
    for name, value in settings.items():
        setattr(field, name, value)
    _checked(field)
    field.save()
    return field


@transaction.atomic
def batch_field_delete(*, field: BatchField, user: User | None) -> None:
    """Remove a field no firm has filed yet (filed values are kept with the filing they belong to)."""
    field = BatchField.objects.select_for_update().select_related("batch").get(pk=field.pk)
    _managed(field.batch, user)
    if _filed(field):
        raise ApplicationError(_("已有企业填报了“%(field)s”,不能删除。") % {"field": field.label})
    field.delete()


def _settings(fields: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(BATCH_FIELD_SETTINGS)
    if unknown:
        raise ValueError(f"not a batch field setting: {', '.join(sorted(unknown))}")
    return dict(fields)
