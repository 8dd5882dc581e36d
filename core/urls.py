from django.urls import path

from . import client_views

app_name = "api-clients"

urlpatterns = [
    path("", client_views.api_client_list, name="list"),
    path("new/", client_views.api_client_new, name="create"),
    path("<int:pk>/revoke/", client_views.api_client_revoke_view, name="revoke"),
]
