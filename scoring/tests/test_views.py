"""Bureau pages for batches and runs: who sees what, starting, watching and publishing a run."""

import pytest
from django.urls import reverse

from scoring.choices import RunState
from scoring.models import ScoringRun
from tests.factories import BureauStaffFactory, UserFactory


@pytest.fixture
def national_client(client, db):
    client.force_login(BureauStaffFactory(region_scope="").user)
    return client


def test_bank_and_enterprise_users_get_404_on_bureau_pages(client, batch):
    client.force_login(UserFactory())
    for name, args in (("scoring:batch-list", []), ("scoring:batch-detail", [batch.pk])):
        assert client.get(reverse(name, args=args)).status_code == 404


def test_a_provincial_officer_sees_the_national_batch_but_cannot_start_its_runs(client, populated_batch):
    client.force_login(BureauStaffFactory(region_scope="44").user)
    page = client.get(reverse("scoring:batch-detail", args=[populated_batch.pk]))
    assert page.status_code == 200
    assert not page.context["can_manage"]
    assert client.post(reverse("scoring:run-start", args=[populated_batch.pk])).status_code == 404
    assert not ScoringRun.objects.exists()


def test_a_national_officer_starts_watches_and_publishes_a_run(
    national_client, populated_batch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the task is enqueued on commit
        response = national_client.post(reverse("scoring:run-start", args=[populated_batch.pk]))
    run = ScoringRun.objects.get()
    assert response.url == reverse("scoring:run-detail", args=[run.pk])
    # Celery runs eagerly in tests: the run is computed by the time the page polls.
    progress = national_client.get(reverse("scoring:run-progress", args=[run.pk])).json()
    assert (progress["state"], progress["progress"]) == (RunState.COMPUTED, 100)
    page = national_client.get(reverse("scoring:run-detail", args=[run.pk]))
    assert "发布评分结果" in page.content.decode()

    national_client.post(reverse("scoring:run-publish", args=[run.pk]))
    populated_batch.refresh_from_db()
    assert populated_batch.scoring.published_run_id == run.pk


def test_publishing_twice_shows_an_error_instead_of_failing(
    national_client, populated_batch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        national_client.post(reverse("scoring:run-start", args=[populated_batch.pk]))
    run = ScoringRun.objects.get()
    national_client.post(reverse("scoring:run-publish", args=[run.pk]))
    response = national_client.post(reverse("scoring:run-publish", args=[run.pk]), follow=True)
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]][-1] == "error"
    populated_batch.refresh_from_db()
    assert populated_batch.scoring.published_run_id == run.pk


def test_the_batch_list_runs_a_fixed_number_of_queries(national_client, batch, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        assert national_client.get(reverse("scoring:batch-list")).status_code == 200
