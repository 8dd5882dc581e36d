from django.urls import re_path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("guarantees", views.GuaranteeContractViewSet, basename="guarantee")
router.register("guarantors", views.GuarantorViewSet, basename="guarantor")

urlpatterns = [
    *router.urls,
    re_path(r"^loans/(?P<id>[^/.]+)/guarantee/$", views.LoanGuaranteeCreateView.as_view(), name="loan-guarantee"),
]
