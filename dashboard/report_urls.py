from django.urls import path

from scoring import objection_views

from . import certificate_views, report_views

app_name = "report"

urlpatterns = [
    path("", report_views.report, name="page"),
    path("print/", report_views.report_print, name="print"),
    path("certificate/", certificate_views.certificate_download, name="certificate"),
    path("objections/", objection_views.firm_objections, name="objections"),
    path("self-assessment/", report_views.self_assessment, name="self-assessment"),
]
