"""The FilterSet of a bank's recommendation list, shared by the officer's page (``banks.views``) and the API
(``banks.api``). The page adds its sort order; the API pages by cursor in list order."""

import django_filters
from django import forms
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from core.filters import EMPTY, ID_MAX, CheckboxBooleanFilter, RegionPrefixFilter, SectionFilter
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


class RecommendationFilterSet(django_filters.FilterSet):
    """Region (a code prefix), grade, section, stage, matching product, status, the firm's preferred bank, and the
    rows the caller follows (``mine``: the officer, or the API client's service account)."""

    region = RegionPrefixFilter(label=_("区域"), field_name="region_code", widget=RegionPickerWidget())
    grade = django_filters.ChoiceFilter(label=_("等级"), choices=[(g, g) for g in GRADES], empty_label=_("全部"))
    section = SectionFilter(
        label=_("行业门类"), field_name="section", choices=section_choices, empty_label=_("全部")
    )
    stage = django_filters.ChoiceFilter(label=_("发展阶段"), choices=Stage.choices, empty_label=_("全部"))
    product = ProductFilter(label=_("产品"))
    status = django_filters.ChoiceFilter(label=_("状态"), choices=RecommendationStatus.choices, empty_label=_("全部"))
    preferred = CheckboxBooleanFilter(label=_("仅意向本行"))
    mine = CheckboxBooleanFilter(label=_("仅本人跟进"), method="filter_mine")

    class Meta:
        model = Recommendation
        fields = ["region", "grade", "section", "stage", "product", "status", "preferred", "mine"]

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

    def filter_queryset(self, queryset):
        # A region that does not exist is an error on the page (the API answers 400 before this), and the list
        # it would have narrowed is empty: dropping the filter would pass the whole list off as that region's.
        if "region" in self.form.errors:
            return queryset.none()
        return super().filter_queryset(queryset)

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
