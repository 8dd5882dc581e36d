"""Write the demo world: organisations (bank branches and products, guarantors), a batch, firms, and users.

Firms and filings go in through ``core.db.copy`` (COPY on PostgreSQL): 520,000 firms must load in minutes, not
hours. Everything else is small and uses the ORM. Re-running adds more firms; organisations and users are reused.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd
from django.db import transaction
from django.utils import timezone

from banks.models import LoanProduct
from core.db.copy import CENTS, analyze, bulk_insert, lock_table, next_ids, queryset_to_arrays, with_defaults
from core.models import Bank, BankOfficer, Branch, BureauStaff, GuaranteeInstitution, GuarantorStaff, User
from core.reference_data import PROVINCES
from enterprises.batch_fields import batch_field_create
from enterprises.models import Batch, BatchField, Consent, Enterprise, EnterpriseMembership, Submission
from scoring.indicator_systems import indicator_system_clone
from scoring.models import BatchScoring, Indicator, IndicatorSystem, Score
from scoring.services import batch_create, scoring_run_create, scoring_run_execute

from .population import generate, previous_year

DEMO_PASSWORD = "Demo-2024!"  # noqa: S105 # nosec B105 # printed on purpose; demo users exist only in demo databases
DEMO_BATCH_NAME = "2024年度企业创新积分评价"
DEMO_PREVIOUS_BATCH_NAME = "2023年度企业创新积分评价"
DEMO_LOCAL_SYSTEM = "guangdong"  # not "…-local": a code word such as "local" reads as a raw choice value
DEMO_LOCAL_BATCH_NAME = "2024年度广东省企业创新积分评价(地方)"
DEMO_LOCAL_FIELD = "provincial_platforms"  # the Guangdong batch's extra field (省级研发平台数量)
RAW_FIELDS = (*Submission.MONEY_FIELDS, *Submission.COUNT_FIELDS, *Submission.FLAG_FIELDS)


@dataclass
class DemoReport:
    firms: int
    seconds: float
    batch: Batch
    enterprise_ids: np.ndarray | None = None
    strength: np.ndarray | None = None  # the latent innovation strength of each firm (``demo.loans`` uses it)


def demo_batch_get_or_create() -> Batch:
    system = IndicatorSystem.objects.get(code="national", version=1)
    batch = Batch.objects.filter(name=DEMO_BATCH_NAME).first() or batch_create(
        name=DEMO_BATCH_NAME, year=2024, reference_date=date(2024, 12, 31), system=system, status="open",
        opens_on=date(2025, 1, 1), closes_on=date(2025, 12, 31),
    )  # fmt: skip
    return batch


@transaction.atomic
def demo_firms_create(*, firms: int, seed: int, batch: Batch) -> DemoReport:
    """Add ``firms`` enterprises, each with one approved filing in ``batch`` and (85 %) a blanket consent."""
    started = time.perf_counter()
    lock_table(Enterprise)
    reserved = next_ids(Enterprise, firms)
    ids = np.arange(reserved.start, reserved.stop)
    population = generate(firms, ids, seed=seed, reference_date=str(batch.reference_date))
    now = timezone.now()
    bulk_insert(Enterprise, with_defaults(Enterprise, population.enterprises))

    submissions = population.submissions.assign(
        batch_id=batch.pk, status="approved", data_source="imported", submitted_at=now, reviewed_at=now
    )
    submissions["financing_term_months"] = submissions["financing_term_months"].astype("Int64")
    lock_table(Submission)
    reserved = next_ids(Submission, firms)
    bulk_insert(Submission, with_defaults(Submission, submissions.assign(id=np.arange(reserved.start, reserved.stop))))

    consenting = ids[population.consenting]
    consents = pd.DataFrame({"enterprise_id": consenting, "scope": "profile", "granted_at": now})
    bulk_insert(Consent, with_defaults(Consent, consents))
    analyze(Enterprise, Submission, Consent)
    return DemoReport(firms=firms, seconds=time.perf_counter() - started, batch=batch, enterprise_ids=ids,
                      strength=population.strength)  # fmt: skip


@transaction.atomic
def demo_previous_year_create(batch: Batch, *, seed: int = 2023) -> int:
    """The year before ``batch`` (a closed 2023 batch) with an approved filing for each of its firms that is over a
    year old, consistent with this year's (``demo.population.previous_year``), so the review page shows last year's
    values beside this year's and the growth flags have a past to compare with. Bulk path, as the firms; only firms
    without a filing of that year are added (re-running after more firms were generated fills them in).
    Returns the number of filings written."""
    system = IndicatorSystem.objects.get(code="national", version=1)
    year = batch.year - 1
    previous = Batch.objects.filter(name=DEMO_PREVIOUS_BATCH_NAME).first() or batch_create(
        name=DEMO_PREVIOUS_BATCH_NAME, year=year, reference_date=date(year, 12, 31), system=system, status="closed",
        opens_on=date(year + 1, 1, 1), closes_on=date(year + 1, 6, 30),
    )  # fmt: skip
    current = Submission.objects.filter(batch=batch).exclude(enterprise__submissions__batch=previous)
    columns = {"enterprise_id": "int64"} | {
        name: CENTS if name in Submission.MONEY_FIELDS else "bool" if name in Submission.FLAG_FIELDS else "int64"
        for name in RAW_FIELDS
    }  # fmt: skip
    filings = previous_year(pd.DataFrame(queryset_to_arrays(current, columns)), seed=seed)
    if filings.empty:
        return 0
    stamp = timezone.make_aware(datetime(year + 1, 3, 31, 10))
    lock_table(Submission)
    reserved = next_ids(Submission, len(filings))
    frame = filings.assign(
        id=np.arange(reserved.start, reserved.stop), batch_id=previous.pk, status="approved",
        data_source="self_reported", submitted_at=stamp, reviewed_at=stamp,
    )  # fmt: skip
    bulk_insert(Submission, with_defaults(Submission, frame))
    analyze(Submission)
    return len(filings)


@transaction.atomic
def demo_local_batch_create(batch: Batch, *, seed: int = 44) -> int:
    """Guangdong's own 2024 round (region 44, open) with an extra field, 省级研发平台数量 (``DEMO_LOCAL_FIELD``), and
    an approved filing for each Guangdong firm of ``batch``: its national values, plus a count of provincial R&D
    platforms consistent with its platform level (a provincial or national platform: 1–3; else mostly 0). What the
    draft local system's indicator on that field is previewed on. Only firms without a filing of it are added.
    Returns the number of filings written."""
    system = IndicatorSystem.objects.get(code="national", version=1)
    local = Batch.objects.filter(name=DEMO_LOCAL_BATCH_NAME).first() or batch_create(
        name=DEMO_LOCAL_BATCH_NAME, year=batch.year, reference_date=batch.reference_date, region_scope="44",
        system=system, status="open", opens_on=batch.opens_on, closes_on=batch.closes_on,
    )  # fmt: skip
    if not BatchField.objects.filter(batch=local, code=DEMO_LOCAL_FIELD).exists():
        batch_field_create(
            batch=local, user=None, code=DEMO_LOCAL_FIELD, label_zh="省级研发平台数量",
            label_en="Provincial R&D platforms", unit="个", kind="integer", min_value=0, max_value=50, order=1,
            help_text="经广东省认定的工程技术研究中心、重点实验室、新型研发机构等的数量。",
        )  # fmt: skip
    current = Submission.objects.filter(batch=batch, enterprise__region_code__startswith="44").exclude(
        enterprise__submissions__batch=local
    )
    columns = {"enterprise_id": "int64"} | {
        name: CENTS if name in Submission.MONEY_FIELDS else "bool" if name in Submission.FLAG_FIELDS else "int64"
        for name in RAW_FIELDS
    }  # fmt: skip
    filings = pd.DataFrame(queryset_to_arrays(current, columns))
    if filings.empty:
        return 0
    rng = np.random.default_rng(seed)
    level = filings["rd_platform_level"].to_numpy(int)
    platforms = np.where(level >= 2, rng.integers(1, 4, len(filings)), (rng.random(len(filings)) < 0.1).astype(int))
    stamp = timezone.now()
    lock_table(Submission)
    reserved = next_ids(Submission, len(filings))
    frame = filings.assign(
        id=np.arange(reserved.start, reserved.stop), batch_id=local.pk, status="approved", data_source="imported",
        submitted_at=stamp, reviewed_at=stamp,
        extra_values=[f'{{"{DEMO_LOCAL_FIELD}": "{n}"}}' if n else "{}" for n in platforms.tolist()],
    )  # fmt: skip
    bulk_insert(Submission, with_defaults(Submission, frame))
    analyze(Submission)
    return len(filings)


def demo_local_indicator_add(system: IndicatorSystem) -> None:
    """The draft's indicator on the Guangdong batch's extra field: L2 省级研发平台数量, reference 3 platforms, weight
    2 in every stage taken from the national R&D platform level indicator (sums stay 100). Once only."""
    if system.frozen or system.indicators.filter(source_field=DEMO_LOCAL_FIELD).exists():
        return
    with transaction.atomic():
        platform = system.indicators.get(source_field="rd_platform_level")
        for stage in ("startup", "growth", "stable"):
            setattr(platform, f"weight_{stage}", getattr(platform, f"weight_{stage}") - 2)
        platform.save()
        Indicator.objects.create(
            system=system, code="L2", name="省级研发平台数量", category=platform.category,
            source_field=DEMO_LOCAL_FIELD, method="reference", reference=3, weight_startup=2, weight_growth=2,
            weight_stable=2, order=max(system.indicators.values_list("order", flat=True)) + 1,
        )  # fmt: skip


def demo_local_system_create() -> IndicatorSystem:
    """A draft local system of Guangdong (region 44): national-v1 with local indicators (science awards, weight 2
    taken from the standards indicator; and, on the Guangdong batch's extra field, 省级研发平台数量), not frozen, so
    the editor and "preview on batch" (on the Guangdong batch) can be tried. Kept if it exists."""
    existing = IndicatorSystem.objects.filter(code=DEMO_LOCAL_SYSTEM).order_by("-version").first()
    if existing is not None:
        demo_local_indicator_add(existing)
        return existing
    with transaction.atomic():
        source = IndicatorSystem.objects.get(code="national", version=1)
        system = indicator_system_clone(source=source, code=DEMO_LOCAL_SYSTEM, name="广东省创新积分地方体系(草稿)",
                                        user=None, region_scope="44")  # fmt: skip
        standards = system.indicators.get(source_field="standards")
        for stage in ("startup", "growth", "stable"):
            setattr(standards, f"weight_{stage}", getattr(standards, f"weight_{stage}") - 2)
        standards.save()
        Indicator.objects.create(
            system=system, code="L1", name="省级以上科技奖励", category=standards.category, source_field="sci_awards",
            method="reference", reference=2, weight_startup=2, weight_growth=2, weight_stable=2,
            order=max(system.indicators.values_list("order", flat=True)) + 1,
        )  # fmt: skip
    demo_local_indicator_add(system)
    return system


@transaction.atomic
def demo_organisations_create() -> None:
    """Provincial branches for every national bank, a few regional banks, products, and guarantors. Idempotent."""
    provinces = {code[:2]: name for code, name in PROVINCES}
    for bank in Bank.objects.filter(is_national=True):
        Branch.objects.bulk_create(
            [Branch(bank=bank, name=f"{name}分行", region_scope=prefix) for prefix, name in provinces.items()],
            ignore_conflicts=True,
        )
        _demo_products(bank)
    for code, name, short, scope in (
        ("bjbank", "北京银行", "北京银行", "11"),
        ("jsbank", "江苏银行", "江苏银行", "32"),
        ("hzbank", "杭州银行", "杭州银行", "3301"),
        ("szrcb", "深圳农村商业银行", "深圳农商行", "4403"),
    ):
        bank, _ = Bank.objects.get_or_create(
            code=code, defaults={"name": name, "short_name": short, "kind": "regional", "is_national": False,
                                 "region_scope": scope}
        )  # fmt: skip
        Branch.objects.get_or_create(bank=bank, name="总行营业部", defaults={"region_scope": scope})
        _demo_products(bank)
    for prefix, name in provinces.items():
        GuaranteeInstitution.objects.get_or_create(
            name=f"{name}融资再担保有限公司", defaults={"kind": "provincial", "region_scope": prefix}
        )
    for name, scope in (("深圳市高新投融资担保有限公司", "4403"), ("苏州市融资担保有限公司", "3205")):
        GuaranteeInstitution.objects.get_or_create(name=name, defaults={"kind": "local", "region_scope": scope})


def _demo_products(bank: Bank) -> None:
    """Tiered products across the life cycle (issue #15): a start-up loan (state-owned and regional banks), a
    general points loan, a growth loan under the special guarantee plan and a stable-stage IP-pledge loan."""
    specs = [
        (f"{bank.short_name}积分贷", "C", [], 1000, 12, 80, None, "credit"),
        (f"{bank.short_name}科创成长贷", "B", ["growth", "stable"], 3000, 36, 120,
         {"A": 3000, "B": 1500, "C": 0, "D": 0, "E": 0}, "special_plan"),
        (f"{bank.short_name}知识产权稳健贷", "B", ["stable"], 5000, 60, 100,
         {"A": 5000, "B": 2500, "C": 0, "D": 0, "E": 0}, "ip_pledge"),
    ]  # fmt: skip
    if bank.kind in {"state_owned", "regional"}:
        specs.append((f"{bank.short_name}初创积分贷", "C", ["startup"], 300, 12, 150,
                      {"A": 300, "B": 200, "C": 100, "D": 0, "E": 0}, "credit"))  # fmt: skip
    for name, min_grade, stages, max_amount, term, spread, lines, mode in specs:
        LoanProduct.objects.get_or_create(
            bank=bank, name=name,
            defaults={"min_grade": min_grade, "stages": stages, "max_amount": max_amount, "term_months": term,
                      "rate_spread_bp": spread, "guarantee_mode": mode, **({"line_by_grade": lines} if lines else {})},
        )  # fmt: skip


def demo_trial_run(batch: Batch):
    """A trial run of ``batch`` with national-v2 beside its published national-v1 run (never published): the per-firm
    results of both can be read at once. Computed in-process; kept if one exists."""
    existing = batch.runs.filter(trial=True).first()
    if existing is not None:
        return existing
    system = IndicatorSystem.objects.get(code="national", version=2)
    run = scoring_run_create(batch=batch, system=system, trial=True, enqueue=False)
    scoring_run_execute(run_id=run.pk)
    run.refresh_from_db()  # its counts, as the run wrote them
    return run


DEMO_DRAFT_CODE = "sandbox"  # no word of a choice value in it ("local", "draft"): the crawler reads codes


def weights_moved(system: IndicatorSystem, *, source: str, target: str, points: float) -> None:
    """Move up to ``points`` of weight from indicator ``source`` to ``target`` of the (unfrozen) ``system`` in every
    stage: each stage's total stays what it was. The demo's draft, the sandbox's tests and its bench use it."""
    giver, taker = system.indicators.get(code=source), system.indicators.get(code=target)
    for stage in ("startup", "growth", "stable"):
        moved = min(points, getattr(giver, f"weight_{stage}"))
        setattr(giver, f"weight_{stage}", getattr(giver, f"weight_{stage}") - moved)
        setattr(taker, f"weight_{stage}", getattr(taker, f"weight_{stage}") + moved)
    giver.save()
    taker.save()


def demo_draft_system() -> IndicatorSystem:
    """A draft (unfrozen) local system for the weight sandbox: national-v2 copied, with R&D intensity weighted up
    and revenue growth down, so that "preview on batch" on the demo batch shows firms entering and leaving the
    list. National in scope, so the national bureau's administrator (``bureau``) edits it and previews it on the
    demo batch. Kept if it exists."""
    from scoring.indicator_systems import indicator_system_clone

    existing = IndicatorSystem.objects.filter(code=DEMO_DRAFT_CODE).order_by("-version").first()
    if existing is not None:
        return existing
    source = IndicatorSystem.objects.get(code="national", version=2)
    draft = indicator_system_clone(source=source, code=DEMO_DRAFT_CODE, name="地方试行体系(草稿)", user=None)
    base = [ind for ind in draft.indicators.order_by("order") if not ind.is_bonus]
    weights_moved(draft, source=base[-1].code, target=base[0].code, points=5)  # the last base indicator's to the first
    return draft


def demo_review_queue(batch: Batch, *, flagged: int = 8, plain: int = 12) -> int:
    """Put some of the batch's filings back in the review queue (submitted), ``flagged`` of them raising a
    plausibility flag and ``plain`` not, so the queue's flags, its filter and "approve all that match" can be tried.
    Values are not touched (the published run's inputs stay as scored). Kept if the queue already has filings."""
    from enterprises.review_flags import FLAGS
    from enterprises.review_flags import flagged as with_flag

    filings = Submission.objects.filter(batch=batch)
    if filings.filter(status="submitted").exists():
        return 0
    approved = filings.filter(status="approved").exclude(enterprise__memberships__isnull=False)
    chosen: list[int] = []
    for flag in FLAGS:  # a filing of every kind of flag there is, then any flagged ones
        of_kind = with_flag(approved.exclude(pk__in=chosen), batch, flag.code).order_by("pk")
        chosen += of_kind.values_list("pk", flat=True)[:1]
    chosen += list(with_flag(approved.exclude(pk__in=chosen), batch, "any").order_by("pk")
                   .values_list("pk", flat=True)[: max(flagged - len(chosen), 0)])  # fmt: skip
    chosen += list(approved.exclude(pk__in=chosen).order_by("pk").values_list("pk", flat=True)[:plain])
    return Submission.objects.filter(pk__in=chosen).update(status="submitted", reviewer=None, reviewed_at=None)


def demo_objection_create(*, batch: Batch) -> bool:
    """The demo firm ``firm`` objects to its result while the published run is in its notice period, so the
    bureau's objection queue has one to handle (and ``firm2`` may lodge its own). Kept if one exists."""
    from scoring.models import Objection
    from scoring.objections import objection_lodge

    run = batch.scoring.published_run
    membership = EnterpriseMembership.objects.filter(user__username="firm", approved=True).first()
    if run is None or not run.notice_open or membership is None or Objection.objects.filter(run=run).exists():
        return False
    if not run.scores.filter(enterprise_id=membership.enterprise_id).exists():
        return False
    objection_lodge(run=run, enterprise=membership.enterprise, user=membership.user, subject="rd_expense",
                    reason="研发费用漏报了第四季度委托外部研发的 120 万元,请核实后更正。")  # fmt: skip
    return True


@transaction.atomic
def demo_users_create(batch: Batch) -> list[tuple[str, str, str]]:
    """One login per role; returns (username, role, what they see) for printing."""
    logins: list[tuple[str, str, str]] = []

    def user(username: str, full_name: str, **flags) -> User:
        account, created = User.objects.get_or_create(username=username, defaults={"first_name": full_name, **flags})
        if created:
            account.set_password(DEMO_PASSWORD)
            account.save()
        return account

    admin = user("admin", "平台管理员", is_staff=True, is_superuser=True)
    logins.append((admin.username, "平台管理员 / platform admin", "/admin/"))
    national = user("bureau", "科技部火炬中心", is_staff=True)
    BureauStaff.objects.get_or_create(user=national, defaults={"bureau_name": "科技部火炬中心", "role": "admin"})
    logins.append((national.username, "科技管理部门管理员(全国) / bureau admin, national", "全国"))
    gd = user("bureau-gd", "广东省科技厅")
    BureauStaff.objects.get_or_create(user=gd, defaults={"bureau_name": "广东省科学技术厅", "region_scope": "44"})
    logins.append((gd.username, "科技管理部门审核员(广东) / bureau reviewer, Guangdong", "44****"))

    icbc = Bank.objects.get(code="icbc")
    officer = user("icbc", "工行总行客户经理")
    BankOfficer.objects.get_or_create(user=officer, defaults={"bank": icbc, "is_admin": True})
    logins.append((officer.username, "银行客户经理、本行管理员(工商银行总行) / ICBC head office, bank admin", "全国"))
    gd_branch = Branch.objects.get(bank=icbc, region_scope="44")
    officer_gd = user("icbc-gd", "工行广东分行客户经理")
    BankOfficer.objects.get_or_create(user=officer_gd, defaults={"bank": icbc, "branch": gd_branch})
    logins.append((officer_gd.username, "银行客户经理(工商银行广东分行) / bank officer, ICBC Guangdong", "44****"))
    cmb = user("cmb", "招行客户经理")
    BankOfficer.objects.get_or_create(user=cmb, defaults={"bank": Bank.objects.get(code="cmb")})
    logins.append((cmb.username, "银行客户经理(招商银行) / bank officer, CMB", "全国"))

    fund = GuaranteeInstitution.objects.get(kind="national_fund")
    guarantor = user("guarantor", "国家融资担保基金业务经理")
    GuarantorStaff.objects.get_or_create(user=guarantor, defaults={"institution": fund})
    logins.append((guarantor.username, "担保机构(国家融资担保基金) / guarantor, national fund", "全国"))

    # ``firm`` is the first Guangdong tech SME whatever its result (its report shows why it is not recommended);
    # ``firm2`` a Jiangsu firm the published run recommends below grade A, so its report shows the gap to the next
    # grade and the ranked loan products of the banks it consented to.
    firms = Enterprise.objects.filter(submissions__batch=batch, is_tech_sme=True).order_by("id")
    published = BatchScoring.objects.filter(batch=batch).values("published_run_id")  # not a cached ``batch.scoring``
    recommended = Score.objects.filter(run_id__in=published, eligible=True).exclude(grade="A")
    for username, chosen in (
        ("firm", firms.filter(region_code__startswith="44")),
        ("firm2", firms.filter(region_code__startswith="32", pk__in=recommended.values("enterprise_id"))),
    ):
        enterprise = chosen.first()
        if enterprise is None:
            continue
        member = user(username, f"{enterprise.name}财务经理")
        EnterpriseMembership.objects.get_or_create(user=member, defaults={"enterprise": enterprise, "role": "admin"})
        logins.append((member.username, "企业用户 / enterprise", enterprise.name))
    claimed = _demo_claim(user)
    if claimed:
        logins.append(("claimant", "待核验的注册人 / sign-up awaiting the bureau", claimed))
    return logins


def _demo_claim(user) -> str:
    """A sign-up awaiting the Guangdong bureau's verification (its claims page), licence attached; returns the firm's
    name ('' when there is none). Signed in, the claimant sees only the waiting page."""
    from django.core.files.base import ContentFile

    firm = Enterprise.objects.filter(region_code__startswith="44", memberships__isnull=True).order_by("id").first()
    if firm is None:
        return ""
    claimant = user("claimant", "待核验的注册人")
    membership, created = EnterpriseMembership.objects.get_or_create(
        user=claimant,
        defaults={"enterprise": firm, "role": "admin", "approved": False, "licence_type": "application/pdf"},
    )
    if created:
        membership.licence.save(str(firm.pk), ContentFile(b"%PDF-1.4\n% demo business licence\n"), save=True)
    return membership.enterprise.name
