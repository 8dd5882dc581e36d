"""Demo data for firms finding money (issue #15): the demo firm's financing needs, one applied to a bank that has
opened and contacted it, one declined with a category, so both sides' pages show every kind of step."""

from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from banks.financing import financing_application_transition, financing_apply, financing_need_post
from banks.financing_selectors import product_unmet_reasons
from banks.models import FinancingNeed
from core.models import Bank, BankOfficer
from enterprises.models import Consent, EnterpriseMembership


def demo_financing_create() -> int:
    """Needs and applications of the ``firm`` login's firm (idempotent: nothing when it has needs already)."""
    membership = EnterpriseMembership.objects.filter(user__username="firm").select_related("enterprise").first()
    if membership is None or FinancingNeed.objects.filter(enterprise=membership.enterprise).exists():
        return 0
    firm, user = membership.enterprise, membership.user
    until = timezone.localdate() + timedelta(days=90)
    working = financing_need_post(enterprise=firm, user=user, amount=Decimal(800), term_months=12, urgency="soon",
                                  purpose="流动资金:原材料采购", valid_until=until)  # fmt: skip
    financing_need_post(enterprise=firm, user=user, amount=Decimal(2000), term_months=36, purpose="购置研发设备",
                        valid_until=until)  # fmt: skip
    applied = 0
    for code, steps in (("icbc", ("contacted",)), ("cmb", ("declined",))):
        bank = Bank.objects.filter(code=code).first()
        officer = BankOfficer.objects.filter(bank=bank, branch__isnull=True).select_related("user").first()
        if bank is None or officer is None:
            continue
        if not Consent.objects.active().covering(bank.pk).filter(enterprise=firm).exists():
            Consent.objects.create(enterprise=firm, bank=bank, granted_by=user)
        # A product the firm may apply for (the supermarket's rule), or none: the need addressed to the bank itself
        # (the demo's firm is below the recommendation threshold, and most products want a better grade).
        product = next((p for p in bank.products.filter(active=True).order_by("pk")
                        if not product_unmet_reasons(enterprise=firm, product=p)), None)  # fmt: skip
        try:
            application = financing_apply(need=working, bank=bank, user=user, product=product)
        except ValidationError:  # a bank without a branch in the firm's region: nothing to show there
            continue
        for status in steps:
            application = financing_application_transition(application=application, user=officer.user,
                                                           status=status, category="documents" if status ==
                                                           "declined" else "", reason="演示:财报未盖章")  # fmt: skip
        applied += 1
    return applied
