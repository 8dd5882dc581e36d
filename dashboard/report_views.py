"""The firm's score report page and its print view."""

from django.shortcuts import render
from django.utils.translation import gettext as _

from core.permissions import enterprise_required
from enterprises.batch_fields import batch_fields_of
from enterprises.forms import extra_initial
from enterprises.models import Submission
from scoring.labels import indicator_category, indicator_name
from scoring.models import Indicator
from scoring.selectors import what_if_score

from .forms import WHAT_IF_FIELDS, WhatIfForm
from .report import REASONS, published_score_history, score_report


def _report_context(request) -> dict:
    history = published_score_history(enterprise=request.enterprise)
    context = {"enterprise": request.enterprise, "history": history, "report": None}
    if history:
        latest = history[0]
        report = score_report(enterprise=request.enterprise, run=latest.run, score_row=latest)
        context["report"] = report
        context["charts"] = {
            "categories": [
                {"name": indicator_category(c["name"]), "points": round(c["points"], 2), "max": c["maximum"]}
                for c in report.categories
            ],
            "indicators": [
                {
                    "code": line.code,
                    "name": indicator_name(line.name),
                    "points": round(line.points, 2),
                    "max": line.maximum,
                }
                for line in report.indicators
            ],
            "labels": {"points": _("得分"), "max": _("满分")},
            "history": [{"batch": s.run.batch.name, "total": float(s.total)} for s in reversed(history)],
        }
    return context


@enterprise_required
def report(request):
    return render(request, "enterprises/report.html", _report_context(request))


@enterprise_required
def report_print(request):
    return render(request, "enterprises/report_print.html", _report_context(request))


@enterprise_required
def self_assessment(request):
    """自评: the firm's values changed in a form, scored against the published run's peers; shown, never stored."""
    history = published_score_history(enterprise=request.enterprise)
    row = history[0] if history else None
    context = {"enterprise": request.enterprise, "row": row, "result": None}
    if row is None:
        return render(request, "enterprises/self_assessment.html", context)
    filing = Submission.objects.filter(enterprise=request.enterprise, batch_id=row.run.batch_id).first()
    batch_fields = batch_fields_of(row.run.batch_id)
    initial = {name: getattr(filing, name) for name in WHAT_IF_FIELDS} if filing else {}
    initial |= extra_initial(batch_fields, filing.extra_values if filing else {})
    form = WhatIfForm(request.POST if request.method == "POST" else None, initial=initial, batch_fields=batch_fields)
    context["form"] = form
    if request.method == "POST" and form.is_valid():
        result = what_if_score(score_row=row, values=form.values())
        context["unavailable"] = result is None
        if result is not None:
            names = dict(Indicator.objects.filter(system_id=row.run.system_id).values_list("code", "name"))
            context["result"] = result
            context["change"] = f"{result.total - float(row.total):+.2f}"
            context["reasons"] = [REASONS[code][0] for code in result.reasons if code in REASONS]
            context["lines"] = [
                {"code": code, "name": names.get(code, code), "published": row.points[j], "simulated": result.points[j]}
                for j, code in enumerate(row.run.indicator_codes)
            ]
    return render(request, "enterprises/self_assessment.html", context)
