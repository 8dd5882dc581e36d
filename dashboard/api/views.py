"""The funnel API: the dashboard's figures for API clients (scope ``statistics:read``)."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core.api.auth import api_client_of
from core.exceptions import ApplicationError
from core.models import Bank
from core.permissions import bureau_staff_of
from core.regions import overlapping_region
from enterprises.models import Batch

from ..selectors import funnel, funnel_region
from .serializers import FunnelQuerySerializer, FunnelStatisticsSerializer

STATISTICS_READ = "statistics:read"


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
    "figures (dashboard.selectors.funnel): collected → recommended → pushed to banks → worked → contracts → "
    "guarantees, "
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
        batches = overlapping_region(Batch.objects.all(), scope).filter(scoring__published_run__isnull=False)
        batch = batches.select_related("scoring__published_run").filter(pk=params["batch"]).first()
        if batch is None:
            raise Http404
        try:
            region = funnel_region(scope=scope, requested=params.get("region", ""))
        except ApplicationError as error:
            raise ValidationError({"region": [error.message]})
        bank = None
        if "bank" in params:
            bank = Bank.objects.filter(pk=params["bank"]).first()
            if bank is None:
                raise ValidationError({"bank": [_("银行不存在。")]})
        data = funnel(batch=batch, scope=region, bank=bank)
        body = {
            "batch": batch.pk,
            "run": batch.scoring.published_run_id,
            "region": region,
            "bank": bank.pk if bank else None,
            "total": data.total,
            "by_province": data.by_province,
            "by_bank": data.by_bank,
        }
        return Response(FunnelStatisticsSerializer(body).data)
