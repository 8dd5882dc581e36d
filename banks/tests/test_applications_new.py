"""Bank officers learn of new applications (issue #15): what arrived since an officer last opened the applications
page — applications addressed to the bank and needs naming it — is counted on their home and the bank's list and
marked new on that page, only where consent and the officer's region let them see it."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from banks.financing import financing_apply, financing_need_post, financing_need_withdraw
from banks.financing_selectors import NewForBank, new_for_bank
from banks.models import ApplicationsVisit
from banks.tests.fixtures import officer_of
from enterprises.tests.factories import ConsentFactory, EnterpriseFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def firm():
    enterprise = EnterpriseFactory(region_code="440305", name="深圳新申请科技有限公司")
    return MembershipFactory(enterprise=enterprise).enterprise


def _need(firm, **extra):
    return financing_need_post(enterprise=firm, user=None, amount=Decimal(300), term_months=12, purpose="购置设备",
                               valid_until=date.today() + timedelta(days=30), **extra)  # fmt: skip


def _home_count(client, user) -> int:
    client.force_login(user)
    html = client.get(reverse("home")).content.decode()
    return int(re.search(r'data-count="new-applications">([\d,]+)<', html).group(1))


def test_an_application_is_new_to_each_officer_of_the_bank_until_they_open_the_applications_page(
    client, firm, icbc, icbc_officer, icbc_gd_officer
):
    ConsentFactory(enterprise=firm, bank=icbc)
    first = financing_apply(need=_need(firm), bank=icbc, user=None)
    assert _home_count(client, icbc_officer) == 1 and _home_count(client, icbc_gd_officer) == 1
    client.force_login(icbc_officer)
    assert "1 项新融资申请或点名本行的需求" in client.get(reverse("banks:list")).content.decode()

    page = client.get(reverse("banks:applications")).content.decode()
    assert 'class="new-since"' in page and "自您上次查看以来新到 1 项" in page
    assert _home_count(client, icbc_officer) == 0  # seen by this officer ...
    assert _home_count(client, icbc_gd_officer) == 1  # ... and still new to a colleague

    second = financing_apply(need=_need(firm), bank=icbc, user=None)
    assert _home_count(client, icbc_officer) == 1
    client.force_login(icbc_officer)
    page = client.get(reverse("banks:applications"))
    marked = {row.pk for row in page.context["page"] if row.is_new}
    assert marked == {second.pk} and first.pk not in marked


def test_another_bank_another_region_and_a_firm_without_consent_tell_the_officer_nothing(
    client, firm, icbc, cmb, icbc_officer, cmb_officer
):
    jiangsu = officer_of(icbc, "icbc-js", branch=icbc.branches.get(region_scope="32"))
    consent = ConsentFactory(enterprise=firm, bank=icbc)
    financing_apply(need=_need(firm), bank=icbc, user=None)
    assert new_for_bank(user=icbc_officer).applications == 1
    assert new_for_bank(user=cmb_officer).total == 0  # not addressed to CMB
    assert new_for_bank(user=jiangsu).total == 0  # a Shenzhen firm: outside the Jiangsu branch
    consent.revoked_at = consent.granted_at + timedelta(seconds=1)
    consent.save()
    assert new_for_bank(user=icbc_officer).total == 0  # consent gone: nothing to see, nothing new
    assert _home_count(client, icbc_officer) == 0


def test_a_need_naming_the_bank_is_new_to_it_and_listed_until_the_firm_applies_to_it(
    client, firm, icbc, cmb, icbc_officer, cmb_officer
):
    ConsentFactory(enterprise=firm)  # blanket consent: both banks may see the firm
    need = _need(firm, preferred_banks=[icbc])
    assert new_for_bank(user=icbc_officer).needs == 1 and new_for_bank(user=cmb_officer).total == 0
    client.force_login(icbc_officer)
    page = client.get(reverse("banks:applications")).content.decode()
    row = page.split(f'id="named-need-{need.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "新" in row and firm.name in row and "购置设备" in row
    assert new_for_bank(user=icbc_officer).total == 0

    financing_apply(need=need, bank=icbc, user=None)  # now an application: counted and listed once, as that
    assert new_for_bank(user=icbc_officer) == NewForBank(applications=1, needs=0)
    page = client.get(reverse("banks:applications")).content.decode()
    assert f'id="named-need-{need.pk}"' not in page
    financing_need_withdraw(need=_need(firm, preferred_banks=[icbc]), user=None)
    assert new_for_bank(user=icbc_officer).total == 0  # a withdrawn need is nobody's news


def test_the_visit_is_recorded_per_officer_and_a_firm_cannot_open_the_banks_page(client, firm, icbc_officer):
    client.force_login(icbc_officer)
    client.get(reverse("banks:applications"))
    client.get(reverse("banks:applications"))
    assert ApplicationsVisit.objects.filter(user=icbc_officer).count() == 1
    client.force_login(firm.memberships.get().user)
    assert client.get(reverse("banks:applications")).status_code in (302, 403, 404)
    assert not ApplicationsVisit.objects.exclude(user=icbc_officer).exists()
