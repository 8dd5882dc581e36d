from django.urls import path

from . import views

app_name = "loans"

urlpatterns = [
    path("", views.loan_list, name="list"),
    path("new/<int:pk>/", views.loan_create, name="create"),
    path("<int:pk>/", views.loan_detail, name="detail"),
    path("<int:pk>/repayment/", views.loan_repayment, name="repayment"),
    path("warnings/", views.warning_list, name="warnings"),
    path("warnings/<int:pk>/acknowledge/", views.warning_acknowledge, name="warning-acknowledge"),
]
