"""The list page's counts (banks.list_summary): kept per list, filters and region, they say what the rows say; the
officers' work shows in them at once, a consent change within LIST_COUNT_SECONDS (the rows follow it at once)."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from banks.choices import RecommendationStatus
from banks.models import Recommendation
from banks.services import recommendation_claim, recommendation_note, recommendation_transition
from enterprises.models import Consent


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()  # another test's lists may have been counted in this process
    yield
    cache.clear()


def visible_counts(user) -> dict[str, int]:
    counts = dict.fromkeys(RecommendationStatus.values, 0)
    for rec in Recommendation.objects.visible_to(user).current():
        counts[rec.status] += 1
    return counts


def shown(response) -> dict[str, int]:
    labels = {str(label): code for code, label in RecommendationStatus.choices}
    return {labels[label]: n for label, n in response.context["counts"]}


def test_the_status_counts_and_the_length_are_the_rows_the_officer_sees(client, pushed, icbc_gd_officer):
    client.force_login(icbc_gd_officer)
    response = client.get(reverse("banks:list"))
    listed = Recommendation.objects.listed_to(icbc_gd_officer).current()
    assert response.context["page"].count == listed.count() > 0
    assert shown(response) == visible_counts(icbc_gd_officer)
    assert listed.filter(region_code__startswith="32").count() == 0 < listed.count()  # the branch's region only


def test_the_officers_work_shows_in_the_counts_at_once(client, pushed, icbc, icbc_officer):
    client.force_login(icbc_officer)
    client.get(reverse("banks:list"))  # counted and kept
    rows = list(Recommendation.objects.filter(bank=icbc, superseded=False).order_by("list_rank")[:3])
    recommendation_transition(recommendation=rows[0], user=icbc_officer, status="contacted")
    recommendation_claim(recommendation=rows[1], user=icbc_officer)  # still "new", now worked
    recommendation_note(recommendation=rows[2], user=icbc_officer, notes="回访")
    response = client.get(reverse("banks:list"))
    assert shown(response) == visible_counts(icbc_officer)
    assert shown(response)["contacted"] == 1
    mine = client.get(reverse("banks:list"), {"mine": "on"})  # a filter on the work: counted live
    assert mine.context["page"].count == 2
    contacted = client.get(reverse("banks:list"), {"status": "contacted"})
    assert contacted.context["page"].count == 1


def test_each_filter_has_its_own_count(client, pushed, icbc, icbc_officer):
    client.force_login(icbc_officer)
    listed = Recommendation.objects.listed_to(icbc_officer).current()
    for params, expected in (
        ({"grade": "A"}, listed.filter(grade="A")),
        ({"grade": "B"}, listed.filter(grade="B")),
        ({"grade": "B", "sort": "-total"}, listed.filter(grade="B")),  # the order counts the same rows
        ({"region": "44", "stage": "growth"}, listed.filter(region_code__startswith="44", stage="growth")),
        ({}, listed),
    ):
        for _ in range(2):  # counted, then read back
            assert client.get(reverse("banks:list"), params).context["page"].count == expected.count(), params


def test_a_withdrawn_consent_leaves_the_rows_at_once_and_the_counts_within_their_lifetime(
    client, pushed, icbc, icbc_officer, settings
):
    client.force_login(icbc_officer)
    before = client.get(reverse("banks:list")).context["page"].count
    gone = Recommendation.objects.filter(bank=icbc, superseded=False).order_by("list_rank").first()
    Consent.objects.filter(enterprise_id=gone.enterprise_id).update(revoked_at=timezone.now())
    response = client.get(reverse("banks:list"))
    assert gone.pk not in {rec.pk for rec in response.context["page"]}  # the rows: at once
    assert response.context["page"].count == before  # the count: kept (LIST_COUNT_SECONDS)
    cache.clear()  # as when the kept count expires
    assert client.get(reverse("banks:list")).context["page"].count == before - 1


def test_a_push_counts_its_new_list_afresh(client, pushed, run, icbc, icbc_officer):
    from banks.services import recommendation_list_push
    from banks.tests.fixtures import publish_new_run

    client.force_login(icbc_officer)
    client.get(reverse("banks:list"))
    Consent.objects.filter(
        enterprise_id=Recommendation.objects.filter(bank=icbc, superseded=False).order_by("list_rank")[0].enterprise_id
    ).update(revoked_at=timezone.now())
    recommendation_list_push(run=publish_new_run(run.batch), bank=icbc)
    response = client.get(reverse("banks:list"))
    assert response.context["page"].count == Recommendation.objects.listed_to(icbc_officer).current().count()
