"""A synthetic but realistic population of technology enterprises, generated column-wise with numpy.

One latent *innovation strength* z per firm moves R&D, patents, contracts, growth, platforms and qualifications
together (real filings are correlated, and the methodology's percentiles reward firms that are strong across the
board); an independent *size* factor u moves revenue, staff and taxes. Money is log-normal (万元), counts are
Poisson, and many values are exactly zero, as in real filings. Sections lean toward C (manufacturing), I (software)
and M (research services); provinces follow the weight of the regional innovation economy.

Calibrated (``STRENGTH_SPREAD``) so that under national-v1 about 13.5 % of firms come out recommendable, the
national funnel of 70,000 out of 520,000: measured 70,698 of 520,000 with seed 2024. ``tests/test_demo_population.py``
checks the share on a smaller population (percentiles make it scale-free).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from core.reference_data import PROVINCES
from core.region_data import region_children
from core.validators import USCC_ALPHABET, USCC_WEIGHTS

# Share of firms per GB/T 4754 section (T and S hold no filing tech firms).
SECTION_WEIGHTS = {
    "C": 0.42, "I": 0.20, "M": 0.16, "F": 0.035, "E": 0.03, "L": 0.03, "D": 0.02, "N": 0.02, "A": 0.02,
    "G": 0.015, "R": 0.01, "Q": 0.01, "B": 0.005, "K": 0.004, "O": 0.004, "P": 0.004, "H": 0.002, "J": 0.001,
}  # fmt: skip
# First and last GB/T 4754-2017 division of each section.
SECTION_DIVISIONS = {
    "A": (1, 5), "B": (6, 12), "C": (13, 43), "D": (44, 46), "E": (47, 50), "F": (51, 52), "G": (53, 60),
    "H": (61, 62), "I": (63, 65), "J": (66, 69), "K": (70, 70), "L": (71, 72), "M": (73, 75), "N": (76, 79),
    "O": (80, 82), "P": (83, 83), "Q": (84, 85), "R": (86, 90),
}  # fmt: skip
PROVINCE_WEIGHTS = {
    "44": 16, "32": 13, "33": 10, "37": 7, "11": 7, "31": 6, "42": 4, "34": 4, "51": 4, "41": 3.5, "35": 3,
    "43": 3, "61": 2.5, "13": 2.5, "12": 2, "50": 2, "21": 2, "36": 2, "14": 1, "22": 1, "23": 1, "45": 1.2,
    "53": 1, "52": 1, "15": 0.6, "62": 0.6, "65": 0.6, "46": 0.5, "64": 0.3, "63": 0.2, "54": 0.1,
}  # fmt: skip
# How strongly the latent strength separates firms relative to the noise on each indicator; calibrated (see the
# module docstring) so that the national-v1 funnel matches the national figures.
STRENGTH_SPREAD = 2.2
MUNICIPALITIES = {"11", "12", "31", "50"}

NAME_PREFIXES = list("华中新科创恒盛瑞智鑫博联信达远泰安康宏晶睿航")
NAME_MIDDLES = list("芯光数云微宇源德锐腾融启拓越辰星海峰川仁")
NAME_TRADES = {
    "C": "智能制造", "I": "信息技术", "M": "科技研发", "D": "能源科技", "E": "建设科技", "F": "科技贸易",
    "G": "智慧物流", "L": "科技服务", "N": "环境科技", "A": "农业科技", "R": "文化科技", "Q": "医疗科技",
}  # fmt: skip


@dataclass
class DemoPopulation:
    """Column frames ready for bulk insert (database column names), plus the latent strength for calibration."""

    enterprises: pd.DataFrame
    submissions: pd.DataFrame
    consenting: np.ndarray  # bool per firm: a blanket consent to share with partner banks
    strength: np.ndarray


@lru_cache(maxsize=4096)
def _real_county(drawn: str) -> str:
    """A real county-level code for a drawn province-city-county triple (the draws stay as they were, so the seeds
    give the same firms): the drawn code when it exists, else the drawn city's and county's positions among the
    province's and the city's real divisions (the municipalities' districts hang from the province itself)."""
    children = region_children()
    if drawn in children.get(drawn[:4] + "00", ()) or drawn in children.get(drawn[:2] + "0000", ()):
        return drawn
    city, county = int(drawn[2:4]), int(drawn[4:])
    kids = children[drawn[:2] + "0000"]
    code = kids[((county if drawn[:2] in MUNICIPALITIES else city) - 1) % len(kids)]
    while code in children:  # a city: one of its counties (a city without counties is itself the place)
        code = children[code][(county - 1) % len(children[code])]
    return code


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def credit_codes(region_codes: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Valid, unique GB 32100 codes: '91' (enterprise) + region + a 9-character body derived from the id + check."""
    alphabet = np.array(list(USCC_ALPHABET))
    body = (ids.astype(np.int64) * 7919) % (31**9)  # 7919 is prime to 31, so distinct ids give distinct bodies
    digits = np.empty((len(ids), 9), dtype=np.int64)
    for position in range(8, -1, -1):
        digits[:, position] = body % 31
        body //= 31
    region_digits = np.asarray(region_codes, dtype="<U6").view("<U1").reshape(len(ids), 6).astype(np.int64)
    leading = np.column_stack([np.full(len(ids), 9), np.full(len(ids), 1), region_digits, digits])
    check = (31 - (leading * np.array(USCC_WEIGHTS)).sum(axis=1) % 31) % 31
    chars = np.ascontiguousarray(alphabet[np.column_stack([leading, check])])
    return chars.view("<U18").ravel()


def generate(n: int, ids: np.ndarray, *, seed: int, reference_date: str = "2024-12-31") -> DemoPopulation:
    """``n`` firms with primary keys ``ids``; deterministic for a given seed."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(n) * STRENGTH_SPREAD  # innovation strength
    u = rng.standard_normal(n)  # size
    noise = lambda scale=1.0: rng.standard_normal(n) * scale  # noqa: E731

    sections = np.array(list(SECTION_WEIGHTS))
    section_p = np.array(list(SECTION_WEIGHTS.values()))
    section = rng.choice(sections, size=n, p=section_p / section_p.sum())
    lo = np.array([SECTION_DIVISIONS[s][0] for s in sections])
    hi = np.array([SECTION_DIVISIONS[s][1] for s in sections])
    section_index = np.searchsorted(sections, section, sorter=np.argsort(sections))
    section_index = np.argsort(sections)[section_index]
    division = lo[section_index] + (rng.random(n) * (hi[section_index] - lo[section_index] + 1)).astype(int)
    industry_code = pd.Series(section).str.cat(pd.Series(division).map("{:02d}".format))

    provinces = np.array(list(PROVINCE_WEIGHTS))
    province_p = np.array(list(PROVINCE_WEIGHTS.values()))
    province = rng.choice(provinces, size=n, p=province_p / province_p.sum())
    municipal = np.isin(province, list(MUNICIPALITIES))
    city = np.where(municipal, 1, rng.integers(1, 9, n))
    county = rng.integers(1, 13, n)
    region_code = (
        (pd.Series(province) + pd.Series(city).map("{:02d}".format) + pd.Series(county).map("{:02d}".format))
        .map(_real_county)
        .to_numpy()
    )

    ref = np.datetime64(reference_date, "D")
    age_days = np.clip(rng.gamma(1.6, 5.0 * 365, n), 60, 40 * 365).astype(int)
    established = ref - age_days.astype("timedelta64[D]")
    age_years = age_days / 365.25

    revenue = np.exp(np.log(900) + 1.3 * u + 0.25 * z + 0.35 * np.log1p(age_years) + noise(0.6))
    revenue = np.where(rng.random(n) < 0.02, 0.0, revenue)
    growth = 0.10 + 0.14 * z + noise(0.28)
    revenue_prev = np.where(age_years < 1.0, 0.0, revenue / np.clip(1 + growth, 0.2, None))
    intensity = np.exp(np.log(0.04) + 0.55 * z + noise(0.55))
    rd_expense = np.where(rng.random(n) < _sigmoid(-2.2 - 1.0 * z), 0.0, revenue * intensity)
    rd_growth = 0.12 + 0.18 * z + noise(0.35)
    rd_expense_prev = np.where(age_years < 1.0, 0.0, rd_expense / np.clip(1 + rd_growth, 0.2, None))
    employees = np.maximum(1, np.round(np.maximum(revenue, 50) / (55 * np.exp(noise(0.4)))))
    rd_staff = np.round(employees * np.clip(0.13 + 0.07 * z + noise(0.06), 0, 1))
    invention_patents = rng.poisson(np.exp(0.4 + 0.95 * z + 0.3 * u))
    other_ip = rng.poisson(np.exp(1.7 + 0.6 * z + 0.3 * u))
    standards = rng.poisson(np.exp(-1.6 + 0.9 * z))
    has_contracts = rng.random(n) < _sigmoid(-0.3 + 0.9 * z)
    tech_contract_turnover = np.where(has_contracts, np.exp(np.log(120) + 0.9 * z + 0.5 * u + noise(0.8)), 0.0)
    is_high_tech = rng.random(n) < _sigmoid(-0.4 + 1.3 * z + 0.3 * u)
    high_tech_share = np.clip(np.where(is_high_tech, 0.55, 0.15) + 0.15 * z + noise(0.15), 0, 1)
    high_tech_revenue = revenue * high_tech_share
    net_profit = revenue * (0.06 + 0.03 * z + noise(0.08))
    net_assets = revenue * 0.6 * np.exp(noise(0.5)) * np.where(rng.random(n) < 0.03, -0.3, 1.0)
    taxes_paid = revenue * 0.04 * np.exp(noise(0.3))
    graduates_hired = rng.poisson(employees * 0.03 * np.exp(0.3 * z))
    has_vc = rng.random(n) < _sigmoid(-2.6 + 0.9 * z - 0.05 * age_years)
    vc_investment = np.where(has_vc, np.exp(np.log(600) + 0.8 * z + noise(0.9)), 0.0)
    platform_score = 0.9 * z + noise(0.6)
    rd_platform_level = np.digitize(platform_score, [0.9, 1.6, 2.4])
    sci_awards = rng.poisson(np.exp(-2.4 + 1.0 * z))
    sci_projects = rng.poisson(np.exp(-1.4 + 0.9 * z))
    is_tech_sme = rng.random(n) < _sigmoid(0.9 + 1.0 * z)
    is_specialised = rng.random(n) < _sigmoid(-2.0 + 1.2 * z + 0.4 * u)
    is_little_giant = is_specialised & (rng.random(n) < _sigmoid(-2.6 + 1.2 * z + 0.4 * u))
    dishonest = rng.random(n) < 0.010
    tax_d = rng.random(n) < 0.015
    violation = rng.random(n) < 0.008
    consenting = rng.random(n) < 0.85

    size_class = np.select(
        [employees < 20, employees < 300, employees < 1000], ["micro", "small", "medium"], default="large"
    )
    money = lambda a: np.round(np.maximum(a, 0), 2)  # noqa: E731
    name = _names(rng, n, province, section)
    enterprises = pd.DataFrame(
        {
            "id": ids,
            "credit_code": credit_codes(region_code, ids),
            "name": name,
            "region_code": region_code,
            "industry_code": industry_code.to_numpy(),
            "section_id": section,
            "established": pd.to_datetime(established).strftime("%Y-%m-%d"),
            "size_class": size_class,
            "is_high_tech_enterprise": is_high_tech,
            "is_tech_sme": is_tech_sme,
            "is_specialised_sme": is_specialised,
            "is_little_giant": is_little_giant,
        }
    )
    wants_loan = rng.random(n) < 0.6
    submissions = pd.DataFrame(
        {
            "enterprise_id": ids,
            "revenue": money(revenue),
            "revenue_prev": money(revenue_prev),
            "rd_expense": money(rd_expense),
            "rd_expense_prev": money(rd_expense_prev),
            "employees": employees.astype(int),
            "rd_staff": rd_staff.astype(int),
            "invention_patents": invention_patents,
            "other_ip": other_ip,
            "standards": standards,
            "tech_contract_turnover": money(tech_contract_turnover),
            "high_tech_revenue": money(high_tech_revenue),
            "net_profit": np.round(net_profit, 2),
            "net_assets": np.round(net_assets, 2),
            "taxes_paid": money(taxes_paid),
            "graduates_hired": graduates_hired,
            "vc_investment": money(vc_investment),
            "rd_platform_level": rd_platform_level,
            "sci_awards": sci_awards,
            "sci_projects": sci_projects,
            "is_high_tech_enterprise": is_high_tech,
            "is_tech_sme": is_tech_sme,
            "is_specialised_sme": is_specialised,
            "is_little_giant": is_little_giant,
            "dishonest_debtor": dishonest,
            "tax_credit_d": tax_d,
            "major_violation": violation,
            "financing_amount": np.where(wants_loan, np.round(np.exp(np.log(300) + 0.4 * u + noise(0.6)), -1), np.nan),
            "financing_term_months": np.where(wants_loan, rng.choice([6, 12, 24, 36], n), np.nan),
        }
    )
    return DemoPopulation(enterprises, submissions, consenting, z)


def _names(rng: np.random.Generator, n: int, province: np.ndarray, section: np.ndarray) -> np.ndarray:
    """Plausible company names, unique enough to search by; the credit code stays the identity."""
    province_names = {code[:2]: name.removesuffix("省").removesuffix("市") for code, name in PROVINCES}
    short = pd.Series(province).map({code: name[:2] for code, name in province_names.items()})
    first = np.array(NAME_PREFIXES)[rng.integers(0, len(NAME_PREFIXES), n)]
    second = np.array(NAME_MIDDLES)[rng.integers(0, len(NAME_MIDDLES), n)]
    trade = pd.Series(section).map(NAME_TRADES).fillna("科技")
    serial = pd.Series(rng.integers(1, 1000, n)).map("{:03d}".format)
    return (short + first + second + trade + serial + "有限公司").to_numpy()


# Share of firms whose previous year's filing is far below this year's (a unit slip in one of the two years), so
# the review queue's "last year" flag has something to show.
LAST_YEAR_SLIPS = 0.004


def previous_year(filings: pd.DataFrame, *, seed: int) -> pd.DataFrame:
    """Last year's filings of the same firms, consistent with this year's: its revenue and R&D expense are what this
    year's filing gives as the previous year's (``revenue_prev``, ``rd_expense_prev``), staff, patents and the other
    amounts a little lower, the qualifications mostly the same. Firms without a previous-year revenue (under a year
    old) get none. ``filings`` holds ``enterprise_id`` and the raw fields; the result has the same columns."""
    rng = np.random.default_rng(seed)
    frame = filings[filings.revenue_prev > 0].reset_index(drop=True)
    n = len(frame)
    if not n:
        return frame
    money = lambda a: np.round(np.maximum(a, 0), 2)  # noqa: E731
    revenue = frame.revenue_prev.to_numpy(float)
    ratio = revenue / np.maximum(frame.revenue.to_numpy(float), 1e-9)  # last year's scale against this year's
    slip = np.zeros(n, dtype=bool)
    slip[rng.choice(n, size=max(1, round(n * LAST_YEAR_SLIPS)), replace=False)] = True  # at least one to show
    revenue = np.where(slip, revenue / 20, revenue)  # a unit slip: far below what this year says it was
    growth = np.clip(0.08 + rng.standard_normal(n) * 0.2, -0.5, 2.0)
    shrink = lambda: np.clip(rng.normal(0.9, 0.08, n), 0.6, 1.0)  # noqa: E731
    employees = np.maximum(1, np.round(frame.employees.to_numpy(float) * shrink()))
    counts = {name: np.floor(frame[name].to_numpy(float) * shrink()).astype(int)
              for name in ("invention_patents", "other_ip", "standards", "graduates_hired", "sci_awards",
                           "sci_projects")}  # fmt: skip
    out = frame.copy()
    out["revenue"] = money(revenue)
    out["revenue_prev"] = money(revenue / (1 + growth))
    out["rd_expense"] = frame.rd_expense_prev.to_numpy(float)
    out["rd_expense_prev"] = money(frame.rd_expense_prev.to_numpy(float) / (1 + np.clip(growth + 0.04, -0.5, 2.0)))
    out["employees"] = employees.astype(int)
    out["rd_staff"] = np.minimum(np.round(frame.rd_staff.to_numpy(float) * shrink()), employees).astype(int)
    for name, values in counts.items():
        out[name] = values
    for name in ("tech_contract_turnover", "taxes_paid", "vc_investment"):
        out[name] = money(frame[name].to_numpy(float) * ratio * shrink())
    out["high_tech_revenue"] = np.minimum(money(frame.high_tech_revenue.to_numpy(float) * ratio), out["revenue"])
    out["net_profit"] = np.round(frame.net_profit.to_numpy(float) * ratio, 2)
    out["net_assets"] = np.round(frame.net_assets.to_numpy(float) * ratio * shrink(), 2)
    out["rd_platform_level"] = np.maximum(frame.rd_platform_level.to_numpy(int) - (rng.random(n) < 0.1), 0)
    for name in ("is_high_tech_enterprise", "is_specialised_sme", "is_little_giant"):
        out[name] = frame[name].to_numpy(bool) & (rng.random(n) > 0.08)  # some gained the title this year
    return out
