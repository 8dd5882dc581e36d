"""A filing's values as people read them: yes/no for flags, a level by its name, amounts with separators, the
preferred banks by name — on the filing, the review page and the change logs (never a field code or ``True``)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _

from core.labels import listing, yes_no
from core.models import Bank

from .batch_fields import extra_key, extra_value_label
from .models import MONEY_FIELDS, Submission

_EXTRA_LABELS = {"evidence": lambda: _("证明材料"), "status": lambda: _("状态")}


def field_label(name: str) -> str:
    if name in _EXTRA_LABELS:  # not a concrete field (``evidence`` is a reverse relation): no verbose name
        return str(_EXTRA_LABELS[name]())
    try:
        return str(Submission._meta.get_field(name).verbose_name)
    except (FieldDoesNotExist, AttributeError):
        return name


def value_label(name: str, value, *, banks: dict[int, str] | None = None) -> str:
    """One filed value in words; ``banks`` names the preferred banks' ids (one query for a whole log)."""
    if value is None or value == "":
        return "—"
    try:
        field = Submission._meta.get_field(name)
    except FieldDoesNotExist:
        return str(value)
    if not getattr(field, "concrete", False) and name != "preferred_banks":  # a reverse relation (evidence): a name
        return str(value)
    if name == "preferred_banks":
        ids = value if isinstance(value, list | tuple) else [getattr(b, "pk", b) for b in value.all()]
        names = banks if banks is not None else _bank_labels(ids)
        return listing(names.get(int(pk), str(pk)) for pk in ids) or "—"
    if field.get_internal_type() == "BooleanField":
        return yes_no(value in (True, "True", "true", 1, "1"))
    if field.choices:
        labels = {str(code): str(label) for code, label in field.flatchoices}
        return labels.get(str(value), str(value))
    if name in MONEY_FIELDS or field.get_internal_type() in ("DecimalField", "FloatField"):
        try:
            return f"{Decimal(str(value)).normalize():,f}"
        except (InvalidOperation, ValueError):
            return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def changes_readable(changes, *, batch_fields=()) -> list:
    """The changes with ``.lines`` — (field label, before, after) in words — for the change-log tables;
    ``batch_fields`` name and word the batch's extra fields (``extra__<code>`` in a diff)."""
    extras = {extra_key(f.code): f for f in batch_fields}
    changes = list(changes)
    ids = {
        int(pk)
        for change in changes
        for pair in [change.diff.get("preferred_banks")] if pair
        for side in pair if isinstance(side, list)
        for pk in side
    }  # fmt: skip
    banks = _bank_labels(ids) if ids else {}
    for change in changes:
        change.lines = [
            (extras[name].label, extra_value_label(extras[name], pair[0]), extra_value_label(extras[name], pair[1]))
            if name in extras
            else (field_label(name), value_label(name, pair[0], banks=banks), value_label(name, pair[1], banks=banks))
            for name, pair in change.diff.items()
            if isinstance(pair, list | tuple) and len(pair) == 2
        ]
    return changes


def filing_readable(submission: Submission, groups, *, batch_fields=()) -> list:
    """A read-only filing's groups of the form as (title, [(label, value in words)]), extra fields included."""
    extras = {extra_key(f.code): f for f in batch_fields}
    stored = submission.extra_values or {}

    def line(field):
        if field.name in extras:
            extra = extras[field.name]
            return field.label, extra_value_label(extra, stored.get(extra.code))
        return field.label, value_label(field.name, getattr(submission, field.name))

    return [(title, [line(field) for field in fields]) for title, fields in groups]


def _bank_labels(ids) -> dict[int, str]:
    """Banks' names in the interface's language, by id (one query)."""
    return {bank.pk: bank.label for bank in Bank.objects.filter(pk__in=ids).only("pk", "code", "name")}
