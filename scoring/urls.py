from django.urls import path

from . import batch_field_views, compare_views, objection_views, result_views, system_views, views

app_name = "scoring"

urlpatterns = [
    path("batches/", views.batch_list, name="batch-list"),
    path("batches/new/", views.batch_create_view, name="batch-create"),
    path("batches/<int:pk>/", views.batch_detail, name="batch-detail"),
    path("batches/<int:pk>/edit/", views.batch_edit, name="batch-edit"),
    path("batches/<int:pk>/open/", views.batch_open, name="batch-open"),
    path("batches/<int:pk>/close/", views.batch_close, name="batch-close"),
    path("batches/<int:pk>/fields/", batch_field_views.batch_fields, name="batch-fields"),
    path("batches/<int:pk>/fields/<int:field_pk>/", batch_field_views.batch_field_edit, name="batch-field-edit"),
    path(
        "batches/<int:pk>/fields/<int:field_pk>/delete/",
        batch_field_views.batch_field_delete_view,
        name="batch-field-delete",
    ),
    path("batches/<int:pk>/runs/", views.run_start, name="run-start"),
    path("runs/<int:pk>/", views.run_detail, name="run-detail"),
    path("runs/<int:pk>/progress/", views.run_progress, name="run-progress"),
    path("runs/<int:pk>/results/", result_views.run_results, name="run-results"),
    path("runs/<int:pk>/results.csv", result_views.run_results_export, name="run-results-export"),
    path("runs/<int:pk>/results/<int:enterprise_id>/", result_views.run_result_detail, name="run-result-detail"),
    path("runs/<int:pk>/publish/", views.run_publish, name="run-publish"),
    path("runs/<int:pk>/cancel/", views.run_cancel, name="run-cancel"),
    path("objections/", objection_views.objection_queue, name="objection-queue"),
    path("objections/<int:pk>/", objection_views.objection_detail, name="objection-detail"),
    path("objections/<int:pk>/rerun/", objection_views.objection_rerun_view, name="objection-rerun"),
    path("compare/", compare_views.compare, name="compare"),
    path("compare.xlsx", compare_views.compare_export, name="compare-export"),
    path("systems/", system_views.system_list, name="system-list"),
    path("systems/<int:pk>/", system_views.system_detail, name="system-detail"),
    path("systems/<int:pk>/clone/", system_views.system_clone, name="system-clone"),
    path("systems/<int:pk>/edit/", system_views.system_edit, name="system-edit"),
    path("systems/<int:pk>/freeze/", system_views.system_freeze, name="system-freeze"),
]
