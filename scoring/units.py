"""Fields as people read them, in their own unit: a filed (§1) or derived (§2) field's name without its unit, a value
in the field's unit (1,250 万元, 6.5%, 3 项, 12 人, 省级, 是) and the change from one value to another. The firm's
report (its advice) and the policy conditions (``policies``) word fields with these."""

from __future__ import annotations

import math
import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from enterprises.choices import RdPlatformLevel
from enterprises.models import Submission

# Derived fields of methodology §2, as an advice names them.
DERIVED_LABELS = {
    "rd_intensity": gettext_lazy("研发费用占营业收入比重"),
    "rd_staff_ratio": gettext_lazy("研发人员占比"),
    "roe": gettext_lazy("净资产利润率"),
    "high_tech_share": gettext_lazy("高新技术产品收入占比"),
    "revenue_growth": gettext_lazy("营业收入增长率"),
    "rd_expense_growth": gettext_lazy("研发费用增长率"),
    "qualification": gettext_lazy("企业资质等级"),
}
RATIO_FIELDS = frozenset(("rd_intensity", "rd_staff_ratio", "roe", "high_tech_share", "revenue_growth",
                          "rd_expense_growth"))  # fmt: skip
PEOPLE_FIELDS = frozenset(("employees", "rd_staff", "graduates_hired"))
QUALIFICATION_LABELS = {
    0: gettext_lazy("无资质"),
    1: gettext_lazy("科技型中小企业"),
    2: gettext_lazy("高新技术企业或专精特新中小企业"),
    3: gettext_lazy("专精特新“小巨人”"),
}
_UNIT_SUFFIX = re.compile(r"\s*[((][^()()]*[))]\s*$")


def field_label(name: str) -> str:
    """The field an indicator reads, in the reader's language, without the unit the values carry themselves."""
    if name in DERIVED_LABELS:
        return str(DERIVED_LABELS[name])
    try:
        label = str(Submission._meta.get_field(name).verbose_name)
    except Exception:
        extra = _extra_field(name)
        return extra.label if extra is not None else name
    return _UNIT_SUFFIX.sub("", label)


def _extra_field(name: str):
    """The batch extra field of that code (the newest batch's), or ``None`` for a standard field."""
    if name in DERIVED_LABELS or name in RATIO_FIELDS or hasattr(Submission, name):
        return None
    from enterprises.models import BatchField

    return BatchField.objects.filter(code=name).order_by("-batch__year", "-pk").first()


def _grouped(value: float, decimals: int) -> str:
    text = f"{value:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def value_in_unit(name: str, value: float) -> str:
    """A value of field ``name`` in the field's own unit: 1,250 万元, 6.5%, 3 项, 12 人, 省级, 是."""
    if name in RATIO_FIELDS:
        return _("%(value)s%%") % {"value": _grouped(value * 100, 1)}
    if name == "rd_platform_level":
        return str(RdPlatformLevel(min(max(int(value), 0), 3)).label)
    if name == "qualification":
        return str(QUALIFICATION_LABELS.get(int(value), int(value)))
    if name in Submission.FLAG_FIELDS:
        return _("是") if value >= 1 else _("否")
    if name in Submission.MONEY_FIELDS:
        return _("%(value)s 万元") % {"value": _grouped(value, 2)}
    extra = _extra_field(name)
    if extra is not None:  # a batch's extra field: its own unit, or yes/no
        if extra.kind == "yes_no":
            return _("是") if value >= 1 else _("否")
        return f"{_grouped(value, 0 if extra.kind == 'integer' else 2)} {extra.unit}".strip()
    count = math.ceil(value)
    if name in PEOPLE_FIELDS:
        return ngettext("%(value)s 人", "%(value)s 人", count) % {"value": _grouped(count, 0)}
    return ngettext("%(value)s 项", "%(value)s 项", count) % {"value": _grouped(count, 0)}


def change_in_unit(name: str, before: float, after: float) -> str:
    """The change from today to the target, signed, in the field's unit (+1,250 万元, +3 个百分点, +2 项)."""
    if name in RATIO_FIELDS:
        return _("+%(value)s 个百分点") % {"value": _grouped((after - before) * 100, 1)}
    if name in ("rd_platform_level", "qualification") or name in Submission.FLAG_FIELDS:
        return _("从“%(before)s”到“%(after)s”") % {
            "before": value_in_unit(name, before), "after": value_in_unit(name, after)}  # fmt: skip
    return "+" + value_in_unit(name, after - before)
