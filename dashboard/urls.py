from django.urls import path

from . import backtest_views as backtest
from . import views as dashboard

app_name = "dashboard"

urlpatterns = [
    path("", dashboard.funnel_page, name="funnel"),
    path("export/", dashboard.funnel_export, name="export"),
    path("backtest/", backtest.backtest_page, name="backtest"),
    path("backtest/export/", backtest.backtest_export, name="backtest-export"),
    path("bank/backtest/", backtest.bank_backtest_page, name="bank-backtest"),
    path("bank/backtest/export/", backtest.bank_backtest_export, name="bank-backtest-export"),
]
