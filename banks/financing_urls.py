"""The firm's pages for finding money, mounted at /enterprise/financing/."""

from django.urls import path

from . import financing_views

app_name = "financing"

urlpatterns = [
    path("", financing_views.needs, name="needs"),
    path("<int:pk>/withdraw/", financing_views.need_withdraw, name="need-withdraw"),
    path("products/", financing_views.products, name="products"),
    path("products/apply/", financing_views.apply, name="apply"),
]
