"""Financing needs and applications over the API (issue #15), through the services of the pages.

A firm's member (with their web session; no token acts for a firm) reads and posts the firm's needs, withdraws one
and applies to a bank. A bank's client or officer reads the applications addressed to it (scope
``recommendations:read``) and moves them along (``loans:write``) — consent and region decide as on the pages."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from banks.financing import (
    ConsentRequired,
    financing_application_mark_viewed,
    financing_application_transition,
    financing_apply,
    financing_need_post,
    financing_need_withdraw,
)
from banks.financing_selectors import incoming_applications, needs_of
from banks.models import FinancingApplication, FinancingNeed, LoanProduct
from core.actors import actor_of
from core.api.auth import ReadWriteScopes, api_actor
from core.api.pagination import IdCursorPagination
from core.models import Bank
from enterprises.models import Enterprise

from .financing_serializers import (
    ApplicationCreateSerializer,
    ApplicationStatusSerializer,
    FirmApplicationSerializer,
    IncomingApplicationSerializer,
    NeedSerializer,
)

ID = OpenApiParameter("id", int, OpenApiParameter.PATH)
FIRM_ONLY = " Only a firm's member (web session) sees or posts any: a token client gets a 403, anyone else none."


def _firm(request) -> Enterprise | None:
    actor = actor_of(request)
    return Enterprise.objects.filter(pk=actor.enterprise_id).first() if actor.enterprise_id else None


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


@extend_schema_view(
    list=extend_schema(
        summary="本企业的融资需求 / The firm's financing needs",
        description="Newest first, each "
        "with its applications and their steps (a decline by its category only)." + FIRM_ONLY,
    ),
    retrieve=extend_schema(summary="融资需求 / A financing need", parameters=[ID], description=FIRM_ONLY),
    create=extend_schema(
        summary="发布融资需求 / Post a financing need",
        description="A need above 100000 万元 (10 "
        "亿) or valid until a past date is a 400 naming the field; nothing is saved." + FIRM_ONLY,
    ),
)
class FinancingNeedViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                           viewsets.GenericViewSet):  # fmt: skip
    required_scope = None  # no token acts for a firm
    serializer_class = NeedSerializer
    pagination_class = IdCursorPagination
    lookup_value_regex = r"[^/]+"

    def get_queryset(self):
        firm = _firm(self.request)
        return needs_of(enterprise=firm) if firm else FinancingNeed.objects.none()

    def create(self, request, *args, **kwargs):
        firm = _firm(request)
        if firm is None:
            return Response({"detail": "只有企业成员可以发布融资需求。"}, status=status.HTTP_403_FORBIDDEN)
        data = _valid(NeedSerializer, request)
        need = financing_need_post(enterprise=firm, user=request.user, **data)
        return Response(NeedSerializer(self.get_queryset().get(pk=need.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="撤回融资需求 / Withdraw a need", description="Banks no longer see it." + FIRM_ONLY,
                   request=None, responses=NeedSerializer, parameters=[ID])  # fmt: skip
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        need = financing_need_withdraw(need=self.get_object(), user=request.user)
        return Response(NeedSerializer(self.get_queryset().get(pk=need.pk)).data)


@extend_schema_view(
    list=extend_schema(summary="本企业的融资申请 / The firm's applications", description=FIRM_ONLY),
    retrieve=extend_schema(summary="融资申请 / An application", parameters=[ID], description=FIRM_ONLY),
)
class FirmApplicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    required_scope = None
    serializer_class = FirmApplicationSerializer
    pagination_class = IdCursorPagination
    lookup_value_regex = r"[^/]+"

    def get_queryset(self):
        if _firm(self.request) is None:
            return FinancingApplication.objects.none()
        return (
            FinancingApplication.objects.visible_to(self.request)
            .prefetch_related("steps")
            .select_related("bank", "need")
        )

    @extend_schema(
        summary="向银行提交融资申请 / Apply to a bank",
        description="Addresses one of the firm's open needs to a bank (`bank`, or the bank of `product`). A bank "
        "outside the firm's region, or one the firm has not consented to, is a 400 naming the field (`bank`); "
        "nothing is saved." + FIRM_ONLY,
        request=ApplicationCreateSerializer,
        responses={201: FirmApplicationSerializer},
    )
    def create(self, request, *args, **kwargs):
        firm = _firm(request)
        if firm is None:
            return Response({"detail": "只有企业成员可以提交融资申请。"}, status=status.HTTP_403_FORBIDDEN)
        data = _valid(ApplicationCreateSerializer, request)
        need = get_object_or_404(FinancingNeed.objects.filter(enterprise=firm), pk=data["need"])
        product = None
        if data.get("product") is not None:
            product = get_object_or_404(LoanProduct.objects.filter(active=True), pk=data["product"])
        bank_id = data.get("bank") or (product.bank_id if product else None)
        if bank_id is None:
            raise ValidationError({"bank": ["请指定银行或产品。"]})
        bank = get_object_or_404(Bank, pk=bank_id)
        try:
            application = financing_apply(need=need, bank=bank, product=product, user=request.user)
        except ConsentRequired as error:
            raise ValidationError({"bank": [error.message]}) from error
        return Response(FirmApplicationSerializer(self.get_queryset().get(pk=application.pk)).data,
                        status=status.HTTP_201_CREATED)  # fmt: skip


@extend_schema_view(
    list=extend_schema(
        summary="本行收到的融资申请 / Applications addressed to the bank",
        description="Scope `recommendations:read`. Only firms that consent to the bank now, in the "
        "caller's region; a withdrawn need's applications are gone.",
    ),  # fmt: skip
    retrieve=extend_schema(
        summary="收到的融资申请 / An incoming application",
        parameters=[ID],
        description="Scope `recommendations:read`. Reading a received one marks it viewed.",
    ),
)
class IncomingApplicationViewSet(ReadWriteScopes, viewsets.ReadOnlyModelViewSet):
    read_scope = "recommendations:read"
    write_scope = "loans:write"
    serializer_class = IncomingApplicationSerializer
    pagination_class = IdCursorPagination
    lookup_value_regex = r"[^/]+"

    def get_queryset(self):
        return incoming_applications(user=self.request)

    def retrieve(self, request, *args, **kwargs):
        application = self.get_object()
        user = api_actor(request)
        if user is not None and financing_application_mark_viewed(application=application, user=user):
            application.refresh_from_db()
        return Response(self.get_serializer(application).data)

    @extend_schema(
        summary="变更申请状态 / Move an application along",
        description="Scope `loans:write`. received → viewed → contacted → approved → contracted, or → declined (a "
        "`decline_category` is required; `decline_reason` is internal, the firm never sees it). The firm is told.",
        request=ApplicationStatusSerializer,
        responses=IncomingApplicationSerializer,
        parameters=[ID],
    )
    @action(detail=True, methods=["post"], url_path="status")
    def transition(self, request, pk=None):
        application = self.get_object()
        data = _valid(ApplicationStatusSerializer, request)
        moved = financing_application_transition(
            application=application, user=api_actor(request), status=data["status"],
            category=data.get("decline_category", ""), reason=data.get("decline_reason", ""),
        )  # fmt: skip
        return Response(IncomingApplicationSerializer(self.get_queryset().get(pk=moved.pk)).data)
