"""The read-only enterprise API: own firm for members, region for bureau staff and platform clients, consenting
firms of their region for banks; a foreign firm is a 404."""

from django.urls import reverse
from django.utils import timezone

from banks.models import Bank
from enterprises.models import Consent, Enterprise
from tests.api_support import (  # noqa: F401 (fixtures)
    HOME,
    callers,
    firm_in,
    firm_outside,
    fresh_throttle_counters,
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
        with django_assert_max_num_queries(2):  # token, page (consent is an EXISTS in the same statement)
            assert client.get(reverse("api:enterprise-list"), {"page_size": page_size}).status_code == 200
