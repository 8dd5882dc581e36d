"""A bank named in a firm's notice is named in the reader's language: the notice stores the bank's id and the page
words it when read (``enterprises.notices.notice_param``); notices sent before that stay readable, and the migration
gives those it can the bank's id."""

import importlib
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import translation

from banks.financing import financing_application_transition, financing_apply, financing_need_post
from core.models import Bank
from enterprises.models import EnterpriseNotice
from enterprises.notices import notices_for
from enterprises.tests.factories import ConsentFactory, EnterpriseFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def firm():
    return MembershipFactory(enterprise=EnterpriseFactory(region_code="440305")).enterprise


def _applied_and_declined(firm, bank, officer):
    ConsentFactory(enterprise=firm)
    need = financing_need_post(enterprise=firm, user=None, amount=Decimal(500), term_months=12, purpose="设备",
                               valid_until=date.today() + timedelta(days=30))  # fmt: skip
    application = financing_apply(need=need, bank=bank, user=None)
    financing_application_transition(application=application, user=officer, status="declined", category="risk")


def test_an_english_reader_reads_the_banks_english_name_and_a_chinese_reader_its_chinese_one(firm, icbc, icbc_officer):
    _applied_and_declined(firm, icbc, icbc_officer)
    assert EnterpriseNotice.objects.filter(enterprise=firm, params__bank_id=icbc.pk).count() == 2
    with translation.override("en"):
        english = [n.text for n in notices_for(enterprise=firm)]
    chinese = [n.text for n in notices_for(enterprise=firm)]
    assert all(text.startswith("ICBC ") and icbc.short_name not in text for text in english), english
    assert "Declined" in english[0] and "Risk too high" in english[0]
    assert all(text.startswith(icbc.short_name) for text in chinese), chinese


def test_a_page_of_notices_from_many_banks_words_them_in_one_query(firm, icbc, cmb, icbc_officer, cmb_officer,
                                                                    django_assert_num_queries):  # fmt: skip
    _applied_and_declined(firm, icbc, icbc_officer)
    need = financing_need_post(enterprise=firm, user=None, amount=Decimal(80), term_months=6, purpose="周转",
                               valid_until=date.today() + timedelta(days=30))  # fmt: skip
    financing_apply(need=need, bank=cmb, user=None)
    with translation.override("en"), django_assert_num_queries(2):  # the notices, the banks they name
        texts = [n.text for n in notices_for(enterprise=firm)]
    assert texts[0].startswith("CMB ") and texts[-1].startswith("ICBC ")


def test_an_old_notice_naming_the_bank_in_chinese_reads_as_sent_until_migrated_then_in_the_readers_language(firm):
    icbc = Bank.objects.get(code="icbc")
    old = EnterpriseNotice.objects.create(enterprise=firm, kind="financing_contacted",
                                          params={"bank": icbc.short_name, "amount": "500"})  # fmt: skip
    unknown = EnterpriseNotice.objects.create(enterprise=firm, kind="financing_viewed",
                                              params={"bank": "某农商行", "amount": "20"})  # fmt: skip
    sent = {"bank": "已注销银行", "bank_id": 987654, "amount": "30"}
    gone = EnterpriseNotice.objects.create(enterprise=firm, kind="financing_viewed", params=sent)
    with translation.override("en"):
        assert _text(firm, old).startswith(f"{icbc.short_name} ")  # readable as sent

    migration = importlib.import_module("banks.migrations.0011_notice_bank_ids")
    migration.notice_bank_ids_add(apps, None)

    old.refresh_from_db()
    unknown.refresh_from_db()
    assert old.params["bank_id"] == icbc.pk and "bank_id" not in unknown.params
    with translation.override("en"):
        assert _text(firm, old).startswith("ICBC ") and "500" in _text(firm, old)
        assert _text(firm, unknown).startswith("某农商行 ")  # a name no bank has: as sent
        assert _text(firm, gone).startswith("已注销银行 ")  # a bank that no longer exists: as sent


def _text(firm, notice) -> str:
    return next(n.text for n in notices_for(enterprise=firm) if n.pk == notice.pk)
