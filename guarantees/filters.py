"""FilterSets of guarantee contracts, for the API (and the guarantor pages when they grow filters)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import BooleanFilter, DateFilter, IntegerFilter, RegionPrefixFilter

from .models import GuaranteeContract


class GuaranteeContractFilterSet(django_filters.FilterSet):
    region = RegionPrefixFilter(label=_("行政区划代码前缀"), field_name="loan__enterprise__region_code")
    bank = IntegerFilter(label=_("银行"), field_name="loan__bank_id")
    guarantor = IntegerFilter(label=_("担保机构"), field_name="guarantor_id")
    released = BooleanFilter(label=_("已解除"), field_name="released_on", lookup_expr="isnull", exclude=True)
    signed_from = DateFilter(label=_("签约日期不早于"), field_name="signed_on", lookup_expr="gte")
    signed_to = DateFilter(label=_("签约日期不晚于"), field_name="signed_on", lookup_expr="lte")

    class Meta:
        model = GuaranteeContract
        fields = ["region", "bank", "guarantor", "released", "signed_from", "signed_to"]
