"""The rules of a filing (methodology §1), kept apart from the database so the page can mirror them.

``check_values`` takes parsed values and returns hard errors (which block saving) and warnings (which only ask the
user to double-check). ``static/enterprises/filing.js`` repeats the same rules in the browser; the server decides.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from .models import COUNT_FIELDS, FLAG_FIELDS, MONEY_FIELDS, SIGNED_FIELDS

# Fields a filing cannot be submitted without (a blank is not a zero: the firm must say 0 explicitly).
REQUIRED_FIELDS = (
    "revenue", "revenue_prev", "rd_expense", "rd_expense_prev", "employees", "rd_staff", "net_profit", "net_assets",
    "taxes_paid",
)  # fmt: skip
FINANCING_FIELDS = ("financing_amount", "financing_term_months", "financing_purpose", "preferred_banks")
MAX_PREFERRED_BANKS = 3
MAX_TERM_MONTHS = 360
# Growth above 1000 % (cur > 11 × prev) is possible but is usually a unit slip (元 for 万元).
IMPLAUSIBLE_GROWTH = Decimal(10)

GROUPS = (
    (_("经营情况"), ("revenue", "revenue_prev", "net_profit", "net_assets", "taxes_paid", "employees",
                 "graduates_hired", "vc_investment")),
    (_("技术创新"), ("rd_expense", "rd_expense_prev", "rd_staff", "invention_patents", "other_ip", "standards",
                 "tech_contract_turnover", "high_tech_revenue", "rd_platform_level", "sci_awards", "sci_projects")),
    (_("资质与信用"), FLAG_FIELDS),
)  # fmt: skip

UNITS = {**dict.fromkeys(MONEY_FIELDS, _("万元")), **dict.fromkeys(COUNT_FIELDS, _("项"))}
UNITS.update(employees=_("人"), rd_staff=_("人"), graduates_hired=_("人"), rd_platform_level="")

# What counts, in the words of the filing guide (the model's own help text covers the rest).
HELP = {
    "revenue_prev": _("上一年度营业收入,用于计算增长率。"),
    "rd_expense_prev": _("上一年度研发费用,用于计算增长率。"),
    "taxes_paid": _("本年度实际缴纳的各项税费(不含代扣代缴)。"),
    "graduates_hired": _("本年度招用的高校应届毕业生。"),
    "rd_staff": _("年末直接从事研发活动的人员,不超过从业人员数。"),
    "tech_contract_turnover": _("在技术合同登记机构登记的技术合同成交额。"),
    "high_tech_revenue": _("高新技术产品(服务)收入,不超过营业收入。"),
    "sci_projects": _("近三年承担的省级或国家级科技计划项目。"),
    "rd_platform_level": _("企业建有的最高级别研发平台(重点实验室、技术中心等)。"),
    "is_high_tech_enterprise": _("持有有效期内的高新技术企业证书。"),
    "is_tech_sme": _("已入库科技型中小企业。"),
    "dishonest_debtor": _("企业被列为失信被执行人时勾选。"),
    "tax_credit_d": _("最近一次纳税信用评价为D级时勾选。"),
    "major_violation": _("近三年有重大违法违规记录时勾选。"),
}


@dataclass
class FilingCheck:
    """The outcome of checking a filing: ``errors`` block saving, ``warnings`` only ask for a second look."""

    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: dict[str, list[str]] = field(default_factory=dict)

    def error(self, name: str, message) -> None:
        self.errors.setdefault(name, []).append(str(message))

    def warn(self, name: str, message) -> None:
        self.warnings.setdefault(name, []).append(str(message))


def check_values(values: dict, *, require: bool = False) -> FilingCheck:
    """Check parsed filing values (Decimal/int/bool/None). ``require`` makes the required fields mandatory."""
    result = FilingCheck()
    if require:
        for name in REQUIRED_FIELDS:
            if values.get(name) is None:
                result.error(name, _("提交前必须填写此项(没有请填 0)。"))
    for name in (*MONEY_FIELDS, *COUNT_FIELDS, "financing_amount"):
        value = values.get(name)
        if value is not None and name not in SIGNED_FIELDS and value < 0:
            result.error(name, _("不能为负数。"))
    if (values.get("rd_platform_level") or 0) > 3:
        result.error("rd_platform_level", _("研发平台级别应为 0 至 3。"))

    def number(name: str) -> Decimal:
        return Decimal(values.get(name) or 0)

    if number("rd_staff") > number("employees"):
        result.error("rd_staff", _("研发人员数不能超过从业人员数。"))
    if number("high_tech_revenue") > number("revenue"):
        result.error("high_tech_revenue", _("高新技术产品(服务)收入不能超过营业收入。"))
    term = values.get("financing_term_months")
    if term is not None and not 1 <= term <= MAX_TERM_MONTHS:
        result.error("financing_term_months", _("期限应在 1 至 360 个月之间。"))
    banks = values.get("preferred_banks")
    if banks is not None and len(banks) > MAX_PREFERRED_BANKS:
        result.error("preferred_banks", _("最多选择 3 家意向银行。"))

    if number("rd_expense") > number("revenue") > 0:
        result.warn("rd_expense", _("研发费用高于营业收入,请确认单位为万元。"))
    if number("net_profit") > number("revenue") > 0:
        result.warn("net_profit", _("净利润高于营业收入,请核对。"))
    for current, previous in (("revenue", "revenue_prev"), ("rd_expense", "rd_expense_prev")):
        if number(previous) > 0 and number(current) / number(previous) - 1 > IMPLAUSIBLE_GROWTH:
            result.warn(current, _("较上年增长超过 1000%,请确认单位与数值。"))
    return result


def client_messages() -> dict[str, str]:
    """The messages ``filing.js`` shows, in the page's language (rendered with ``json_script``)."""
    return {
        "negative": str(_("不能为负数。")),
        "number": str(_("请输入数字。")),
        "rd_staff": str(_("研发人员数不能超过从业人员数。")),
        "high_tech_revenue": str(_("高新技术产品(服务)收入不能超过营业收入。")),
        "rd_expense": str(_("研发费用高于营业收入,请确认单位为万元。")),
        "growth": str(_("较上年增长超过 1000%,请确认单位与数值。")),
    }
