"""Demo data for the bank journey: push the demo run's lists, then a few worked recommendations, loans and guarantees
so that the officer portal, the guarantor pages and the bureau's funnel have something to show. Idempotent."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from banks.models import LoanProduct, Recommendation
from banks.services import (
    banks_to_push,
    recommendation_list_push,
    recommendation_lists_notify,
    recommendation_transition,
)
from core.models import Bank, BankOfficer, GuaranteeInstitution
from enterprises.models import Batch
from guarantees.services import guarantee_contract_create
from loans.models import LoanContract
from loans.services import loan_contract_create, rate_ceiling, suggested_line

DEMO_PREFIX = "DEMO-"
DEMO_LOANS_PER_BANK = 4


def demo_push(*, batch: Batch) -> int:
    """Push the batch's published run to every bank with products (what the Celery fan-out does), then tell every
    officer who can see a list and was not told yet — the publication's own push ran before the demo's officers
    existed. Returns the list rows in total."""
    run = batch.scoring.published_run
    if run is None:
        return 0
    rows = sum(
        recommendation_list_push(run=run, bank=Bank.objects.get(pk=pk), notify=False).listed for pk in banks_to_push()
    )
    recommendation_lists_notify(run=run)
    return rows


@transaction.atomic
def demo_loans_create(*, batch: Batch) -> int:
    """For the demo banks' officers: contact, approve and sign the top firms of their lists, half of them under the
    special guarantee plan, and decline one. Returns the number of loans created (0 when they exist already)."""
    if (
        LoanContract.objects.filter(contract_no__startswith=DEMO_PREFIX).exists()
        or batch.scoring.published_run_id is None
    ):
        return 0
    created = 0
    signed_on = timezone.localdate() - timedelta(days=30)
    for officer in BankOfficer.objects.filter(user__username__in=["icbc-gd", "cmb"]).select_related("user", "bank"):
        user = officer.user
        recs = list(
            Recommendation.objects.visible_to(user)
            .current()
            .filter(run=batch.scoring.published_run)
            .order_by("list_rank")[: DEMO_LOANS_PER_BANK + 2]
        )
        for i, rec in enumerate(recs):
            if i == len(recs) - 1:
                recommendation_transition(
                    recommendation=rec, user=user, status="declined", category="no_interest",
                    reason="演示:资金需求已满足",
                )  # fmt: skip
                continue
            rec = recommendation_transition(recommendation=rec, user=user, status="contacted")
            if i >= DEMO_LOANS_PER_BANK:
                continue
            rec = recommendation_transition(recommendation=rec, user=user, status="approved")
            product = LoanProduct.objects.get(pk=rec.product_ids[0])
            line = suggested_line(recommendation=rec, product=product)
            amount = max(min(line, product.max_amount), Decimal(50))
            mode = "special_plan" if i % 2 == 0 else "credit"
            loan = loan_contract_create(
                recommendation=rec,
                user=user,
                product=product,
                amount=amount,
                rate=rate_ceiling(product=product, term_months=12) - Decimal("0.2"),
                term_months=12,
                signed_on=signed_on,
                disbursed_on=signed_on + timedelta(days=3),
                guarantee_mode=mode,
                over_line_reason="" if amount <= line else "演示:额度下限",
                contract_no=f"{DEMO_PREFIX}{rec.pk}",
            )
            created += 1
            if mode == "special_plan":
                provincial = GuaranteeInstitution.objects.filter(
                    kind="provincial", region_scope=rec.region_code[:2]
                ).first()
                if provincial is None:
                    continue
                firm = rec.enterprise
                fund = 40 if firm.is_little_giant or firm.is_specialised_sme else 35
                guarantee_contract_create(
                    loan=loan,
                    user=user,
                    guarantor=provincial,
                    reguarantor=provincial,
                    amount=amount,
                    bank_share=Decimal(20),
                    national_fund_share=Decimal(fund),
                    provincial_share=Decimal(20),
                    local_share=Decimal(60 - fund),
                    guarantee_fee_rate=Decimal("1.0"),
                    reguarantee_fee_rate=Decimal("0.3") if amount <= 500 else Decimal("0.5"),
                    signed_on=signed_on,
                )
    return created
