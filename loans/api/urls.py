from django.urls import re_path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("loans", views.LoanContractViewSet, basename="loan")
router.register("loan-warnings", views.LoanWarningViewSet, basename="loan-warning")

urlpatterns = [
    *router.urls,
    re_path(
        r"^recommendations/(?P<id>[^/.]+)/loan/$",
        views.RecommendationLoanCreateView.as_view(),
        name="recommendation-loan",
    ),
]
