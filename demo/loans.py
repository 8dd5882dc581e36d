"""Demo data for the bank journey: push the demo run's lists, then a few worked recommendations, loans and guarantees
so that the officer portal, the guarantor pages and the bureau's funnel have something to show. Idempotent."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import numpy as np
from django.db import transaction
from django.utils import timezone

from banks.models import LoanProduct, Recommendation
from banks.services import (
    banks_to_push,
    recommendation_list_push,
    recommendation_lists_notify,
    recommendation_transition,
)
from core.db.copy import analyze
from core.models import Bank, BankOfficer, GuaranteeInstitution
from enterprises.models import Batch
from guarantees.services import guarantee_contract_create, risk_pool
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
                if risk_pool(institution=provincial, as_pool=True).level == "fuse":
                    continue  # the pool is past its fuse: the plan takes no new guarantee there
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


# --- The loan book: earlier loans whose outcome depends on the firm's latent strength -------------------------------

LOAN_BOOK_PREFIX = "BOOK-"  # not under DEMO_PREFIX: demo_loans_create looks for its own
LOAN_BOOK_BANKS = ("icbc", "cmb", "ccb", "boc")
DEFAULT_AT_MEAN, DEFAULT_DECAY, DEFAULT_CAP = 0.2, 1.2, 0.5
"""The known relation the back-test should recover: a loan defaults with probability
p = min(DEFAULT_CAP, DEFAULT_AT_MEAN · exp(−DEFAULT_DECAY · s)), s being the borrower's latent strength in standard
deviations (an average firm 20 %, one deviation above 6 %, two above 1.8 %; at most 50 %). Half as many again are
overdue, not yet in default. Outcomes are spread systematically along s (a default each time the running sum of p
passes a whole number), so that every range of strength gets its expected share of defaults, however few loans it
holds. Measured on the 20,000-firm demo: default rate A 2.05 %, B 4.01 %, C 5.02 %, D 7.57 %, E 24.59 %, AUC 0.80."""
OVERDUE_SHARE = 0.5
SETTLED_SHARE_OF_GOOD = 0.3
GUARANTEED_MIN_STRENGTH = 0.8  # banks ask for the special-plan guarantee on firms near the list, not the weakest
GUARANTEED_SHARE = 0.5
COMPENSATED_SHARE = 0.8  # a default on a guaranteed loan is compensated for the government's 80 %
STRESSED_POOLS = {"42": 8.5, "51": 6.0}
"""Provincial pools the demo pushes past a line (compensation rate, percent): Hubei past the fuse (new guarantees
refused), Sichuan past the warning line; their weakest guaranteed borrowers default until the rate is reached."""


def _borrowing(s: np.ndarray) -> np.ndarray:
    """The share of firms of strength s with a loan: banks seek the strong (10 % of average firms, 60 % of the best)."""
    return 0.08 + 0.55 / (1 + np.exp(-2.0 * (s - 1.5)))


def _systematic(p: np.ndarray, order: np.ndarray, offset: float) -> np.ndarray:
    """True where the running sum of ``p`` (taken in ``order``) passes a whole number."""
    running = np.cumsum(p[order]) + offset
    hits = np.floor(running) > np.floor(np.concatenate([[offset], running[:-1]]))
    out = np.zeros(len(p), dtype=bool)
    out[order] = hits
    return out


def demo_loan_book_create(*, enterprise_ids: np.ndarray, strength: np.ndarray, seed: int) -> int:
    """Loans the demo banks signed on the firms' earlier scores, with the outcome drawn from each firm's latent
    strength (``DEFAULT_AT_MEAN``, ``DEFAULT_DECAY``): what the score back-test, the post-loan watch list and the
    guarantors' risk pools work on. Strong firms borrow more often (banks seek them). Returns the loans created."""
    from enterprises.models import Enterprise
    from guarantees.models import CompensationEvent, GuaranteeContract

    if enterprise_ids is None or not len(enterprise_ids):
        return 0
    rng = np.random.default_rng(seed + 16)
    s = (strength - strength.mean()) / (strength.std() or 1.0)
    borrows = rng.random(len(s)) < _borrowing(s)
    # A strong firm borrows from up to three more banks (each loan its own outcome): the top grades, few firms,
    # get loans enough to show their rates.
    count = borrows * (1 + (rng.random(len(s)) < 1 / (1 + np.exp(-2.0 * (s - 1.2)))) * rng.integers(1, 4, len(s)))
    ids, s = np.repeat(enterprise_ids, count), np.repeat(s, count)
    if not len(ids):
        return 0
    order = np.argsort(-s, kind="mergesort")
    p_default = np.minimum(DEFAULT_CAP, DEFAULT_AT_MEAN * np.exp(-DEFAULT_DECAY * s))
    default = _systematic(p_default, order, rng.random())
    bad = default | (_systematic(p_default * OVERDUE_SHARE, order, rng.random()))
    settled = ~bad & (rng.random(len(s)) < SETTLED_SHARE_OF_GOOD)
    guaranteed = (s >= GUARANTEED_MIN_STRENGTH) & (rng.random(len(s)) < GUARANTEED_SHARE)
    amounts = np.round(rng.uniform(50, 800, len(s)) / 10) * 10
    banks = list(Bank.objects.filter(code__in=LOAN_BOOK_BANKS).order_by("code"))
    regions = dict(Enterprise.objects.filter(pk__in=ids.tolist()).values_list("pk", "region_code"))
    provincial = {g.region_scope: g for g in GuaranteeInstitution.objects.filter(kind="provincial")}
    signed_on = timezone.localdate() - timedelta(days=240)
    loans, plans = [], []
    for i, pk in enumerate(ids.tolist()):
        status = "default" if default[i] else "overdue" if bad[i] else "settled" if settled[i] else "normal"
        guarantor = provincial.get(regions.get(pk, "")[:2]) if guaranteed[i] else None
        loans.append(LoanContract(
            contract_no=f"{LOAN_BOOK_PREFIX}{pk}-{i}", enterprise_id=pk, bank=banks[i % len(banks)],
            amount=Decimal(int(amounts[i])), rate=Decimal("3.450"), term_months=12, signed_on=signed_on,
            disbursed_on=signed_on + timedelta(days=3), repayment_status=status,
            guarantee_mode="special_plan" if guarantor else "credit",
        ))  # fmt: skip
        plans.append(guarantor)
    _stress(loans, plans, s)
    with transaction.atomic():
        LoanContract.objects.bulk_create(loans, batch_size=2000)
        guarantees = [
            GuaranteeContract(
                loan=loan,
                guarantor=g,
                reguarantor=g,
                amount=loan.amount,
                bank_share=Decimal(20),
                national_fund_share=Decimal(30),
                provincial_share=Decimal(25),
                local_share=Decimal(25),
                guarantee_fee_rate=Decimal("1.000"),
                reguarantee_fee_rate=Decimal("0.300"),
                signed_on=signed_on,
            )  # fmt: skip
            for loan, g in zip(loans, plans, strict=True)
            if g is not None
        ]
        GuaranteeContract.objects.bulk_create(guarantees, batch_size=2000)
        CompensationEvent.objects.bulk_create(
            [
                CompensationEvent(
                    guarantee=g,
                    amount=(g.amount * Decimal(str(COMPENSATED_SHARE))).quantize(Decimal("0.01")),
                    occurred_on=signed_on + timedelta(days=200),
                    notes="演示:违约代偿",
                )  # fmt: skip
                for g in guarantees
                if g.loan.repayment_status == "default"
            ],
            batch_size=2000,
        )
    analyze(LoanContract, GuaranteeContract, CompensationEvent)  # the back-test's plans need the new row counts
    return len(loans)


def demo_warnings_create(*, batch: Batch) -> int:
    """Post-loan warnings to try at once: the tax authority's import marks two demo borrowers (one of ICBC
    Guangdong's, one of CMB's) 纳税信用D级, which warns their lenders as an import does. Idempotent."""
    from enterprises.models import Submission
    from loans.services import loan_warnings_for_vetoes

    firms = []
    for bank in ("icbc", "cmb"):
        loan = (
            LoanContract.objects.filter(contract_no__startswith=DEMO_PREFIX, bank__code=bank)
            .filter(enterprise__region_code__startswith="44" if bank == "icbc" else "")
            .order_by("pk")
            .first()
        )
        if loan is not None:
            firms.append(loan.enterprise_id)
    Submission.objects.filter(batch=batch, enterprise_id__in=firms).update(tax_credit_d=True)
    return loan_warnings_for_vetoes(batch=batch)


def _stress(loans: list[LoanContract], plans: list, s: np.ndarray) -> None:
    """Default the weakest guaranteed loans of each of ``STRESSED_POOLS`` until its rate reaches the target."""
    for prefix, target in STRESSED_POOLS.items():
        members = [i for i, g in enumerate(plans) if g is not None and g.region_scope == prefix]
        guaranteed = sum(float(loans[i].amount) for i in members)
        paid = sum(
            float(loans[i].amount) * COMPENSATED_SHARE for i in members if loans[i].repayment_status == "default"
        )
        for i in sorted(members, key=lambda i: s[i]):
            if not guaranteed or 100 * paid / guaranteed >= target:
                break
            if loans[i].repayment_status != "default":
                loans[i].repayment_status = "default"
                paid += float(loans[i].amount) * COMPENSATED_SHARE


DEMO_CHANGED_FIRMS = 120  # each of: firms whose filing improves, firms below the threshold that improve, vetoes


def demo_filings_corrected(*, batch: Batch) -> int:
    """Before a second run of the demo batch: a few filings corrected (more R&D and patents; a dishonesty record
    found), so that the officers' lists show new firms, grades up and down, and firms dropped from the list. Returns
    the filings changed; 0 when the batch already has a second run (idempotent)."""
    from django.db.models import F

    from enterprises.models import Submission
    from scoring.models import Score, ScoringRun

    # A trial run (demo_trial_run) is no second list: only runs for publication count.
    if ScoringRun.objects.filter(batch=batch, trial=False).count() > 1 or batch.scoring.published_run_id is None:
        return 0
    # The demo logins' firms keep their filings, so their reports read as the README describes.
    scores = Score.objects.filter(run_id=batch.scoring.published_run_id, enterprise__memberships__isnull=True)
    scores = scores.order_by("enterprise_id")
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
