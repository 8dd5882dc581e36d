"""FilterSets of the enterprise resources, one per resource, shared by the pages and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import BooleanFilter, IntegerFilter, RegionPrefixFilter, SectionFilter, TextFilter

from .choices import SizeClass, SubmissionStatus
from .models import Enterprise, Submission


class EnterpriseFilterSet(django_filters.FilterSet):
    name = TextFilter(label=_("企业名称包含"), lookup_expr="icontains")
    region = RegionPrefixFilter(label=_("行政区划代码前缀"), field_name="region_code")
    section = SectionFilter(label=_("行业门类"), field_name="section_id")
    size_class = django_filters.MultipleChoiceFilter(label=_("企业规模"), choices=SizeClass.choices, distinct=False)
    is_high_tech_enterprise = BooleanFilter(label=_("高新技术企业"))
    is_tech_sme = BooleanFilter(label=_("科技型中小企业"))

    class Meta:
        model = Enterprise
        fields = ["name", "region", "section", "size_class", "is_high_tech_enterprise", "is_tech_sme"]


class SubmissionFilterSet(django_filters.FilterSet):
    batch = IntegerFilter(label=_("批次"), field_name="batch_id")
    status = django_filters.MultipleChoiceFilter(label=_("状态"), choices=SubmissionStatus.choices, distinct=False)
    region = RegionPrefixFilter(label=_("行政区划代码前缀"), field_name="enterprise__region_code")
    section = SectionFilter(label=_("行业门类"), field_name="enterprise__section_id")

    class Meta:
        model = Submission
        fields = ["batch", "status", "region", "section"]
