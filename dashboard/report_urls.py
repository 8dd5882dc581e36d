from django.urls import path

from . import certificate_views, report_views

app_name = "report"

urlpatterns = [
    path("", report_views.report, name="page"),
    path("print/", report_views.report_print, name="print"),
    path("certificate/", certificate_views.certificate_download, name="certificate"),
    path("self-assessment/", report_views.self_assessment, name="self-assessment"),
]
