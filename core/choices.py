"""Choices of the organisations in ``core.models``."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BankKind(models.TextChoices):
    POLICY = "policy", _("开发性、政策性银行")
    STATE_OWNED = "state_owned", _("国有大型商业银行")
    JOINT_STOCK = "joint_stock", _("全国性股份制商业银行")
    REGIONAL = "regional", _("城市商业银行/农村金融机构")


class InstitutionKind(models.TextChoices):
    NATIONAL_FUND = "national_fund", _("国家融资担保基金")
    PROVINCIAL = "provincial", _("省级再担保机构")
    LOCAL = "local", _("地方融资担保机构")
