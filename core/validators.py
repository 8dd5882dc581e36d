"""Validators for the national code systems every record is keyed by.

- Unified social credit code (统一社会信用代码), GB 32100-2015: 18 characters from a 31-letter alphabet
  (digits and upper-case letters without I, O, Z, S, V); the 18th is a check character computed mod 31.
- Administrative division code, GB/T 2260: six digits naming a region of ``core.Region`` (the full list, core 0007);
  a scope is such a code's prefix ('44' Guangdong, '4403' Shenzhen), valid when the region it pads to exists.
- Industry code, GB/T 4754-2017: a section letter A–T followed by the division digits (e.g. ``C39`` or ``C3911``).
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_INDEX = {ch: i for i, ch in enumerate(USCC_ALPHABET)}

# Provincial-level regions of GB/T 2260 (31 on the mainland); the seed data carries their names.
PROVINCE_CODES = (
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
)  # fmt: skip
SECTION_LETTERS = "ABCDEFGHIJKLMNOPQRST"
_INDUSTRY_RE = re.compile(r"^[A-T](\d{2}(\d{1,2})?)?$")


def uscc_check_char(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters of a credit code."""
    total = sum(_USCC_INDEX[ch] * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def is_valid_uscc(code: str) -> bool:
    if not isinstance(code, str) or len(code) != 18 or any(ch not in _USCC_INDEX for ch in code):
        return False
    return uscc_check_char(code[:17]) == code[17]


def validate_uscc(value: str) -> None:
    if not isinstance(value, str) or len(value) != 18:
        raise ValidationError(_("统一社会信用代码应为18位。"), code="uscc_length")
    if any(ch not in _USCC_INDEX for ch in value):
        raise ValidationError(_("统一社会信用代码只能包含数字和大写字母(不含 I、O、Z、S、V)。"), code="uscc_alphabet")
    if uscc_check_char(value[:17]) != value[17]:
        raise ValidationError(_("统一社会信用代码校验位错误,请核对后重新输入。"), code="uscc_check")


_region_index: tuple[frozenset[str], frozenset[str]] | None = None


def region_index() -> tuple[frozenset[str], frozenset[str]]:
    """The codes of ``core.Region`` and the codes that have children, read once per process: one query of ~3,300
    rows, then every check is a set look-up (the sign-up form, the filters and a bulk path alike)."""
    global _region_index
    if _region_index is None:
        from .models import Region

        rows = list(Region.objects.values_list("code", "parent_id"))
        index = frozenset(code for code, _parent in rows), frozenset(parent for _code, parent in rows if parent)
        if not rows:  # a database not yet migrated: ask again next time rather than refuse every code for good
            return index
        _region_index = index
    return _region_index


def region_index_reload() -> None:
    """Forget the cached codes (after the regions change in this process: the data migration, tests)."""
    global _region_index
    _region_index = None


def region_exists(prefix: str) -> bool:
    """Whether a code or a 2/4-digit scope prefix names a region: '44' is 440000, '4403' is 440300."""
    return prefix.ljust(6, "0") in region_index()[0]


def validate_region_code(value: str) -> None:
    """A firm's location: a county-level region (or a city without counties, such as 441900 东莞市)."""
    if not re.fullmatch(r"\d{6}", value or ""):
        raise ValidationError(_("行政区划代码应为6位数字(GB/T 2260)。"), code="region_format")
    if value[:2] not in PROVINCE_CODES:
        raise ValidationError(
            _("行政区划代码 %(code)s 的前两位不是有效的省级行政区。"), code="region_province", params={"code": value}
        )
    codes, parents = region_index()
    if value not in codes:
        raise ValidationError(_("行政区划代码 %(code)s 不存在。"), code="region_unknown", params={"code": value})
    if value in parents:
        raise ValidationError(
            _("行政区划代码 %(code)s 是省级或地级区划,请选择到区县一级。"), code="region_level", params={"code": value}
        )


def validate_region_scope(value: str) -> None:
    """A scope is a region-code prefix: empty (national), 2 (province), 4 (city) or 6 digits (county or zone), of a
    region that exists."""
    if value == "":
        return
    if not re.fullmatch(r"\d{2}|\d{4}|\d{6}", value):
        raise ValidationError(
            _("行政区划代码前缀应为2、4或6位数字(留空为全国)。"), code="scope_format", params={"code": value}
        )
    if not region_exists(value):
        raise ValidationError(_("行政区划代码 %(code)s 不存在。"), code="region_unknown", params={"code": value})


def validate_industry_code(value: str) -> None:
    if not _INDUSTRY_RE.fullmatch(value or ""):
        raise ValidationError(
            _("行业代码应为门类字母(A–T)加2至4位数字,例如 C39 或 C3911(GB/T 4754-2017)。"), code="industry_format"
        )
