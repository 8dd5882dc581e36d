"""A bank's recommendations over the API: its current list (the page's FilterSet, cursor pages in list order), one
recommendation, a consenting firm's profile (logged as on the page), and the officer's workflow — claim, status,
notes, reopen, reassign — through the same services as the pages. Reads need ``recommendations:read``; writes are
loan feedback and need ``loans:write`` (docs/api.md)."""

from __future__ import annotations

from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from banks.filters import RecommendationFilterSet
from banks.models import Recommendation
from banks.selectors import profile_consent_scope, suggested_lines
from banks.services import (
    recommendation_claim,
    recommendation_mark_viewed,
    recommendation_note,
    recommendation_reassign,
    recommendation_reopen,
    recommendation_transition,
)
from core.api.auth import ReadWriteScopes, api_actor
from core.api.pagination import StrictCursorPagination
from core.models import User
from core.permissions import bank_officer_of
from enterprises.access import bank_read_log, client_ip
from enterprises.choices import BankRead
from enterprises.models import Enterprise
from enterprises.services import profile_access_record
from scoring.models import Score

from . import scoping
from .serializers import (
    RecommendationNotesSerializer,
    RecommendationProfileSerializer,
    RecommendationReassignSerializer,
    RecommendationSerializer,
    RecommendationStatusSerializer,
)

RECOMMENDATIONS_READ = "recommendations:read"
LOANS_WRITE = "loans:write"
FIELDS = (
    "id", "run_id", "run__batch_id", "bank_id", "enterprise_id", "enterprise__credit_code", "enterprise__name",
    "list_rank", "total", "grade", "stage", "region_code", "section", "product_ids", "suggested_line",
    "financing_amount", "preferred", "status", "status_changed_at", "officer__username", "notes", "decline_category",
    "decline_reason", "superseded", "created_at",
)  # fmt: skip


class RecommendationCursorPagination(StrictCursorPagination):
    """List order, as the page's default: the index (bank, superseded, list_rank) serves it. A bank with lists of
    several batches has a few rows per rank; the cursor's offset steps over them."""

    ordering = ("list_rank", "id")


class RecommendationFilterBackend(DjangoFilterBackend):
    """The shared FilterSet, told who "mine" means (the officer, or the client's service account)."""

    def get_filterset_kwargs(self, request, queryset, view):
        return {**super().get_filterset_kwargs(request, queryset, view), "actor": api_actor(request)}


ID = OpenApiParameter("id", int, OpenApiParameter.PATH)


@extend_schema_view(
    list=extend_schema(
        summary="本行当前推荐名单(可筛选,游标分页) / The bank's current recommendation list",
        description="Scope `recommendations:read`. Rows of lists not superseded by a newer published run, in list "
        "order. Filters as on the officer's page: `q` (part of the firm's name, or the start of its credit code), "
        "`grade`, `stage` and `section` repeatable (`?grade=A&grade=B` is A or B). A value that names nothing (a "
        "grade `Z`, a region that does not exist) is a 400 naming the field, never the whole list.",
    ),
    retrieve=extend_schema(
        summary="推荐记录 / A recommendation",
        description="Scope `recommendations:read`. A superseded one too (`superseded: true`).",
        parameters=[ID],
    ),
)
class RecommendationViewSet(ReadWriteScopes, viewsets.ReadOnlyModelViewSet):
    read_scope = RECOMMENDATIONS_READ
    write_scope = LOANS_WRITE
    serializer_class = RecommendationSerializer
    filterset_class = RecommendationFilterSet
    filter_backends = [RecommendationFilterBackend]
    pagination_class = RecommendationCursorPagination
    lookup_value_regex = r"[^/]+"  # a malformed id is a JSON 404 from the queryset, not an HTML page from the URLconf

    def get_queryset(self):
        if self.action == "list":  # filters and sorts act on figures: a masked row is read by id only, never matched
            rows = scoping.recommendations_listed(self.request).current()
        else:
            rows = scoping.recommendations_for(self.request)
        return rows.select_related("enterprise", "run", "officer").only(*FIELDS)

    def filter_queryset(self, queryset):
        # The filters are the list's; a write or the profile addresses one row by id whatever the query string says.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:  # a page of the list names its firms with their figures: in each firm's access log
            bank_read_log(self.request, enterprise_ids=[rec.enterprise_id for rec in page], read=BankRead.LIST)
        return page

    def retrieve(self, request, *args, **kwargs):
        rec = self.get_object()
        if rec.consented:  # a masked row shows no figure of the firm
            bank_read_log(request, enterprise_ids=[rec.enterprise_id], read=BankRead.RECOMMENDATION)
        return Response(self.get_serializer(rec).data)

    def _updated(self, recommendation: Recommendation) -> Response:
        return Response(RecommendationSerializer(self.get_queryset().get(pk=recommendation.pk)).data)

    @extend_schema(
        summary="认领跟进 / Claim the firm for follow-up",
        description="Scope `loans:write`. Fails (400) when a colleague already follows the firm.",
        request=None,
        responses=RecommendationSerializer,
        parameters=[ID],
    )
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        rec = self.get_object()
        return self._updated(recommendation_claim(recommendation=rec, user=api_actor(request)))

    @extend_schema(
        summary="变更跟进状态 / Move the recommendation along the workflow",
        description="Scope `loans:write`. new → viewed → contacted → approved, or → declined (a `decline_category` "
        "is required, `decline_reason` is an internal note the firm never sees); `contracted` only by recording "
        "the loan (`POST /recommendations/{id}/loan/`). An unclaimed firm is claimed by the caller.",
        request=RecommendationStatusSerializer,
        responses=RecommendationSerializer,
        parameters=[ID],
    )
    @action(detail=True, methods=["post"], url_path="status")
    def transition(self, request, pk=None):
        rec = self.get_object()
        data = _valid(RecommendationStatusSerializer, request)
        updated = recommendation_transition(
            recommendation=rec,
            user=api_actor(request),
            status=data["status"],
            category=data.get("decline_category", ""),
            reason=data.get("decline_reason", ""),
            notes=data.get("notes"),
        )
        return self._updated(updated)

    @extend_schema(
        summary="跟进备注 / Replace the follow-up notes",
        description="Scope `loans:write`.",
        request=RecommendationNotesSerializer,
        responses=RecommendationSerializer,
        parameters=[ID],
    )
    @action(detail=True, methods=["post"])
    def notes(self, request, pk=None):
        rec = self.get_object()
        data = _valid(RecommendationNotesSerializer, request)
        return self._updated(recommendation_note(recommendation=rec, user=api_actor(request), notes=data["notes"]))

    @extend_schema(
        summary="重新打开或释放认领 / Reopen a declined row, or release a claimed one",
        description="Scope `loans:write`. The officer's page's rule (`banks.services.recommendation_reopen`): a "
        "declined row goes back to `viewed` (its `decline_category` and `decline_reason` cleared; the audit trail "
        "keeps them, with the caller as actor); a claimed row that is not declined is released (`officer` null). "
        "Only the officer following the firm (a client: its service account) or the bank's admin may; a row "
        "neither declined nor claimed, a contracted or a superseded one is a 400 naming the rule; another bank's "
        "row is a 404. Nothing is saved on a refusal.",
        request=None,
        responses=RecommendationSerializer,
        parameters=[ID],
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        rec = self.get_object()
        return self._updated(recommendation_reopen(recommendation=rec, user=api_actor(request)))

    @extend_schema(
        summary="改派 / Hand a declined or claimed row to a colleague",
        description="Scope `loans:write`. The page's rule (`banks.services.recommendation_reassign`): `officer` is "
        "the username of an officer of the bank who can see the firm (else a 400 on `officer`); the status stays; "
        "the audit trail records who handed it to whom. The same refusals as `reopen`.",
        request=RecommendationReassignSerializer,
        responses=RecommendationSerializer,
        parameters=[ID],
    )
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        rec = self.get_object()
        data = _valid(RecommendationReassignSerializer, request)
        officer = User.objects.filter(username=data["officer"], is_active=True).first()
        return self._updated(recommendation_reassign(recommendation=rec, user=api_actor(request), officer=officer))

    @extend_schema(
        summary="企业画像(须企业授权,查阅留痕) / The firm's profile, behind its consent, logged",
        description="Scope `recommendations:read`. Only for a firm with an active consent for the caller's bank "
        "(blanket or naming it), else 404. Every read is written to the access log the firm sees, as on the "
        "officer's page, and a new recommendation becomes viewed.",
        responses=RecommendationProfileSerializer,
        parameters=[ID],
    )
    @action(detail=True, methods=["get"])
    def profile(self, request, pk=None):
        rec = self.get_object()
        actor = api_actor(request)
        bank = bank_officer_of(actor).bank
        scope = profile_consent_scope(enterprise_id=rec.enterprise_id, bank=bank)
        if scope is None:
            raise Http404
        firm = Enterprise.objects.get(pk=rec.enterprise_id)  # the whole firm: the list query reads two columns
        profile_access_record(enterprise=firm, bank=bank, user=actor, scope=scope, ip=client_ip(request))
        recommendation_mark_viewed(recommendation=rec, user=actor)
        return Response(RecommendationProfileSerializer(_profile(rec, firm, scope)).data)


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _profile(rec: Recommendation, firm, scope: str) -> dict:
    """The officer's profile page as data: the firm, its score, its financing need and the suggested line per
    matching product (methodology §11: min(line of the grade, product maximum, revenue basis))."""
    score = Score.objects.filter(run_id=rec.run_id, enterprise_id=rec.enterprise_id).first()
    filing = firm.submissions.filter(batch_id=rec.run.batch_id).first()
    lines = [
        {"product": product.pk, "name": product.name, "line": line}
        for product, line in suggested_lines(recommendation=rec)
    ]
    return {
        "recommendation": rec.pk,
        "consent_scope": scope,
        "credit_code": firm.credit_code,
        "name": firm.name,
        "region_code": firm.region_code,
        "industry_code": firm.industry_code,
        "established": firm.established,
        "score": None
        if score is None
        else {
            "stage": score.stage,
            "total": float(score.total),
            "grade": score.grade,
            "rank_national": score.rank_national,
            "rank_province": score.rank_province,
            "rank_industry": score.rank_industry,
        },
        "financing": None
        if filing is None
        else {
            "amount": filing.financing_amount,
            "term_months": filing.financing_term_months,
            "purpose": filing.financing_purpose,
        },
        "financials": {
            "revenue": filing.revenue,
            "rd_expense": filing.rd_expense,
            "invention_patents": filing.invention_patents,
        }
        if filing is not None and scope == "financials"
        else None,
        "lines": lines,
    }
