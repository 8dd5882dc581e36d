"""The two default indicator systems of methodology §9 — the single source of truth for the seed data.

``NATIONAL_V1`` is the 2024 national trial guide (18 base indicators, weights per stage); ``NATIONAL_V2`` the 2025
version 2.0 (9 base indicators weighted alike for every stage, plus 3 bonus indicators capped at 30 points). The
official weight tables are not public in full: these are the methodology's documented reconstruction.
"""

from __future__ import annotations

from .system import IndicatorDef, SystemDef

TECH, GROWTH_OPS, AUX = "技术创新", "成长经营", "辅助"
INPUT, OUTPUT, DEVELOPMENT, IMPACT = "创新投入", "创新产出", "创新发展", "创新影响"

RD_INTENSITY_TIERS = ((0.03, 0.06, 0.10, 0.15), (0.4, 0.6, 0.8, 1.0))
RD_STAFF_TIERS = ((0.10, 0.20, 0.30), (0.5, 0.8, 1.0))
ROE_TIERS = ((0.02, 0.05, 0.10, 0.20), (0.25, 0.5, 0.75, 1.0))
LEVEL_TIERS = ((1.0, 2.0, 3.0), (0.4, 0.8, 1.0))

NAMES = {
    "rd_expense": "研发费用金额",
    "rd_expense_growth": "研发费用增长率",
    "rd_intensity": "研发费用占营业收入比重",
    "rd_staff_ratio": "研发人员占比",
    "invention_patents": "有效发明专利",
    "tech_contract_turnover": "技术合同成交额",
    "standards": "主导/参与制定标准",
    "revenue_growth": "营业收入增长率",
    "high_tech_revenue": "高新技术产品(服务)收入",
    "roe": "净资产利润率",
    "taxes_paid": "上缴税费",
    "high_tech_share": "高新技术产品收入占比",
    "employees": "从业人员数",
    "graduates_hired": "吸纳高校应届毕业生",
    "vc_investment": "获得创投机构投资金额",
    "qualification": "企业资质",
    "rd_platform_level": "研发平台",
    "sci_projects": "省级以上科技计划项目",
    "sci_awards": "省级以上科技奖励",
}


def _stage_weights(startup: float, growth: float, stable: float) -> dict[str, float]:
    return {"startup": startup, "growth": growth, "stable": stable}


def _indicator(
    code: str,
    category: str,
    source: str,
    method: str,
    weights: dict[str, float],
    *,
    reference: float | None = None,
    tiers: tuple[tuple[float, ...], tuple[float, ...]] = ((), ()),
    bonus: bool = False,
) -> IndicatorDef:
    return IndicatorDef(
        code=code,
        category=category,
        source=source,
        method=method,
        weights=weights,
        reference=reference,
        thresholds=tiers[0],
        fractions=tiers[1],
        bonus=bonus,
        name=NAMES[source],
    )


def _v1(code: str, category: str, source: str, method: str, startup: float, growth: float, stable: float, **kw):
    return _indicator(code, category, source, method, _stage_weights(startup, growth, stable), **kw)


def _v2(code: str, category: str, source: str, method: str, weight: float, **kw) -> IndicatorDef:
    return _indicator(code, category, source, method, _stage_weights(weight, weight, weight), **kw)


NATIONAL_V1 = SystemDef(
    code="national",
    version=1,
    name="全国试行版(2024)",
    bonus_cap=0.0,
    indicators=(
        _v1("T1", TECH, "rd_expense", "percentile", 10, 9, 9),
        _v1("T2", TECH, "rd_expense_growth", "percentile", 8, 7, 5),
        _v1("T3", TECH, "rd_intensity", "tiers", 10, 9, 8, tiers=RD_INTENSITY_TIERS),
        _v1("T4", TECH, "rd_staff_ratio", "tiers", 8, 6, 5, tiers=RD_STAFF_TIERS),
        _v1("T5", TECH, "invention_patents", "percentile", 10, 9, 10),
        _v1("T6", TECH, "tech_contract_turnover", "percentile", 6, 6, 6),
        _v1("T7", TECH, "standards", "reference", 3, 4, 4, reference=3),
        _v1("G1", GROWTH_OPS, "revenue_growth", "percentile", 8, 8, 7),
        _v1("G2", GROWTH_OPS, "high_tech_revenue", "percentile", 4, 7, 9),
        _v1("G3", GROWTH_OPS, "roe", "tiers", 3, 5, 7, tiers=ROE_TIERS),
        _v1("G4", GROWTH_OPS, "taxes_paid", "percentile", 2, 4, 7),
        _v1("G5", GROWTH_OPS, "high_tech_share", "reference", 4, 4, 4, reference=0.6),
        _v1("G6", GROWTH_OPS, "employees", "percentile", 4, 3, 3),
        _v1("A1", AUX, "graduates_hired", "reference", 4, 4, 5, reference=10),
        _v1("A2", AUX, "vc_investment", "percentile", 8, 5, 2),
        _v1("A3", AUX, "qualification", "tiers", 3, 3, 3, tiers=LEVEL_TIERS),
        _v1("A4", AUX, "rd_platform_level", "tiers", 3, 4, 4, tiers=LEVEL_TIERS),
        _v1("A5", AUX, "sci_projects", "reference", 2, 3, 2, reference=2),
    ),
)

NATIONAL_V2 = SystemDef(
    code="national",
    version=2,
    name="全国2.0版(2025)",
    bonus_cap=30.0,
    indicators=(
        _v2("I1", INPUT, "rd_expense", "percentile", 14),
        _v2("I2", INPUT, "rd_intensity", "tiers", 12, tiers=RD_INTENSITY_TIERS),
        _v2("I3", INPUT, "rd_staff_ratio", "tiers", 8, tiers=RD_STAFF_TIERS),
        _v2("O1", OUTPUT, "invention_patents", "percentile", 14),
        _v2("O2", OUTPUT, "tech_contract_turnover", "percentile", 10),
        _v2("O3", OUTPUT, "high_tech_revenue", "percentile", 10),
        _v2("D1", DEVELOPMENT, "revenue_growth", "percentile", 12),
        _v2("D2", DEVELOPMENT, "roe", "tiers", 10, tiers=ROE_TIERS),
        _v2("D3", DEVELOPMENT, "vc_investment", "percentile", 10),
        _v2("B1", IMPACT, "standards", "reference", 10, reference=3, bonus=True),
        _v2("B2", IMPACT, "sci_awards", "reference", 10, reference=2, bonus=True),
        _v2("B3", IMPACT, "rd_platform_level", "tiers", 10, tiers=LEVEL_TIERS, bonus=True),
    ),
)

DEFAULT_SYSTEMS: tuple[SystemDef, ...] = (NATIONAL_V1, NATIONAL_V2)
