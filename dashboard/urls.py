from django.urls import path

from . import views as dashboard

app_name = "dashboard"

urlpatterns = [
    path("", dashboard.funnel_page, name="funnel"),
    path("export/", dashboard.funnel_export, name="export"),
]
