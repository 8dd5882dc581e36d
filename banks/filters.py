"""The FilterSet of a bank's recommendation list, shared by the officer's page (``banks.views``) and the API
(``banks.api``). The page adds its sort order; the API pages by cursor in list order."""

import django_filters
from django import forms
from django.core.validators import EMPTY_VALUES
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from core.filters import EMPTY, ID_MAX, SECTION_LETTERS, CheckboxBooleanFilter, RegionPrefixFilter, TextFilter
from core.labels import section_choices
from core.widgets import RegionPickerWidget
from scoring.choices import Stage

from .choices import RecommendationStatus
from .models import Recommendation
from .selectors import GRADES, SORTS


@extend_schema_field({"anyOf": [{"type": "integer", "minimum": 0, "maximum": ID_MAX}, EMPTY]})
class ProductFilter(django_filters.Filter):
    """A loan product id: rows whose matching products include it. A choice among the bank's products when the
    FilterSet is given them (the page's select), any whole number otherwise (the API: an unknown id matches none)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        # product_ids is a JSON array of integers, "[3, 17]": match the id as a whole element on any database.
        qs = qs.alias(products_text=Cast("product_ids", output_field=TextField()))
        return qs.filter(products_text__regex=rf"[\[ ,]{int(value)}[,\]]")


class AnyOfField(forms.MultipleChoiceField):
    """Several choices, any of which matches; an empty value (``?grade=``, what a client sends for "any") is left out,
    as for every other filter. A value that names no choice is an error on the field."""

    def to_python(self, value):
        return [item for item in super().to_python(value) if item != ""]


class AnyOfFilter(django_filters.MultipleChoiceFilter):
    """``field IN (…)`` on the row itself: no join, so no DISTINCT (which would also drag the sort keys into an
    export's or an access log's one-column SELECT)."""

    field_class = AnyOfField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)


def _any_of(values) -> dict:
    """The schema of one repeated value (drf-spectacular makes it the array, ``explode``: ``?grade=A&grade=B``)."""
    return {"anyOf": [{"type": "string", "enum": list(values)}, EMPTY]}


@extend_schema_field(_any_of(GRADES))
class GradeFilter(AnyOfFilter):
    """Grades, any of them (``?grade=A&grade=B``: A or B)."""


@extend_schema_field(_any_of(SECTION_LETTERS))
class SectionsFilter(AnyOfFilter):
    """Industry section letters of GB/T 4754-2017 (A–T), any of them; a page shows them by name."""


@extend_schema_field(_any_of(Stage.values))
class StagesFilter(AnyOfFilter):
    """Development stages, any of them."""


SEARCH_MAX = 100


class RecommendationFilterSet(django_filters.FilterSet):
    """Search (``q``: the firm's name or credit code), region (a code prefix), grades, sections and stages (each any
    of several), matching product, status, the firm's preferred bank, and the rows the caller follows (``mine``: the
    officer, or the API client's service account). A value that names nothing (a grade ``Z``, a region ``4x``) is an
    error on its field — a 400 from the API — and lists nothing, never the whole list."""

    q = TextFilter(label=_("企业名称或信用代码"), method="filter_search", max_length=SEARCH_MAX)
    region = RegionPrefixFilter(label=_("区域"), field_name="region_code", widget=RegionPickerWidget())
    grade = GradeFilter(label=_("等级"), choices=[(g, g) for g in GRADES], widget=forms.CheckboxSelectMultiple)
    stage = StagesFilter(label=_("发展阶段"), choices=Stage.choices, widget=forms.CheckboxSelectMultiple)
    section = SectionsFilter(
        label=_("行业门类"), field_name="section", choices=section_choices,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )  # fmt: skip
    product = ProductFilter(label=_("产品"))
    status = django_filters.ChoiceFilter(label=_("状态"), choices=RecommendationStatus.choices, empty_label=_("全部"))
    preferred = CheckboxBooleanFilter(label=_("仅意向本行"))
    mine = CheckboxBooleanFilter(label=_("仅本人跟进"), method="filter_mine")

    class Meta:
        model = Recommendation
        fields = ["q", "region", "grade", "section", "stage", "product", "status", "preferred", "mine"]

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None, actor=None, products=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.actor = actor if actor is not None else getattr(request, "user", None)
        if products is not None:
            product = self.filters["product"]
            product.field_class = forms.TypedChoiceField
            product.extra.pop("min_value", None)
            product.extra.pop("max_value", None)
            product.extra.update(
                choices=[("", _("全部")), *[(p.pk, p.name) for p in products]], coerce=int, empty_value=None
            )

    UNFILTERING = frozenset({"sort"})
    """Fields whose bad value falls back to a default instead of emptying the list (the order: nothing is hidden)."""

    def filter_queryset(self, queryset):
        # A value that names nothing (a region or grade that does not exist) is an error on the page (the API
        # answers 400 before this), and the list it would have narrowed is empty: dropping the filter would pass the
        # whole list off as that region's or grade's.
        if set(self.form.errors) - self.UNFILTERING:
            return queryset.none()
        return super().filter_queryset(queryset)

    def narrows(self) -> bool:
        """Whether a filter takes rows out (or a bad value empties the list): unless it does, ``qs`` is the whole
        list it was given, in some order, and the page reuses that list's length instead of counting it again."""
        if not self.is_bound:
            return False
        if set(self.form.errors) - self.UNFILTERING:
            return True
        values = self.form.cleaned_data
        return any(values.get(name) not in EMPTY_VALUES for name in self.filters if name not in self.UNFILTERING)

    def filter_search(self, queryset, name, value):
        """The firm's name (any part of it) or its unified social credit code (from its start, any case)."""
        value = (value or "").strip()
        if not value:
            return queryset
        by_code = Q(enterprise__credit_code__startswith=value.upper())
        return queryset.filter(Q(enterprise__name__icontains=value) | by_code)

    def filter_mine(self, queryset, name, value):
        if value is None:
            return queryset
        mine = {"officer_id": getattr(self.actor, "pk", None)}
        return queryset.filter(**mine) if value else queryset.exclude(**mine)


class RecommendationListFilterSet(RecommendationFilterSet):
    """The officer's page: the shared filters plus its sort order (an unknown sort falls back to list order)."""

    sort = django_filters.ChoiceFilter(
        label=_("排序"),
        method="filter_sort",
        empty_label=None,
        choices=[
            ("rank", _("名单排名")),
            ("-total", _("总分从高到低")),
            ("total", _("总分从低到高")),
            ("-line", _("建议额度从高到低")),
            ("-need", _("融资需求从高到低")),
            ("status", _("状态")),
        ],
    )

    class Meta(RecommendationFilterSet.Meta):
        fields = [*RecommendationFilterSet.Meta.fields, "sort"]

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(*SORTS.get(value or "rank", SORTS["rank"]))
