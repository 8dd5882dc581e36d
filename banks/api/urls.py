from rest_framework.routers import SimpleRouter

from . import financing_views, reference_views, views

router = SimpleRouter()
router.register("recommendations", views.RecommendationViewSet, basename="recommendation")
router.register("banks", reference_views.BankViewSet, basename="bank")
router.register("branches", reference_views.BranchViewSet, basename="branch")
router.register("products", reference_views.LoanProductViewSet, basename="product")

router.register("financing-needs", financing_views.FinancingNeedViewSet, basename="financing-need")
router.register("financing-applications", financing_views.FirmApplicationViewSet, basename="financing-application")
router.register("incoming-applications", financing_views.IncomingApplicationViewSet, basename="incoming-application")

urlpatterns = router.urls
