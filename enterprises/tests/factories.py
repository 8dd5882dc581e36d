"""Factories for enterprises and their filings, with valid credit codes (the check character is computed)."""

import random
from datetime import date, timedelta

import factory
from django.utils import timezone

from core.tests.factories import UserFactory
from core.validators import USCC_ALPHABET, uscc_check_char
from enterprises.choices import MemberRole
from enterprises.models import Consent, Enterprise, EnterpriseMembership, Submission


def valid_credit_code(seed: int) -> str:
    rng = random.Random(seed)
    first17 = "91" + "440300" + "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
    return first17 + uscc_check_char(first17)


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    credit_code = factory.Sequence(valid_credit_code)
    name = factory.Sequence(lambda n: f"示例科技{n}有限公司")
    region_code = "440305"
    industry_code = "I65"
    established = date(2015, 3, 1)
    is_tech_sme = True


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EnterpriseMembership

    user = factory.SubFactory(UserFactory)
    enterprise = factory.SubFactory(EnterpriseFactory)
    role = MemberRole.ADMIN


class SubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Submission

    enterprise = factory.SubFactory(EnterpriseFactory)
    revenue = 5000
    revenue_prev = 4000
    rd_expense = 400
    rd_expense_prev = 300
    employees = 80
    rd_staff = 20
    net_profit = 300
    net_assets = 2000
    taxes_paid = 150


# A complete, plausible filing as a form would post it.
GOOD_FILING = {
    "revenue": "5000",
    "revenue_prev": "4000",
    "rd_expense": "400",
    "rd_expense_prev": "300",
    "employees": "80",
    "rd_staff": "20",
    "net_profit": "-30.5",
    "net_assets": "2000",
    "taxes_paid": "150",
    "invention_patents": "3",
    "high_tech_revenue": "3000",
}


class ConsentFactory(factory.django.DjangoModelFactory):
    """A blanket consent (to every partner bank), in force since yesterday."""

    class Meta:
        model = Consent

    enterprise = factory.SubFactory(EnterpriseFactory)
    bank = None
    scope = "profile"
    granted_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
