from django.urls import path

from . import views

urlpatterns = [
    path("statistics/funnel/", views.FunnelStatisticsView.as_view(), name="statistics-funnel"),
]
