"""English names of the seeded national indicator systems (their indicators, categories and the systems themselves),
shown in the English interface. The Chinese names stay the record — they are what the engine hashes and what a
bureau edits; a name a bureau typed for a local indicator has no entry and shows as typed (like a firm's name)."""

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.labels import english

INDICATOR_NAMES_EN = {
    "研发费用金额": "R&D expenditure", "研发费用增长率": "R&D expenditure growth",
    "研发费用占营业收入比重": "R&D intensity (R&D / revenue)", "研发人员占比": "Share of R&D staff",
    "有效发明专利": "Valid invention patents", "技术合同成交额": "Technology contract turnover",
    "主导/参与制定标准": "Standards led or co-drafted", "营业收入增长率": "Revenue growth",
    "高新技术产品(服务)收入": "High-tech product (service) revenue", "净资产利润率": "Return on equity",
    "上缴税费": "Taxes paid", "高新技术产品收入占比": "Share of high-tech revenue", "从业人员数": "Employees",
    "吸纳高校应届毕业生": "New graduates hired", "获得创投机构投资金额": "Venture capital raised",
    "企业资质": "Qualifications", "研发平台": "R&D platform",
    "省级以上科技计划项目": "Provincial+ S&T programme projects",
    "省级以上科技奖励": "Provincial+ S&T awards",
    "省级研发平台数量": "Provincial R&D platforms",  # the demo's local indicator on Guangdong's extra field
}  # fmt: skip
CATEGORIES_EN = {
    "技术创新": "Technological innovation", "成长经营": "Growth and operations", "辅助": "Supplementary",
    "创新投入": "Innovation input", "创新产出": "Innovation output", "创新发展": "Innovation-led development",
    "创新影响": "Innovation impact",
}  # fmt: skip
SYSTEM_DESCRIPTIONS_EN = {
    "全国试行版(2024):3类18项指标,按初创期、成长期、稳定期分别设权重。":
        "National trial edition (2024): 18 indicators in 3 categories, weighted separately for the start-up, "
        "growth and stable stages.",
    "2.0版(2025):创新投入、产出、发展三类9项基础指标计100分,创新影响3项加分最高30分。":
        "Version 2.0 (2025): 9 base indicators in 3 categories (innovation input, output and development) worth 100 "
        "points, plus 3 innovation-impact bonus indicators worth up to 30 points.",
}  # fmt: skip
SYSTEM_NAMES_EN = {
    "全国试行版(2024)": "National trial edition (2024)", "全国2.0版(2025)": "National version 2.0 (2025)",
}  # fmt: skip


def _english(table: dict[str, str], name: str) -> str:
    return table.get(name, name) if english() else name


def indicator_name(name: str) -> str:
    return _english(INDICATOR_NAMES_EN, name)


def indicator_category(name: str) -> str:
    return _english(CATEGORIES_EN, name)


def system_name(name: str) -> str:
    return _english(SYSTEM_NAMES_EN, name)


def system_description(text: str) -> str:
    return _english(SYSTEM_DESCRIPTIONS_EN, text)


DERIVED_FIELD_LABELS = {
    "rd_expense_growth": _("研发费用增长率"), "revenue_growth": _("营业收入增长率"),
    "rd_intensity": _("研发费用占营业收入比重"), "rd_staff_ratio": _("研发人员占比"), "roe": _("净资产利润率"),
    "high_tech_share": _("高新技术产品收入占比"), "qualification": _("企业资质"),
}  # fmt: skip
"""The fields the engine derives (methodology §2, ``engine.system.DERIVED_FIELDS``); raw fields are named by the
filing's own field labels (``data_field_label``)."""


def data_field_label(code: str):
    """What an indicator reads (a raw field of the filing or a derived one), by its name in the user's language;
    lazy, so a form's choices built at import follow each request's language. An unknown code shows as itself."""
    from enterprises.models import Submission

    if code in DERIVED_FIELD_LABELS:
        return DERIVED_FIELD_LABELS[code]
    try:
        return Submission._meta.get_field(code).verbose_name
    except FieldDoesNotExist:
        return _extra_field_label(code)


def _extra_field_label(code: str) -> str:
    """A batch extra field by its label (the newest batch's definition of the code), else the code itself."""
    from enterprises.models import BatchField

    field = BatchField.objects.filter(code=code).order_by("-batch__year", "-pk").first()
    return field.label if field is not None else code


def data_field_choices() -> list[tuple[str, Any]]:
    """(code, "name (code)") for every field an indicator may read, raw fields first in methodology order."""
    from .engine.system import DERIVED_FIELDS, RAW_FIELDS

    return [(code, format_lazy("{} ({})", data_field_label(code), code)) for code in RAW_FIELDS + DERIVED_FIELDS]


# The ineligibility reasons of methodology §7 (``engine.system.REASON_CODES``), as people read them in lists.
REASON_LABELS = {
    "not_approved": _("填报未审核通过"),
    "veto_dishonest": _("失信被执行人"),
    "veto_tax_d": _("纳税信用D级"),
    "veto_violation": _("近三年重大违法违规"),
    "not_tech_firm": _("非科技型中小企业或高新技术企业"),
    "no_consent": _("未授权向银行共享数据"),
    "below_threshold": _("总分低于推荐门槛"),
}


def reason_labels(codes: str | list[str]) -> list[str]:
    """``not_approved;no_consent`` (or a list of codes) → their labels; an unknown code shows as itself."""
    if isinstance(codes, str):
        codes = codes.split(";") if codes else []
    return [str(REASON_LABELS.get(code, code)) for code in codes]
