"""Stored match rows as people read them: each condition in words, the firm's values, what a near-miss lacks."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from core.labels import region_label, section_label

from .conditions import condition_text, firm_value_text, shortfall_text
from .matching import MatchPopulation, condition_mask
from .models import Policy
from .selectors import PolicyMatch, PolicyMatches, version_conditions


@dataclass
class MatchLine:
    row: PolicyMatch
    region: str
    section: str
    shortfall: str = ""
    reasons: list[tuple[str, str, bool]] = field(default_factory=list)  # (condition, the firm's value, met)


def shortfall_of(conditions: list[dict], row: PolicyMatch) -> str:
    if not row.near or row.condition is None or row.condition >= len(conditions):
        return ""
    return shortfall_text(conditions[row.condition], row.have, row.gap)


def match_lines(policy: Policy, rows) -> list[MatchLine]:
    cache: dict[int, list[dict]] = {}
    lines = []
    for row in rows:
        if row.policy_version not in cache:
            cache[row.policy_version] = version_conditions(policy=policy, version=row.policy_version)
        lines.append(MatchLine(row=row, region=region_label(f"{row.region:06d}"), section=section_label(row.section),
                               shortfall=shortfall_of(cache[row.policy_version], row)))  # fmt: skip
    return lines


def reasons_for(conditions: list[dict], firm: MatchPopulation | None) -> list[tuple[str, str, bool]]:
    """Each condition in words with the firm's own value and whether it meets it (a one-firm population)."""
    lines = []
    for condition in conditions:
        value, met = "", None
        if firm is not None:
            met = bool(condition_mask(firm, condition)[0])
            field = condition["field"]
            if field == "grade":
                value = firm_value_text(condition, float(firm.grade[0]))
            elif field in firm.flags:
                value = firm_value_text(condition, float(firm.flags[field][0]))
            elif field in firm.numbers:
                value = firm_value_text(condition, float(firm.numbers[field][0]))
        lines.append((condition_text(condition), value, met))
    return lines


def export_header(*, near: bool) -> list[str]:
    header = [_("统一社会信用代码"), _("企业名称"), _("所在地区"), _("行业门类")]
    return [*header, _("差一项条件")] if near else header


def export_rows(policy: Policy, rows: PolicyMatches, *, near: bool):
    cache: dict[int, list[dict]] = {}
    for row in rows.rows():
        line = [row.enterprise.credit_code, row.enterprise.name, region_label(f"{row.region:06d}"),
                section_label(row.section)]  # fmt: skip
        if near:
            if row.policy_version not in cache:
                cache[row.policy_version] = version_conditions(policy=policy, version=row.policy_version)
            line.append(shortfall_of(cache[row.policy_version], row))
        yield line
