"""The bank officer portal: the recommendation list, a firm's profile, the follow-up workflow, loan products.

Thin: forms parse, services decide, selectors read. Everything is scoped with ``visible_to(user)``: another bank's
rows (or rows outside the officer's branch regions) are a 404.
"""

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import ApplicationError
from core.exports import csv_lines, xlsx_row
from core.labels import region_label, section_label, yes_no
from core.models import User
from core.permissions import bank_officer_required
from core.widgets import inputs_rendered_in_python
from enterprises.access import bank_read_log, client_ip
from enterprises.choices import BankRead
from enterprises.services import profile_access_record
from scoring.models import Score
from scoring.notice import release_due_check
from scoring.templatetags.scoring_labels import stage as stage_label

from .choices import RecommendationStatus
from .filters import RecommendationListFilterSet
from .financing_selectors import new_for_bank, open_need_counts, open_needs_for_bank
from .forms import LoanProductForm, NotesForm, ReassignForm, StatusForm
from .list_summary import dropped_count, filtered_count, list_overview
from .models import LoanProduct, Notice, Recommendation
from .selectors import (
    SORTS,
    bank_lists,
    dropped_rows,
    list_changes,
    named_consent_firms,
    profile_consent_scope,
    reassign_candidates,
    recommendation_page,
    suggested_lines,
)
from .services import (
    TRANSITIONS,
    loan_product_create,
    loan_product_update,
    recommendation_claim,
    recommendation_mark_viewed,
    recommendation_note,
    recommendation_reassign,
    recommendation_reopen,
    recommendation_transition,
)

PAGE_SIZE = 50
WITHDRAWN_SHOWN = 200  # worked rows whose consent lapsed, listed apart on the list page (few: clicks, not a push)
EXPORT_MAX_ROWS = 100_000  # a whole national list (~70,000) fits; beyond that, the API


def _filtered(request):
    """The officer's current list through the FilterSet the API shares (``banks.filters``); a value that names nothing
    is an error on its field and lists nothing."""
    products = list(LoanProduct.objects.visible_to(request.user).order_by("pk"))
    # Filters and sorts act on the firm's figures, so they run over consenting firms only: a masked row (consent
    # lapsed after the bank worked it) is listed apart, unfiltered and unsorted, and would otherwise give its grade,
    # region or rank away through what it matches.
    rows = Recommendation.objects.listed_to(request.user).current().order_by(*SORTS["rank"])
    filterset = RecommendationListFilterSet(request.GET or None, rows, request=request, products=products)
    inputs_rendered_in_python(filterset.form.fields)  # the page renders the panel on every view
    return filterset, products


def _cursor(request, name: str) -> int | None:
    value = request.GET.get(name, "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


PAGING = ("after", "before", "page", "rank")
FILTERS_SHOWN = ("q", "region", "grade", "section", "stage", "product", "status", "preferred", "mine")
"""The list's filters (not its order or paging): when one is set, the panel says so (and opens without script)."""


ROW_FIELDS = (
    "pk", "run_id", "list_rank", "total", "grade", "stage", "region_code", "section", "product_ids", "suggested_line",
    "financing_amount", "preferred", "status", "officer_id", "enterprise__name", "enterprise__credit_code",
)  # fmt: skip


@bank_officer_required
def recommendation_list(request):
    """The list, a page at a time by keyset (``?after=<id>`` / ``?before=<id>``, or ``?rank=<N>`` to jump to list rank
    N): as fast at row 70,000 as at row 1. Above it, which batch and run it comes from and when it was pushed; on each
    row what changed since the bank's previous list and the consent it is shown under."""
    release_due_check()  # a list whose notice period ended is pushed before the page reads it (scoring.notice)
    filterset, products = _filtered(request)
    form, rows = filterset.form, filterset.qs
    sort = getattr(form, "cleaned_data", {}).get("sort") or "rank"  # the FilterSet validated it (unbound: none)
    headers = bank_lists(user=request.user)
    overview = list_overview(user=request.user, headers=headers, shown=WITHDRAWN_SHOWN)
    page = recommendation_page(
        user=request.user,
        rows=rows.select_related("enterprise").only(*ROW_FIELDS),
        sort=sort,
        after=_cursor(request, "after"),
        before=_cursor(request, "before"),
        start_rank=_cursor(request, "rank"),
        size=PAGE_SIZE,
        count=filtered_count(user=request.user, headers=headers, filterset=filterset),
        lists=len(headers),
    )
    names = {p.pk: p.name for p in products}
    changes = list_changes(user=request.user, rows=page.rows, headers=headers)
    named = named_consent_firms(bank_id=request.bank_officer.bank_id, enterprise_ids=[r.enterprise_id for r in page])
    needs = open_need_counts(user=request.user, enterprise_ids=[r.enterprise_id for r in page if not r.masked])
    for rec in page:
        rec.open_needs = needs.get(rec.enterprise_id, 0)
        rec.product_names = [names.get(i, f"#{i}") for i in rec.product_ids]
        rec.change = changes.get(rec.pk)
        rec.named_consent = rec.enterprise_id in named
    # The page names firms with their figures: each one sees this read in its access log (masked rows show none).
    bank_read_log(request, enterprise_ids=[rec.enterprise_id for rec in page], read=BankRead.LIST)
    query = request.GET.copy()
    for name in PAGING:
        query.pop(name, None)
    filtered = any(value.strip() for name in FILTERS_SHOWN for value in request.GET.getlist(name))
    context = {
        "withdrawn": overview.withdrawn,
        "form": form,
        "page": page,
        "sort": sort,
        "query": query.urlencode(),
        "query_items": [(name, value) for name, values in query.lists() for value in values],
        "filtered": filtered,
        "filter_errors": bool(form.errors),
        "headers": headers,
        "has_previous": any(h.previous for h in headers),
        "officer": request.bank_officer,
        "counts": [(RecommendationStatus(c).label, n) for c, n in overview.counts.items()],
        "unread": Notice.objects.filter(user=request.user, read_at__isnull=True).count(),
        "new_work": new_for_bank(user=request.user),
    }
    return render(request, "banks/recommendation_list.html", context)


@bank_officer_required
def recommendation_dropped(request):
    """Firms on the bank's previous list of a batch that its current list no longer holds (their score fell below
    the threshold, a veto, a product or branch change): their rows of the previous list, in its order, by keyset."""
    headers = bank_lists(user=request.user)
    rows = dropped_rows(user=request.user, headers=headers)
    page = recommendation_page(
        user=request.user,
        rows=rows.select_related("enterprise").only(*ROW_FIELDS),
        sort="rank",
        after=_cursor(request, "after"),
        before=_cursor(request, "before"),
        size=PAGE_SIZE,
        count=dropped_count(user=request.user, headers=headers, rows=rows),
    )
    bank_read_log(request, enterprise_ids=[rec.enterprise_id for rec in page], read=BankRead.LIST)
    context = {"page": page, "headers": headers, "officer": request.bank_officer}
    return render(request, "banks/recommendation_dropped.html", context)


EXPORT_COLUMNS = (
    "list_rank",
    "enterprise__name",
    "enterprise__credit_code",
    "region_code",
    "section",
    "stage",
    "total",
    "grade",
    "suggested_line",
    "financing_amount",
    "preferred",
    "status",
)


def _export_header():
    return [
        _("名单排名"),
        _("企业名称"),
        _("统一社会信用代码"),
        _("行政区划代码"),
        _("所在地区"),
        _("行业门类"),
        _("发展阶段"),
        _("总分"),
        _("等级"),
        _("建议授信额度(万元)"),
        _("融资需求金额(万元)"),
        _("企业意向银行"),
        _("状态"),
    ]


def _export_labelled(rows):
    """People read the file: the region by name beside its code, the section, stage, status and the preference by
    their labels (in the officer's language)."""
    statuses = {code: str(label) for code, label in RecommendationStatus.choices}
    for rank, name, code, region, section, stage, total, grade, line, need, preferred, status in rows:
        yield (rank, name, code, region, region_label(region), section_label(section), stage_label(stage), total,
               grade, line, need, yes_no(preferred), statuses.get(status, status))  # fmt: skip


@bank_officer_required
def recommendation_export(request):
    """The filtered list as CSV (streamed) or Excel (``?format=xlsx``, written in openpyxl's write-only mode)."""
    filterset, _products = _filtered(request)
    exported = filterset.qs.consented()[:EXPORT_MAX_ROWS]
    bank_read_log(request, enterprise_ids=exported.values_list("enterprise_id", flat=True), read=BankRead.LIST_EXPORT)
    values = _export_labelled(exported.values_list(*EXPORT_COLUMNS).iterator(chunk_size=5000))
    stamp = date.today().isoformat()
    if request.GET.get("format") == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet(_("推荐名单"))
        sheet.append(xlsx_row(sheet, _export_header()))
        for row in values:
            sheet.append(xlsx_row(sheet, row))
        response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="recommendations-{stamp}.xlsx"'
        book.save(response)
        return response

    response = StreamingHttpResponse(csv_lines(_export_header(), values), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="recommendations-{stamp}.csv"'
    return response


def _visible_recommendation(request, pk: int) -> Recommendation:
    return get_object_or_404(
        Recommendation.objects.visible_to(request.user).select_related("enterprise", "run__batch", "officer"), pk=pk
    )


@bank_officer_required
def recommendation_detail(request, pk: int):
    """The firm's profile: only for a firm on this bank's list with an active consent for this bank (else 404); every
    read goes to the access log the firm can see."""
    rec = _visible_recommendation(request, pk)
    bank = request.bank_officer.bank
    scope = profile_consent_scope(enterprise_id=rec.enterprise_id, bank=bank)
    if scope is None:
        # A row this bank already worked stays on its list, masked: say why it no longer opens (the bank knows the
        # firm was on its list; nothing else is told). Any other row is the plain 404.
        context = {"rec": rec}
        return render(request, "banks/consent_withdrawn.html", context, status=404)
    profile_access_record(enterprise=rec.enterprise, bank=bank, user=request.user, scope=scope, ip=client_ip(request))
    recommendation_mark_viewed(recommendation=rec, user=request.user)
    # By run and bank too: the table is partitioned by them, and the id alone probes every list ever pushed.
    rec.status, rec.status_changed_at = (
        Recommendation.objects.filter(pk=rec.pk, run_id=rec.run_id, bank_id=rec.bank_id)
        .values_list("status", "status_changed_at")
        .get()
    )
    score = Score.objects.filter(run_id=rec.run_id, enterprise_id=rec.enterprise_id).first()
    submission = rec.enterprise.submissions.filter(batch_id=rec.run.batch_id).first()
    lines = suggested_lines(recommendation=rec)
    loan = getattr(rec, "loan", None) if rec.status == "contracted" else None
    officer = request.bank_officer
    reworkable = (
        not rec.superseded and rec.status != RecommendationStatus.CONTRACTED
        and (rec.status == RecommendationStatus.DECLINED or rec.officer_id is not None)
        and (rec.officer_id in (None, request.user.pk) or officer.is_admin)
    )  # fmt: skip  # what the services allow (banks.services._reworkable), to show the buttons; they decide
    candidates = reassign_candidates(recommendation=rec) if reworkable else []
    context = {
        "reworkable": reworkable,
        "reassign_form": ReassignForm(candidates=candidates) if candidates else None,
        "rec": rec,
        "enterprise": rec.enterprise,
        "score": score,
        "submission": submission,
        "lines": lines,
        "next_statuses": [s for s in TRANSITIONS.get(rec.status, ()) if s != "viewed"],
        "status_form": StatusForm(),
        "notes_form": NotesForm(initial={"notes": rec.notes}),
        "can_contract": rec.status == "approved" and not rec.superseded,
        "loan": loan,
        "financials": scope == "financials",
        "open_needs": open_needs_for_bank(user=request.user, enterprise_id=rec.enterprise_id),
    }
    return render(request, "banks/recommendation_detail.html", context)


def _service_call(request, call) -> None:
    try:
        call()
    except ApplicationError as error:
        messages.error(request, error.message)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已保存。"))


@bank_officer_required
@require_POST
def recommendation_claim_view(request, pk: int):
    rec = _visible_recommendation(request, pk)
    _service_call(request, lambda: recommendation_claim(recommendation=rec, user=request.user))
    return redirect("banks:detail", pk=rec.pk)


@bank_officer_required
@require_POST
def recommendation_status_view(request, pk: int):
    rec = _visible_recommendation(request, pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        _service_call(
            request,
            lambda: recommendation_transition(
                recommendation=rec,
                user=request.user,
                status=form.cleaned_data["status"],
                category=form.cleaned_data["category"],
                reason=form.cleaned_data["reason"],
            ),
        )
    else:
        messages.error(request, _("状态无效。"))
    return redirect("banks:detail", pk=rec.pk)


@bank_officer_required
@require_POST
def recommendation_reopen_view(request, pk: int):
    """Reopen a declined row (back to viewed) or release a claimed one; another bank's row is a 404."""
    rec = _visible_recommendation(request, pk)
    _service_call(request, lambda: recommendation_reopen(recommendation=rec, user=request.user))
    return redirect("banks:detail", pk=rec.pk)


@bank_officer_required
@require_POST
def recommendation_reassign_view(request, pk: int):
    """Hand a declined or claimed row to a colleague who can see it; another bank's row is a 404."""
    rec = _visible_recommendation(request, pk)
    form = ReassignForm(request.POST, candidates=reassign_candidates(recommendation=rec))
    if form.is_valid():
        officer = User.objects.get(pk=form.cleaned_data["officer"])
        _service_call(request, lambda: recommendation_reassign(recommendation=rec, user=request.user, officer=officer))
    else:
        messages.error(request, _("请选择能看到该企业的本行客户经理。"))
    return redirect("banks:detail", pk=rec.pk)


@bank_officer_required
@require_POST
def recommendation_notes_view(request, pk: int):
    rec = _visible_recommendation(request, pk)
    form = NotesForm(request.POST)
    if form.is_valid():
        _service_call(
            request,
            lambda: recommendation_note(recommendation=rec, user=request.user, notes=form.cleaned_data["notes"]),
        )
    return redirect("banks:detail", pk=rec.pk)


@bank_officer_required
def product_list(request):
    products = LoanProduct.objects.visible_to(request.user).prefetch_related("branches")
    return render(request, "banks/product_list.html", {"products": products, "officer": request.bank_officer})


@bank_officer_required
def product_edit(request, pk: int | None = None):
    officer = request.bank_officer
    if not officer.is_admin:
        raise Http404
    product = get_object_or_404(LoanProduct.objects.visible_to(request.user), pk=pk) if pk else LoanProduct()
    form = LoanProductForm(request.POST or None, instance=product, bank=officer.bank)
    if request.method == "POST" and form.is_valid():
        branches = list(form.cleaned_data["branches"])
        try:
            if pk:
                loan_product_update(officer=officer, product=product, branches=branches, **form.service_fields())
            else:
                loan_product_create(officer=officer, branches=branches, **form.service_fields())
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("产品已保存。"))
            return redirect("banks:product-list")
    return render(request, "banks/product_form.html", {"form": form, "product": product})


@bank_officer_required
def notice_list(request):
    notices = list(
        Notice.objects.filter(user=request.user).select_related(
            "recommendation_list__bank", "recommendation_list__run__batch"
        )[:100]
    )
    Notice.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return render(request, "banks/notice_list.html", {"notices": notices})
