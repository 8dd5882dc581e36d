"""``make bench``: every benchmark of bench/ on PostgreSQL, one after another, then one table of their figures.

1. The bench database (``BENCH_DATABASE_URL``, default postgres://postgres@127.0.0.1:5432/ipp_bench) is created if
   missing and migrated; ``demo_setup --firms N`` runs only when its demo batch is missing or holds fewer than
   ``--firms`` firms (the first time at 520,000 firms it takes minutes).
2. Each bench runs as a child process with that database (the import bench gets a fresh ``<name>_import`` database of
   its own: it adds 100,000 firms and two batches every time). Its output streams to the console and to
   ``bench/last-run.log``; the ``BENCH-FIGURE`` lines it prints (``bench/figures.py``) are collected.
3. The table: per figure its value, the issue's target, value ÷ target, the bench's naive baseline and how many times
   better than it the figure is; per bench its wall time and the 1-minute load average before → after (the machine
   is shared: a busy one must show). Printed, and written as Markdown to ``bench/last-run.md`` for the README.

A bench that fails is shown as failed and the others still run; the exit status is then 1 (``--strict``: also when
a figure misses its target). ``--with-load`` adds the load scenario (``bench/load/run.py``, minutes; its broker is
``LOAD_BROKER_URL``, default Redis db 8, which it flushes).

    .venv/bin/python bench/run_all.py [--firms 520000] [--only score,push] [--skip api] [--with-load] [--strict]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "bench"
sys.path.insert(0, str(ROOT))
from bench.figures import parse  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ipp_bench"
FIRMS = 520_000
IMPORT_ROWS = 100_000  # the import figure: 100,000 filings
LOG, MARKDOWN = HERE / "last-run.log", HERE / "last-run.md"
PYTHON = sys.executable


@dataclass(frozen=True)
class Bench:
    name: str
    script: str  # under bench/
    args: Callable[[argparse.Namespace], list[str]] = lambda options: []
    database: str = "bench"  # "bench", "import" (a fresh database of its own) or "none"
    requires: tuple[str, ...] = ()  # executables on the PATH, or under .venv/bin
    load: bool = False  # only with --with-load


BENCHES = [
    Bench("signin", "signin_bench.py", database="none"),
    Bench("engine", "engine_bench.py", lambda o: ["--firms", str(o.firms)], database="none"),
    Bench("score", "score_bench.py", lambda o: ["--firms", str(o.firms)]),
    # after score: the run score_bench published has no lists yet; push_bench pushes it, then supersedes it
    Bench("push", "push_bench.py", lambda o: ["--workers", "2"]),
    Bench("dashboard", "dashboard_bench.py"),  # on push_bench's lists
    Bench("list", "list_bench.py"),
    Bench("report", "report_bench.py"),
    Bench("compare", "compare_bench.py", lambda o: ["--firms", str(o.firms)]),
    Bench("sandbox", "sandbox_bench.py", lambda o: ["--firms", str(o.firms)]),
    Bench("matching", "matching_bench.py", lambda o: ["--firms", str(o.firms), "--policies", "100"], database="none"),
    Bench("match-store", "match_store_bench.py", lambda o: ["--policies", "100"]),
    Bench("backtest", "backtest_bench.py", lambda o: ["--firms", str(o.firms)]),
    Bench("import", "import_bench.py", lambda o: ["--firms", str(min(IMPORT_ROWS, o.firms))], database="import"),
    Bench("api", "api_bench.py", requires=("wrk",)),
    Bench("load", "load/run.py", requires=("locust",), load=True),
]
NOT_BENCHES = {
    "figures.py": "the helper every bench calls",
    "cpu.py": "the helper the push and import benches call for the CPU beside each wall-clock figure",
    "run_all.py": "this runner",
    "slow_clients.py": "a drill (slow clients with and without nginx), not a figure: needs nginx",
    "load/locustfile.py": "the load scenario's users, run by load/run.py",
    "load/prepare.py": "the load scenario's accounts, run by load/run.py",
}
"""Scripts under bench/ that are not benches of their own (tests/test_bench_runner.py checks the rest are here)."""


@dataclass
class Result:
    bench: str
    status: str = "ok"  # ok, failed, skipped
    detail: str = ""  # why it failed or was skipped
    figures: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    load_before: float | None = None
    load_after: float | None = None


# --- The table ------------------------------------------------------------------------------------------------------

COLUMNS = ["bench", "figure", "value", "target", "÷ target", "baseline", "vs baseline", "status", "wall", "load"]


def number(x: float) -> str:
    if abs(x) >= 100 or float(x).is_integer():
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}" if abs(x) >= 1 else f"{x:.3f}"


def quantity(x: float | None, unit: str) -> str:
    if x is None:
        return "—"
    return f"{number(x)}{'' if unit in ('', '×') else ' '}{unit}"


def verdict(record: dict) -> str:
    """``ok`` when the figure meets its target, ``OVER`` / ``UNDER`` when it misses it, empty without a target."""
    value, target = record.get("value"), record.get("target")
    if target is None:
        return ""
    if value is None:
        return "no value"
    if record.get("better", "lower") == "higher":
        return "ok" if value >= target else "UNDER"
    return "ok" if value <= target else "OVER"


def ratio(record: dict) -> str:
    value, target = record.get("value"), record.get("target")
    return "—" if value is None or not target else f"{value / target:.2f}"


def gain(record: dict) -> str:
    """How many times better than the naive baseline: baseline ÷ value (value ÷ baseline where higher is better)."""
    value, baseline = record.get("value"), record.get("baseline")
    if value is None or baseline is None:
        return "—"
    higher = record.get("better", "lower") == "higher"
    numerator, denominator = (value, baseline) if higher else (baseline, value)
    return "∞" if denominator == 0 else f"{number(numerator / denominator)}×"


def load_span(result: Result) -> str:
    if result.load_before is None:
        return ""
    return f"{result.load_before:.1f} → {result.load_after:.1f}"


def table_rows(results: list[Result]) -> list[list[str]]:
    """One row per figure (the bench's wall time and load on its first row), and one for a bench that failed, was
    skipped or printed no figure."""
    rows = []
    for result in results:
        per_bench = [f"{result.seconds:.0f} s" if result.status != "skipped" else "", load_span(result)]
        for record in result.figures:
            rows.append([
                result.bench, record["name"], quantity(record.get("value"), record["unit"]),
                quantity(record.get("target"), record["unit"]), ratio(record),
                quantity(record.get("baseline"), record["unit"]), gain(record), verdict(record), *per_bench,
            ])  # fmt: skip
            per_bench = ["", ""]
        if result.status == "failed":
            rows.append([result.bench, result.detail, "", "", "", "", "", "FAILED", *per_bench])
        elif result.status == "skipped":
            rows.append([result.bench, result.detail, "", "", "", "", "", "skipped", *per_bench])
        elif not result.figures:
            rows.append([result.bench, "no BENCH-FIGURE line printed", "", "", "", "", "", "FAILED", *per_bench])
    return rows


def failed(results: list[Result], *, strict: bool = False) -> list[str]:
    """The benches that make the run fail: failed or without a figure, and with ``strict`` a missed target."""

    def bad(result: Result) -> bool:
        if result.status == "failed" or (result.status == "ok" and not result.figures):
            return True
        return strict and any(verdict(r) not in ("", "ok") for r in result.figures)

    return [result.bench for result in results if bad(result)]


def render_text(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in [COLUMNS, *rows]) for i in range(len(COLUMNS))]

    def line(row: list[str]) -> str:  # names left-aligned, figures right-aligned
        cells = zip(row, widths, strict=True)
        return "  ".join(cell.ljust(w) if i < 2 else cell.rjust(w) for i, (cell, w) in enumerate(cells)).rstrip()

    lines = [line(row) for row in [COLUMNS, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def render_markdown(rows: list[list[str]]) -> str:
    def line(cells):
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"

    return "\n".join([line(COLUMNS), "|" + "---|" * len(COLUMNS), *(line(row) for row in rows)])


# --- Running ----------------------------------------------------------------------------------------------------------


def selected(options: argparse.Namespace) -> list[Bench]:
    names = {b.name for b in BENCHES}
    only, skip = set(options.only or []), set(options.skip or [])
    unknown = (only | skip) - names
    if unknown:
        sys.exit(f"unknown bench {', '.join(sorted(unknown))}; the benches: {', '.join(b.name for b in BENCHES)}")
    return [
        b for b in BENCHES
        if (b.name in only if only else not b.load or options.with_load) and b.name not in skip
    ]  # fmt: skip


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def stream(command: list[str], env: dict, log) -> tuple[int, list[dict]]:
    """Run ``command``, copying its output (stderr too) to the console and the log; its BENCH-FIGURE records."""
    figures = []
    with subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          bufsize=1, encoding="utf-8", errors="replace") as child:  # fmt: skip
        for line in child.stdout:
            sys.stdout.write(line)
            log.write(line)
            if (record := parse(line.rstrip("\n"))) is not None:
                figures.append(record)
        log.flush()
    return child.returncode, figures


def psql(url: str, sql: str) -> str:
    out = subprocess.run(["psql", url, "-Atc", sql], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def database_exists(url: str) -> bool:
    name = database_name(url).replace("'", "''")
    return psql(with_database(url, "postgres"), f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"


def quoted(url: str) -> str:
    return '"' + database_name(url).replace('"', '""') + '"'


def createdb(url: str, *, fresh: bool = False) -> None:
    if fresh:
        dropdb(url)
    if fresh or not database_exists(url):
        print(f"creating database {database_name(url)}", flush=True)
        psql(with_database(url, "postgres"), f"CREATE DATABASE {quoted(url)}")


def dropdb(url: str) -> None:
    psql(with_database(url, "postgres"), f"DROP DATABASE IF EXISTS {quoted(url)}")


DEMO_FIRMS = (
    "from demo.services import DEMO_BATCH_NAME\n"
    "from enterprises.models import Submission\n"
    "print(Submission.objects.filter(batch__name=DEMO_BATCH_NAME).count())"
)


def ensure_bench_database(url: str, firms: int, env: dict, log) -> str:
    """Create, migrate and fill the bench database as needed; a line saying what it holds."""
    createdb(url)
    code, _ = stream([PYTHON, "manage.py", "migrate", "--no-input", "-v", "0"], env, log)
    if code:
        sys.exit(f"migrate failed on {database_name(url)} (exit {code})")
    counted = subprocess.run([PYTHON, "manage.py", "shell", "-c", DEMO_FIRMS], cwd=ROOT, env=env, capture_output=True,
                             text=True)  # fmt: skip
    if counted.returncode:
        sys.exit(f"could not count the demo firms of {database_name(url)}:\n{counted.stderr[-2000:]}")
    have = int(counted.stdout.split()[-1])
    if have < firms:
        print(f"demo batch holds {have:,} firms, --firms {firms:,}: demo_setup (minutes at national scale) …")
        code, _ = stream([PYTHON, "manage.py", "demo_setup", "--firms", str(firms)], env, log)
        if code:
            sys.exit(f"demo_setup failed on {database_name(url)} (exit {code})")
        have = firms
    return f"{database_name(url)}: demo batch of {have:,} firms"


def missing(bench: Bench) -> str:
    for tool in bench.requires:
        if shutil.which(tool) is None and not (ROOT / ".venv" / "bin" / tool).exists():
            return f"needs {tool} (not installed)"
    return ""


def bench_env(bench: Bench, url: str) -> dict:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("CELERY_BROKER_URL", None)  # in-process (eager) tasks: no worker is running for the benches
    if bench.database == "bench":
        env["DATABASE_URL"] = url
    elif bench.database == "import":
        env["DATABASE_URL"] = with_database(url, f"{database_name(url)}_import")
    else:
        env.pop("DATABASE_URL", None)
    if bench.load:
        env["CELERY_BROKER_URL"] = os.environ.get("LOAD_BROKER_URL", "redis://127.0.0.1:6379/8")
    return env


def run(bench: Bench, options: argparse.Namespace, url: str, log) -> Result:
    result = Result(bench.name)
    if reason := missing(bench):
        result.status, result.detail = "skipped", reason
        return result
    env = bench_env(bench, url)
    command = [PYTHON, str(HERE / bench.script), *bench.args(options)]
    banner = f"\n===== {bench.name}: {' '.join(command[1:])} · load average {os.getloadavg()[0]:.2f} =====\n"
    sys.stdout.write(banner)
    log.write(banner)
    if bench.database == "import":
        createdb(env["DATABASE_URL"], fresh=True)
    result.load_before = os.getloadavg()[0]
    started = time.perf_counter()
    code, result.figures = stream(command, env, log)
    result.seconds = time.perf_counter() - started
    result.load_after = os.getloadavg()[0]
    if bench.database == "import":
        dropdb(env["DATABASE_URL"])
    if code:
        result.status, result.detail = "failed", f"exit {code}"
    return result


def header(options: argparse.Namespace, database: str, load: tuple[float, float, float]) -> list[str]:
    commit = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True)
    return [
        f"make bench · {datetime.now(UTC):%Y-%m-%d %H:%M} UTC · commit {commit.stdout.strip() or '?'} · "
        f"{os.cpu_count()} cores · load average (1, 5, 15 min) {' '.join(f'{x:.2f}' for x in load)} at the start, "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} at the end",
        f"database {database} · --firms {options.firms:,} · wall = the bench's own time · load = its 1-minute "
        "load average before → after",
    ]


def names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--firms", type=int, default=FIRMS, help=f"demo firms in the bench database (default {FIRMS})")
    parser.add_argument("--only", type=names, help="comma-separated benches to run (and no other)")
    parser.add_argument("--skip", type=names, help="comma-separated benches not to run")
    parser.add_argument("--with-load", action="store_true", help="also the load scenario (bench/load/run.py)")
    parser.add_argument("--strict", action="store_true", help="exit 1 also when a figure misses its target")
    options = parser.parse_args()
    benches = selected(options)
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        sys.exit(f"BENCH_DATABASE_URL must be a PostgreSQL URL, not {url}")

    results, load = [], os.getloadavg()
    with LOG.open("w", encoding="utf-8") as log:
        database = database_name(url)
        if any(b.database == "bench" for b in benches):
            env = {**os.environ, "DATABASE_URL": url, "PYTHONUNBUFFERED": "1"}
            env.pop("CELERY_BROKER_URL", None)
            started = time.perf_counter()
            database = ensure_bench_database(url, options.firms, env, log)
            database += f" (checked or built in {time.perf_counter() - started:.0f} s)"
        for bench in benches:
            results.append(run(bench, options, url, log))
        lines = header(options, database, load)
        table = render_text(table_rows(results))
        summary = "\n".join(lines) + "\n\n" + table
        log.write("\n" + summary + "\n")
    print("\n" + summary)
    MARKDOWN.write_text("\n\n".join(lines) + "\n\n" + render_markdown(table_rows(results)) + "\n", encoding="utf-8")
    print(f"\nlog: {LOG.relative_to(ROOT)} · Markdown table: {MARKDOWN.relative_to(ROOT)}")
    if bad := failed(results, strict=options.strict):
        print(f"failed: {', '.join(bad)}")
        sys.exit(1)


if __name__ == "__main__":
    main()
