"""The API, version 1 (mounted at /api/v1/): one router for every app's API module. See docs/api.md."""

from django.urls import include, path, re_path

from scoring.api.views import ApiNotFoundView

app_name = "api"

urlpatterns = [
    path("", include("scoring.api.urls")),
    path("", include("enterprises.api.urls")),
    path("", include("banks.api.urls")),
    path("", include("loans.api.urls")),
    path("", include("guarantees.api.urls")),
    path("", include("dashboard.api.urls")),
    re_path(r"", ApiNotFoundView.as_view(), name="not-found"),  # last: every other path is a JSON 404
]
