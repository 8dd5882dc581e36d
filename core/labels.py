"""What people read instead of codes: regions and industry sections by name, booleans as 是/否, in the interface's
language. Pages (``core/templatetags/labels.py``), exports and notices call these; nothing shows a bare code.

Region names come from ``core.Region`` (read once per process: reference data changes with a migration, not at run
time); English names of provinces and sections from ``core.reference_data``, of cities and counties from
``core/data/regions_en.csv`` (Hanyu Pinyin plus the kind of division, built by ``core/data/build_regions_en.py``)."""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from .reference_data import PROVINCES_EN, SECTIONS, SECTIONS_EN

_SECTION_NAMES = dict(SECTIONS)


def english() -> bool:
    return (get_language() or "").startswith("en")


REGIONS_EN = Path(__file__).resolve().parent / "data" / "regions_en.csv"


@lru_cache(maxsize=1)
def _region_names() -> dict[str, tuple[str, str]]:
    from .models import Region

    with REGIONS_EN.open(encoding="utf-8") as source:
        english = {row["code"]: row["name_en"] for row in csv.DictReader(source)}
    english.update(PROVINCES_EN)
    return {code: (name, english.get(code, "")) for code, name in Region.objects.values_list("code", "name")}


def regions_reload() -> None:
    """Forget the cached names (after reference data is loaded in the same process: tests, the demo)."""
    _region_names.cache_clear()


def _name(code: str) -> str | None:
    entry = _region_names().get(code)
    if entry is None:
        return None
    return (entry[1] or entry[0]) if english() else entry[0]


def region_label(code: str | None) -> str:
    """A region code or scope prefix by name: '' → 全国, '44' → 广东省, '4403' → 广东省深圳市, '440305' → 深圳市南山区
    (English: 'Nanshan, Shenzhen'). A level the data does not name keeps its code, so nothing is ever blank."""
    code = (code or "").strip()
    if not code:
        return _("全国")
    if not code.isdigit() or len(code) not in (2, 4, 6):
        return code
    full = code.ljust(6, "0")
    levels = [full[:2] + "0000"]
    if full[2:4] != "00":
        levels.append(full[:4] + "00")
    if full[4:] != "00":
        levels.append(full)
    names = [_name(level) for level in levels]
    if names[-1] is None:  # the most specific level is not in the data: say where it is, and its code
        known = [n for n in names if n]
        return " ".join([*known[-1:], code]) if known else code
    shown = [n for n in names if n][-2:]  # the two most specific levels are enough to place it
    return ", ".join(reversed(shown)) if english() else "".join(shown)


def section_label(letter: str | None) -> str:
    """'C' → 'C 制造业' (English: 'C Manufacturing')."""
    letter = (letter or "").strip().upper()
    name = (SECTIONS_EN if english() else _SECTION_NAMES).get(letter)
    return f"{letter} {name}" if name else letter


def yes_no(value) -> str:
    if value is None:
        return "—"
    return _("是") if value else _("否")


def section_choices() -> list[tuple[str, str]]:
    """The sections as form choices, labelled in the interface's language (a callable: evaluated per form)."""
    return [(letter, section_label(letter)) for letter, _name in SECTIONS]


def listing(values) -> str:
    """Items of a list as a person reads them: 甲、乙、丙 in Chinese, "A, B, C" in English."""
    return pgettext("list separator", "、").join(str(v) for v in values)


def sections_listing(letters) -> str:
    """Industry sections by name, as a list (a product's sections)."""
    return listing(section_label(letter) for letter in letters)
