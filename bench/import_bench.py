"""Benchmark of the bulk import of filings: 100,000 rows validated and written, CSV and .xlsx, against a naive baseline.

Uses a dedicated database (default: a fresh SQLite file under /tmp; pass DATABASE_URL for PostgreSQL), fills it with
``--firms`` demo enterprises and their approved filings in one batch, then times ``submission_import``:

1. dry run of a CSV of every firm into a new, empty batch (read + validate only);
2. commit of that CSV into the new batch (insert path: every filing created);
3. commit of an .xlsx of the same values into the demo batch (update path: every filing changed, audit entries).

Each line prints the CPU seconds of this process and of its PostgreSQL backend beside the wall clock: on a machine
shared with other jobs, they are what compares two runs.

The baseline does what straightforward Django code would per row — look the firm up, ``get_or_create`` the filing,
set the fields, ``full_clean()``, ``save()`` and write one audit row — timed on ``--sample`` rows and extrapolated
linearly (labelled as such).

    .venv/bin/python bench/import_bench.py --firms 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ipp_bench .venv/bin/python bench/import_bench.py
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.gettempdir()}/ipp-import-bench.sqlite3"

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
import openpyxl  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from bench.cpu import CpuClock, cpu_text  # noqa: E402
from bench.figures import figure  # noqa: E402
from core.models import BureauStaff, User  # noqa: E402
from demo.services import demo_firms_create  # noqa: E402
from enterprises.models import Enterprise, Submission, SubmissionChange  # noqa: E402
from enterprises.services import submission_import  # noqa: E402
from scoring.models import IndicatorSystem
from scoring.services import batch_create

COLUMNS = ["revenue", "revenue_prev", "rd_expense", "rd_expense_prev", "employees", "rd_staff", "invention_patents",
           "net_profit", "taxes_paid", "high_tech_revenue", "is_tech_sme"]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--firms", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=500)
    args = parser.parse_args()
    if connection.vendor == "sqlite":
        Path(connection.settings_dict["NAME"]).unlink(missing_ok=True)
    call_command("migrate", verbosity=0)
    system = IndicatorSystem.objects.get(code="national", version=1)
    old = batch_create(name="bench-2024", year=2024, reference_date=date(2024, 12, 31), system=system,
                               status="open", opens_on=date(2025, 1, 1), closes_on=date(2025, 3, 31))  # fmt: skip
    new = batch_create(name="bench-2025", year=2025, reference_date=date(2025, 12, 31), system=system,
                               status="open", opens_on=date(2026, 1, 1), closes_on=date(2026, 3, 31))  # fmt: skip
    started = time.perf_counter()
    demo_firms_create(firms=args.firms, seed=3, batch=old)
    print(f"{connection.vendor}: {args.firms:,} demo firms created in {time.perf_counter() - started:.1f} s")
    user = User.objects.create(username="bench-bureau")
    BureauStaff.objects.create(user=user, bureau_name="bench", region_scope="")

    rows = table(args.firms)
    csv_bytes = to_csv(rows)
    started = time.perf_counter()
    xlsx_bytes = to_xlsx(rows)
    print(f"files: CSV {len(csv_bytes) / 1e6:.1f} MB, .xlsx {len(xlsx_bytes) / 1e6:.1f} MB "
          f"(written by openpyxl in {time.perf_counter() - started:.1f} s)")  # fmt: skip

    figures = []
    for label, data, name, batch, dry in (
        ("CSV dry run (read + validate)", csv_bytes, "bench.csv", new, True),
        ("CSV commit, insert path", csv_bytes, "bench.csv", new, False),
        (".xlsx commit, update path", xlsx_bytes, "bench.xlsx", old, False),
    ):
        started, clock = time.perf_counter(), CpuClock().start()
        report = submission_import(user=user, batch=batch, data=data, filename=name, source="verified", dry_run=dry)
        seconds = time.perf_counter() - started
        assert not report.errors, report.errors[:5]
        figures.append((label, seconds))
        print(f"{label:34s} {report.rows:>8,} rows  {seconds:6.1f} s  {report.rows / seconds:>9,.0f} rows/s"
              f"  {cpu_text(*clock.seconds())}; load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    assert Submission.objects.filter(batch=new).count() == args.firms
    assert SubmissionChange.objects.count() >= args.firms

    naive = baseline(rows[: args.sample], user)
    print(f"{'naive per-row ORM (extrapolated)':34s} {args.firms:>8,} rows  {naive * args.firms / args.sample:6.1f} s"
          f"  (measured on {args.sample} rows: {naive:.2f} s)")  # fmt: skip
    (_, dry), (_, csv_commit), (_, xlsx_commit) = figures
    naive_total = naive * args.firms / args.sample
    figure(f"import, CSV dry run, {args.firms:,} rows", dry, "s")
    figure(f"import, CSV commit, {args.firms:,} rows", csv_commit, "s", target=10, baseline=naive_total)
    figure(f"import, .xlsx commit, {args.firms:,} rows", xlsx_commit, "s", target=20, baseline=naive_total)


def table(firms: int) -> list[list]:
    codes = list(Enterprise.objects.order_by("pk").values_list("credit_code", flat=True)[:firms])
    rng = np.random.default_rng(1)
    revenue = rng.gamma(2, 3000, firms).round(2)
    employees = rng.integers(5, 900, firms)
    out = []
    for i, code in enumerate(codes):
        out.append([code, revenue[i], round(revenue[i] * 0.9, 2), round(revenue[i] * 0.05, 2),
                    round(revenue[i] * 0.04, 2), int(employees[i]), int(employees[i] // 5), int(i % 7),
                    round(revenue[i] * 0.08, 2), round(revenue[i] * 0.03, 2), round(revenue[i] * 0.3, 2),
                    "是" if i % 3 else "否"])  # fmt: skip
    return out


def to_csv(rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["credit_code", *COLUMNS])
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def to_xlsx(rows) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["credit_code", *COLUMNS])
    for row in rows:
        sheet.append([float(v) if isinstance(v, np.floating) else v for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def baseline(rows, user) -> float:
    """Per-row ORM into a third batch, rolled back afterwards."""
    system = IndicatorSystem.objects.get(code="national", version=1)
    started = time.perf_counter()
    try:
        with transaction.atomic():
            batch = batch_create(
                name="bench-naive", year=2026, reference_date=date(2026, 12, 31), system=system,
                opens_on=date(2027, 1, 1), closes_on=date(2027, 3, 31),
            )  # fmt: skip
            for row in rows:
                enterprise = Enterprise.objects.visible_to(user).get(credit_code=row[0])
                submission, _ = Submission.objects.get_or_create(enterprise=enterprise, batch=batch)
                for name, value in zip(COLUMNS, row[1:], strict=True):
                    setattr(submission, name, value == "是" if name == "is_tech_sme" else Decimal(str(value)))
                submission.full_clean(exclude=["preferred_banks"])
                submission.save()
                SubmissionChange.objects.create(submission=submission, user=user, action="import", diff={})
            elapsed = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        return elapsed


class _Rollback(Exception):
    pass


if __name__ == "__main__":
    main()
