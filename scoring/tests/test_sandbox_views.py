"""The editor's weight sandbox and the editor's checks as pages: who may edit and preview (administrators, in their
region), what a preview shows (both funnels and the comparison, nothing saved), and bad input named by its field."""

from datetime import date

import pytest
from django.urls import reverse

from demo.services import weights_moved
from scoring.indicator_systems import indicator_system_clone, indicator_system_definition
from scoring.models import IndicatorSystem, ScoringRun
from scoring.sandbox import sandbox_preview
from scoring.services import batch_create
from scoring.tests.test_system_views import _formset_data
from tests.factories import BureauStaffFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_sandbox_cache")]


def _draft(region="", code="sandbox"):
    source = IndicatorSystem.objects.get(code="national", version=1)
    return indicator_system_clone(source=source, code=code, name="沙盒", user=None, region_scope=region)


def _client(client, region="", role="admin"):
    client.force_login(BureauStaffFactory(region_scope=region, role=role).user)
    return client


def _moved(system, points=5):
    """Editor data moving ``points`` of every stage's weight from T1 to T2 (each stage still sums to 100)."""
    t1, t2 = system.indicators.get(code="T1"), system.indicators.get(code="T2")
    return _formset_data(system, {
        0: {f"weight_{s}": getattr(t1, f"weight_{s}") - points for s in ("startup", "growth", "stable")},
        1: {f"weight_{s}": getattr(t2, f"weight_{s}") + points for s in ("startup", "growth", "stable")},
    })  # fmt: skip


def test_a_preview_shows_both_funnels_and_the_comparison_and_saves_nothing(client, published_run):
    system = _draft()
    before = list(system.indicators.values_list("weight_growth", flat=True))
    runs = ScoringRun.objects.count()
    data = {**_moved(system, 8), "action": "preview", "batch": published_run.batch_id}
    response = _client(client).post(reverse("scoring:system-edit", args=[system.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    preview = response.context["preview"]
    assert 'id="preview-funnel"' in html and 'id="grade-migration"' in html and 'id="preview-provinces"' in html
    assert f"已发布 #{published_run.pk} national-v1" in html and "草稿 sandbox-v1" in html  # the comparison's names
    assert preview.published.eligible == published_run.counts["eligible"]
    assert f'<td id="funnel-published">{published_run.counts["eligible"]:,}</td>' in html
    # The draft's side scores the weights as posted, not as saved (the saved ones are national-v1's, which score as
    # the published run does): the same move saved in another draft previews alike, and firms move.
    saved_alike = _draft(code="saved-alike")
    weights_moved(saved_alike, source="T1", target="T2", points=8)
    expected = sandbox_preview(who=response.wsgi_request.user, batch=published_run.batch, system=saved_alike,
                               definition=indicator_system_definition(saved_alike))  # fmt: skip
    assert preview.draft == expected.draft
    assert preview.comparison.migration == expected.comparison.migration
    assert preview.comparison.movers_up == expected.comparison.movers_up and preview.comparison.movers_up
    # Nothing saved: no run, the system's weights as they were, still a draft.
    system.refresh_from_db()
    assert ScoringRun.objects.count() == runs and not system.frozen
    assert list(system.indicators.values_list("weight_growth", flat=True)) == before


def test_a_reviewer_can_neither_edit_nor_preview_nor_clone_nor_freeze(client, published_run):
    system = _draft()
    reviewer = _client(client, role="reviewer")
    edit = reverse("scoring:system-edit", args=[system.pk])
    assert reviewer.get(edit).status_code == 404
    assert (
        reviewer.post(edit, {**_moved(system), "action": "preview", "batch": published_run.batch_id}).status_code == 404
    )
    assert reviewer.post(reverse("scoring:system-freeze", args=[system.pk])).status_code == 404
    clone = reverse("scoring:system-clone", args=[system.pk])
    assert reviewer.post(clone, {"code": "x", "name": "x"}).status_code == 404
    system.refresh_from_db()
    assert not system.frozen and not IndicatorSystem.objects.filter(code="x").exists()
    detail = reviewer.get(reverse("scoring:system-detail", args=[system.pk])).content.decode()
    assert edit not in detail  # the reviewer reads the system, with no edit link


def test_a_bureau_sees_only_its_regions_systems_and_batches(client, published_run):
    zhejiang = _draft("33", code="zj")
    guangdong = _draft("44", code="gd")
    gd_batch = batch_create(name="广东2024", year=2024, reference_date=date(2024, 12, 31), system=guangdong,
                            region_scope="44", opens_on=date(2025, 1, 1), closes_on=date(2025, 3, 31))  # fmt: skip
    zj_batch = batch_create(name="浙江2024", year=2024, reference_date=date(2024, 12, 31), system=zhejiang,
                            region_scope="33", opens_on=date(2025, 1, 1), closes_on=date(2025, 3, 31))  # fmt: skip
    officer = _client(client, region="44")
    assert officer.get(reverse("scoring:system-detail", args=[zhejiang.pk])).status_code == 404
    assert officer.get(reverse("scoring:system-edit", args=[zhejiang.pk])).status_code == 404
    national_draft = _draft(code="nat")
    assert officer.get(reverse("scoring:system-edit", args=[national_draft.pk])).status_code == 404  # not its own
    page = officer.get(reverse("scoring:system-edit", args=[guangdong.pk]))
    choices = [batch.pk for batch in page.context["preview_form"].fields["batch"].queryset]
    # Neither Zhejiang's batch nor the national one (a Guangdong system cannot score it).
    assert choices == [gd_batch.pk]
    for foreign in (zj_batch.pk, published_run.batch_id):
        response = officer.post(reverse("scoring:system-edit", args=[guangdong.pk]),
                                {**_moved(guangdong), "action": "preview", "batch": foreign})  # fmt: skip
        assert response.status_code == 200 and "preview" not in response.context
        assert "预览批次" in response.content.decode()  # the message names the field


def test_weights_that_miss_100_name_every_stage_and_nothing_is_previewed(client, published_run):
    system = _draft()
    data = {**_formset_data(system, {0: {"weight_growth": 50, "weight_stable": 1}}), "action": "preview",
            "batch": published_run.batch_id}  # fmt: skip
    response = _client(client).post(reverse("scoring:system-edit", args=[system.pk]), data)
    errors = " ".join(response.context["formset"].non_form_errors())
    assert "成长期" in errors and "稳定期" in errors and "初创期" not in errors
    assert "preview" not in response.context
    assert 'id="weight-totals"' in response.content.decode()


def test_a_weight_that_is_not_a_number_is_named(client, published_run):
    system = _draft()
    data = {
        **_formset_data(system, {0: {"weight_growth": "abc"}}),
        "action": "preview",
        "batch": published_run.batch_id,
    }
    response = _client(client).post(reverse("scoring:system-edit", args=[system.pk]), data)
    assert response.context["formset"].forms[0].errors["weight_growth"]
    assert "权重(成长期):" in response.content.decode()
    assert "preview" not in response.context


def test_no_batch_chosen_is_named(client, published_run):
    system = _draft()
    response = _client(client).post(reverse("scoring:system-edit", args=[system.pk]),
                                    {**_moved(system), "action": "preview"})  # fmt: skip
    assert "预览批次:请选择一个批次。" in response.content.decode() and "preview" not in response.context


def test_data_fields_are_named_in_the_users_language(client, db):
    system = _draft()
    officer = _client(client)
    html = officer.get(reverse("scoring:system-edit", args=[system.pk])).content.decode()
    assert "研发费用(万元) (rd_expense)" in html and "研发费用占营业收入比重 (rd_intensity)" in html
    officer.cookies["django_language"] = "en"
    html = officer.get(reverse("scoring:system-edit", args=[system.pk])).content.decode()
    assert "R&amp;D expenses as a share of revenue (rd_intensity)</option>" in html
    assert "研发费用占营业收入比重 (rd_intensity)" not in html
    detail = officer.get(reverse("scoring:system-detail", args=[system.pk])).content.decode()
    assert "R&amp;D intensity" in detail
