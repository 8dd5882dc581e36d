"""FilterSets of the scoring resources, one per resource, shared by the bureau pages and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import BooleanFilter, IntegerFilter, RegionPrefixFilter, SectionFilter, TextFilter
from enterprises.choices import BatchStatus
from enterprises.models import Batch

from .choices import Grade, RunState, Stage
from .models import IndicatorSystem, Score, ScoringRun


class ScoreFilterSet(django_filters.FilterSet):
    """Published scores: grade, region (a code prefix), industry section, stage, total range, eligibility."""

    grade = django_filters.MultipleChoiceFilter(label=_("等级"), choices=Grade.choices, distinct=False)
    stage = django_filters.MultipleChoiceFilter(label=_("发展阶段"), choices=Stage.choices, distinct=False)
    region = RegionPrefixFilter(label=_("行政区划代码前缀"), method="filter_region")
    section = SectionFilter(label=_("行业门类"), field_name="enterprise__section_id")
    total_min = django_filters.NumberFilter(label=_("总分不低于"), field_name="total", lookup_expr="gte")
    total_max = django_filters.NumberFilter(label=_("总分不高于"), field_name="total", lookup_expr="lte")
    eligible = BooleanFilter(label=_("可推荐"))

    class Meta:
        model = Score
        fields = ["grade", "stage", "region", "section", "total_min", "total_max", "eligible"]

    def filter_region(self, queryset, name, value):
        # The score's own region column (an integer range on its index), not a probe of every firm's code.
        return queryset.in_region(value)


class BatchFilterSet(django_filters.FilterSet):
    year = IntegerFilter(label=_("年度"))
    status = django_filters.ChoiceFilter(label=_("状态"), choices=BatchStatus.choices)
    published = BooleanFilter(
        label=_("已发布"), field_name="scoring__published_run", lookup_expr="isnull", exclude=True
    )

    class Meta:
        model = Batch
        fields = ["year", "status", "published"]


class ScoringRunFilterSet(django_filters.FilterSet):
    batch = IntegerFilter(label=_("批次"), field_name="batch_id")
    state = django_filters.MultipleChoiceFilter(label=_("状态"), choices=RunState.choices, distinct=False)

    class Meta:
        model = ScoringRun
        fields = ["batch", "state"]


class IndicatorSystemFilterSet(django_filters.FilterSet):
    code = TextFilter(label=_("体系代码"))
    frozen = BooleanFilter(label=_("已冻结"))

    class Meta:
        model = IndicatorSystem
        fields = ["code", "frozen"]
