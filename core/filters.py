"""Filters shared by every app's FilterSets: strict about types, so a malformed value is a 400, never ignored."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from .validators import validate_region_scope

ID_MAX = 2**31 - 1


# An empty value means "any" (what an HTML form sends for an unset field), for the pages and the API alike.
EMPTY = {"type": "string", "maxLength": 0}


@extend_schema_field({"anyOf": [{"type": "integer", "minimum": 0, "maximum": ID_MAX}, EMPTY]})
class IntegerFilter(django_filters.NumberFilter):
    """A whole number in 0..2³¹−1 (``NumberFilter`` would accept ``2024.5``, which the schema calls an integer)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(*args, **kwargs)


class StrictBooleanField(forms.NullBooleanField):
    """``true``/``false`` (or ``1``/``0``); anything else is an error rather than "no filter"."""

    widget = forms.TextInput

    def to_python(self, value):
        if value in (None, ""):
            return None
        if value in ("true", "True", "1", True):
            return True
        if value in ("false", "False", "0", False):
            return False
        raise forms.ValidationError(_("请填写 true 或 false。"), code="invalid")

    def validate(self, value):
        pass


@extend_schema_field({"anyOf": [{"type": "boolean"}, EMPTY]})
class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "string", "pattern": "^([0-9]{2}|[0-9]{4}|[0-9]{6})?$"})
class RegionPrefixFilter(django_filters.CharFilter):
    """A region-code prefix: ``44`` is Guangdong, ``4403`` Shenzhen, ``440305`` Nanshan (GB/T 2260). A prefix of no
    known region is an error on the field (a 400 from the API), never "no filter"; empty is everywhere. A page shows
    it as the province → city → county picker (``core.widgets.RegionPickerWidget``) by passing ``widget=``."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("lookup_expr", "startswith")
        kwargs.setdefault("max_length", 6)
        kwargs.setdefault("validators", [validate_region_scope])
        # Unstripped: " " or a no-break space is no region (a 400, as the schema's pattern says), not "everywhere".
        kwargs.setdefault("strip", False)
        super().__init__(*args, **kwargs)


SECTION_LETTERS = "ABCDEFGHIJKLMNOPQRST"


@extend_schema_field({"type": "string", "pattern": "^[A-T]?$"})
class SectionFilter(django_filters.ChoiceFilter):
    """An industry section letter of GB/T 4754-2017, A–T."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", [(letter, letter) for letter in SECTION_LETTERS])
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "string", "pattern": "^[^\\x00]*$"})
class TextFilter(django_filters.CharFilter):
    """Free text; a NUL character is refused (a 400) because PostgreSQL cannot store or compare it."""


class _RawCheckbox(forms.CheckboxInput):
    """A checkbox that hands the form the submitted text (``on`` from a page, ``true``/``false`` from the API), so the
    field can refuse anything else instead of reading every non-empty string as "checked"."""

    def __init__(self, attrs=None):
        super().__init__(attrs, check_test=lambda value: value in (True, "on", "true", "True", "1"))

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class CheckboxBooleanField(StrictBooleanField):
    widget = _RawCheckbox

    def to_python(self, value):
        return True if value == "on" else super().to_python(value)


@extend_schema_field({"anyOf": [{"type": "boolean"}, EMPTY]})
class CheckboxBooleanFilter(django_filters.BooleanFilter):
    """A boolean filter that a page renders as a checkbox (``on``) and the API takes as ``true``/``false``."""

    field_class = CheckboxBooleanField


@extend_schema_field({"anyOf": [{"type": "string", "format": "date"}, EMPTY]})
class DateFilter(django_filters.DateFilter):
    """An ISO 8601 date (``2025-01-31``); empty means any."""
