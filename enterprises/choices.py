from django.db import models
from django.utils.translation import gettext_lazy as _


class SizeClass(models.TextChoices):
    MICRO = "micro", _("微型")
    SMALL = "small", _("小型")
    MEDIUM = "medium", _("中型")
    LARGE = "large", _("大型")


class MemberRole(models.TextChoices):
    ADMIN = "admin", _("企业管理员")
    MEMBER = "member", _("填报人员")


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("已审核通过")


class DataSource(models.TextChoices):
    SELF_REPORTED = "self_reported", _("企业自报")
    IMPORTED = "imported", _("批量导入")
    VERIFIED = "verified", _("部门核验")


class ConsentScope(models.TextChoices):
    PROFILE = "profile", _("企业画像与评分")
    FINANCIALS = "financials", _("画像、评分与财务填报数据")


class RdPlatformLevel(models.IntegerChoices):
    NONE = 0, _("无")
    CITY = 1, _("市级")
    PROVINCIAL = 2, _("省级")
    NATIONAL = 3, _("国家级")


class BatchStatus(models.TextChoices):
    DRAFT = "draft", _("未开放")
    OPEN = "open", _("填报中")
    CLOSED = "closed", _("已截止")


class BankRead(models.TextChoices):
    """How a bank read a named firm (``ProfileAccessLog.read``): every such read is in the firm's access log."""

    PROFILE = "profile", _("企业画像")
    SCORE = "score", _("按信用代码查询评分")
    ENTERPRISE = "enterprise", _("企业信息查询")
    SCORE_LIST = "score_list", _("评分列表")
    RANKING = "ranking", _("排名")
    SCORE_EXPORT = "score_export", _("评分导出(CSV)")
    LIST_EXPORT = "list_export", _("推荐名单导出")
    LIST = "list", _("推荐名单浏览")
    RECOMMENDATION = "recommendation", _("推荐记录查询")


class BatchFieldKind(models.TextChoices):
    """What a batch's extra field holds (``BatchField.kind``)."""

    NUMBER = "number", _("数值(最多两位小数)")
    INTEGER = "integer", _("整数")
    YES_NO = "yes_no", _("是/否")
