"""A firm's notices: every member sees them in their own language, only their own firm's, and opening the page marks
them read."""

import pytest
from django.urls import reverse

from enterprises.notices import enterprise_notify, enterprises_notify, notices_unread_count
from enterprises.tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db


def test_a_notice_reads_in_the_readers_language(firm, firm_client):
    enterprise_notify(enterprise=firm, kind="platform", params={"text": "X-42"}, url="/enterprise/")
    chinese = firm_client.get(reverse("enterprises:notices")).content.decode()
    assert "平台通知:X-42" in chinese
    english = firm_client.get(reverse("enterprises:notices"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Platform notice: X-42" in english


def test_opening_the_page_marks_the_firms_notices_read_and_the_home_counts_them_until_then(firm, firm_client):
    enterprise_notify(enterprise=firm, kind="platform", params={"text": "a"})
    enterprise_notify(enterprise=firm, kind="platform", params={"text": "b"})
    assert notices_unread_count(enterprise=firm) == 2
    home = firm_client.get(reverse("home")).content.decode()
    assert 'data-count="unread-firm">2<' in home
    firm_client.get(reverse("enterprises:notices"))
    assert notices_unread_count(enterprise=firm) == 0
    assert 'data-count="unread-firm"' not in firm_client.get(reverse("home")).content.decode()


def test_a_firm_never_sees_another_firms_notices(firm, firm_client):
    other = EnterpriseFactory(region_code="440305")
    enterprises_notify(enterprise_ids=[other.pk], kind="platform", params={"text": "secret-of-other"})
    page = firm_client.get(reverse("enterprises:notices")).content.decode()
    assert "secret-of-other" not in page
    assert notices_unread_count(enterprise=other) == 1


def test_an_unregistered_kind_is_refused_when_written():
    with pytest.raises(ValueError):
        enterprise_notify(enterprise=EnterpriseFactory(), kind="no-such-kind")
