"""The enterprise API. Profiles: own firm for members, region for bureau staff and platform clients, consenting
firms of their region for banks. Filings: a member drafts, corrects and submits its own through the filing page's
services; bureau staff and platform clients read their region's, and staff review them. A foreign object is a 404."""

from decimal import Decimal

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, settings
from rest_framework.test import APIClient
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import ignored_auth

from core.models import Bank
from enterprises.choices import SubmissionStatus
from enterprises.models import Batch, Consent, Enterprise, Submission, SubmissionChange
from enterprises.tests.factories import EnterpriseFactory, MembershipFactory
from scoring.services import batch_create
from tests.api_support import (  # noqa: F401 (fixtures)
    HOME,
    callers,
    data_dependent_exclusions,
    firm_in,
    firm_outside,
    fresh_throttle_counters,
    session_client,
    token_client,
)
from tests.api_support import (
    published_batch as published_batch,
)


def listed(client, **params):
    codes, page = [], client.get(reverse("api:enterprise-list"), {"page_size": 500, **params})
    while True:
        assert page.status_code == 200
        codes += [row["credit_code"] for row in page.json()["results"]]
        if not page.json()["next"]:
            return codes
        page = client.get(page.json()["next"])


def consenting_to(bank: Bank):
    now = timezone.now()
    active = Consent.objects.filter(revoked_at__isnull=True, granted_at__lte=now).exclude(expires_at__lte=now)
    return Enterprise.objects.filter(pk__in=active.filter(bank__isnull=True).values("enterprise_id")) | (
        Enterprise.objects.filter(pk__in=active.filter(bank=bank).values("enterprise_id"))
    )


def test_each_role_lists_exactly_the_firms_it_may_see(published_batch):
    roles = callers(published_batch)
    home = Enterprise.objects.filter(region_code__startswith=HOME)
    icbc = Bank.objects.get(code="icbc")
    expected = {
        "client-national": Enterprise.objects.all(),
        "client-regional": home,
        "bureau-national": Enterprise.objects.all(),
        "bureau-regional": home,
        "bank-national": consenting_to(icbc),
        "enterprise": Enterprise.objects.filter(pk=firm_in(HOME, published_batch).pk),
    }
    for role, firms in expected.items():
        want = sorted(firms.values_list("credit_code", flat=True))
        assert want, role
        assert sorted(listed(roles[role])) == want, role
    # some firms have no consent: the bank sees fewer firms than the platform
    assert len(listed(roles["bank-national"])) < Enterprise.objects.count()


def test_a_bank_loses_a_firm_when_its_consent_is_revoked(published_batch):
    client = token_client(bank=Bank.objects.get(code="icbc"))
    firm = consenting_to(Bank.objects.get(code="icbc")).first()
    url = reverse("api:enterprise-detail", args=[firm.credit_code])
    assert client.get(url).status_code == 200
    Consent.objects.filter(enterprise=firm).update(revoked_at=timezone.now())
    assert client.get(url).status_code == 404


def test_a_foreign_firm_is_404(published_batch):
    roles = callers(published_batch)
    foreign = firm_outside(HOME, published_batch)
    for role in ("client-regional", "bureau-regional", "enterprise", "bank-regional"):
        response = roles[role].get(reverse("api:enterprise-detail", args=[foreign.credit_code]))
        assert response.status_code == 404, role


def test_the_enterprise_filters_apply(published_batch):
    client = token_client()
    firm = Enterprise.objects.order_by("pk").first()
    assert set(listed(client, region=firm.region_code)) == set(
        Enterprise.objects.filter(region_code__startswith=firm.region_code).values_list("credit_code", flat=True)
    )
    assert set(listed(client, section=firm.section_id, size_class=firm.size_class)) == set(
        Enterprise.objects.filter(section=firm.section_id, size_class=firm.size_class).values_list(
            "credit_code", flat=True
        )
    )


def test_a_token_without_the_scope_gets_403(published_batch):
    client = token_client(scopes=["loans:write"])
    assert client.get(reverse("api:enterprise-list")).status_code == 403


def test_the_enterprise_list_is_a_fixed_number_of_queries(published_batch, django_assert_max_num_queries):
    client = token_client(bank=Bank.objects.get(code="icbc"))
    client.get(reverse("api:enterprise-list"))
    for page_size in (5, 500):
        # token, page (consent is an EXISTS in the same statement), the client's service account, and the INSERT of
        # the page's firms into their access logs (two on SQLite, whose statements take fewer parameters)
        with django_assert_max_num_queries(5):
            assert client.get(reverse("api:enterprise-list"), {"page_size": page_size}).status_code == 200


# --- Filings ------------------------------------------------------------------------------------------------------

COMPLETE = {
    "revenue": "5000", "revenue_prev": "4000", "rd_expense": "400", "rd_expense_prev": "300", "employees": 80,
    "rd_staff": 20, "net_profit": "-30.50", "net_assets": "2000", "taxes_paid": "150", "invention_patents": 3,
}  # fmt: skip


def filings(client, **params):
    ids, page = [], client.get(reverse("api:submission-list"), {"page_size": 500, **params})
    while True:
        assert page.status_code == 200, page.content
        ids += [row["id"] for row in page.json()["results"]]
        if not page.json()["next"]:
            return ids
        page = client.get(page.json()["next"])


@pytest.fixture
def newcomer(published_batch):
    """A Shenzhen firm without a filing yet, and its administrator's API session."""
    firm = EnterpriseFactory(region_code="440305")
    member = MembershipFactory(enterprise=firm).user
    return firm, session_client(member), member


def test_each_role_lists_exactly_the_filings_it_may_see(published_batch, newcomer):
    firm, member_client, _member = newcomer
    assert member_client.post(reverse("api:submission-list"), {"revenue": "1"}, format="json").status_code == 201
    draft = Submission.objects.get(enterprise=firm)  # a draft: the firm's own business until submitted
    roles = callers(published_batch)
    submitted = Submission.objects.exclude(status=SubmissionStatus.DRAFT)
    home = submitted.filter(enterprise__region_code__startswith=HOME)
    expected = {
        "enterprise": Submission.objects.filter(enterprise=firm_in(HOME, published_batch)),
        "newcomer": Submission.objects.filter(pk=draft.pk),
        "bureau-national": submitted,
        "bureau-regional": home,
        "platform-national": submitted,
        "platform-regional": home,
        "bank-national": Submission.objects.none(),
        "bank-regional": Submission.objects.none(),
    }
    clients = {
        **roles,
        "newcomer": member_client,
        "platform-national": token_client(scopes=["submissions:read"]),
        "platform-regional": token_client(scopes=["submissions:read"], region_scope=HOME),
    }
    for role, want in expected.items():
        assert sorted(filings(clients[role])) == sorted(want.values_list("pk", flat=True)), role
    assert home.count() < submitted.count() and draft.pk not in filings(roles["bureau-regional"])


def test_a_token_needs_submissions_read_to_read_and_can_never_write(published_batch, newcomer):
    filing = Submission.objects.filter(batch=published_batch).first()
    without = token_client()  # scores:read only
    assert without.get(reverse("api:submission-list")).status_code == 403
    assert without.get(reverse("api:submission-detail", args=[filing.pk])).status_code == 403
    reader = token_client(scopes=["submissions:read", "scores:read", "loans:write"])
    assert reader.get(reverse("api:submission-detail", args=[filing.pk])).status_code == 200
    for response in (
        reader.post(reverse("api:submission-list"), COMPLETE, format="json"),
        reader.patch(reverse("api:submission-detail", args=[filing.pk]), {"revenue": "1"}, format="json"),
        reader.post(reverse("api:submission-approve", args=[filing.pk]), {}, format="json"),
    ):
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"


def test_a_bank_sees_no_filing(published_batch):
    roles = callers(published_batch)
    filing = Submission.objects.filter(enterprise=firm_in(HOME, published_batch)).get()
    for role in ("bank-national", "bank-regional"):
        assert filings(roles[role]) == [], role
        assert roles[role].get(reverse("api:submission-detail", args=[filing.pk])).status_code == 404, role


def test_no_credentials_is_401(published_batch):
    assert APIClient().get(reverse("api:submission-list")).status_code == 401


def test_an_enterprise_drafts_corrects_and_submits_its_filing_with_the_pages_services(published_batch, newcomer):
    firm, client, member = newcomer
    created = client.post(reverse("api:submission-list"), {"revenue": "1200.5", "employees": 10}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["batch"], body["credit_code"]) == ("draft", published_batch.pk, firm.credit_code)
    assert (body["revenue"], body["employees"], body["rd_staff"]) == ("1200.50", 10, 0)
    url = reverse("api:submission-detail", args=[body["id"]])

    patched = client.patch(url, {"employees": 12, "revenue": None}, format="json")
    assert patched.status_code == 200
    assert (patched.json()["employees"], patched.json()["revenue"]) == (12, "0.00")  # null blanks a field

    # a blank required field (null, as an empty box on the page) blocks the submission; a stored 0 is a value
    blank = {"revenue_prev": None, "rd_expense": None, "employees": 99}
    incomplete = client.post(reverse("api:submission-submit", args=[body["id"]]), blank, format="json")
    assert incomplete.status_code == 400
    assert set(incomplete.json()["fields"]) == {"revenue_prev", "rd_expense"}
    assert Submission.objects.get(pk=body["id"]).status == SubmissionStatus.DRAFT
    assert Submission.objects.get(pk=body["id"]).employees == 12  # nothing of the refused submission is saved

    submitted = client.post(reverse("api:submission-submit", args=[body["id"]]), COMPLETE, format="json")
    assert submitted.status_code == 200, submitted.content
    assert (submitted.json()["status"], submitted.json()["net_profit"]) == ("submitted", "-30.50")
    actions = list(SubmissionChange.objects.filter(submission_id=body["id"]).values_list("action", "user"))
    assert actions == [("save", member.pk), ("save", member.pk), ("submit", member.pk)]

    locked = client.patch(url, {"revenue": "1"}, format="json")
    assert locked.status_code == 400
    assert locked.json()["fields"]["non_field_errors"]
    assert Submission.objects.get(pk=body["id"]).revenue == Decimal("5000")


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"revenue": "-1"}, "revenue"),  # the model's limit, checked by the serializer as by the form
        ({"revenue": "abc"}, "revenue"),
        ({"employees": 10, "rd_staff": 11}, "rd_staff"),  # the filing's rule, checked by the service
        ({"revenue": "100", "high_tech_revenue": "101"}, "high_tech_revenue"),
        ({"financing_term_months": 0}, "financing_term_months"),
        ({"preferred_banks": [999_999]}, "preferred_banks"),
        ({"revenue_typo": "5"}, "revenue_typo"),
    ],
)
def test_a_bad_value_is_a_field_error_and_saves_nothing(newcomer, values, field):
    _firm, client, _member = newcomer
    response = client.post(reverse("api:submission-list"), values, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and field in body["fields"] and body["fields"][field][0]
    assert not Submission.objects.filter(enterprise=_firm).exists()  # not even an empty draft


def test_implausible_values_are_saved_with_warnings(newcomer):
    _firm, client, _member = newcomer
    response = client.post(reverse("api:submission-list"), {"revenue": "50000", "revenue_prev": "10"}, format="json")
    assert response.status_code == 201
    assert list(response.json()["warnings"]) == ["revenue"]
    assert Submission.objects.get(enterprise=_firm).revenue == Decimal("50000")


def test_a_firm_files_only_once_and_only_into_the_open_batch(published_batch, newcomer):
    _firm, client, _member = newcomer
    other = batch_create(
        name="2023年度", year=2023, reference_date="2023-12-31", system=published_batch.scoring.system,
        opens_on="2024-01-01", closes_on="2024-03-31", status="closed",
    )  # fmt: skip
    wrong = client.post(reverse("api:submission-list"), {"batch": other.pk}, format="json")
    assert wrong.status_code == 400 and "batch" in wrong.json()["fields"]
    assert client.post(reverse("api:submission-list"), {"batch": published_batch.pk}, format="json").status_code == 201
    again = client.post(reverse("api:submission-list"), {}, format="json")
    assert again.status_code == 400 and "batch" in again.json()["fields"]
    # once the batch closes, its filing cannot change any more (the page shows only the open batch's filing)
    Batch.objects.filter(pk=published_batch.pk).update(status="closed")
    filing = Submission.objects.get(enterprise=_firm)
    closed = client.patch(reverse("api:submission-detail", args=[filing.pk]), {"revenue": "1"}, format="json")
    assert closed.status_code == 400


def test_another_firms_filing_is_404_for_every_verb(published_batch, newcomer):
    _firm, client, _member = newcomer
    foreign = Submission.objects.filter(batch=published_batch).first()
    Submission.objects.filter(pk=foreign.pk).update(status=SubmissionStatus.RETURNED)  # editable by its own firm
    for response in (
        client.get(reverse("api:submission-detail", args=[foreign.pk])),
        client.patch(reverse("api:submission-detail", args=[foreign.pk]), {"revenue": "1"}, format="json"),
        client.post(reverse("api:submission-submit", args=[foreign.pk]), {}, format="json"),
        client.post(reverse("api:submission-approve", args=[foreign.pk]), {}, format="json"),
        client.get(reverse("api:submission-detail", args=["not-a-number"])),
    ):
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    assert Submission.objects.get(pk=foreign.pk).revenue != Decimal("1")


def test_bureau_staff_read_their_regions_filings_and_review_them_but_cannot_edit(published_batch, newcomer):
    _firm, member_client, _member = newcomer
    filing_id = member_client.post(reverse("api:submission-list"), COMPLETE, format="json").json()["id"]
    roles = callers(published_batch)
    bureau = roles["bureau-regional"]
    # still a draft: the firm's own business, to read and to review
    assert bureau.get(reverse("api:submission-detail", args=[filing_id])).status_code == 404
    assert bureau.post(reverse("api:submission-approve", args=[filing_id]), {}, format="json").status_code == 404
    member_client.post(reverse("api:submission-submit", args=[filing_id]), {}, format="json")
    assert bureau.get(reverse("api:submission-detail", args=[filing_id])).json()["status"] == "submitted"
    patched = bureau.patch(reverse("api:submission-detail", args=[filing_id]), {"revenue": "1"}, format="json")
    assert patched.status_code == 404  # a bureau has no filing of its own to edit

    no_comment = bureau.post(reverse("api:submission-return", args=[filing_id]), {}, format="json")
    assert no_comment.status_code == 400 and "comment" in no_comment.json()["fields"]
    returned = bureau.post(reverse("api:submission-return", args=[filing_id]), {"comment": "研发费用请附证明"},
                           format="json")  # fmt: skip
    assert returned.status_code == 200, returned.content
    assert (returned.json()["status"], returned.json()["review_comment"]) == ("returned", "研发费用请附证明")
    # the firm corrects and resubmits; the bureau approves
    member_client.post(reverse("api:submission-submit", args=[filing_id]), {"rd_expense": "410"}, format="json")
    approved = bureau.post(reverse("api:submission-approve", args=[filing_id]), {}, format="json")
    assert approved.json()["status"] == "approved"
    again = bureau.post(reverse("api:submission-approve", args=[filing_id]), {}, format="json")
    assert again.status_code == 400  # only a submitted filing can be reviewed

    # a filing outside the reviewer's region is a 404, to read and to review
    foreign = Submission.objects.exclude(enterprise__region_code__startswith=HOME).first()
    Submission.objects.filter(pk=foreign.pk).update(status=SubmissionStatus.SUBMITTED)
    assert bureau.get(reverse("api:submission-detail", args=[foreign.pk])).status_code == 404
    assert bureau.post(reverse("api:submission-approve", args=[foreign.pk]), {}, format="json").status_code == 404
    # an enterprise member cannot review, not even its own filing
    own = member_client.post(reverse("api:submission-approve", args=[filing_id]), {}, format="json")
    assert own.status_code == 404


@pytest.mark.parametrize("role", ["bureau-regional", "enterprise", "platform"])
def test_the_filing_list_is_a_fixed_number_of_queries(published_batch, django_assert_max_num_queries, role):
    client = token_client(scopes=["submissions:read"]) if role == "platform" else callers(published_batch)[role]
    Submission.objects.first().preferred_banks.set(Bank.objects.all()[:2])
    client.get(reverse("api:submission-list"))
    # session, user, its role records (bureau / bank officer / membership), the page, its preferred banks;
    # a token: the token, the page, its preferred banks
    limit = {"bureau-regional": 5, "enterprise": 7, "platform": 3}[role]
    for page_size in (5, 500):
        with django_assert_max_num_queries(limit):
            assert client.get(reverse("api:submission-list"), {"page_size": page_size}).status_code == 200


def test_a_session_write_needs_the_csrf_token(newcomer):
    """The browsable API and Swagger UI send it (X-CSRFToken); a cross-site form cannot."""
    _firm, _client, member = newcomer
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(member)
    response = client.post(reverse("api:submission-list"), COMPLETE, format="json")
    assert response.status_code == 403
    assert not Submission.objects.filter(enterprise=_firm).exists()


# Every filing operation fuzzed against the schema as the firm's member (the schema test fuzzes as a token client,
# which may not write filings): no 5xx, every response as documented.
filing_schema = schemathesis.openapi.from_wsgi("/api/schema/", WSGIHandler(), headers={"Host": "127.0.0.1"}).include(
    path_regex="^/api/v1/submissions"
)
CSRF = "k" * 32


@pytest.fixture
def member_session(newcomer):
    _firm, client, _member = newcomer
    filing = client.post(reverse("api:submission-list"), {"revenue": "10"}, format="json").json()["id"]
    session = client.cookies["sessionid"].value
    signals.request_started.disconnect(close_old_connections)  # keep the test's transaction (see test_api_schema)
    signals.request_finished.disconnect(close_old_connections)
    yield {"sessionid": session, "csrftoken": CSRF}, filing
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@filing_schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_filing_operation_conforms_to_the_schema_for_a_member(case, member_session):
    cookies, filing = member_session
    if "id" in (case.path_parameters or {}) and case.meta.generation.mode == GenerationMode.POSITIVE:
        case.path_parameters["id"] = filing  # its own filing, so that the bodies reach the services
    cache.clear()  # the per-person throttle would answer most examples with 429
    case.cookies = {**(case.cookies or {}), **cookies}
    # Host stays localhost, the cookies' domain. "Ignored auth" sends a bad token beside the session cookie, which
    # still authenticates (either suffices, as documented), so that check does not apply to a session.
    case.call_and_validate(
        headers={"X-CSRFToken": CSRF}, excluded_checks=[ignored_auth, *data_dependent_exclusions(case)]
    )
