from rest_framework.routers import SimpleRouter

from . import reference_views, views

router = SimpleRouter()
router.register("recommendations", views.RecommendationViewSet, basename="recommendation")
router.register("banks", reference_views.BankViewSet, basename="bank")
router.register("branches", reference_views.BranchViewSet, basename="branch")
router.register("products", reference_views.LoanProductViewSet, basename="product")

urlpatterns = router.urls
