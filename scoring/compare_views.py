"""Bureau page comparing two runs (``scoring.comparison``): choose them, read the figures and charts, download Excel.
Thin: the comparison is computed in one call over the stored scores."""

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.exports import xlsx_row
from core.permissions import bureau_required

from .choices import RunState
from .comparison import comparison_firms, run_comparison
from .models import ScoringRun

COMPARABLE = (RunState.COMPUTED, RunState.PUBLISHED)


def _runs(request):
    return ScoringRun.objects.visible_to(request.user).filter(state__in=COMPARABLE).select_related("batch", "system")


def _chosen(request):
    """The two runs named by ``?base=`` and ``?other=``, or ``None`` when none is named; a run the caller may not
    see (or not computed) is a 404."""
    raw = request.GET.get("base", ""), request.GET.get("other", "")
    if not any(raw):
        return None
    if not all(value.isdigit() and len(value) < 19 for value in raw):
        raise Http404
    runs = {run.pk: run for run in _runs(request).filter(pk__in=[int(v) for v in raw])}
    base, other = runs.get(int(raw[0])), runs.get(int(raw[1]))
    if base is None or other is None:
        raise Http404
    return base, other


def comparison_chart(comparison) -> dict:
    """What the page's charts plot (``static/js/compare.js``): the rank-shift bins and eligible firms per province."""
    return {
        "shifts": [label for label, _n in comparison.shifts], "shift_counts": [n for _l, n in comparison.shifts],
        "provinces": [row["name"] for row in comparison.by_province],
        "province_base": [row["eligible_base"] for row in comparison.by_province],
        "province_other": [row["eligible_other"] for row in comparison.by_province],
    }  # fmt: skip


@bureau_required
@require_GET
def compare(request):
    chosen = _chosen(request)
    comparison = run_comparison(who=request.user, base=chosen[0], other=chosen[1]) if chosen else None
    chart = comparison_chart(comparison) if comparison is not None else None
    context = {
        "runs": _runs(request).order_by("-created_at")[:200], "comparison": comparison, "chart": chart,
        "base_id": chosen[0].pk if chosen else None, "other_id": chosen[1].pk if chosen else None,
        "migration_rows": list(zip(comparison.grades, comparison.migration, strict=True)) if comparison else [],
        "base_name": f"#{chosen[0].pk} {chosen[0].system.key}" if chosen else "",
        "other_name": f"#{chosen[1].pk} {chosen[1].system.key}" if chosen else "",
    }  # fmt: skip
    return render(request, "scoring/compare.html", context)


@bureau_required
@require_GET
def compare_export(request):
    chosen = _chosen(request)
    if chosen is None:  # nothing chosen yet: the page where one chooses
        return redirect("scoring:compare")
    comparison = run_comparison(who=request.user, base=chosen[0], other=chosen[1])
    from openpyxl import Workbook

    book = Workbook(write_only=True)

    def sheet(title, header, rows):
        page = book.create_sheet(title)
        page.append(xlsx_row(page, header))
        for row in rows:
            page.append(xlsx_row(page, row))

    base, other = comparison.base, comparison.other
    names = {"base": f"#{base.pk} {base.system.key}", "other": f"#{other.pk} {other.system.key}"}
    sheet(_("概要"), [_("项目"), names["base"], names["other"]], [
        [_("评价企业数"), comparison.counts["firms_base"], comparison.counts["firms_other"]],
        [_("可推荐企业数"), comparison.counts["eligible_base"], comparison.counts["eligible_other"]],
        [_("两次均参评的企业"), comparison.counts["matched"], comparison.counts["matched"]],
        [_("新进入可推荐名单"), "", comparison.counts["entered"]],
        [_("退出可推荐名单"), comparison.counts["left"], ""],
        [_("等级变化的企业"), "", comparison.counts["grade_changed"]],
    ])  # fmt: skip
    sheet(_("等级迁移"), [f"{names['base']} \\ {names['other']}", *comparison.grades],
          [[grade, *row] for grade, row in zip(comparison.grades, comparison.migration, strict=True)])  # fmt: skip
    firm_header = [_("统一社会信用代码"), _("企业名称"), _("行政区划代码")]
    sheet(_("新进入名单"), firm_header, comparison_firms(comparison.entered_ids))
    sheet(_("退出名单"), firm_header, comparison_firms(comparison.left_ids))
    sheet(_("排名变化分布"), [_("全国排名变化"), _("企业数")], comparison.shifts)
    movers = [[_("方向"), _("统一社会信用代码"), _("企业名称"), names["base"], names["other"], _("变化")]]
    for direction, rows in ((_("上升"), comparison.movers_up), (_("下降"), comparison.movers_down)):
        movers += [[direction, r["credit_code"], r["name"], r["total_base"], r["total_other"], r["delta"]]
                   for r in rows]  # fmt: skip
    sheet(_("变动最大"), movers[0], movers[1:])
    group_header = [_("代码"), _("名称"), _("可推荐") + " " + names["base"], _("可推荐") + " " + names["other"],
                    _("变化"), _("平均总分变化")]  # fmt: skip
    for title, rows in ((_("按省份"), comparison.by_province), (_("按行业门类"), comparison.by_section)):
        sheet(title, group_header, [[r["key"], r["name"], r["eligible_base"], r["eligible_other"],
                                     r["eligible_delta"], r["mean_delta"]] for r in rows])  # fmt: skip
    sheet(
        _("指标贡献"),
        [_("指标代码"), _("指标名称"), names["base"], names["other"], _("变化")],
        [[r["code"], r["name"], r["mean_base"], r["mean_other"], r["delta"]] for r in comparison.indicators],
    )
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="compare-run{base.pk}-run{other.pk}.xlsx"'
    book.save(response)
    return response
