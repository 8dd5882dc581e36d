"""The score back-test pages: the bureau's (loans in its region, counted) and a bank's (its own loans), with the same
numbers from ``dashboard.backtest``, charts and a CSV export."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.actors import actor_of
from core.exceptions import ApplicationError
from core.exports import csv_lines
from core.permissions import bank_officer_required, bureau_required
from core.regions import in_region
from loans.models import LoanContract

from .backtest import backtest, backtest_runs
from .selectors import funnel_region


def _selection(request, *, bureau: bool):
    actor = actor_of(request)
    runs = list(backtest_runs(actor))
    run = next((r for r in runs if str(r.pk) == request.GET.get("run")), runs[0] if runs else None)
    region = actor.region
    try:
        region = funnel_region(scope=actor.region, requested=request.GET.get("region", ""))
    except ApplicationError as error:
        messages.error(request, error.message)
    if bureau:  # the bureau counts loans in aggregate in its region and reads no contract (like the funnel)
        loans = in_region(LoanContract.objects.all(), "enterprise__region_code", region)
    else:
        loans = in_region(LoanContract.objects.visible_to(actor), "enterprise__region_code", region)
    return runs, run, region, loans


def _page(request, *, bureau: bool):
    runs, run, region, loans = _selection(request, bureau=bureau)
    data = backtest(run=run, loans=loans) if run else None
    context = {
        "runs": runs,
        "run": run,
        "region": region,
        "scope": actor_of(request).region,
        "data": data,
        "bureau": bureau,
        "base_template": "bureau_base.html" if bureau else "bank_base.html",
        "export_url": "dashboard:backtest-export" if bureau else "dashboard:bank-backtest-export",
    }
    if data:
        context["chart"] = {
            "grades": [r.label for r in data.by_grade],
            "grade_default": [_float(r.default_rate) for r in data.by_grade],
            "grade_overdue": [_float(r.overdue_rate) for r in data.by_grade],
            "grade_loans": [r.loans for r in data.by_grade],
            "bands": [r.label for r in data.by_band],
            "band_default": [_float(r.default_rate) for r in data.by_band],
            "band_loans": [r.loans for r in data.by_band],
        }
    return render(request, "dashboard/backtest.html", context)


def _float(value):
    return None if value is None else float(value)


def _export(request, *, bureau: bool):
    _runs, run, region, loans = _selection(request, bureau=bureau)
    if run is None:
        raise Http404
    data = backtest(run=run, loans=loans)
    header = [_("分组"), _("名称"), _("贷款笔数"), _("逾期(含违约)笔数"), _("违约笔数"), _("逾期率(%)"),
              _("违约率(%)"), _("担保金额(万元)"), _("代偿金额(万元)"), _("代偿率(%)")]  # fmt: skip
    sections = ((_("合计"), [data.total]), (_("等级"), data.by_grade), (_("总分区间"), data.by_band),
                (_("地区"), data.by_province), (_("银行"), data.by_bank))  # fmt: skip

    def rows():
        for title, group in sections:
            for r in group:
                yield [title, r.label, r.loans, r.overdue, r.defaults, r.overdue_rate, r.default_rate,
                       r.guaranteed, r.compensated, r.compensation_rate]  # fmt: skip
        yield ["AUC", run.system.code, "", "", "", "", "", "", "", "" if data.auc is None else f"{data.auc:.4f}"]

    response = StreamingHttpResponse(csv_lines(header, rows()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="backtest-{run.pk}-{region or "national"}.csv"'
    return response


@bureau_required
def backtest_page(request):
    return _page(request, bureau=True)


@bureau_required
def backtest_export(request):
    return _export(request, bureau=True)


@bank_officer_required
def bank_backtest_page(request):
    return _page(request, bureau=False)


@bank_officer_required
def bank_backtest_export(request):
    return _export(request, bureau=False)
