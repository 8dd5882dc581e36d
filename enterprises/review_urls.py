from django.urls import path

from . import import_views, review_views

app_name = "review"

urlpatterns = [
    path("", review_views.queue, name="queue"),
    path("import/", import_views.import_page, name="import"),
    path("export/", import_views.export_filings, name="export"),
    path("bulk-approve/", review_views.bulk_approve, name="bulk-approve"),
    path("<int:pk>/", review_views.detail, name="detail"),
    path("evidence/<int:pk>/", review_views.evidence_download, name="evidence"),
    path("<int:pk>/approve/", review_views.approve, name="approve"),
    path("<int:pk>/return/", review_views.return_, name="return"),
]
