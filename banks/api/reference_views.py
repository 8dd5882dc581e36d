"""What a bank's IT needs to record loans without scraping pages: the banks and their branches (the platform's public
reference, any scope), and the bank's own loan products (``recommendations:read`` or ``loans:write``: the ids a
recommendation's ``product_ids`` and the loan form name)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from banks.models import LoanProduct
from core.actors import actor_of
from core.api.pagination import IdCursorPagination
from core.filters import BooleanFilter, IntegerFilter
from core.models import ApiClient, Bank, Branch

from .serializers import BankSerializer, BranchSerializer, LoanProductSerializer

ANY_SCOPE = tuple(ApiClient.Scope.values)  # public reference: a token of any scope reads it
PRODUCT_SCOPES = ("recommendations:read", "loans:write")
ID = OpenApiParameter("id", int, OpenApiParameter.PATH)


class ReadOnly(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    pagination_class = IdCursorPagination
    lookup_value_regex = r"[0-9]{1,18}"


class BranchFilterSet(django_filters.FilterSet):
    bank = IntegerFilter(field_name="bank_id", label=_("银行"))  # a whole id: 1e201 is a 400, not a 500

    class Meta:
        model = Branch
        fields = ["bank"]


class ProductFilterSet(django_filters.FilterSet):
    active = BooleanFilter(label=_("在售"))

    class Meta:
        model = LoanProduct
        fields = ["active"]


@extend_schema_view(
    list=extend_schema(summary="银行 / Banks", description="Every bank of the platform (public reference)."),
    retrieve=extend_schema(summary="银行 / A bank", parameters=[ID]),
)
class BankViewSet(ReadOnly):
    required_scope = ANY_SCOPE
    serializer_class = BankSerializer
    filter_backends: list = []

    def get_queryset(self):
        return Bank.objects.visible_to(actor_of(self.request))


@extend_schema_view(
    list=extend_schema(summary="分支机构 / Bank branches", description="`?bank=<id>` for one bank's."),
    retrieve=extend_schema(summary="分支机构 / A branch", parameters=[ID]),
)
class BranchViewSet(ReadOnly):
    required_scope = ANY_SCOPE
    serializer_class = BranchSerializer
    filterset_class = BranchFilterSet

    def get_queryset(self):
        return Branch.objects.visible_to(actor_of(self.request))


@extend_schema_view(
    list=extend_schema(
        summary="本行积分贷产品 / The bank's own loan products",
        description="A bank (its officer or its token) reads its own products only; `?active=true` for those on sale.",
    ),
    retrieve=extend_schema(summary="本行积分贷产品 / One of the bank's products", parameters=[ID]),
)
class LoanProductViewSet(ReadOnly):
    required_scope = PRODUCT_SCOPES
    serializer_class = LoanProductSerializer
    filterset_class = ProductFilterSet

    def get_queryset(self):
        return LoanProduct.objects.visible_to(actor_of(self.request)).prefetch_related("branches")
