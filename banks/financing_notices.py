"""The wording of the firm's notices about its applications (``enterprises.notices``): one kind per status, and
one per decline category, so each member reads it in their own language; the bank is stored by id and named in the
reader's language when the notice is read (``bank_notice_params``). Loaded by ``BanksConfig.ready``."""

from django.utils.functional import lazy
from django.utils.translation import gettext

from core.models import Bank
from enterprises.notices import notice_kind, notice_param

from .choices import ApplicationStatus, DeclineCategory

PREFIX = "financing_"


def bank_notice_params(bank: Bank) -> dict:
    """The bank's parameters of a firm's notice: its id (worded when read) and its name as sent (the fallback)."""
    return {"bank_id": bank.pk, "bank": bank.short_name or bank.name}


def _bank_names(ids: set) -> dict:
    banks = Bank.objects.filter(pk__in=ids).only("pk", "code", "short_name", "name")
    return {bank.pk: bank.short_label for bank in banks}


notice_param("bank_id", "bank", _bank_names)


def status_label(status: str, category: str = "") -> str:
    """What the firm reads for a status: its label, and for a decline "已拒绝:<category>" (never the bank's note)."""
    label = str(ApplicationStatus(status).label) if status in ApplicationStatus.values else status
    if status == ApplicationStatus.DECLINED and category in DeclineCategory.values:
        return gettext("%(status)s:%(category)s") % {"status": label, "category": DeclineCategory(category).label}
    return label


def _text(status: str, category: str) -> str:
    return gettext("%(bank)s 处理了您 %(amount)s 万元的融资申请:") + status_label(status, category)


def _list_text(status: str, category: str) -> str:
    return gettext("%(bank)s 更新了贵企业在推荐名单上的进度:") + status_label(status, category)


_lazy_text, _lazy_list_text = lazy(_text, str), lazy(_list_text, str)


def status_notice_kind(status: str, category: str = "", *, list_entry: bool = False) -> str:
    """The kind of the notice of an application's (or, ``list_entry``, a recommendation-list entry's) status."""
    prefix = LIST_PREFIX if list_entry else PREFIX
    return f"{prefix}{status}_{category}" if category else f"{prefix}{status}"


LIST_PREFIX = "listentry_"
for _status in ApplicationStatus.values:
    for _category in DeclineCategory.values if _status == ApplicationStatus.DECLINED else ("",):
        notice_kind(status_notice_kind(_status, _category), _lazy_text(_status, _category))
        notice_kind(status_notice_kind(_status, _category, list_entry=True), _lazy_list_text(_status, _category))
