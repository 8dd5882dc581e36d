"""The home page says what to do next (issue 17 item 7): each role sees its own counts, computed through the same
scoping as the pages they link to, and no link its role cannot open."""

import re

import pytest
from django.urls import reverse

from banks.choices import RecommendationStatus
from banks.models import Recommendation
from enterprises.choices import SubmissionStatus
from enterprises.models import Submission
from tests.factories import BureauStaffFactory

pytestmark = pytest.mark.django_db


def _count(page: str, name: str) -> int:
    return int(re.search(rf'data-count="{name}">([\d,]+)<', page).group(1).replace(",", ""))


def test_a_bank_officer_counts_new_rows_of_their_own_list_and_unread_notices(client, pushed, icbc, icbc_officer):
    Recommendation.objects.filter(bank=icbc).update(status=RecommendationStatus.NEW)
    client.force_login(icbc_officer)
    page = client.get(reverse("home")).content.decode()
    own = Recommendation.objects.visible_to(icbc_officer).current().consented()
    assert _count(page, "new") == own.filter(status="new").count() > 0
    assert own.count() < Recommendation.objects.filter(superseded=False).count()  # the other bank's rows are not
    first = own.order_by("list_rank").first()
    first.status, first.officer = RecommendationStatus.CONTACTED, icbc_officer
    first.save()
    page = client.get(reverse("home")).content.decode()
    assert _count(page, "new") == own.filter(status="new").count() and _count(page, "mine") == 1
    assert reverse("review:queue") not in page and reverse("scoring:batch-list") not in page


def test_a_bureau_counts_the_filings_waiting_in_its_region_only(client, population):
    Submission.objects.filter(batch=population).update(status=SubmissionStatus.SUBMITTED)
    gd = BureauStaffFactory(region_scope="44")
    client.force_login(gd.user)
    page = client.get(reverse("home")).content.decode()
    in_region = Submission.objects.filter(batch=population, enterprise__region_code__startswith="44").count()
    assert _count(page, "waiting") == in_region < Submission.objects.count()
    assert _count(page, "claims") == 0
    assert reverse("banks:list") not in page


def test_each_link_on_the_home_page_opens_for_that_role(client, pushed, icbc_officer, bureau_user):
    for user in (icbc_officer, bureau_user):
        client.force_login(user)
        page = client.get(reverse("home")).content.decode()
        main = page[page.index("<main") : page.index("</main>")]
        for href in re.findall(r'href="(/[^"]*)"', main):
            assert client.get(href.replace("&amp;", "&")).status_code == 200, (user.username, href)
