from django.urls import path

from . import views

app_name = "guarantees"

urlpatterns = [
    path("", views.guarantee_list, name="list"),
    path("<int:pk>/", views.guarantee_detail, name="detail"),
    path("for-loan/<int:loan>/", views.guarantee_create, name="create"),
]
