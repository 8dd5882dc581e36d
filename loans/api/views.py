"""Loan contracts over the API — the bank's loan book: list, one contract, recording one from an approved
recommendation, repayment status and disbursement — through ``loans.services`` with the pages' rules (scope
``loans:write``); and the bureau's funnel statistics as the dashboard computes them (scope ``statistics:read``)."""

from __future__ import annotations

import re

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, mixins, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from banks.api.scoping import recommendations_for
from banks.models import Bank
from core.api_auth import api_actor, api_client_of
from core.permissions import bureau_staff_of, scope_covers
from loans.filters import LoanContractFilterSet
from loans.selectors import funnel
from loans.services import loan_contract_create, loan_disbursement_record, loan_repayment_update
from scoring.api.pagination import IdCursorPagination
from scoring.models import Batch
from scoring.querysets import overlapping_region

from .scoping import loans_for
from .serializers import (
    FunnelQuerySerializer,
    FunnelStatisticsSerializer,
    LoanContractCreateSerializer,
    LoanContractSerializer,
    LoanContractUpdateSerializer,
)

LOANS_WRITE = "loans:write"
STATISTICS_READ = "statistics:read"
ID = OpenApiParameter("id", int, OpenApiParameter.PATH)
ID_PATTERN = re.compile(r"[0-9]{1,18}")  # anything else (or a bigint overflow) is a 404
SCOPE = "Scope `loans:write` (a bank's loan book is read back under the scope that writes it)."


@extend_schema_view(
    list=extend_schema(summary="本行贷款合同 / The bank's loan contracts", description=SCOPE),
    retrieve=extend_schema(summary="贷款合同 / A loan contract", description=SCOPE, parameters=[ID]),
    partial_update=extend_schema(
        summary="更新还款状态或放款日期 / Update the repayment status or the disbursement date",
        description=SCOPE + " A settled loan is final; disbursement not before signature.",
        request=LoanContractUpdateSerializer,
        responses=LoanContractSerializer,
        parameters=[ID],
    ),
)
class LoanContractViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    required_scope = LOANS_WRITE
    serializer_class = LoanContractSerializer
    filterset_class = LoanContractFilterSet
    pagination_class = IdCursorPagination
    http_method_names = ["get", "patch", "head", "options"]
    lookup_value_regex = r"[^/]+"

    def get_queryset(self):
        return loans_for(self.request).select_related("enterprise", "officer", "guarantee")

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def partial_update(self, request, *args, **kwargs):
        loan = self.get_object()
        serializer = LoanContractUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data, actor = serializer.validated_data, api_actor(request)
        with transaction.atomic():  # both changes or neither
            if "disbursed_on" in data:
                loan = loan_disbursement_record(loan=loan, user=actor, disbursed_on=data["disbursed_on"])
            if "repayment_status" in data:
                loan = loan_repayment_update(loan=loan, user=actor, status=data["repayment_status"])
        return Response(LoanContractSerializer(self.get_queryset().get(pk=loan.pk)).data)


@extend_schema(
    summary="签约:由已审批的推荐登记贷款合同 / Record the loan signed on an approved recommendation",
    description="Scope `loans:write`. The loan form's rules (loans.services.loan_contract_create): amount ≤ the "
    "product's maximum, above the suggested line only with `over_line_reason`, rate ≤ LPR + the product's spread, "
    "term ≤ the product's, dates in order. The recommendation becomes `contracted`.",
    request=LoanContractCreateSerializer,
    responses={201: LoanContractSerializer},
    parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description="推荐记录 id")],
)
class RecommendationLoanCreateView(generics.GenericAPIView):
    required_scope = LOANS_WRITE
    serializer_class = LoanContractCreateSerializer
    filter_backends: list = []
    pagination_class = None

    def post(self, request, id: str):
        rec = None
        if ID_PATTERN.fullmatch(id):
            rec = recommendations_for(request).filter(pk=id).select_related("run").first()
        if rec is None:
            raise Http404
        serializer = LoanContractCreateSerializer(data=request.data, recommendation=rec)
        serializer.is_valid(raise_exception=True)
        loan = loan_contract_create(recommendation=rec, user=api_actor(request), **serializer.validated_data)
        return Response(
            LoanContractSerializer(loans_for(request).select_related("enterprise").get(pk=loan.pk)).data, 201
        )


def _statistics_region(request) -> str | None:
    """The caller's region for the funnel: bureau staff's, or a platform client's (no bank, no guarantor)."""
    client = api_client_of(request)
    if client is not None:
        return client.region_scope if client.bank_id is None and client.guarantor_id is None else None
    staff = bureau_staff_of(request.user)
    return staff.region_scope if staff is not None else None


@extend_schema(
    summary="融资对接漏斗:按批次、地区、银行 / The financing funnel by batch, region and bank",
    description="Scope `statistics:read`; bureau staff and platform clients (no bank). The bureau dashboard's "
    "figures (loans.selectors.funnel): collected → recommended → pushed to banks → worked → contracts → guarantees, "
    "in total, by province and by bank, for a published batch overlapping the caller's region.",
    parameters=[FunnelQuerySerializer],
    responses=FunnelStatisticsSerializer,
)
class FunnelStatisticsView(generics.GenericAPIView):
    required_scope = STATISTICS_READ
    serializer_class = FunnelStatisticsSerializer
    filter_backends: list = []
    pagination_class = None

    def get(self, request):
        scope = _statistics_region(request)
        if scope is None:
            raise Http404
        query = FunnelQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        batches = overlapping_region(Batch.objects.all(), scope).filter(published_run__isnull=False)
        batch = batches.select_related("published_run").filter(pk=params["batch"]).first()
        if batch is None:
            raise Http404
        region = params.get("region") or scope
        if not scope_covers(scope, region):
            raise ValidationError({"region": [_("区域须在您的范围(%(scope)s)之内。") % {"scope": scope or _("全国")}]})
        bank = None
        if "bank" in params:
            bank = Bank.objects.filter(pk=params["bank"]).first()
            if bank is None:
                raise ValidationError({"bank": [_("银行不存在。")]})
        data = funnel(batch=batch, scope=region, bank=bank)
        body = {
            "batch": batch.pk,
            "run": batch.published_run_id,
            "region": region,
            "bank": bank.pk if bank else None,
            "total": data.total,
            "by_province": data.by_province,
            "by_bank": data.by_bank,
        }
        return Response(FunnelStatisticsSerializer(body).data)
