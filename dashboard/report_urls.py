from django.urls import path

from . import report_views

app_name = "report"

urlpatterns = [
    path("", report_views.report, name="page"),
    path("print/", report_views.report_print, name="print"),
    path("self-assessment/", report_views.self_assessment, name="self-assessment"),
]
