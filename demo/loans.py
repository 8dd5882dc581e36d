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


DEMO_CHANGED_FIRMS = 120  # each of: firms whose filing improves, firms below the threshold that improve, vetoes


def demo_filings_corrected(*, batch: Batch) -> int:
    """Before a second run of the demo batch: a few filings corrected (more R&D and patents; a dishonesty record
    found), so that the officers' lists show new firms, grades up and down, and firms dropped from the list. Returns
    the filings changed; 0 when the batch already has a second run (idempotent)."""
    from django.db.models import F

    from enterprises.models import Submission
    from scoring.models import Score, ScoringRun

    if ScoringRun.objects.filter(batch=batch).count() > 1 or batch.scoring.published_run_id is None:
        return 0
    scores = Score.objects.filter(run_id=batch.scoring.published_run_id).order_by("enterprise_id")
    risers = list(scores.filter(eligible=True, grade__in="CD").values_list("enterprise_id", flat=True)[::7])
    newcomers = list(scores.filter(reasons="below_threshold").values_list("enterprise_id", flat=True)[::7])
    vetoed = list(scores.filter(eligible=True, grade__in="BC").values_list("enterprise_id", flat=True)[3::11])
    better = risers[:DEMO_CHANGED_FIRMS] + newcomers[:DEMO_CHANGED_FIRMS]
    filings = Submission.objects.filter(batch=batch)
    changed = filings.filter(enterprise_id__in=better).update(
        rd_expense=F("rd_expense") * 3 + 200, invention_patents=F("invention_patents") + 25,
        other_ip=F("other_ip") + 20, tech_contract_turnover=F("tech_contract_turnover") + 3000,
    )  # fmt: skip
    return changed + filings.filter(enterprise_id__in=vetoed[: DEMO_CHANGED_FIRMS // 2]).update(dishonest_debtor=True)
