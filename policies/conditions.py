"""A policy's machine-checkable conditions: which fields they may name, with which operators, how they are checked
when a policy is saved, and how each reads in words (in the reader's language, in the field's own unit).

A condition is ``{"field": f, "op": op, "value": v}``; ``policies.matching`` evaluates them. Values are stored in
the engine's units: ratios and growth rates as fractions (3 % is 0.03), amounts in 万元, the stage percentile as a
fraction. The bureau's form takes percentages and converts (``PERCENT_FIELDS``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.labels import listing, region_label, section_label
from core.regions import scope_covers
from core.validators import SECTION_LETTERS, validate_region_scope
from scoring.choices import Stage
from scoring.engine.system import SIGNED_FIELDS
from scoring.units import RATIO_FIELDS, change_in_unit, field_label, value_in_unit

from .matching import FLAG_FIELDS, GAP_FIELDS, GRADES, NUMBER_FIELDS

NUMBER_OPS = (">=", ">", "<=", "<")
OP_LABELS = {">=": "≥", ">": ">", "<=": "≤", "<": "<"}
CHOICE_FIELDS = ("region", "section", "stage")
KNOWN_FIELDS = frozenset((*NUMBER_FIELDS, *FLAG_FIELDS, *CHOICE_FIELDS, "grade"))
PERCENT_FIELDS = frozenset((*RATIO_FIELDS, "stage_percentile"))
"""Fields a person states in percent (the form converts to the stored fraction)."""
MAY_BE_NEGATIVE = frozenset((*SIGNED_FIELDS, "roe", "revenue_growth", "rd_expense_growth"))
RANK_FIELDS = ("rank_national", "rank_province", "rank_industry")
MAX_CONDITIONS = 20

OWN_LABELS = {
    "age": gettext_lazy("成立年限"), "total": gettext_lazy("创新积分总分"), "rank_national": gettext_lazy("全国排名"),
    "rank_province": gettext_lazy("省内排名"), "rank_industry": gettext_lazy("行业门类排名"),
    "stage_percentile": gettext_lazy("阶段内百分位"), "consent": gettext_lazy("已授权向银行共享数据"),
    "eligible": gettext_lazy("符合推荐条件"), "region": gettext_lazy("所在地区"), "section": gettext_lazy("行业门类"),
    "stage": gettext_lazy("发展阶段"), "grade": gettext_lazy("积分等级"),
}  # fmt: skip


def condition_field_label(name: str) -> str:
    """A condition's field in words (研发费用占营业收入比重, 全国排名, 科技型中小企业)."""
    return str(OWN_LABELS[name]) if name in OWN_LABELS else field_label(name)


def number_field_choices() -> list[tuple[str, str]]:
    """The threshold fields as form choices, labelled, with ``%`` on those stated in percent."""
    return [(name, condition_field_label(name) + (" (%)" if name in PERCENT_FIELDS else "")) for name in NUMBER_FIELDS]


def qualification_choices() -> list[tuple[str, str]]:
    return [(name, condition_field_label(name)) for name in FLAG_FIELDS]


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def conditions_validate(conditions, *, scope: str = "") -> list[dict]:
    """The conditions as stored, or ``ValidationError({"conditions": [...]})`` with one message per bad condition,
    naming it by its position and field. ``scope`` is the policy's region: a region condition must lie inside it."""
    if not isinstance(conditions, list):
        raise ValidationError({"conditions": [_("条件应为列表。")]})
    if len(conditions) > MAX_CONDITIONS:
        raise ValidationError({"conditions": [_("条件最多 %(n)s 条。") % {"n": MAX_CONDITIONS}]})
    errors, clean = [], []
    for position, condition in enumerate(conditions, start=1):
        try:
            clean.append(_condition_clean(condition, scope))
        except ValidationError as error:
            errors += [_("条件 %(n)s:%(message)s") % {"n": position, "message": m} for m in error.messages]
    if errors:
        raise ValidationError({"conditions": errors})
    return clean


def _condition_clean(condition, scope: str) -> dict:
    if not isinstance(condition, Mapping) or set(condition) != {"field", "op", "value"}:
        raise ValidationError(_("每条条件须有 field、op、value 三项。"))
    field, op, value = condition["field"], condition["op"], condition["value"]
    if field not in KNOWN_FIELDS:
        raise ValidationError(_("未知字段“%(field)s”。") % {"field": field})
    label = condition_field_label(field)
    if field in NUMBER_FIELDS:
        return {"field": field, "op": _op(op, NUMBER_OPS, label), "value": _threshold(field, value, label)}
    if field in FLAG_FIELDS:
        _op(op, ("is",), label)
        if not isinstance(value, bool):
            raise ValidationError(_("“%(field)s”的取值应为是或否。") % {"field": label})
        return {"field": field, "op": "is", "value": value}
    if field == "grade":
        _op(op, (">=",), label)
        if value not in GRADES:
            raise ValidationError(_("“%(field)s”应为 A 至 E 之一。") % {"field": label})
        return {"field": field, "op": ">=", "value": value}
    _op(op, ("in",), label)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ValidationError(_("“%(field)s”至少选择一项。") % {"field": label})
    value = sorted(set(value))
    if field == "section":
        bad = [v for v in value if len(v) != 1 or v not in SECTION_LETTERS]
    elif field == "stage":
        bad = [v for v in value if v not in Stage.values]
    else:
        bad = [v for v in value if not _region_ok(v, scope)]
    if bad:
        raise ValidationError(_("“%(field)s”含无效取值:%(values)s。") % {"field": label, "values": listing(bad)})
    return {"field": field, "op": "in", "value": value}


def _op(op, allowed: tuple[str, ...], label: str) -> str:
    if op not in allowed:
        raise ValidationError(_("“%(field)s”不支持运算符“%(op)s”。") % {"field": label, "op": op})
    return op


def _threshold(field: str, value, label: str) -> float:
    number = _number(value)
    if number is None:
        raise ValidationError(_("“%(field)s”的阈值应为数字。") % {"field": label})
    if number < 0 and field not in MAY_BE_NEGATIVE:
        raise ValidationError(_("“%(field)s”不能为负数,阈值不能小于 0。") % {"field": label})
    if field in ("revenue_growth", "rd_expense_growth") and number < -1:
        raise ValidationError(_("“%(field)s”不低于 -100%%。") % {"field": label})
    if field in RANK_FIELDS and number < 1:
        raise ValidationError(_("“%(field)s”从 1 起算。") % {"field": label})
    if field == "stage_percentile" and number > 1:
        raise ValidationError(_("“%(field)s”不超过 100%%。") % {"field": label})
    return number


def _region_ok(prefix: str, scope: str) -> bool:
    try:
        validate_region_scope(prefix)
    except ValidationError:
        return False
    return bool(prefix) and scope_covers(scope, prefix)


# --- In words -------------------------------------------------------------------------------------------------------


def _shown(field: str, value: float) -> str:
    if field in ("total",):
        return _("%(value)s 分") % {"value": f"{value:,.2f}".rstrip("0").rstrip(".")}
    if field in RANK_FIELDS:
        return _("第 %(value)s 名") % {"value": f"{int(value):,}"}
    if field == "stage_percentile":
        return f"{value * 100:.1f}%".replace(".0%", "%")
    if field == "age":
        return _("%(value)s 年") % {"value": int(value)}
    return value_in_unit(field, value)


def condition_text(condition: Mapping) -> str:
    """A condition as a sentence: 研发费用占营业收入比重 ≥ 3%, 所在地区:广东省, 是科技型中小企业."""
    field, op, value = condition["field"], condition["op"], condition["value"]
    label = condition_field_label(field)
    if field in NUMBER_FIELDS:
        return f"{label} {OP_LABELS[op]} {_shown(field, value)}"
    if field in FLAG_FIELDS:
        return (_("是%(field)s") if value else _("不是%(field)s")) % {"field": label}
    if field == "grade":
        return _("积分等级 %(grade)s 级及以上") % {"grade": value}
    words = {"region": region_label, "section": section_label, "stage": lambda s: str(Stage(s).label)}[field]
    return f"{label}:{listing(words(v) for v in value)}"


def firm_value_text(condition: Mapping, have: float) -> str:
    """The firm's own value of a condition's field, in its unit (for "why it matches" and a near-miss)."""
    field = condition["field"]
    if field == "grade":
        return GRADES[int(have)] if 0 <= have < len(GRADES) else "—"
    if field in FLAG_FIELDS:
        return _("是") if have else _("否")
    if field in NUMBER_FIELDS:
        return _shown(field, have)
    return ""


def shortfall_text(condition: Mapping, have: float | None, gap: float | None) -> str:
    """What a near-miss lacks: "研发费用占营业收入比重 2.4% → 3%:研发费用 +60 万元"; for a qualification or a
    stage, the condition itself ("需:是科技型中小企业")."""
    field = condition["field"]
    if field not in NUMBER_FIELDS or have is None or (isinstance(have, float) and math.isnan(have)):
        if field == "grade" and have is not None and not math.isnan(have):
            return _("积分等级 %(have)s → %(need)s") % {
                "have": firm_value_text(condition, have),
                "need": condition["value"],
            }
        return _("需:%(condition)s") % {"condition": condition_text(condition)}
    text = f"{condition_field_label(field)} {_shown(field, have)} → {_shown(field, condition['value'])}"
    if gap is None or math.isnan(gap):
        return text
    target = GAP_FIELDS.get(field, field)
    if field in ("total",):
        amount = _("%(sign)s%(value)s 分") % {"sign": "+" if gap >= 0 else "−", "value": f"{abs(gap):,.2f}"}
    elif field in RANK_FIELDS or field in ("stage_percentile", "age", "qualification") or target in RATIO_FIELDS:
        return text
    elif gap >= 0:
        amount = change_in_unit(target, 0, gap)
    else:
        amount = "−" + value_in_unit(target, -gap)
    return _("%(text)s:%(field)s %(amount)s") % {"text": text, "field": field_label(target), "amount": amount}


def conditions_text(conditions: Iterable[Mapping]) -> list[str]:
    return [condition_text(c) for c in conditions]
