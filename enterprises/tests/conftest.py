"""Fixtures for the enterprise journey: a firm with its administrator, a bureau reviewer of its region."""

import pytest

from enterprises.tests.factories import EnterpriseFactory, MembershipFactory
from tests.factories import BureauStaffFactory


@pytest.fixture
def firm(db):
    return EnterpriseFactory(region_code="440305")


@pytest.fixture
def firm_admin(firm):
    return MembershipFactory(enterprise=firm).user


@pytest.fixture
def firm_client(client, firm_admin):
    client.force_login(firm_admin)
    return client


@pytest.fixture
def reviewer(db):
    """A Guangdong reviewer (region scope 44)."""
    return BureauStaffFactory(region_scope="44").user


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client
