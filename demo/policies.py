"""The demo's policy library: two policies of each of the twelve classes, national and provincial, with conditions
over filed, derived and published fields, so that the demo firms see matches and near-misses after publication."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from policies.models import Policy
from policies.services import policy_create

TECH = {"field": "is_tech_sme", "op": "is", "value": True}
HIGH_TECH = {"field": "is_high_tech_enterprise", "op": "is", "value": True}
CLEAN = [{"field": name, "op": "is", "value": False} for name in ("dishonest_debtor", "tax_credit_d")]


def _ge(field: str, value: float) -> dict:
    return {"field": field, "op": ">=", "value": value}


def _le(field: str, value: float) -> dict:
    return {"field": field, "op": "<=", "value": value}


# (class, name, issuer, region scope, benefit, conditions)
DEMO_POLICIES = [
    ("rd_super_deduction", "研发费用税前加计扣除", "国家税务总局", "", "研发费用按实际发生额的100%在税前加计扣除。",
     [_ge("rd_expense", 1), *CLEAN]),
    ("rd_super_deduction", "科技型中小企业研发费用加计扣除辅导", "广东省税务局", "44", "专人辅导加计扣除申报与备案。",
     [TECH, _ge("rd_intensity", 0.03)]),
    ("high_tech_tax", "高新技术企业减按15%税率征收所得税", "国家税务总局", "", "企业所得税减按15%征收。",
     [HIGH_TECH, _ge("rd_intensity", 0.03)]),
    ("high_tech_tax", "高新技术企业认定奖励", "江苏省科技厅", "32", "首次认定奖励30万元。",
     [_ge("invention_patents", 1), _ge("rd_intensity", 0.04), _ge("high_tech_share", 0.6)]),
    ("tech_sme_admission", "科技型中小企业评价入库", "科技部火炬中心", "", "入库后享受研发费用加计扣除等政策。",
     [_le("employees", 500), _le("revenue", 20000), _ge("rd_intensity", 0.03)]),
    ("tech_sme_admission", "科技型中小企业入库培育", "广东省科技厅", "44", "入库培育辅导与优先推荐。",
     [_le("revenue", 20000), _ge("rd_staff_ratio", 0.1)]),
    ("specialised_cultivation", "专精特新中小企业培育", "工业和信息化部", "", "纳入培育库,给予融资和服务支持。",
     [TECH, _ge("revenue", 1000), _ge("invention_patents", 2)]),
    ("specialised_cultivation", "专精特新“小巨人”梯度培育", "工业和信息化部", "", "推荐申报国家级“小巨人”。",
     [{"field": "is_specialised_sme", "op": "is", "value": True}, _ge("revenue", 5000), _ge("rd_intensity", 0.03)]),
    ("rd_subsidy", "企业研发投入后补助", "广东省科技厅", "44", "按上年研发投入增量的10%给予补助,最高200万元。",
     [TECH, _ge("rd_expense", 300), _ge("rd_expense_growth", 0.1)]),
    ("rd_subsidy", "研发费用增长奖励", "科技部火炬中心", "", "研发投入增长20%以上的企业给予奖励。",
     [_ge("rd_expense_growth", 0.2), _ge("rd_expense", 100)]),
    ("innovation_voucher", "广东省科技创新券", "广东省科技厅", "44", "最高20万元创新券,用于检验检测、研发设计。",
     [TECH, _le("revenue", 5000)]),
    ("innovation_voucher", "长三角科技创新券", "江苏省科技厅", "32", "跨区域使用的科技创新券。",
     [TECH, _le("employees", 300)]),
    ("talent", "高校毕业生就业见习补贴", "人力资源和社会保障部", "", "按吸纳应届毕业生人数给予补贴。",
     [_ge("graduates_hired", 3), *CLEAN]),
    ("talent", "科技领军人才团队支持", "广东省科技厅", "44", "团队最高资助1000万元。",
     [_ge("rd_staff", 30), _ge("invention_patents", 5)]),
    ("platforms_awards", "省级研发平台认定", "广东省科技厅", "44", "认定省级工程技术研究中心并给予建设补助。",
     [_ge("rd_platform_level", 1), _ge("rd_expense", 500)]),
    ("platforms_awards", "科学技术奖推荐", "科技部", "", "推荐申报省部级以上科学技术奖。",
     [_ge("invention_patents", 3), _ge("sci_projects", 1)]),
    ("relending", "科技创新和技术改造再贷款", "中国人民银行", "", "合作银行以优惠利率发放科技贷款,央行再贷款支持。",
     [{"field": "grade", "op": ">=", "value": "C"}, {"field": "eligible", "op": "is", "value": True}]),
    ("relending", "科技型企业首贷支持", "中国人民银行广州分行", "44", "首次贷款利率优惠。",
     [TECH, _ge("total", 65), {"field": "consent", "op": "is", "value": True}]),
    ("special_guarantee", "科技型企业专项担保计划(2025年度)", "国家融资担保基金有限公司", "",
     "担保费率不高于1%,国家融资担保基金分险。",
     [_ge("total", 70), *CLEAN, TECH]),
    ("special_guarantee", "初创期科技企业担保", "广东省融资再担保", "44", "初创期企业担保费补贴50%。",
     [{"field": "stage", "op": "in", "value": ["startup"]}, TECH]),
    ("interest_subsidy", "积分贷贴息", "广东省科技厅", "44", "按贷款市场报价利率的50%贴息,最长两年。",
     [_ge("total", 60), TECH]),
    ("interest_subsidy", "成长期科技企业贷款贴息", "江苏省科技厅", "32", "年度贴息最高50万元。",
     [{"field": "stage", "op": "in", "value": ["growth"]}, _ge("total", 60)]),
    ("risk_compensation", "科技信贷风险补偿", "科技部火炬中心", "", "合作银行科技贷款损失的40%由风险补偿资金补偿。",
     [{"field": "grade", "op": ">=", "value": "B"}, _ge("rank_province", 1)]),
    ("risk_compensation", "创新积分贷风险分担", "广东省科技厅", "44", "积分贷损失由省市风险资金分担50%。",
     [_ge("total", 70), _ge("rd_intensity", 0.05), TECH]),
]  # fmt: skip


@transaction.atomic
def demo_policies_create() -> int:
    """The demo policies (kept if the library already has some); returns how many were created. Created before
    the demo's publication, so the publication's matching covers them."""
    if Policy.objects.exists():
        return 0
    for policy_class, name, issuer, region, benefit, conditions in DEMO_POLICIES:
        policy_create(
            user=None, policy_class=policy_class, name=name, issuer=issuer, region_scope=region, benefit=benefit,
            conditions=conditions, deadline=date(2026, 12, 31), office=f"{issuer}政策服务窗口",
            contact="12345", how_to_apply="登录本平台“适合您的政策”页面,按申报指南在线提交材料。",
        )  # fmt: skip
    return len(DEMO_POLICIES)


def demo_policies_matched(*, batch) -> int:
    """The stored matches of the batch's published run; matched here if the publication's hook has not (a rerun of
    the demo that published nothing new)."""
    from django.db.models import Sum

    from policies.models import PolicyMatchGroup
    from policies.services import policies_match

    run_id = batch.scoring.published_run_id
    groups = PolicyMatchGroup.objects.filter(run_id=run_id)
    if run_id is not None and not groups.exists():
        policies_match(run=batch.scoring.published_run)
    counts = groups.aggregate(matched=Sum("matched"), near=Sum("near"))
    return (counts["matched"] or 0) + (counts["near"] or 0)
