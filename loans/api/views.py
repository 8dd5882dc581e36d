"""Loan contracts over the API — the bank's loan book: list, one contract, recording one from an approved
recommendation, repayment status and disbursement — through ``loans.services`` with the pages' rules (scope
``loans:write``); and the bureau's funnel statistics as the dashboard computes them (scope ``statistics:read``)."""

from __future__ import annotations

import re

from django.db import transaction
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from banks.api.scoping import recommendations_for
from core.api.auth import api_actor
from core.api.pagination import IdCursorPagination
from loans.filters import LoanContractFilterSet
from loans.services import (
    loan_contract_create,
    loan_disbursement_record,
    loan_repayment_update,
    loan_warning_acknowledge,
)

from .scoping import loans_for, warnings_for
from .serializers import (
    LoanContractCreateSerializer,
    LoanContractSerializer,
    LoanContractUpdateSerializer,
    LoanWarningAcknowledgeSerializer,
    LoanWarningSerializer,
)

LOANS_WRITE = "loans:write"
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
            rec = recommendations_for(request).consented().filter(pk=id).select_related("run").first()
        if rec is None:
            raise Http404
        serializer = LoanContractCreateSerializer(data=request.data, recommendation=rec)
        serializer.is_valid(raise_exception=True)
        loan = loan_contract_create(recommendation=rec, user=api_actor(request), **serializer.validated_data)
        return Response(
            LoanContractSerializer(loans_for(request).select_related("enterprise").get(pk=loan.pk)).data, 201
        )


WARNING_OPEN = OpenApiParameter("open", bool, description="true: only warnings not yet acknowledged")


@extend_schema_view(
    list=extend_schema(
        summary="贷后预警 / Post-loan warnings on the bank's outstanding loans",
        description=SCOPE + " Newest first. A warning is written when a newer published run scores the borrower "
        "lower than the loan was signed on (`grade_dropped`, `total_fell` by 10 or more, `left_list`) or the "
        "borrower's filing carries a veto flag (`veto`).",
        parameters=[WARNING_OPEN],
    ),
    retrieve=extend_schema(summary="贷后预警 / A post-loan warning", description=SCOPE, parameters=[ID]),
)
class LoanWarningViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    required_scope = LOANS_WRITE
    serializer_class = LoanWarningSerializer
    pagination_class = IdCursorPagination
    filter_backends: list = []
    lookup_value_regex = r"[0-9]{1,18}"

    def get_queryset(self):
        warnings = warnings_for(self.request).select_related("loan", "enterprise", "acknowledged_by")
        if self.action == "list" and self.request.query_params.get("open") in ("true", "1"):
            warnings = warnings.open()
        return warnings

    @extend_schema(
        summary="确认贷后预警 / Acknowledge a post-loan warning with a note",
        description=SCOPE + " Once only: a second acknowledgement answers 400 and changes nothing.",
        request=LoanWarningAcknowledgeSerializer,
        responses=LoanWarningSerializer,
        parameters=[ID],
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        warning = self.get_object()
        serializer = LoanWarningAcknowledgeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        loan_warning_acknowledge(warning=warning, user=api_actor(request), note=serializer.validated_data["note"])
        return Response(LoanWarningSerializer(self.get_queryset().get(pk=warning.pk)).data)
