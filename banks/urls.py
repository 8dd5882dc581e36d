from django.urls import path

from . import application_views, client_views, views

app_name = "banks"

urlpatterns = [
    path("", views.recommendation_list, name="list"),
    path("export/", views.recommendation_export, name="export"),
    path("dropped/", views.recommendation_dropped, name="dropped"),
    path("r/<int:pk>/", views.recommendation_detail, name="detail"),
    path("r/<int:pk>/claim/", views.recommendation_claim_view, name="claim"),
    path("r/<int:pk>/status/", views.recommendation_status_view, name="status"),
    path("r/<int:pk>/notes/", views.recommendation_notes_view, name="notes"),
    path("r/<int:pk>/reopen/", views.recommendation_reopen_view, name="reopen"),
    path("r/<int:pk>/reassign/", views.recommendation_reassign_view, name="reassign"),
    path("products/", views.product_list, name="product-list"),
    path("products/new/", views.product_edit, name="product-create"),
    path("products/<int:pk>/", views.product_edit, name="product-edit"),
    path("applications/", application_views.application_list, name="applications"),
    path("applications/<int:pk>/", application_views.application_detail, name="application-detail"),
    path("applications/<int:pk>/status/", application_views.application_status, name="application-status"),
    path("notices/", views.notice_list, name="notices"),
    path("api-clients/", client_views.api_client_list, name="api-clients"),
    path("api-clients/new/", client_views.api_client_new, name="api-client-create"),
    path("api-clients/<int:pk>/revoke/", client_views.api_client_revoke_view, name="api-client-revoke"),
]
