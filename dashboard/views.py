"""The bureau's funnel dashboard (scoped to the officer's region), with charts and an Excel export."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from core.exports import xlsx_row
from core.models import Bank
from core.permissions import bureau_required
from core.widgets import RegionPickerWidget

from .selectors import dashboard_batches, funnel, funnel_region

COLUMNS = (
    "collected",
    "recommended",
    "list_rows",
    "banks",
    "worked",
    "contract_firms",
    "contract_amount",
    "guarantees",
    "guarantee_amount",
)


def _headers() -> list[str]:
    return [
        _("采集企业"),
        _("推荐企业"),
        _("推送名单条数"),
        _("银行数"),
        _("已对接"),
        _("签约企业"),
        _("签约金额(万元)"),
        _("担保贷款笔数"),
        _("担保金额(万元)"),
    ]


def _selection(request):
    staff = request.bureau_staff
    batches = list(dashboard_batches(user=request.user).select_related("scoring__published_run"))
    batch = next((b for b in batches if str(b.pk) == request.GET.get("batch")), batches[0] if batches else None)
    try:
        region = funnel_region(scope=staff.region_scope, requested=request.GET.get("region", ""))
    except ApplicationError as error:
        messages.error(request, error.message)  # the same rule as the API, which answers 400
        region = staff.region_scope
    bank = None
    if request.GET.get("bank", "").isdigit():
        bank = Bank.objects.filter(pk=request.GET["bank"]).first()
    return batches, batch, region, bank


@bureau_required
def funnel_page(request):
    batches, batch, region, bank = _selection(request)
    data = funnel(batch=batch, scope=region, bank=bank) if batch else None
    context = {
        "batches": batches,
        "batch": batch,
        "region": region,
        "bank": bank,
        "data": data,
        "banks": Bank.objects.order_by("code").only("pk", "code", "short_name"),
        "headers": _headers(),
        "scope": request.bureau_staff.region_scope,
        # Chosen by name inside the officer's own region; the region asked is checked by funnel_region.
        "region_picker": RegionPickerWidget(root=request.bureau_staff.region_scope, empty_label=_("全国")).render(
            "region", region, attrs={"id": "funnel-region"}
        ),
    }
    if data:
        stages = [_("采集企业"), _("推荐企业"), _("已对接"), _("签约企业"), _("担保贷款笔数")]
        values = [
            data.total.collected,
            data.total.recommended,
            data.total.worked,
            data.total.contract_firms,
            data.total.guarantees,
        ]
        context["chart"] = {
            "funnel": [{"name": n, "value": v} for n, v in zip(stages, values, strict=True)],
            "provinces": [r.label for r in data.by_province],
            "province_recommended": [r.recommended for r in data.by_province],
            "province_contracts": [r.contract_firms for r in data.by_province],
            "banks": [r.label for r in data.by_bank],
            "bank_rows": [r.list_rows for r in data.by_bank],
            "bank_amount": [float(r.contract_amount) for r in data.by_bank],
        }
    return render(request, "dashboard/funnel.html", context)


@bureau_required
def funnel_export(request):
    from openpyxl import Workbook

    _batches, batch, region, bank = _selection(request)
    if batch is None:
        raise Http404
    data = funnel(batch=batch, scope=region, bank=bank)
    book = Workbook(write_only=True)
    for title, rows in ((_("合计"), [data.total]), (_("按地区"), data.by_province), (_("按银行"), data.by_bank)):
        sheet = book.create_sheet(title)
        sheet.append(xlsx_row(sheet, [_("名称"), *_headers()]))
        for row in rows:
            sheet.append(xlsx_row(sheet, [row.label or batch.name, *[getattr(row, c) for c in COLUMNS]]))
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="funnel-{batch.pk}-{region or "national"}.xlsx"'
    book.save(response)
    return response
