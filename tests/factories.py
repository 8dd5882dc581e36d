"""The people factories most tests start from (they live with core's other factories, ``core/tests/factories.py``)."""

from core.tests.factories import BureauStaffFactory, UserFactory

__all__ = ["BureauStaffFactory", "UserFactory"]
