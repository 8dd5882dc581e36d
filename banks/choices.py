from django.db import models
from django.utils.translation import gettext_lazy as _


class BankKind(models.TextChoices):
    POLICY = "policy", _("开发性、政策性银行")
    STATE_OWNED = "state_owned", _("国有大型商业银行")
    JOINT_STOCK = "joint_stock", _("全国性股份制商业银行")
    REGIONAL = "regional", _("城市商业银行/农村金融机构")


class RecommendationStatus(models.TextChoices):
    NEW = "new", _("新推荐")
    VIEWED = "viewed", _("已查看")
    CONTACTED = "contacted", _("已对接")
    APPROVED = "approved", _("已审批")
    DECLINED = "declined", _("已拒绝")
    CONTRACTED = "contracted", _("已签约")


DEFAULT_LINE_BY_GRADE = {"A": 1000, "B": 600, "C": 300, "D": 150, "E": 0}  # 万元, methodology §11
