"""Self-assessment (自评): the firm's values changed in a form, scored against the published run's stored peer
distributions; shown as a simulation, never stored; bad input named by field."""

import pytest
from django.urls import reverse

from enterprises.models import EnterpriseMembership, Submission
from scoring.models import RunPeerDistribution, Score, ScoringRun
from tests.factories import UserFactory

from .test_report import published  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db
URL = reverse("report:self-assessment")


@pytest.fixture
def firm_row(published):  # noqa: F811
    return Score.objects.filter(run=published).select_related("enterprise").order_by("total")[3]


@pytest.fixture
def firm_client(client, firm_row):
    user = UserFactory()
    EnterpriseMembership.objects.create(user=user, enterprise=firm_row.enterprise, role="admin")
    client.force_login(user)
    return client


def _values(page) -> dict:
    form = page.context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name)
        if field.widget.input_type == "checkbox":
            if value:
                data[name] = "on"
        else:
            data[name] = "" if value is None else str(value)
    return data


def test_the_firms_own_values_give_back_its_published_result_marked_as_a_simulation(firm_client, firm_row):
    assert RunPeerDistribution.objects.filter(run=firm_row.run).exists()
    page = firm_client.get(URL)
    assert page.status_code == 200 and "模拟测算" in page.content.decode()
    result = firm_client.post(URL, _values(page))
    what = result.context["result"]
    assert what.total == float(firm_row.total) and what.grade == firm_row.grade
    assert (what.rank_national, what.rank_province, what.rank_industry) == (
        firm_row.rank_national, firm_row.rank_province, firm_row.rank_industry)  # fmt: skip
    html = result.content.decode()
    assert 'id="simulation-notice"' in html and "不会保存" in html


def test_more_patents_score_higher_and_nothing_is_stored(firm_client, firm_row):
    before_scores = list(
        Score.objects.filter(run=firm_row.run).order_by("enterprise_id").values_list("total", flat=True)
    )
    filing = Submission.objects.get(enterprise=firm_row.enterprise, batch=firm_row.run.batch)
    runs = ScoringRun.objects.count()
    data = _values(firm_client.get(URL))
    data["invention_patents"] = str(filing.invention_patents + 40)
    data["rd_expense"] = str(filing.rd_expense * 5 + 500)
    what = firm_client.post(URL, data).context["result"]
    assert what.total > float(firm_row.total) and what.rank_national < firm_row.rank_national
    after = list(Score.objects.filter(run=firm_row.run).order_by("enterprise_id").values_list("total", flat=True))
    assert after == before_scores and ScoringRun.objects.count() == runs
    filing.refresh_from_db()
    assert Submission.objects.get(pk=filing.pk).invention_patents == filing.invention_patents


def test_a_negative_amount_is_refused_naming_the_field(firm_client):
    data = _values(firm_client.get(URL))
    data["revenue"] = "-5"
    page = firm_client.post(URL, data)
    assert page.context["result"] is None
    assert "revenue" in page.context["form"].errors
