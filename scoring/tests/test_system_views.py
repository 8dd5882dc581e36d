import pytest
from django.urls import reverse

from scoring.models import IndicatorSystem
from tests.factories import BureauStaffFactory, UserFactory


@pytest.fixture
def officer_client(client, db):
    staff = BureauStaffFactory(region_scope="44", role="admin")  # administrators edit systems; reviewers review
    client.force_login(staff.user)
    return client


def _formset_data(system, overrides=None):
    """POST data equal to the system's current state, with per-row overrides {row_index: {field: value}}."""
    indicators = list(system.indicators.all())
    data = {
        "name": system.name, "description": system.description, "bonus_cap": system.bonus_cap,
        "min_group_size": system.min_group_size, "threshold": system.threshold, "startup_age": system.startup_age,
        "startup_revenue": system.startup_revenue, "stable_age": system.stable_age,
        "stable_revenue": system.stable_revenue, "grade_a": 85, "grade_b": 80, "grade_c": 70, "grade_d": 60,
        "indicators-TOTAL_FORMS": len(indicators), "indicators-INITIAL_FORMS": len(indicators),
        "indicators-MIN_NUM_FORMS": 0, "indicators-MAX_NUM_FORMS": 1000,
    }  # fmt: skip
    for i, ind in enumerate(indicators):
        row = {
            "id": ind.pk, "system": system.pk, "order": ind.order, "code": ind.code, "name": ind.name,
            "category": ind.category, "source_field": ind.source_field, "method": ind.method,
            "reference": "" if ind.reference is None else ind.reference,
            "thresholds": ", ".join(map(str, ind.thresholds)), "fractions": ", ".join(map(str, ind.fractions)),
            "weight_startup": ind.weight_startup, "weight_growth": ind.weight_growth,
            "weight_stable": ind.weight_stable, "is_bonus": "on" if ind.is_bonus else "",
        }  # fmt: skip
        row.update((overrides or {}).get(i, {}))
        data.update({f"indicators-{i}-{k}": v for k, v in row.items() if v != ""})
    return data


def test_non_bureau_users_get_404(client, db):
    client.force_login(UserFactory())
    assert client.get(reverse("scoring:system-list")).status_code == 404


def test_an_officer_clones_edits_and_freezes_a_local_system(officer_client):
    source = IndicatorSystem.objects.get(code="national", version=1)
    response = officer_client.post(reverse("scoring:system-clone", args=[source.pk]), {"code": "gd", "name": "广东"})
    clone = IndicatorSystem.objects.get(code="gd")
    assert response.url == reverse("scoring:system-edit", args=[clone.pk])

    # Moving 2 points from T1 to T2 in every stage keeps each stage's sum at 100.
    t1, t2 = clone.indicators.get(code="T1"), clone.indicators.get(code="T2")
    rows = {
        0: {f"weight_{s}": getattr(t1, f"weight_{s}") - 2 for s in ("startup", "growth", "stable")},
        1: {f"weight_{s}": getattr(t2, f"weight_{s}") + 2 for s in ("startup", "growth", "stable")},
    }
    response = officer_client.post(reverse("scoring:system-edit", args=[clone.pk]), _formset_data(clone, rows))
    assert response.status_code == 302, response.context["formset"].errors
    assert clone.indicators.get(code="T2").weight_growth == t2.weight_growth + 2

    officer_client.post(reverse("scoring:system-freeze", args=[clone.pk]))
    clone.refresh_from_db()
    assert clone.frozen
    # A frozen system can no longer be edited: the edit page is gone (404).
    assert officer_client.get(reverse("scoring:system-edit", args=[clone.pk])).status_code == 404


def test_weights_that_do_not_sum_to_100_are_refused_with_a_message(officer_client):
    source = IndicatorSystem.objects.get(code="national", version=1)
    officer_client.post(reverse("scoring:system-clone", args=[source.pk]), {"code": "gd", "name": "广东"})
    clone = IndicatorSystem.objects.get(code="gd")
    response = officer_client.post(
        reverse("scoring:system-edit", args=[clone.pk]), _formset_data(clone, {0: {"weight_growth": 50}})
    )
    assert response.status_code == 200
    assert "100" in str(response.context["formset"].non_form_errors())
    assert clone.indicators.get(code="T1").weight_growth == 9  # nothing saved


def test_tiers_must_ascend(officer_client):
    source = IndicatorSystem.objects.get(code="national", version=1)
    officer_client.post(reverse("scoring:system-clone", args=[source.pk]), {"code": "gd", "name": "广东"})
    clone = IndicatorSystem.objects.get(code="gd")
    t3_index = [i.code for i in clone.indicators.all()].index("T3")
    data = _formset_data(clone, {t3_index: {"thresholds": "0.1, 0.06, 0.2, 0.3"}})
    response = officer_client.post(reverse("scoring:system-edit", args=[clone.pk]), data)
    assert response.status_code == 200
    assert response.context["formset"].forms[t3_index].errors["thresholds"]


def test_the_seeded_frozen_system_is_not_editable(officer_client):
    source = IndicatorSystem.objects.get(code="national", version=1)
    assert officer_client.get(reverse("scoring:system-edit", args=[source.pk])).status_code == 404


def test_an_edit_opened_before_a_run_froze_the_system_is_refused_and_changes_nothing(officer_client):
    from core.exceptions import ApplicationError
    from scoring.forms import IndicatorFormSet, IndicatorSystemForm
    from scoring.indicator_systems import indicator_system_clone, indicator_system_freeze, indicator_system_update

    source = IndicatorSystem.objects.get(code="national", version=1)
    clone = indicator_system_clone(source=source, code="gd", name="广东", user=None, region_scope="44")
    data = _formset_data(clone)
    data["name"] = "改过的名称"
    form, formset = IndicatorSystemForm(data, instance=clone), IndicatorFormSet(data, instance=clone)
    assert form.is_valid() and formset.is_valid()  # the officer's page validated against the unfrozen system
    indicator_system_freeze(system=clone)  # ... then a run froze it
    with pytest.raises(ApplicationError):
        indicator_system_update(system=clone, form=form, formset=formset)
    clone.refresh_from_db()
    assert clone.frozen and clone.name == "广东"


def test_the_seeded_systems_read_in_english_in_the_english_interface(officer_client):
    """Reference data carries English names: the system, its indicators and categories, and regions by name."""
    system = IndicatorSystem.objects.get(code="national", version=1)
    officer_client.cookies["django_language"] = "en"
    html = officer_client.get(reverse("scoring:system-detail", args=[system.pk])).content.decode()
    assert "National trial edition (2024)" in html and "R&amp;D expenditure" in html
    assert "Technological innovation" in html
    assert "研发费用金额" not in html and "技术创新" not in html
    listing = officer_client.get(reverse("scoring:system-list")).content.decode()
    assert "National version 2.0 (2025)" in listing and "全国2.0版" not in listing
    officer_client.cookies["django_language"] = "zh-hans"
    assert "研发费用金额" in officer_client.get(reverse("scoring:system-detail", args=[system.pk])).content.decode()
