"""Read-only API of scoring: indicator systems, batches, runs, published scores, rankings, the CSV export and the
funnel statistics. Thin: the querysets come from ``scoping`` (who sees what) and the FilterSets of ``filters``."""

from __future__ import annotations

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Left
from django.http import Http404, StreamingHttpResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from core.actors import actor_of
from core.api.pagination import IdCursorPagination, ScoreCursorPagination, StrictOrderingFilter
from enterprises.access import bank_read_log
from enterprises.choices import BankRead, SubmissionStatus
from enterprises.models import Submission
from scoring.filters import BatchFilterSet, IndicatorSystemFilterSet, ScoreFilterSet, ScoringRunFilterSet
from scoring.models import Score, ScoringRun
from scoring.results import results_run, results_search

from . import scoping
from .export import scores_csv
from .serializers import (
    BatchSerializer,
    FunnelSerializer,
    IndicatorSystemSerializer,
    RankingEntrySerializer,
    RunScoreSerializer,
    ScoreSerializer,
    ScoringRunSerializer,
)

SCORES_READ = "scores:read"

CREDIT_CODE = r"[0-9A-HJ-NPQRTUWXY]{18}"
REGION_PROVINCE_DIVISOR = 10_000  # 440305 // 10,000 = 44, the province


class ScoringReadMixin:
    required_scope = SCORES_READ
    lookup_value_regex = r"[^/]+"  # a malformed id is a JSON 404 from the queryset, not an HTML page from the URLconf

    @property
    def actor(self):
        return actor_of(self.request)


@extend_schema_view(
    list=extend_schema(summary="指标体系列表 / Indicator systems"),
    retrieve=extend_schema(summary="指标体系详情(含指标) / An indicator system with its indicators"),
)
class IndicatorSystemViewSet(ScoringReadMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = IndicatorSystemSerializer
    filterset_class = IndicatorSystemFilterSet
    pagination_class = IdCursorPagination

    def get_queryset(self):
        return scoping.systems_for(self.actor).prefetch_related("indicators")


@extend_schema_view(
    list=extend_schema(summary="评价批次列表 / Batches"),
    retrieve=extend_schema(summary="评价批次详情 / A batch"),
)
class BatchViewSet(ScoringReadMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = BatchSerializer
    filterset_class = BatchFilterSet
    pagination_class = IdCursorPagination

    def get_queryset(self):
        return scoping.batches_for(self.actor).select_related("scoring__system")


@extend_schema_view(
    list=extend_schema(summary="评分任务列表(状态与进度) / Scoring runs with state and progress"),
    retrieve=extend_schema(summary="评分任务详情 / A scoring run"),
)
class ScoringRunViewSet(ScoringReadMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ScoringRunSerializer
    filterset_class = ScoringRunFilterSet
    pagination_class = IdCursorPagination

    def get_queryset(self):
        return scoping.runs_for(self.actor).select_related("system").defer("timings", "input_digest")


class PublishedRunMixin(ScoringReadMixin):
    """Views under ``batches/<batch_id>/``: the batch's published run, or a 404."""

    def published_run(self) -> ScoringRun:
        if not hasattr(self, "_run"):
            run = scoping.published_run_for(self.actor, self.kwargs["batch_id"])
            if run is None:
                raise Http404
            self._run = run
        return self._run

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self, "swagger_fake_view", False):
            return context
        run = self.published_run()
        return {**context, "indicator_codes": run.indicator_codes, "batch": run.batch_id}


class ScoreFilterBackend(DjangoFilterBackend):
    """``ScoreFilterSet``, with a grade filter replaced by the equivalent total ranges (``grade_total_ranges``).

    The grade column and the total are perfectly correlated, which the planner cannot know: given both, it multiplies
    their selectivities, expects a handful of rows and sorts them all (grade B in Guangdong: 120 ms); given the range
    alone, it walks the partition's index on ``total`` from the grade's upper limit and stops after one page.
    """

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        grades = kwargs["data"].getlist("grade")
        if grades and not getattr(view, "swagger_fake_view", False):
            ranges = scoping.grade_total_ranges(view.published_run(), grades)
            if ranges is not None:  # every grade named is a band (so valid): filter by its range instead
                data = kwargs["data"].copy()
                data.pop("grade")
                kwargs.update(data=data, queryset=kwargs["queryset"].filter(ranges))
        return kwargs


class PublishedScoreListView(PublishedRunMixin, generics.ListAPIView):
    """A batch's published scores that the caller may read, best first, with the score filters: the score list and
    the rankings differ only in their representation, the columns they read and the rankings' path scope."""

    filterset_class = ScoreFilterSet
    filter_backends = [ScoreFilterBackend]
    pagination_class = ScoreCursorPagination
    columns: tuple[str, ...] = scoping.SCORE_COLUMNS

    read = BankRead.SCORE_LIST
    """How a bank's read of this list goes to each named firm's access log."""

    def narrowed(self, scores: QuerySet[Score]) -> QuerySet[Score]:
        """The scores the path selects (all of the run by default)."""
        return scores

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            bank_read_log(self.request, enterprise_ids=[row["enterprise_id"] for row in page], read=self.read)
        return page

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Score.objects.none()
        return self.narrowed(scoping.published_scores_for(self.actor, self.published_run())).values(*self.columns)


@extend_schema(
    summary="批次的已发布评分(可筛选,游标分页) / Published scores of a batch",
    parameters=[OpenApiParameter("batch_id", int, OpenApiParameter.PATH)],
)
class BatchScoreListView(PublishedScoreListView):
    serializer_class = ScoreSerializer
    filter_backends = [ScoreFilterBackend, StrictOrderingFilter]
    ordering_fields = ["enterprise_id"]


@extend_schema(
    summary="评分任务的每家企业结果(含试算,科技管理部门) / Per-firm results of any run, trials included (bureau)",
    parameters=[
        OpenApiParameter("run_id", int, OpenApiParameter.PATH),
        OpenApiParameter("q", str, description="企业名称(部分)或统一社会信用代码(开头) / Name or credit code"),
    ],
)
class RunScoreListView(ScoringReadMixin, generics.ListAPIView):
    """Every firm of the caller's region scored in the run, with the score filters, ``q`` (name or credit code),
    ``ordering`` and cursor pages. Bureau staff only (``ScoringRun.objects.visible_to``): a trial run is theirs."""

    serializer_class = RunScoreSerializer
    filterset_class = ScoreFilterSet
    filter_backends = [DjangoFilterBackend, StrictOrderingFilter]
    ordering_fields = ["total", "rank_national", "rank_province", "rank_industry", "stage_percentile", "enterprise_id"]
    pagination_class = ScoreCursorPagination

    def run(self) -> ScoringRun:
        if not hasattr(self, "_run"):
            run = results_run(who=self.actor, run_id=self.kwargs["run_id"])
            if run is None:
                raise Http404
            self._run = run
        return self._run

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self, "swagger_fake_view", False):
            return context
        run = self.run()
        return {**context, "indicator_codes": run.indicator_codes, "batch": run.batch_id}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Score.objects.none()
        scores = Score.objects.visible_to(self.actor).filter(run_id=self.run().pk)
        return results_search(scores, self.request.query_params.get("q", "")).values(*scoping.SCORE_COLUMNS)


@extend_schema(
    summary="按统一社会信用代码查询批次的已发布评分 / One firm's published score in a batch",
    parameters=[
        OpenApiParameter("batch_id", int, OpenApiParameter.PATH),
        OpenApiParameter("credit_code", str, OpenApiParameter.PATH, pattern=CREDIT_CODE),
    ],
)
class BatchScoreDetailView(ScoringReadMixin, generics.RetrieveAPIView):
    """One statement after authentication (``scoping.published_score_lookup``), compiled once per actor."""

    serializer_class = ScoreSerializer
    filter_backends = []

    def retrieve(self, request, *args, **kwargs):
        row = scoping.published_score_lookup(
            self.actor, batch_id=self.kwargs["batch_id"], credit_code=self.kwargs["credit_code"]
        )
        if row is None:
            raise Http404
        bank_read_log(request, enterprise_ids=[row["enterprise_id"]], read=BankRead.SCORE)
        return Response(ScoreSerializer(row).data)


@extend_schema(
    summary="企业在各批次的已发布评分 / A firm's published scores in every batch",
    parameters=[OpenApiParameter("credit_code", str, OpenApiParameter.PATH, pattern=CREDIT_CODE)],
    responses=ScoreSerializer(many=True),
)
class EnterpriseScoresView(ScoringReadMixin, generics.GenericAPIView):
    serializer_class = ScoreSerializer
    filter_backends = []
    pagination_class = None

    def get(self, request, credit_code: str):
        run_ids = scoping.published_run_ids_for(self.actor)
        scores = list(
            scoping.published_scores_for_runs(self.actor, run_ids)
            .filter(enterprise__credit_code=credit_code)
            .order_by("-run__batch__year", "run_id")
            .values(*scoping.LOOKUP_COLUMNS)
        )
        if not scores:
            raise Http404
        bank_read_log(request, enterprise_ids=[scores[0]["enterprise_id"]], read=BankRead.SCORE)
        return Response(ScoreSerializer(scores, many=True).data)


RANKING_SCOPES = {
    "national": ("rank_national", "全国排名 / National ranking"),
    "province": ("rank_province", "省内排名 / Ranking within a province"),
    "industry": ("rank_industry", "行业门类内排名 / Ranking within an industry section"),
}


class BatchRankingView(PublishedScoreListView):
    """Best first; ``rank`` is the national rank, or the rank within ``province`` / ``section`` of the path.
    The score filters apply too (e.g. ``?stage=startup``)."""

    serializer_class = RankingEntrySerializer
    read = BankRead.RANKING
    columns = scoping.RANKING_COLUMNS
    scope = "national"

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "rank_field": RANKING_SCOPES[self.scope][0]}

    def narrowed(self, scores):
        if self.scope == "province":
            return scores.in_region(self.kwargs["province"])
        if self.scope == "industry":
            return scores.filter(enterprise__section_id=self.kwargs["section"])
        return scores


BATCH_ID = OpenApiParameter("batch_id", int, OpenApiParameter.PATH)
NationalRankingView = extend_schema(summary=RANKING_SCOPES["national"][1], parameters=[BATCH_ID])(
    type("NationalRankingView", (BatchRankingView,), {"scope": "national"})
)
ProvinceRankingView = extend_schema(
    summary=RANKING_SCOPES["province"][1],
    parameters=[BATCH_ID, OpenApiParameter("province", str, OpenApiParameter.PATH, pattern=r"^[0-9]{2}$")],
)(type("ProvinceRankingView", (BatchRankingView,), {"scope": "province"}))
IndustryRankingView = extend_schema(
    summary=RANKING_SCOPES["industry"][1],
    parameters=[BATCH_ID, OpenApiParameter("section", str, OpenApiParameter.PATH, pattern=r"^[A-T]$")],
)(type("IndustryRankingView", (BatchRankingView,), {"scope": "industry"}))


class ForcedJSONMixin:
    """Errors as JSON whatever the ``Accept`` header asks for (a CSV client still gets a readable 404)."""

    renderer_classes = [JSONRenderer]

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)


@extend_schema(
    summary="导出批次已发布评分的 CSV(流式) / The published scores of a batch as streamed CSV",
    parameters=[OpenApiParameter("batch_id", int, OpenApiParameter.PATH)],
    responses={
        (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="Header row, then one row per firm."),
    },
)
class BatchScoreExportView(ForcedJSONMixin, PublishedRunMixin, generics.GenericAPIView):
    filterset_class = ScoreFilterSet
    pagination_class = None
    serializer_class = None

    def get(self, request, batch_id: int):
        run = self.published_run()
        scores = self.filter_queryset(scoping.published_scores_for(self.actor, run))
        if self.actor.is_bank:  # every firm of the file is in its access log (a bank sees consenting firms only)
            ids = scores.order_by().values_list("enterprise_id", flat=True)  # logged by INSERT … SELECT
            bank_read_log(request, enterprise_ids=ids, read=BankRead.SCORE_EXPORT)
        response = StreamingHttpResponse(scores_csv(run=run, scores=scores), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="scores-batch{batch_id}-run{run.pk}.csv"'
        return response


@extend_schema(
    summary="漏斗统计:填报、评分、可推荐(按省) / The funnel of a batch: collected, scored, eligible by province",
    parameters=[OpenApiParameter("batch_id", int, OpenApiParameter.PATH)],
    responses=FunnelSerializer,
)
class BatchFunnelView(ScoringReadMixin, generics.GenericAPIView):
    serializer_class = FunnelSerializer
    filter_backends = []
    pagination_class = None

    def get(self, request, batch_id: int):
        batch = scoping.batches_for(self.actor).filter(pk=batch_id).first()
        if batch is None:
            raise Http404
        region = scoping.enterprise_condition(self.actor, "enterprise__")
        collected = (
            Submission.objects.filter(region, batch_id=batch.pk)
            .exclude(status=SubmissionStatus.DRAFT)
            .values(province=Left("enterprise__region_code", 2))
            .annotate(n=Count("pk"))
        )
        rows: dict[str, dict] = {}
        for row in collected:
            rows.setdefault(row["province"], {"collected": 0, "scored": 0, "eligible": 0})["collected"] = row["n"]
        if batch.scoring.published_run_id is not None:
            # Counts, not firms: the whole scope, consent or not (a bank sees how many firms its region has).
            scored = (
                scoping.published_scores_counted_for(self.actor, batch.scoring.published_run_id)
                .values(province=F("region") / REGION_PROVINCE_DIVISOR)
                .annotate(n=Count("enterprise_id"), eligible=Count("enterprise_id", filter=Q(eligible=True)))
            )
            for row in scored:
                entry = rows.setdefault(f"{row['province']:02d}", {"collected": 0, "scored": 0, "eligible": 0})
                entry["scored"], entry["eligible"] = row["n"], row["eligible"]
        regions = [{"region_code": code, **rows[code]} for code in sorted(rows)]
        total = {key: sum(r[key] for r in regions) for key in ("collected", "scored", "eligible")}
        total_row = {"region_code": "", **total}
        return Response(
            {"batch": batch.pk, "run": batch.scoring.published_run_id, "total": total_row, "regions": regions}
        )


class ApiNotFoundView(ForcedJSONMixin, APIView):
    """Any other path under the API: a 404 in the error format (not Django's HTML page), whatever the method."""

    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes: list = []
    schema = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise NotFound
