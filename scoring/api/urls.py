from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("systems", views.IndicatorSystemViewSet, basename="system")
router.register("batches", views.BatchViewSet, basename="batch")
router.register("runs", views.ScoringRunViewSet, basename="run")

CREDIT_CODE = r"(?P<credit_code>[0-9A-HJ-NPQRTUWXY]{18})"

urlpatterns = [
    *router.urls,
    path("batches/<int:batch_id>/scores/", views.BatchScoreListView.as_view(), name="batch-scores"),
    path("batches/<int:batch_id>/scores.csv", views.BatchScoreExportView.as_view(), name="batch-scores-csv"),
    path(
        "batches/<int:batch_id>/scores/<str:credit_code>/",
        views.BatchScoreDetailView.as_view(),
        name="batch-score-detail",
    ),
    path("batches/<int:batch_id>/rankings/", views.NationalRankingView.as_view(), name="batch-rankings"),
    re_path(
        r"^batches/(?P<batch_id>[0-9]+)/rankings/province/(?P<province>[0-9]{2})/$",
        views.ProvinceRankingView.as_view(),
        name="batch-rankings-province",
    ),
    re_path(
        r"^batches/(?P<batch_id>[0-9]+)/rankings/industry/(?P<section>[A-T])/$",
        views.IndustryRankingView.as_view(),
        name="batch-rankings-industry",
    ),
    path("batches/<int:batch_id>/funnel/", views.BatchFunnelView.as_view(), name="batch-funnel"),
    path("scores/<str:credit_code>/", views.EnterpriseScoresView.as_view(), name="enterprise-scores"),
    path("runs/<int:run_id>/scores/", views.RunScoreListView.as_view(), name="run-scores"),
]
