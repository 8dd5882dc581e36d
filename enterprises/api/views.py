"""Read-only enterprise profiles: the caller's own firm, or the firms their role lets them see."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets

from core.api_auth import audience_of
from enterprises.filters import EnterpriseFilterSet
from scoring.api.pagination import StrictCursorPagination

from .scoping import enterprises_for
from .serializers import EnterpriseSerializer


class EnterpriseCursorPagination(StrictCursorPagination):
    ordering = "id"


@extend_schema_view(
    list=extend_schema(summary="企业列表(按角色限定范围) / Enterprises within the caller's scope"),
    retrieve=extend_schema(
        summary="按统一社会信用代码查询企业 / An enterprise by credit code",
        parameters=[OpenApiParameter("credit_code", str, OpenApiParameter.PATH, pattern=r"[0-9A-HJ-NPQRTUWXY]{18}")],
    ),
)
class EnterpriseViewSet(viewsets.ReadOnlyModelViewSet):
    required_scope = "scores:read"
    serializer_class = EnterpriseSerializer
    filterset_class = EnterpriseFilterSet
    pagination_class = EnterpriseCursorPagination
    lookup_field = "credit_code"
    lookup_value_regex = r"[^/]+"  # any other form is a JSON 404 from the queryset, not an HTML one from the URLconf

    def get_queryset(self):
        return enterprises_for(audience_of(self.request))
