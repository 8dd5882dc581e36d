"""Benchmark of the API under gunicorn on PostgreSQL with the large demo: score lookups, filtered pages, CSV export.

Targets (issue #6, on this 2-core machine): a score lookup by credit code at p95 < 50 ms and >= 300 requests/s with
4 concurrent clients; a filtered score list page at p95 < 150 ms; the full CSV export of a published run in < 30 s
with flat memory. The load comes from ``wrk`` (``apt-get install -y wrk``) on 127.0.0.1 only; the export is read by
this script, which samples the serving worker's resident memory while it streams.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ipp_bench .venv/bin/python bench/api_bench.py

It issues a token for an ``ApiClient`` named "api-bench" (scope scores:read, national) — and one for "api-bench-bank",
a national bank's client, whose lookups (of consenting firms) also check the consent — and ANALYZEs the published
run's partition if it has no statistics yet, as autovacuum would on a live system (a partition attached by
``scoring.persistence`` starts without them, and the planner's guesses are then poor). The client throttle is
raised for the run (``API_THROTTLE_CLIENT``), since one client drives all the load.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from bench.figures import figure  # noqa: E402
from core.models import (
    ApiClient,  # noqa: E402
    Bank,
)
from enterprises.models import Batch
from scoring.persistence import partition_name  # noqa: E402

HOST, PORT = "127.0.0.1", 8765
FILTERED_QUERIES = [
    "grade=A&stage=growth",
    "grade=B&region=44",
    "region=3301",
    "section=I&grade=C",
    "total_min=60&total_max=70&region=11",
    "stage=stable&eligible=true",
    "grade=A&region=44&stage=growth&total_min=80",
    "section=C&stage=startup&page_size=100",
]

WRK_REPORT = """
local threads = {}
setup = function(thread) table.insert(threads, thread) end
statuses = {}
response = function(status, headers, body)
  if status >= 300 then statuses[status] = (statuses[status] or 0) + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %.1f %.1f %.1f %.1f %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.timeout))
  io.write(string.format("SOCKET connect %d read %d write %d timeout %d\\n", summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.timeout))
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do io.write(string.format("STATUS %d %d\\n", status, count)) end
  end
end
"""


def wrk_script(paths: list[str], token: str) -> str:
    quoted = ",\n".join(f'  "{p}"' for p in paths)
    return f"""
local paths = {{
{quoted}
}}
local n = #paths
math.randomseed(os.time())
request = function()
  return wrk.format("GET", paths[math.random(n)], {{["Authorization"] = "Token {token}", ["Host"] = "127.0.0.1"}})
end
{WRK_REPORT}"""


def run_wrk(name: str, paths: list[str], token: str, *, connections: int, seconds: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(wrk_script(paths, token))
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "-s", script.name,
         f"http://{HOST}:{PORT}"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    os.unlink(script.name)
    line = next(line for line in out.splitlines() if line.startswith("RESULT"))
    requests, duration_us, p50, p95, p99, worst, bad_status, socket_errors = line.split()[1:]
    status_lines = (line.split() for line in out.splitlines() if line.startswith("STATUS"))
    statuses = {int(code): int(n) for _, code, n in status_lines}  # what the non-2xx responses were
    sockets = next(line for line in out.splitlines() if line.startswith("SOCKET")).split(maxsplit=1)[1]
    rps = int(requests) / (int(duration_us) / 1e6)
    return {
        "name": name, "requests": int(requests), "rps": rps, "p50": float(p50), "p95": float(p95),
        "p99": float(p99), "max": float(worst), "non_2xx": int(bad_status), "socket_errors": int(socket_errors),
        "statuses": statuses, "sockets": sockets,
    }  # fmt: skip


def warm_workers(workers: int, path: str, token: str) -> None:
    """One request per worker, concurrently, before anything is timed: a worker's first request imports the URLconf
    and everything behind it (~2 s alone, ~6 s with the machine busy), which would otherwise land in the first
    measured run as wrk timeouts."""

    def get(_):
        conn = http.client.HTTPConnection(HOST, PORT, timeout=120)
        conn.request("GET", path, headers={"Authorization": f"Token {token}"})
        conn.getresponse().read()

    for _ in range(3):  # sync workers take one connection each; three rounds reach every worker in practice
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(get, range(workers)))


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except FileNotFoundError:
        pass
    return 0


def worker_pids(master: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout
    return [int(pid) for pid in out.split()]


def export(batch_id: int, token: str, master: int) -> dict:
    """Stream the whole CSV, counting rows; sample every worker's RSS while it runs (the busy one is the max)."""
    workers = worker_pids(master)
    before = {pid: rss_kib(pid) for pid in workers}
    peak = dict(before)
    conn = http.client.HTTPConnection(HOST, PORT, timeout=120)
    started = time.perf_counter()
    conn.request("GET", f"/api/v1/batches/{batch_id}/scores.csv", headers={"Authorization": f"Token {token}"})
    response = conn.getresponse()
    assert response.status == 200, response.status
    first_byte = None
    size = lines = 0
    last_sample = 0.0
    while chunk := response.read(1 << 20):
        if first_byte is None:
            first_byte = time.perf_counter() - started
        size += len(chunk)
        lines += chunk.count(b"\n")
        now = time.perf_counter()
        if now - last_sample > 0.2:
            last_sample = now
            for pid in workers:
                peak[pid] = max(peak[pid], rss_kib(pid))
    elapsed = time.perf_counter() - started
    growth = max(peak[pid] - before[pid] for pid in workers)
    return {"rows": lines - 1, "bytes": size, "seconds": elapsed, "first_byte": first_byte,
            "rss_before_mib": max(before.values()) / 1024, "rss_growth_mib": growth / 1024}  # fmt: skip


BENCH_BANK = "icbc"


def bench_token(name: str, *, bank: Bank | None) -> str:
    """A fresh token for the national client ``name`` (scope scores:read), of ``bank`` or of none."""
    client, _ = ApiClient.objects.get_or_create(name=name, defaults={"scopes": ["scores:read"]})
    token = client.issue_token()
    client.scopes, client.region_scope, client.bank, client.revoked_at = ["scores:read"], "", bank, None
    client.save()
    return token


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (default 4)")
    parser.add_argument("--seconds", type=int, default=20, help="duration of each wrk run")
    parser.add_argument("--connections", type=int, default=4, help="concurrent clients (default 4)")
    parser.add_argument("--skip-bank", action="store_true", help="skip the lookups as a bank's client (consent)")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("needs PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/ipp_bench")
    if shutil.which("wrk") is None:
        sys.exit("needs wrk: apt-get install -y wrk")
    batch = (
        Batch.objects.filter(scoring__published_run__isnull=False)
        .select_related("scoring__published_run")
        .order_by("-year")
        .first()
    )
    if batch is None:
        sys.exit("no published run: python manage.py score_batch <batch id> --publish")
    run = batch.scoring.published_run
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_analyze, last_autoanalyze FROM pg_stat_user_tables WHERE relname = %s",
                       [partition_name(run)])  # fmt: skip
        analysed = cursor.fetchone()
        if analysed is None or analysed == (None, None):
            print(f"ANALYZE {partition_name(run)} (no statistics yet)")
            cursor.execute(f"ANALYZE {connection.ops.quote_name(partition_name(run))}")
        cursor.execute(
            f"SELECT e.credit_code FROM {connection.ops.quote_name(partition_name(run))} s TABLESAMPLE SYSTEM (1) "
            "JOIN enterprises_enterprise e ON e.id = s.enterprise_id LIMIT 5000"
        )
        codes = [row[0] for row in cursor.fetchall()]
        # Firms a national bank may read (an active consent, blanket or naming it): its lookups check the consent.
        bank = Bank.objects.get(code=BENCH_BANK)
        cursor.execute(
            f"SELECT e.credit_code FROM {connection.ops.quote_name(partition_name(run))} s TABLESAMPLE SYSTEM (1) "
            "JOIN enterprises_enterprise e ON e.id = s.enterprise_id WHERE EXISTS (SELECT 1 FROM enterprises_consent c"
            " WHERE c.enterprise_id = s.enterprise_id AND (c.bank_id IS NULL OR c.bank_id = %s)"
            " AND c.revoked_at IS NULL AND c.granted_at <= now() AND (c.expires_at IS NULL OR c.expires_at > now()))"
            " LIMIT 5000",
            [bank.pk],
        )
        consenting_codes = [row[0] for row in cursor.fetchall()]
    token = bench_token("api-bench", bank=None)
    bank_token = bench_token("api-bench-bank", bank=bank)
    connection.close()

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "False",
        "DJANGO_LOG_LEVEL": "WARNING",
        "API_THROTTLE_CLIENT": "100000000/minute",
        # production settings refuse to start without a broker; the bench enqueues nothing
        "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15"),
    }
    load_before = os.getloadavg()[0]  # other work on the machine competes for the same two cores
    gunicorn = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "config.wsgi", "-b", f"{HOST}:{PORT}", "-w", str(args.workers),
         "--access-logfile", "/dev/null", "--timeout", "120"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection(HOST, PORT, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        time.sleep(1)
        lookups = [f"/api/v1/batches/{batch.pk}/scores/{code}/" for code in codes]
        pages = [f"/api/v1/batches/{batch.pk}/scores/?{q}" for q in FILTERED_QUERIES]
        warm_workers(args.workers, lookups[0], token)
        run_wrk("warm-up", random.sample(lookups, 500) + pages, token, connections=args.connections, seconds=5)
        bank_lookups = [f"/api/v1/batches/{batch.pk}/scores/{code}/" for code in consenting_codes]
        results = [
            run_wrk("score by credit code", lookups, token, connections=args.connections, seconds=args.seconds),
            run_wrk("filtered score page", pages, token, connections=args.connections, seconds=args.seconds),
        ]
        if not args.skip_bank:
            results.append(
                run_wrk("… as a bank (consent)", bank_lookups, bank_token, connections=args.connections,
                        seconds=args.seconds)
            )  # fmt: skip
        csv = export(batch.pk, token, gunicorn.pid)
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(timeout=30)

    print(f"\nAPI benchmark · batch {batch.pk} · published run {run.pk} ({run.enterprise_count:,} scores) · "
          f"gunicorn {args.workers} sync workers · wrk {args.connections} connections × {args.seconds} s · "
          f"{os.cpu_count()} CPUs · load average before/after {load_before:.1f}/{os.getloadavg()[0]:.1f}")  # fmt: skip
    print(f"{'endpoint':<24}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}{'non-2xx':>9}")
    for r in results:
        print(f"{r['name']:<24}{r['rps']:>8.0f}{r['p50']:>9.1f}{r['p95']:>9.1f}{r['p99']:>9.1f}{r['max']:>9.1f}"
              f"{r['non_2xx'] + r['socket_errors']:>9}"
              + (f"  (by status {r['statuses']}; socket errors: {r['sockets']})"
                 if r["non_2xx"] + r["socket_errors"] else ""))  # fmt: skip
    print(f"CSV export: {csv['rows']:,} rows, {csv['bytes'] / 2**20:.0f} MiB in {csv['seconds']:.1f} s "
          f"(first byte after {csv['first_byte'] * 1000:.0f} ms); worker RSS {csv['rss_before_mib']:.0f} MiB, "
          f"grew by {csv['rss_growth_mib']:.1f} MiB while streaming")  # fmt: skip
    lookup, page = results[:2]
    checks = [
        ("lookup p95 < 50 ms", lookup["p95"] < 50),
        ("lookup >= 300 req/s", lookup["rps"] >= 300),
        ("filtered page p95 < 150 ms", page["p95"] < 150),
        ("export < 30 s", csv["seconds"] < 30),
        ("no errors", all(r["non_2xx"] + r["socket_errors"] == 0 for r in results)),
    ]
    print("targets: " + ", ".join(f"{name} {'OK' if ok else 'MISSED'}" for name, ok in checks))
    # issue #6's targets, as checked above
    figure("API score lookup p95", lookup["p95"], "ms", target=50)
    figure("API score lookups per second", lookup["rps"], "req/s", target=300, better="higher")
    figure("API filtered score page p95", page["p95"], "ms", target=150)
    figure("API CSV export of the run", csv["seconds"], "s", target=30)
    figure("API export: worker RSS growth", csv["rss_growth_mib"], "MiB")
    figure("API errors (non-2xx, socket)", sum(r["non_2xx"] + r["socket_errors"] for r in results), "", target=0)


if __name__ == "__main__":
    main()
