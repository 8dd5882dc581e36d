"""The firm's score report page and its print view."""

from django.shortcuts import render
from django.utils.translation import gettext as _

from core.permissions import enterprise_required
from scoring.labels import indicator_category, indicator_name

from .report import published_score_history, score_report


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
