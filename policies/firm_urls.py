from django.urls import path

from . import firm_views

app_name = "policies-firm"

urlpatterns = [path("", firm_views.firm_policy_list, name="list")]
