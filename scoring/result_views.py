"""Bureau pages for the per-firm results of a run (any run, trial included): the list with search, filters, sort
and keyset pages, its CSV export, and one firm's per-indicator breakdown. Thin: ``scoring.results`` reads."""

from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.exports import csv_lines
from core.models import IndustrySection
from core.permissions import bureau_required

from .choices import Grade, Stage
from .results import (
    EXPORT_HEADER,
    RESULT_ORDERS,
    order_key,
    result_breakdown,
    results_export_rows,
    results_page,
    results_queryset,
    results_run,
)

FILTER_KEYS = ("q", "region", "section", "stage", "grade", "eligible", "order")


def _run_or_404(request, pk: int):
    run = results_run(who=request.user, run_id=pk)
    if run is None:
        raise Http404
    return run


@bureau_required
@require_GET
def run_results(request, pk: int):
    run = _run_or_404(request, pk)
    scores, filterset = results_queryset(who=request.user, run=run, params=request.GET)
    order = order_key(request.GET.get("order"))
    page = results_page(scores, order=order, cursor=request.GET.get("after", "")[:200])
    query = request.GET.copy()
    query.pop("after", None)
    context = {
        "run": run, "page": page, "filterset": filterset, "query": query.urlencode(),
        "values": {key: request.GET.get(key, "") for key in FILTER_KEYS}, "orders": [
            (key, label) for key, (_column, _descending, label) in RESULT_ORDERS.items()],
        "sections": IndustrySection.objects.all(), "stages": Stage.choices, "grades": Grade.choices,
    }  # fmt: skip
    return render(request, "scoring/run_results.html", context, status=200 if filterset.is_valid() else 400)


@bureau_required
@require_GET
def run_results_export(request, pk: int):
    run = _run_or_404(request, pk)
    scores, filterset = results_queryset(who=request.user, run=run, params=request.GET)
    if not filterset.is_valid():
        raise Http404
    rows = results_export_rows(scores, order=request.GET.get("order"))
    response = StreamingHttpResponse(csv_lines([str(h) for h in EXPORT_HEADER], rows),
                                     content_type="text/csv; charset=utf-8")  # fmt: skip
    response["Content-Disposition"] = f'attachment; filename="run{run.pk}-results.csv"'
    return response


@bureau_required
@require_GET
def run_result_detail(request, pk: int, enterprise_id: int):
    run = _run_or_404(request, pk)
    breakdown = result_breakdown(who=request.user, run=run, enterprise_id=enterprise_id)
    if breakdown is None:
        raise Http404
    context = {"run": run, "breakdown": breakdown, "score": breakdown.score, "title": _("单个企业的评分明细")}
    return render(request, "scoring/run_result_detail.html", context)
