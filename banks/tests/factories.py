"""Factories for banks: loan products and notices. List rows are written by the push
(``banks.services.recommendation_list_push``), never one by one: see ``banks/tests/fixtures.py``."""

import factory

from banks.models import LoanProduct, Notice
from core.tests.factories import BankFactory, UserFactory


class LoanProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LoanProduct

    bank = factory.SubFactory(BankFactory)
    name = factory.Sequence(lambda n: f"科创积分贷{n}")
    min_grade = "C"
    max_amount = 1000
    term_months = 12
    rate_spread_bp = 80


class NoticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notice

    user = factory.SubFactory(UserFactory)
    message = "新的推荐名单"
