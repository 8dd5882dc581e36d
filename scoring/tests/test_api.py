"""The scoring API: every endpoint for every role — allowed, 404 for foreign objects, 403 without the scope, 401
without credentials — plus filters, cursor pages, per-indicator points, the CSV export and query counts."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import Bank, BankOfficer
from enterprises.models import Consent
from enterprises.services import consent_grant, consent_revoke
from scoring.models import Score, ScoringRun
from scoring.services import batch_create, scoring_run_create, scoring_run_execute
from tests.api_support import (  # noqa: F401 (fixtures)
    HOME,
    callers,
    firm_in,
    firm_outside,
    fresh_throttle_counters,
    session_client,
    token_client,
    visible_scores,
)
from tests.api_support import (
    published_batch as published_batch,
)
from tests.factories import UserFactory

ROLES = [
    "client-national", "client-regional", "client-regional-bank", "bureau-national", "bureau-regional",
    "bank-national", "bank-regional", "enterprise",
]  # fmt: skip


def endpoints(batch, code):
    run, system = batch.scoring.published_run_id, batch.scoring.system_id
    return {
        "systems": reverse("api:system-list"),
        "system": reverse("api:system-detail", args=[system]),
        "batches": reverse("api:batch-list"),
        "batch": reverse("api:batch-detail", args=[batch.pk]),
        "runs": reverse("api:run-list"),
        "run": reverse("api:run-detail", args=[run]),
        "scores": reverse("api:batch-scores", args=[batch.pk]),
        "score": reverse("api:batch-score-detail", args=[batch.pk, code]),
        "scores-of-firm": reverse("api:enterprise-scores", args=[code]),
        "csv": reverse("api:batch-scores-csv", args=[batch.pk]),
        "rankings": reverse("api:batch-rankings", args=[batch.pk]),
        "funnel": reverse("api:batch-funnel", args=[batch.pk]),
    }


def all_pages(client, url, **params):
    rows, page = [], client.get(url, params)
    while True:
        assert page.status_code == 200, page.content
        rows += page.json()["results"]
        if not page.json()["next"]:
            return rows
        page = client.get(page.json()["next"])


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_every_scoring_endpoint_for_a_firm_it_may_see(published_batch, role):
    client = callers(published_batch)[role]
    own = firm_in(HOME, published_batch)
    assert visible_scores(role, published_batch).filter(enterprise=own).exists()  # it consents to every bank
    for name, url in endpoints(published_batch, own.credit_code).items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code, response.content[:200])


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_exactly_its_published_scores(published_batch, role):
    client = callers(published_batch)[role]
    expected = set(visible_scores(role, published_batch).values_list("enterprise__credit_code", flat=True))
    assert expected, "the role should see some scores, or the comparison proves nothing"
    rows = all_pages(client, reverse("api:batch-scores", args=[published_batch.pk]), page_size=100)
    assert {row["credit_code"] for row in rows} == expected
    assert len(rows) == len(expected)  # no page repeats a row


@pytest.mark.parametrize("role", [r for r in ROLES if r not in ("client-national", "bureau-national", "bank-national")])
def test_a_firm_outside_the_callers_scope_is_a_404_everywhere(published_batch, role):
    client = callers(published_batch)[role]
    foreign = firm_outside(HOME, published_batch)
    for url in (
        reverse("api:batch-score-detail", args=[published_batch.pk, foreign.credit_code]),
        reverse("api:enterprise-scores", args=[foreign.credit_code]),
    ):
        response = client.get(url)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_an_enterprise_member_sees_no_other_firm_of_its_own_region(published_batch):
    client = callers(published_batch)["enterprise"]
    own = firm_in(HOME, published_batch)
    neighbour = (
        Score.objects.filter(run_id=published_batch.scoring.published_run_id, enterprise__region_code__startswith=HOME)
        .exclude(enterprise=own)[0]
        .enterprise
    )
    url = reverse("api:batch-score-detail", args=[published_batch.pk, neighbour.credit_code])
    assert client.get(url).status_code == 404


def test_an_unpublished_batch_and_its_runs_are_404_for_everyone_but_bureau_staff(published_batch):
    draft = batch_create(
        name="2025年度", year=2025, reference_date="2025-12-31", system=published_batch.scoring.system,
        opens_on="2026-01-01", closes_on="2026-03-31",
    )  # fmt: skip
    run = ScoringRun.objects.create(batch=draft, system=draft.scoring.system)
    roles = callers(published_batch)
    for role, client in roles.items():
        expected = 200 if role.startswith("bureau") else 404
        assert client.get(reverse("api:batch-detail", args=[draft.pk])).status_code == expected, role
        assert client.get(reverse("api:run-detail", args=[run.pk])).status_code == expected, role
        # nothing is published in it, so there are no scores for anyone
        assert client.get(reverse("api:batch-scores", args=[draft.pk])).status_code == 404, role


def test_a_computed_but_unpublished_run_is_listed_for_bureau_staff_only(published_batch):
    run = scoring_run_create(batch=published_batch, enqueue=False)
    scoring_run_execute(run_id=run.pk)
    roles = callers(published_batch)
    bureau_runs = {row["id"] for row in roles["bureau-regional"].get(reverse("api:run-list")).json()["results"]}
    client_runs = {row["id"] for row in roles["client-national"].get(reverse("api:run-list")).json()["results"]}
    assert bureau_runs == {run.pk, published_batch.scoring.published_run_id}
    assert client_runs == {published_batch.scoring.published_run_id}


def test_a_token_without_the_scope_gets_403_on_every_endpoint(published_batch):
    client = token_client(scopes=["loans:write", "recommendations:read"])
    for name, url in endpoints(published_batch, firm_in(HOME, published_batch).credit_code).items():
        response = client.get(url)
        assert response.status_code == 403, name
        assert response.json()["code"] == "permission_denied"


def test_no_credentials_is_401_with_a_token_challenge(published_batch):
    from rest_framework.test import APIClient

    for name, url in endpoints(published_batch, firm_in(HOME, published_batch).credit_code).items():
        response = APIClient().get(url)
        assert response.status_code == 401, name
        assert response["WWW-Authenticate"].startswith("Token")


def test_a_signed_in_user_without_a_role_sees_nothing(published_batch):
    from tests.api_support import session_client

    client = session_client(UserFactory())
    assert client.get(reverse("api:batch-list")).json()["results"] == []
    assert client.get(reverse("api:batch-scores", args=[published_batch.pk])).status_code == 404


def test_a_score_carries_its_points_by_indicator_code(published_batch):
    client = token_client()
    run = ScoringRun.objects.get(pk=published_batch.scoring.published_run_id)
    score = Score.objects.filter(run=run).select_related("enterprise").order_by("-total")[0]
    body = client.get(reverse("api:batch-score-detail", args=[published_batch.pk, score.enterprise.credit_code])).json()
    assert list(body["points"]) == run.indicator_codes
    assert list(body["points"].values()) == pytest.approx(score.points)
    assert Decimal(str(body["total"])) == score.total
    assert (body["grade"], body["rank_national"], body["batch"], body["run"]) == (
        score.grade, score.rank_national, published_batch.pk, run.pk,
    )  # fmt: skip


def test_the_score_list_filters_by_grade_stage_region_section_and_total(published_batch):
    client = token_client()
    scores = Score.objects.filter(run_id=published_batch.scoring.published_run_id)
    sample = scores.select_related("enterprise").order_by("enterprise_id")[0]
    cases = {
        "grade": ({"grade": ["C", "D"]}, scores.filter(grade__in=["C", "D"])),
        "stage": ({"stage": sample.stage}, scores.filter(stage=sample.stage)),
        "region": ({"region": HOME}, scores.filter(enterprise__region_code__startswith=HOME)),
        "section": (
            {"section": sample.enterprise.section_id},
            scores.filter(enterprise__section=sample.enterprise.section_id),
        ),
        "total": ({"total_min": 40, "total_max": 60}, scores.filter(total__gte=40, total__lte=60)),
        "eligible": ({"eligible": "true"}, scores.filter(eligible=True)),
    }
    url = reverse("api:batch-scores", args=[published_batch.pk])
    for name, (params, expected) in cases.items():
        got = [row["credit_code"] for row in all_pages(client, url, page_size=500, **params)]
        assert sorted(got) == sorted(expected.values_list("enterprise__credit_code", flat=True)), name
        assert got, f"the {name} case selects nothing: the test would prove nothing"


def test_a_region_prefix_selects_the_firms_whose_code_starts_with_it(published_batch):
    """The filter is an integer range on the score's region column: a province, a city and a county must each select
    exactly the firms whose six-digit code starts with it (the county, six digits, an equality)."""
    client = token_client()
    url = reverse("api:batch-scores", args=[published_batch.pk])
    scores = Score.objects.filter(run_id=published_batch.scoring.published_run_id)
    code = firm_in(HOME, published_batch).region_code
    for prefix in [code[:2], code[:4], code, "45"]:
        got = sorted(row["credit_code"] for row in all_pages(client, url, page_size=500, region=prefix))
        want = scores.filter(enterprise__region_code__startswith=prefix)
        assert got == sorted(want.values_list("enterprise__credit_code", flat=True)), prefix
        assert all(row_region.startswith(prefix) for row_region in (
            row["region_code"] for row in client.get(url, {"region": prefix}).json()["results"]))  # fmt: skip
    for bad in (code[:1], code[:3], code[:5], "9", "4499"):  # not a level of the list, or no region of it
        response = client.get(url, {"region": bad})
        assert response.status_code == 400 and "region" in response.json()["fields"], bad


def test_score_pages_are_best_first_or_in_id_order_on_request(published_batch):
    client = token_client()
    url = reverse("api:batch-scores", args=[published_batch.pk])
    best_first = [row["total"] for row in all_pages(client, url, page_size=37)]
    assert best_first == sorted(best_first, reverse=True) and len(best_first) == 300
    by_id = [row["credit_code"] for row in all_pages(client, url, page_size=37, ordering="enterprise_id")]
    expected = Score.objects.filter(run_id=published_batch.scoring.published_run_id).order_by("enterprise_id")
    assert by_id == list(expected.values_list("enterprise__credit_code", flat=True))


def test_an_invalid_filter_is_a_400_in_the_error_format(published_batch):
    response = token_client().get(reverse("api:batch-scores", args=[published_batch.pk]), {"grade": "Z"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and "grade" in body["fields"] and body["message"]


def test_rankings_follow_the_rank_of_the_chosen_scope(published_batch):
    client = token_client()
    url = reverse("api:batch-rankings", args=[published_batch.pk])
    national = all_pages(client, url, page_size=100)
    assert [row["rank"] for row in national] == sorted(row["rank"] for row in national)
    assert national[0]["rank"] == 1
    province = all_pages(client, reverse("api:batch-rankings-province", args=[published_batch.pk, HOME]))
    assert {row["region_code"][:2] for row in province} == {HOME}
    assert [row["rank"] for row in province] == sorted(row["rank"] for row in province)
    assert province[0]["rank"] == 1


def test_an_industry_ranking_ranks_within_the_section(published_batch):
    section = Score.objects.filter(run_id=published_batch.scoring.published_run_id).values_list(
        "enterprise__section_id", flat=True
    )[0]
    url = reverse("api:batch-rankings-industry", args=[published_batch.pk, section])
    rows = all_pages(token_client(), url)
    assert {row["section"] for row in rows} == {section}
    assert [row["rank"] for row in rows] == list(range(1, len(rows) + 1)) or rows[0]["rank"] == 1


def test_an_out_of_range_page_size_is_a_400_naming_the_field(published_batch):
    for size in (0, 501, "many"):
        response = token_client().get(reverse("api:batch-scores", args=[published_batch.pk]), {"page_size": size})
        assert response.status_code == 400
        assert list(response.json()["fields"]) == ["page_size"]


def test_a_batch_id_beyond_any_database_integer_is_a_404(published_batch):
    code = firm_in(HOME, published_batch).credit_code
    for batch_id in (10**24, 2**63):
        response = token_client().get(reverse("api:batch-score-detail", args=[batch_id, code]))
        assert response.status_code == 404


def test_an_unknown_api_path_is_a_json_404(db):
    for url in ("/api/v1/nothing-here/", "/api/v1/batches/0.5/", "/api/v1/batches/abc/scores/"):
        response = token_client().get(url)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_the_csv_export_streams_every_visible_score_with_its_points(published_batch):
    client = token_client(region_scope=HOME)
    response = client.get(reverse("api:batch-scores-csv", args=[published_batch.pk]))
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())  # a byte-order mark: Excel reads the UTF-8 as UTF-8
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    expected = visible_scores("client-regional", published_batch).select_related("enterprise")
    assert {row["credit_code"] for row in rows} == {s.enterprise.credit_code for s in expected}
    run = ScoringRun.objects.get(pk=published_batch.scoring.published_run_id)
    by_code = {s.enterprise.credit_code: s for s in expected}
    for row in rows:
        score = by_code[row["credit_code"]]
        assert row["name"] == score.enterprise.name
        assert row["total"] == f"{score.total:.2f}"  # as published: 2 decimals
        assert row["eligible"] == ("true" if score.eligible else "false")
        points = [row[code] for code in run.indicator_codes]
        assert all(len(p.split(".")[1]) == 2 for p in points)
        assert [float(p) for p in points] == pytest.approx(score.points, abs=0.0051)  # rounded to 2 decimals
        assert len(row["stage_percentile"].split(".")[1]) == 4


def test_the_csv_export_of_a_foreign_batch_is_a_json_404_even_when_csv_is_asked_for(published_batch):
    response = token_client().get(reverse("api:batch-scores-csv", args=[999_999]), HTTP_ACCEPT="text/csv")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_funnel_counts_collected_scored_and_eligible_by_province(published_batch):
    body = token_client(region_scope=HOME).get(reverse("api:batch-funnel", args=[published_batch.pk])).json()
    scores = visible_scores("client-regional", published_batch)
    assert [row["region_code"] for row in body["regions"]] == [HOME]
    assert body["total"]["scored"] == scores.count()
    assert body["total"]["eligible"] == scores.filter(eligible=True).count()
    assert (
        body["total"]["collected"]
        == published_batch.submissions.filter(enterprise__region_code__startswith=HOME).exclude(status="draft").count()
    )


@pytest.mark.parametrize(
    ("name", "params", "limit"),
    [
        ("api:batch-scores", {}, 4),  # token, published run, page
        ("api:batch-rankings", {}, 4),
        ("api:batch-list", {}, 2),  # token, page (the system comes joined)
        ("api:run-list", {}, 2),
        ("api:system-list", {}, 3),  # token, page, indicators (one prefetch)
    ],
)
def test_list_endpoints_run_a_fixed_number_of_queries_whatever_the_page_size(
    published_batch, django_assert_max_num_queries, name, params, limit
):
    client = token_client()
    client.api_client.last_used_at = None
    args = [published_batch.pk] if name.startswith("api:batch-") and name != "api:batch-list" else []
    client.get(reverse(name, args=args))  # the first request also records last_used_at (one UPDATE a minute)
    for page_size in (5, 500):
        with django_assert_max_num_queries(limit):
            assert client.get(reverse(name, args=args), {**params, "page_size": page_size}).status_code == 200


@pytest.mark.parametrize("bank", [None, "icbc"])
def test_a_score_lookup_by_credit_code_is_two_queries_and_a_banks_two_more(
    published_batch, django_assert_num_queries, bank
):
    client = token_client(bank=bank and Bank.objects.get(code=bank))  # a bank's consent is an EXISTS in the statement
    url = reverse("api:batch-score-detail", args=[published_batch.pk, firm_in(HOME, published_batch).credit_code])
    client.get(url)
    # token; the score with its firm and run; for a bank, its client's service account and the firm's access-log row
    with django_assert_num_queries(4 if bank else 2):
        assert client.get(url).status_code == 200


def test_each_grade_filter_selects_exactly_that_grade_whatever_the_bands(published_batch):
    """The list adds the grade's total range beside the grade filter; it must never change the rows selected."""
    client = token_client()
    url = reverse("api:batch-scores", args=[published_batch.pk])
    scores = Score.objects.filter(run_id=published_batch.scoring.published_run_id)
    for grades in (["A"], ["B"], ["C"], ["D"], ["E"], ["A", "C"], ["B", "E"]):
        got = sorted(row["credit_code"] for row in all_pages(client, url, page_size=500, grade=grades))
        want = sorted(scores.filter(grade__in=grades).values_list("enterprise__credit_code", flat=True))
        assert got == want, grades
    assert scores.values("grade").distinct().count() >= 3  # enough grades present for the comparison to bite


# --- Consent: a bank reads a firm's score only while the firm consents to that bank ---------------------------------


def bank_callers(code: str) -> dict[str, APIClient]:
    bank, officer = Bank.objects.get(code=code), UserFactory()
    BankOfficer.objects.create(user=officer, bank=bank)
    return {f"{code}-officer": session_client(officer), f"{code}-client": token_client(bank=bank)}


@pytest.fixture
def icbc_only(published_batch):
    """A Guangdong firm whose one consent names ICBC (no blanket consent)."""
    firm = (
        Score.objects.filter(run_id=published_batch.scoring.published_run_id, enterprise__region_code__startswith=HOME)
        .exclude(enterprise=firm_in(HOME, published_batch))
        .order_by("enterprise_id")[0]
        .enterprise
    )
    Consent.objects.filter(enterprise=firm).delete()
    consent_grant(enterprise=firm, bank=Bank.objects.get(code="icbc"), user=None)
    return firm


def sees(client, batch, firm) -> dict[str, bool]:
    """Whether ``client`` finds ``firm`` on each per-firm score resource of ``batch``."""
    code = firm.credit_code
    csv_body = b"".join(client.get(reverse("api:batch-scores-csv", args=[batch.pk])).streaming_content).decode()
    return {
        "lookup": client.get(reverse("api:batch-score-detail", args=[batch.pk, code])).status_code == 200,
        "scores-of-firm": client.get(reverse("api:enterprise-scores", args=[code])).status_code == 200,
        "list": code
        in {
            row["credit_code"] for row in all_pages(client, reverse("api:batch-scores", args=[batch.pk]), page_size=500)
        },  # fmt: skip
        "ranking": code
        in {
            row["credit_code"]
            for row in all_pages(client, reverse("api:batch-rankings-province", args=[batch.pk, HOME]), page_size=500)
        },  # fmt: skip
        "csv": code in csv_body,
    }


def test_a_firm_consenting_to_one_bank_is_visible_to_that_bank_only(published_batch, icbc_only):
    roles = {**callers(published_batch), **bank_callers("icbc"), **bank_callers("cmb")}
    everywhere = dict.fromkeys(("lookup", "scores-of-firm", "list", "ranking", "csv"), True)
    nowhere = dict.fromkeys(everywhere, False)
    for role in ("icbc-officer", "icbc-client", "bureau-national", "bureau-regional", "client-regional"):
        assert sees(roles[role], published_batch, icbc_only) == everywhere, role
    for role in ("cmb-officer", "cmb-client", "bank-regional", "client-regional-bank"):
        assert sees(roles[role], published_batch, icbc_only) == nowhere, role


@pytest.mark.parametrize("ends", ["revoked", "expired"])
def test_a_consent_that_ends_hides_the_score_from_the_next_request_on(published_batch, icbc_only, ends):
    clients = bank_callers("icbc")
    url = reverse("api:batch-score-detail", args=[published_batch.pk, icbc_only.credit_code])
    for client in clients.values():
        assert client.get(url).status_code == 200  # the lookup statement is now compiled and cached
    consent = Consent.objects.get(enterprise=icbc_only)
    if ends == "revoked":
        consent_revoke(consent=consent, user=None)
    else:
        now = timezone.now()
        Consent.objects.filter(pk=consent.pk).update(granted_at=now - timedelta(days=30), expires_at=now)
    for role, client in clients.items():
        response = client.get(url)
        assert response.status_code == 404, role
        assert response.json()["code"] == "not_found"
        assert not sees(client, published_batch, icbc_only)["list"], role


def test_the_funnel_stays_an_aggregate_of_the_whole_region_for_a_bank(published_batch, icbc_only):
    Consent.objects.filter(enterprise=icbc_only).delete()  # one more firm without any consent
    scored = Score.objects.filter(run_id=published_batch.scoring.published_run_id)
    unconsenting = scored.exclude(enterprise__consents__isnull=False).count()
    assert unconsenting > 0
    body = bank_callers("cmb")["cmb-client"].get(reverse("api:batch-funnel", args=[published_batch.pk])).json()
    assert body["total"]["scored"] == scored.count()
