"""FilterSets of loan contracts, for the API (and the loan pages when they grow filters)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import BooleanFilter, DateFilter, RegionPrefixFilter

from .models import GuaranteeMode, LoanContract, RepaymentStatus


class LoanContractFilterSet(django_filters.FilterSet):
    repayment_status = django_filters.MultipleChoiceFilter(
        label=_("还款状态"), choices=RepaymentStatus.choices, distinct=False
    )
    guarantee_mode = django_filters.ChoiceFilter(label=_("担保方式"), choices=GuaranteeMode.choices)
    region = RegionPrefixFilter(label=_("行政区划代码前缀"), field_name="enterprise__region_code")
    signed_from = DateFilter(label=_("签约日期不早于"), field_name="signed_on", lookup_expr="gte")
    signed_to = DateFilter(label=_("签约日期不晚于"), field_name="signed_on", lookup_expr="lte")
    disbursed = BooleanFilter(label=_("已放款"), field_name="disbursed_on", lookup_expr="isnull", exclude=True)
    relending_eligible = BooleanFilter(label=_("符合科技创新再贷款条件"))

    class Meta:
        model = LoanContract
        fields = [
            "repayment_status", "guarantee_mode", "region", "signed_from", "signed_to", "disbursed",
            "relending_eligible",
        ]  # fmt: skip
