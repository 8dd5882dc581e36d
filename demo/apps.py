from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data and its commands (``generate_demo``, ``demo_setup``). It may import every app; none imports it."""

    name = "demo"
    verbose_name = _("演示数据")
