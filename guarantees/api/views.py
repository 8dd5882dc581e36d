"""Guarantees over the API, under the special guarantee plan: list, one contract with its compensation events,
recording one on a bank's loan (as the loan pages), releasing it, and recording a compensation (the guarantor's,
as its page) — through ``guarantees.services``, which checks every rule of the plan. Scope ``guarantees:write``."""

from __future__ import annotations

import re

from django.db.models import Prefetch
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.actors import actor_of
from core.api.auth import api_actor
from core.api.pagination import IdCursorPagination
from core.choices import InstitutionKind
from core.models import ApiClient, GuaranteeInstitution
from guarantees.filters import GuaranteeContractFilterSet
from guarantees.models import CompensationEvent
from guarantees.services import (
    compensation_event_create,
    guarantee_contract_create,
    guarantee_release,
    risk_pools,
)
from loans.api.scoping import loans_for

from .scoping import guarantees_for, is_guarantor
from .serializers import (
    CompensationEventCreateSerializer,
    CompensationEventSerializer,
    GuaranteeContractCreateSerializer,
    GuaranteeContractSerializer,
    GuaranteeReleaseSerializer,
    GuarantorSerializer,
)

GUARANTEES_WRITE = "guarantees:write"
ID = OpenApiParameter("id", int, OpenApiParameter.PATH)
ID_PATTERN = re.compile(r"[0-9]{1,18}")  # anything else (or a bigint overflow) is a 404
SCOPE = "Scope `guarantees:write` (read and write)."


@extend_schema_view(
    list=extend_schema(summary="担保合同 / Guarantee contracts", description=SCOPE),
    retrieve=extend_schema(summary="担保合同及代偿事件 / A guarantee with its compensations", description=SCOPE,
                           parameters=[ID]),
    partial_update=extend_schema(
        summary="解除担保 / Release the guarantee",
        description=SCOPE + " The release date is not before the signature.",
        request=GuaranteeReleaseSerializer,
        responses=GuaranteeContractSerializer,
        parameters=[ID],
    ),
)  # fmt: skip
class GuaranteeContractViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    required_scope = GUARANTEES_WRITE
    serializer_class = GuaranteeContractSerializer
    filterset_class = GuaranteeContractFilterSet
    pagination_class = IdCursorPagination
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = r"[^/]+"

    def get_queryset(self):
        return (
            guarantees_for(self.request)
            .select_related("loan__enterprise")
            .prefetch_related(Prefetch("compensations", CompensationEvent.objects.order_by("-occurred_on", "-pk")))
        )

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def _fresh(self, pk: int) -> Response:
        return Response(GuaranteeContractSerializer(self.get_queryset().get(pk=pk)).data)

    def partial_update(self, request, *args, **kwargs):
        guarantee = self.get_object()
        serializer = GuaranteeReleaseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        guarantee_release(guarantee=guarantee, user=api_actor(request), **serializer.validated_data)
        return self._fresh(guarantee.pk)

    @extend_schema(
        summary="登记代偿事件 / Record a compensation (代偿)",
        description=SCOPE + " The guarantor's (a bank gets 404, as the guarantor page is not theirs): only after "
        "the loan is overdue or in default, all compensations within the guaranteed amount; the loan goes to default.",
        request=CompensationEventCreateSerializer,
        responses={201: CompensationEventSerializer},
        parameters=[ID],
    )
    @action(detail=True, methods=["post"])
    def compensations(self, request, pk=None):
        guarantee = self.get_object()
        if not is_guarantor(request):
            raise Http404
        serializer = CompensationEventCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        event = compensation_event_create(guarantee=guarantee, user=api_actor(request), **serializer.validated_data)
        return Response(CompensationEventSerializer(event).data, status=201)


@extend_schema(
    summary="登记专项担保合同 / Record the special-plan guarantee of a loan",
    description=SCOPE + " On the caller's bank's loan with guarantee mode `special_plan`, as the loan pages; every "
    "rule of the special guarantee plan is checked (guarantees.services): shares sum to 100, bank ≥ 20 %, the "
    "national fund's cap by firm type, provincial ≥ 20 %, fee caps, the per-firm outstanding cap.",
    request=GuaranteeContractCreateSerializer,
    responses={201: GuaranteeContractSerializer},
    parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description="贷款合同 id")],
)
class LoanGuaranteeCreateView(generics.GenericAPIView):
    required_scope = GUARANTEES_WRITE
    serializer_class = GuaranteeContractCreateSerializer
    filter_backends: list = []
    pagination_class = None

    def post(self, request, id: str):
        loan = loans_for(request).filter(pk=id).first() if ID_PATTERN.fullmatch(id) else None
        if loan is None:
            raise Http404
        serializer = GuaranteeContractCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = {"reguarantor": None, **serializer.validated_data}
        guarantee = guarantee_contract_create(loan=loan, user=api_actor(request), **data)
        fresh = guarantees_for(request).select_related("loan__enterprise").prefetch_related("compensations")
        return Response(GuaranteeContractSerializer(fresh.get(pk=guarantee.pk)).data, status=201)


GUARANTOR_SCOPES = tuple(ApiClient.Scope.values)  # public reference, as the banks: a token of any scope reads it


@extend_schema_view(
    list=extend_schema(
        summary="担保机构 / Guarantee institutions",
        description="Every guarantor a bank may name on a guarantee, with its compensation rate (and, for a provincial "
        "re-guarantor, its pool's) against the warning line and the fuse: `accepting` is false at the fuse, where "
        "a guarantee naming it is refused.",
    ),
    retrieve=extend_schema(summary="担保机构 / A guarantee institution", parameters=[ID]),
)
class GuarantorViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    required_scope = GUARANTOR_SCOPES
    serializer_class = GuarantorSerializer
    pagination_class = IdCursorPagination
    filter_backends: list = []
    lookup_value_regex = r"[0-9]{1,18}"

    def get_queryset(self):
        return GuaranteeInstitution.objects.visible_to(actor_of(self.request))

    @staticmethod
    def _with_risk(institutions: list) -> list:
        """The page's institutions with their books and pools: a few aggregate queries for the whole page."""
        books = risk_pools(institutions=institutions, as_pool=False)
        provincial = [i for i in institutions if i.kind == InstitutionKind.PROVINCIAL]
        pools = risk_pools(institutions=provincial, as_pool=True)
        for institution in institutions:
            book, pool = books[institution.pk], pools.get(institution.pk)
            institution.compensation_rate = book.rate
            institution.pool_compensation_rate = pool.rate if pool else None
            levels = [book.level] + ([pool.level] if pool else [])
            institution.risk_level = "fuse" if "fuse" in levels else "warning" if "warning" in levels else "normal"
            institution.accepting = institution.risk_level != "fuse"
        return institutions

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return self._with_risk(list(page)) if page is not None else None

    def get_object(self):
        return self._with_risk([super().get_object()])[0]
