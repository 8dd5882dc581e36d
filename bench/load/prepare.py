"""Prepare the load scenario on the national demo database: its own accounts, tokens and an open filing round.

Needs the 520,000-firm demo with a published run (``make load-data``). Idempotent: run it before every load run.

* ``load-firm-NN``: 50 enterprise finance managers of firms spread over the population, filing in an open
  "2025年度(负载测试)" round (created here; the demo's 2024 round stays published). Their last-year values go into
  the setup file, so that the scenario's drafts look like real filings.
* ``load-officer-NN``: 50 credit officers of the banks that received lists, a third of them at a provincial branch.
* ``load-bureau``: a national bureau administrator, who starts a scoring run of the 2024 round during the load.
* three API clients with fresh tokens: a national platform, a bank's credit system, a Guangdong platform.

Scoring runs left by earlier load runs (started by ``load-bureau``, never published) are removed first, partition
and all, so repeated runs neither fill the disk nor trip the "one active run per batch" rule.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ipp_load .venv/bin/python bench/load/prepare.py var/load/setup.json
"""

from __future__ import annotations

import json
import os
import random
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from banks.models import Recommendation, RecommendationList
from core.models import ApiClient, Bank, BankOfficer, Branch, BureauStaff, User  # noqa: E402
from enterprises.models import COUNT_FIELDS, FLAG_FIELDS, MONEY_FIELDS, Batch, EnterpriseMembership, Submission  # noqa: E402
from scoring.models import BatchScoring, ScoringRun
from scoring.persistence import partition_name, scores_discard  # noqa: E402

PASSWORD = "Load-Scenario-2025!"
ACCOUNTS = 50  # of each kind: enough for any mix of the 50 concurrent users
FILING_ROUND = "2025年度(负载测试)"
CODES_SAMPLE_PERCENT = 1  # of the published run's rows: ~5,000 credit codes to look up


def account(username: str, password_hash: str, first_name: str) -> User:
    user, _ = User.objects.update_or_create(
        username=username, defaults={"password": password_hash, "first_name": first_name, "is_active": True}
    )
    return user


def published_batch() -> Batch:
    batch = (
        Batch.objects.filter(scoring__published_run__isnull=False)
        .select_related("scoring__published_run")
        .order_by("-year")
        .first()
    )
    if batch is None or batch.scoring.published_run.enterprise_count < 100_000:
        sys.exit("needs the national demo with a published run: make load-data (demo_setup --firms 520000)")
    return batch


def remove_earlier_load_runs(batch: Batch, bureau: User) -> int:
    runs = list(ScoringRun.objects.filter(batch=batch, created_by=bureau).exclude(pk=batch.scoring.published_run_id))
    for run in runs:
        scores_discard(run=run)
        run.delete()
    return len(runs)


def filing_values(submission: Submission) -> dict[str, object]:
    """Last year's filing as the form posts it (flags as checkboxes: present when true)."""
    values: dict[str, object] = {}
    for name in (*MONEY_FIELDS, *COUNT_FIELDS, "financing_amount", "financing_term_months"):
        value = getattr(submission, name)
        values[name] = "" if value is None else str(value) if isinstance(value, Decimal) else value
    values["flags"] = [name for name in FLAG_FIELDS if getattr(submission, name)]
    values["money"] = [*MONEY_FIELDS, "financing_amount"]
    return values


@transaction.atomic
def prepare() -> dict:
    batch = published_batch()
    run = batch.scoring.published_run
    password_hash = make_password(PASSWORD)  # hashed once: 150 accounts share it

    bureau = account("load-bureau", password_hash, "负载测试·科技管理部门")
    BureauStaff.objects.update_or_create(user=bureau, defaults={"bureau_name": "负载测试", "region_scope": "",
                                                                "role": BureauStaff.Role.ADMIN})  # fmt: skip
    removed = remove_earlier_load_runs(batch, bureau)

    filing_round, _ = Batch.objects.update_or_create(
        name=FILING_ROUND,
        defaults={"year": 2025, "reference_date": date(2025, 12, 31), "status": "open", "region_scope": "",
                  "opens_on": date(2026, 1, 1), "closes_on": date(2026, 12, 31)},
    )  # fmt: skip
    BatchScoring.objects.update_or_create(batch=filing_round, defaults={"system": batch.scoring.system})

    # Firms spread evenly over the population (ids are dense), each filing in 2024 already.
    ids = list(Submission.objects.filter(batch=batch).order_by("enterprise_id").values_list("enterprise_id", flat=True))
    step = len(ids) // ACCOUNTS
    chosen = Submission.objects.filter(batch=batch, enterprise_id__in=ids[step // 2 :: step][:ACCOUNTS])
    enterprises = []
    for n, submission in enumerate(chosen.order_by("enterprise_id")):
        user = account(f"load-firm-{n:02d}", password_hash, "负载测试·企业财务经理")
        EnterpriseMembership.objects.update_or_create(
            user=user, defaults={"enterprise_id": submission.enterprise_id, "role": "admin", "approved": True}
        )
        enterprises.append({"username": user.username, "values": filing_values(submission)})

    banks = list(RecommendationList.objects.filter(run=run).order_by("bank_id").values_list("bank_id", flat=True))
    officers = []
    for n in range(ACCOUNTS):
        bank_id = banks[n % len(banks)]
        branch = Branch.objects.filter(bank_id=bank_id).order_by("pk").first() if n % 3 == 2 else None
        user = account(f"load-officer-{n:02d}", password_hash, "负载测试·客户经理")
        BankOfficer.objects.update_or_create(user=user, defaults={"bank_id": bank_id, "branch": branch})
        officers.append(user.username)

    clients = []
    icbc = Bank.objects.get(code="icbc")  # a national bank: its client may look any firm up
    for name, bank_id, region in (("load-national", None, ""), ("load-bank", icbc.pk, ""), ("load-gd", None, "44")):
        client = ApiClient.objects.filter(name=name).first() or ApiClient(name=name)
        token = client.issue_token()
        client.bank_id, client.region_scope, client.revoked_at = bank_id, region, None
        client.scopes = [ApiClient.Scope.READ_SCORES, ApiClient.Scope.READ_RECOMMENDATIONS]
        client.save()
        clients.append({"name": name, "token": token, "region": region, "bank": bank_id})

    table = connection.ops.quote_name(partition_name(run))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT e.credit_code, e.region_code FROM {table} s TABLESAMPLE SYSTEM ({CODES_SAMPLE_PERCENT})"
            " JOIN enterprises_enterprise e ON e.id = s.enterprise_id"
        )
        codes = cursor.fetchall()
    # A bank reads a firm's score only while the firm consents to it: its credit system looks up firms of its list.
    listed = list(Recommendation.objects.filter(run=run, bank=icbc).values_list("enterprise__credit_code", flat=True))
    for client in clients:
        client["codes"] = random.Random(7).sample(listed, min(len(listed), 5000)) if client["bank"] else None
    return {
        "password": PASSWORD,
        "batch": batch.pk,
        "run": run.pk,
        "scores": run.enterprise_count,
        "filing_round": filing_round.pk,
        "bureau": bureau.username,
        "enterprises": enterprises,
        "officers": officers,
        "api_clients": clients,
        "codes": [code for code, _ in codes],
        "codes_44": [code for code, region in codes if region.startswith("44")],
        "removed_runs": removed,
    }


def analyze_as_autovacuum_would() -> list[str]:
    """ANALYZE the tables autovacuum would have analysed by now (more than 50 + 10 % of their rows changed since
    the last time). Without statistics the planner misjudges the bulk-loaded tables: a bank's filtered list took
    730 ms instead of ~40 ms. This machine's PostgreSQL runs with ``autovacuum = off``; a live server would not."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_stat_user_tables WHERE n_mod_since_analyze > 50 + 0.1 * n_live_tup"
            " OR (last_analyze IS NULL AND last_autoanalyze IS NULL AND n_live_tup > 0)"
        )
        tables = [row[0] for row in cursor.fetchall()]
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
    return tables


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("needs PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/ipp_load")
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "var" / "load" / "setup.json")
    setup = prepare()
    analysed = analyze_as_autovacuum_would()
    print(f"ANALYZE {len(analysed)} table(s) with stale statistics: {', '.join(analysed[:8])}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(setup, ensure_ascii=False, indent=1))
    print(f"load setup: batch {setup['batch']} (published run {setup['run']}, {setup['scores']:,} scores), filing "
          f"round {setup['filing_round']}, {len(setup['enterprises'])} firms, {len(setup['officers'])} officers, "
          f"{len(setup['api_clients'])} API clients, {len(setup['codes']):,} credit codes; "
          f"{setup['removed_runs']} earlier load run(s) removed → {out}")  # fmt: skip


if __name__ == "__main__":
    main()
