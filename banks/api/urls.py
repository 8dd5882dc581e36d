from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("recommendations", views.RecommendationViewSet, basename="recommendation")

urlpatterns = router.urls
