import csv
import json
from functools import lru_cache

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .health import broker_ok, database_ok
from .labels import REGIONS_EN
from .reference_data import PROVINCES_EN

REGION_TREE_MAX_AGE = 24 * 3600  # reference data: it changes with a migration, and a day-old list is still right


@require_GET
@never_cache
def healthz(request):
    db, db_detail = database_ok()
    broker, broker_detail = broker_ok()
    status = 200 if db and broker else 503
    return JsonResponse(
        {"status": "ok" if status == 200 else "unavailable", "database": db_detail if db else f"error: {db_detail}",
         "broker": broker_detail if broker else f"error: {broker_detail}"},
        status=status,
    )  # fmt: skip


@require_GET
def region_tree(request):
    """Every region for the pickers (``core.widgets.RegionPickerWidget``, ``static/js/region-picker.js``):
    ``{"regions": [[code, name, parent], ...]}`` in code order, ``parent`` '' for a province, names in the language
    of ``?lang=`` (the page's). Public, since the sign-up form uses it; built once per process and language (~100 KB)
    and kept by the browser for a day."""
    lang = request.GET.get("lang", "")
    if lang not in dict(settings.LANGUAGES):
        lang = get_language() or settings.LANGUAGE_CODE
    response = HttpResponse(_region_tree_json(lang), content_type="application/json")
    patch_cache_control(response, public=True, max_age=REGION_TREE_MAX_AGE)
    return response


@lru_cache(maxsize=len(settings.LANGUAGES))
def _region_tree_json(lang: str) -> bytes:
    from .models import Region

    english = {}
    if lang.startswith("en"):  # the names core.labels shows: regions_en.csv, the provinces of reference_data
        with REGIONS_EN.open(encoding="utf-8") as source:
            english = {row["code"]: row["name_en"] for row in csv.DictReader(source)}
        english.update(PROVINCES_EN)
    rows = Region.objects.order_by("code").values_list("code", "name", "parent_id")
    regions = [[code, english.get(code) or name, parent or ""] for code, name, parent in rows]
    return json.dumps({"regions": regions}, ensure_ascii=False, separators=(",", ":")).encode()


def api_guide(request):
    """The API guide (docs/api.md) served by the site, for a bank's IT team without the repository."""
    from .guide import api_guide_html

    return render(request, "api/guide.html", {"guide": api_guide_html()})
