from django.urls import path

from . import claim_views, import_views, review_views

app_name = "review"

urlpatterns = [
    path("", review_views.queue, name="queue"),
    path("import/", import_views.import_page, name="import"),
    path("import/template/", import_views.import_template, name="import-template"),
    path("export/", import_views.export_filings, name="export"),
    path("bulk-approve/", review_views.bulk_approve, name="bulk-approve"),
    path("approve-matching/", review_views.approve_matching, name="approve-matching"),
    path("<int:pk>/", review_views.detail, name="detail"),
    path("evidence/<int:pk>/", review_views.evidence_download, name="evidence"),
    path("<int:pk>/approve/", review_views.approve, name="approve"),
    path("<int:pk>/return/", review_views.return_, name="return"),
    path("claims/", claim_views.claim_list, name="claims"),
    path("claims/<int:pk>/licence/", claim_views.claim_licence, name="claim-licence"),
    path("claims/<int:pk>/approve/", claim_views.claim_decide, {"decision": "approve"}, name="claim-approve"),
    path("claims/<int:pk>/reject/", claim_views.claim_decide, {"decision": "reject"}, name="claim-reject"),
]
