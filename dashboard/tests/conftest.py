"""The firm fixtures of the enterprise journey, for the report's tests."""

from enterprises.tests.conftest import firm, firm_admin, firm_client  # noqa: F401 - fixtures
