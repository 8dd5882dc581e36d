"""Fixtures shared by the cross-app tests in this folder."""

from tests.authorization_world import world  # noqa: F401 - the authorization matrices' module-scoped world
from tests.browser import browser  # noqa: F401 - Chromium for the browser tests that ask for it
