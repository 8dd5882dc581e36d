from django.urls import path

from . import certificate_views

app_name = "verify"

urlpatterns = [
    path("", certificate_views.verify, name="page"),
    path("recognised/", certificate_views.recognised, name="recognised"),
    path("recognise/", certificate_views.recognise, name="recognise"),
    path("issued/", certificate_views.issued, name="issued"),
    path("<uuid:certificate_id>/", certificate_views.verify_detail, name="detail"),
    path("<uuid:certificate_id>/revoke/", certificate_views.revoke, name="revoke"),
]
