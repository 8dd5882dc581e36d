"""The load scenario, end to end: prepare, serve, load, report (``make load``).

1. ``prepare.py``: the scenario's own accounts, tokens and filing round on the national demo database;
2. ``collectstatic`` (production settings serve hashed static files), a throw-away self-signed certificate;
3. gunicorn on https://127.0.0.1:8443 with the production settings (3 workers × 4 threads for the 2 cores), and a
   Celery worker (``nice``: the batch job yields the cores to the web, as it would on a shared host);
4. locust, headless: 50 users (enterprises, bank officers, API clients, one bureau officer who starts a scoring run
   of the 520,000 firms ``LOAD_RUN_AFTER`` seconds in), ``--reset-stats`` after the ramp-up, CSV into the results dir;
5. the figures: per endpoint p50/p95/p99, requests/s, failures, the sign-ins, the background run, the load average.

Targets (issue #7): zero errors and p95 under 500 ms at 50 concurrent users. Exits 1 when one is missed.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ipp_load CELERY_BROKER_URL=redis://127.0.0.1:6379/8 \\
        .venv/bin/python bench/load/run.py [--users 50] [--run-time 150] [--workers 3 --threads 4]

The broker's Redis database is flushed first: give the scenario its own.
"""

from __future__ import annotations

import argparse
import base64
import csv
import json
import os
import resource
import secrets
import shlex
import ssl
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
VENV = ROOT / ".venv" / "bin"
HOST = "127.0.0.1"
PORT = int(os.environ.get("LOAD_PORT", "8443"))  # another scenario on the same machine: give it another port
P95_TARGET_MS = 500
KEEP_ALIVE = 20
"""Seconds gunicorn keeps an idle connection: longer than the longest pause of a user (an enterprise's 15 s), or the
server closes the connection just as the next request is sent on it — a browser sends that again on a new one,
locust's client reports "Remote end closed connection without response" (all 11 errors of a run at 10 s)."""

sys.path.insert(0, str(ROOT))
from bench.figures import figure  # noqa: E402


def sh(*args: str, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, env=env, check=True, **kwargs)


def wait_healthy(deadline: float = 60) -> None:
    context = ssl._create_unverified_context()  # our own self-signed certificate
    end = time.monotonic() + deadline
    while True:
        try:
            with urllib.request.urlopen(f"https://{HOST}:{PORT}/healthz", context=context, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > end:
            sys.exit("gunicorn did not become healthy")
        time.sleep(0.5)


class LoadAverage(threading.Thread):
    """The 1-minute load average every 5 s: the machine is shared, the figures mean little without it."""

    def __init__(self):
        super().__init__(daemon=True)
        self.samples: list[float] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(5):
            self.samples.append(os.getloadavg()[0])


def cpu_by_process(pids: list[int]) -> dict[int, float]:
    """User + system CPU seconds of each live process (/proc/<pid>/stat fields 14 and 15, in clock ticks)."""
    seconds = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone
        seconds[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return seconds


def process_tree(pid: int) -> list[int]:
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [pid, *(p for child in children for p in process_tree(int(child)))]


def database_sessions(database_url: str) -> list[int]:
    query = "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    out = subprocess.run(["psql", database_url, "-Atc", query], capture_output=True, text=True).stdout
    return [int(pid) for pid in out.split()]


class CpuWindow:
    """CPU time the scenario's own processes use between the end of the ramp-up and the end of the run: what the
    load costs, whatever else the shared machine is doing (cores = CPU seconds per second of the window)."""

    def __init__(self, web: int, worker: int, database_url: str):
        self.web, self.worker, self.database_url = web, worker, database_url
        self.start: dict[str, dict[int, float]] = {}
        self.started_at = 0.0
        self.stopped = False

    def snapshot(self) -> dict[str, dict[int, float]]:
        return {
            "web": cpu_by_process(process_tree(self.web)),
            "worker": cpu_by_process(process_tree(self.worker)),
            "database": cpu_by_process(database_sessions(self.database_url)),
        }

    def begin(self) -> None:
        self.started_at, self.start = time.monotonic(), self.snapshot()
        self.last = {group: dict(processes) for group, processes in self.start.items()}
        threading.Thread(target=self._follow, daemon=True).start()

    def _follow(self) -> None:
        """Every second, the latest figure of each process: database sessions come and go (CONN_MAX_AGE)."""
        while not self.stopped:
            for group, processes in self.snapshot().items():
                self.last[group].update(processes)
            time.sleep(1)

    def summary(self) -> str:
        """Per process, its last figure minus its first (a process born in the window counts whole)."""
        if not self.start:
            return "not measured"
        for group, processes in self.snapshot().items():
            self.last[group].update(processes)
        self.stopped = True
        seconds = time.monotonic() - self.started_at
        used = {
            group: sum(value - self.start[group].get(pid, 0.0) for pid, value in processes.items())
            for group, processes in self.last.items()
        }
        return f"over {seconds:.0f} s: " + ", ".join(
            f"{name} {value:.0f} s ({value / seconds:.2f} cores)" for name, value in used.items()
        )


def background_run(bureau: str, env: dict) -> str:
    """State and phase timings of the run the bureau user started, read from the database."""
    code = (
        "import django,json;django.setup();from scoring.models import ScoringRun as R;"
        f"r=R.objects.filter(created_by__username={bureau!r}).order_by('-pk').first();"
        "print('none' if r is None else f'run {r.pk}: {r.state}, {r.enterprise_count:,} firms, attempts {r.attempts}, "
        "' + ', '.join(f'{k} {v:.1f} s' for k, v in (r.timings or {}).items() if isinstance(v, float)))"
    )
    out = subprocess.run([str(VENV / "python"), "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    return (out.stdout.strip() or out.stderr.strip()[-300:]).splitlines()[-1]


def report(stats_csv: Path) -> tuple[list[str], bool]:
    rows = list(csv.DictReader(stats_csv.open(encoding="utf-8")))
    lines = [f"{'endpoint':<48}{'requests':>9}{'req/s':>7}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'max ms':>8}"
             f"{'errors':>8}"]  # fmt: skip
    ok = True
    for row in rows:
        name = "TOTAL" if row["Name"] == "Aggregated" else f"{row['Type']} {row['Name']}"
        p95, failures = float(row["95%"]), int(row["Failure Count"])
        p50, p99, worst = float(row["50%"]), float(row["99%"]), float(row["Max Response Time"])
        lines.append(f"{name[:47]:<48}{int(row['Request Count']):>9}{float(row['Requests/s']):>7.1f}"
                     f"{p50:>8.0f}{p95:>8.0f}{p99:>8.0f}{worst:>8.0f}{failures:>8}")  # fmt: skip
        if row["Name"] == "Aggregated":
            ok = failures == 0 and p95 < P95_TARGET_MS and int(row["Request Count"]) > 0
    return lines, ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50)
    # One sign-in a second: each costs ~0.5 s of CPU (PBKDF2, 1,000,000 iterations); 36 at once would be a storm.
    parser.add_argument("--spawn-rate", type=float, default=1, help="users started per second (default 1)")
    parser.add_argument("--run-time", type=int, default=150, help="seconds, ramp-up included (default 150)")
    # gthread, not sync: TLS ends at gunicorn here (no proxy in front), and a sync worker closes the connection after
    # every response, so each request paid a TLS handshake and held a worker while the client answered it. Measured
    # with everything else equal: sync 5 workers p50 850 ms / p95 2.5 s at 12 req/s; gthread 3 × 4 p50 120 ms.
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (default 3: cores + 1)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (default 4; 1: sync workers)")
    parser.add_argument("--run-after", type=int, default=60, help="seconds before the bureau starts its scoring run")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "load" / datetime.now().strftime("%Y%m%d-%H%M%S"))
    args = parser.parse_args()
    database_url, broker_url = os.environ.get("DATABASE_URL", ""), os.environ.get("CELERY_BROKER_URL", "")
    if not database_url.startswith("postgres") or not broker_url.startswith("redis"):
        sys.exit("set DATABASE_URL=postgres://…/ipp_load and CELERY_BROKER_URL=redis://…/8 (see make load)")
    out = args.out
    out.mkdir(parents=True, exist_ok=True)

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "CERTIFICATE_SIGNING_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),  # a throw-away one
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "LOAD_SETUP": str(out / "setup.json"),
        "LOAD_RUN_AFTER": str(args.run_after),
        # The processes share one cache, as production's several workers should (README "Configuration"): the bank
        # list's counts are kept there (banks.list_summary). The broker's database, flushed below: a cold start.
        "CACHE_URL": os.environ.get("CACHE_URL", broker_url),
    }
    sh(str(VENV / "python"), str(HERE / "prepare.py"), str(out / "setup.json"), env=env)
    sh(str(VENV / "python"), "manage.py", "collectstatic", "--no-input", "-v", "0", env=env)
    # An ECDSA key: each request is a new TLS handshake (sync workers close the connection), and a P-256 signature
    # costs a fraction of an RSA one on the cores the app needs.
    sh("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days",
       "1", "-subj", f"/CN={HOST}", "-keyout", str(out / "key.pem"), "-out", str(out / "cert.pem"),
       capture_output=True)  # fmt: skip
    sh(str(VENV / "python"), "-c", f"import redis; redis.Redis.from_url({broker_url!r}).flushdb()")

    processes = []
    try:
        processes.append(subprocess.Popen(  # noqa: S603
            [str(VENV / "gunicorn"), "config.wsgi", "-b", f"{HOST}:{PORT}", "-w", str(args.workers),
             "--threads", str(args.threads), "--keep-alive", str(KEEP_ALIVE),
             "--certfile", str(out / "cert.pem"), "--keyfile", str(out / "key.pem"), "--timeout", "60",
             "--error-logfile", str(out / "gunicorn.log")],
            cwd=ROOT, env=env,
        ))  # fmt: skip
        processes.append(subprocess.Popen(  # noqa: S603
            ["nice", "-n", "10", str(VENV / "celery"), "-A", "config", "worker", "-Q", "default,scoring,push",
             "-c", "1", "-l", "warning", "--without-mingle", "--without-gossip"],
            cwd=ROOT, env=env, stdout=(out / "worker.log").open("w"), stderr=subprocess.STDOUT,
        ))  # fmt: skip
        wait_healthy()
        command = [str(VENV / "locust"), "-f", str(HERE / "locustfile.py"), "--headless", "-u", str(args.users),
                   "-r", str(args.spawn_rate), "--run-time", f"{args.run_time}s", "--host", f"https://{HOST}:{PORT}",
                   "--csv", str(out / "locust"), "--reset-stats", "--only-summary",
                   "--loglevel", "WARNING"]  # fmt: skip
        load = LoadAverage()
        load.start()
        before = os.getloadavg()[0]
        cpu = CpuWindow(processes[0].pid, processes[1].pid, database_url)
        threading.Timer(args.users / args.spawn_rate + 1, cpu.begin).start()  # locust resets its stats then too
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.monotonic()
        locust = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        while locust.poll() is None and time.monotonic() - started < args.run_time - 2:
            time.sleep(0.5)
        cpu_used = cpu.summary()  # just before locust stops its users
        stdout, stderr = locust.communicate()
        elapsed = time.monotonic() - started
        children_after = resource.getrusage(resource.RUSAGE_CHILDREN)  # locust (and a few short psql/pgrep calls)
        locust_cpu = sum(getattr(children_after, f) - getattr(children_before, f) for f in ("ru_utime", "ru_stime"))
        load.stop.set()
        (out / "locust.log").write_text(stdout + stderr)
        logins = next((line for line in stdout.splitlines() if line.startswith("LOGINS")), "LOGINS none")
        failures = next((line for line in stdout.splitlines() if line.startswith("FAILURES ")), "FAILURES ?")
        bureau = json.loads((out / "setup.json").read_text(encoding="utf-8"))["bureau"]
        run_at_end = background_run(bureau, env)
        # Let the background run finish before the worker stops, so the database is not left with an active run.
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and ("total" not in run_at_end and "none" not in run_at_end):
            time.sleep(3)  # until the run is over and its phase timings are written
            run_at_end = background_run(bureau, env)
            if any(state in run_at_end for state in ("failed", "cancelled")):
                break
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()

    lines, ok = report(out / "locust_stats.csv")
    ok = ok and failures.startswith("FAILURES 0 ")  # none during the ramp-up either
    samples = load.samples or [before]
    summary = [
        f"Load scenario · {args.users} users ({args.spawn_rate:g}/s ramp, stats reset after it) · {elapsed:.0f} s · "
        f"gunicorn {args.workers} {'sync workers' if args.threads == 1 else f'workers × {args.threads} threads'} "
        "(TLS, production settings) · Celery worker (nice 10) · "
        f"{os.cpu_count()} CPUs shared with other work: load average {before:.1f} before, "
        f"{sum(samples) / len(samples):.1f} mean / {max(samples):.1f} max during",
        *lines,
        f"sign-ins (ramp-up, not in the table): {logins.removeprefix('LOGINS ').replace('_ms=', ' ms ')}",
        f"errors over the whole run, ramp-up included: {failures.removeprefix('FAILURES ')}",
        f"background scoring run: {run_at_end}",
        f"CPU used by the scenario's processes after the ramp-up {cpu_used} (web = gunicorn, database = the "
        f"PostgreSQL sessions of the load database, worker = Celery); the load generator (locust) {locust_cpu:.0f} s "
        f"over its {elapsed:.0f} s",
        f"targets: zero errors and p95 < {P95_TARGET_MS} ms: {'MET' if ok else 'MISSED'} · results in {out}",
        "command: " + " ".join(shlex.quote(c) for c in command),
    ]
    (out / "summary.txt").write_text("\n".join(summary) + "\n", encoding="utf-8")
    print("\n".join(summary))
    if locust.returncode not in (0, 1):  # locust exits 1 when any request failed: the table says which
        print(stderr[-3000:])
    load_figures(out / "locust_stats.csv", failures)
    sys.exit(0 if ok else 1)


def load_figures(stats_csv: Path, failures: str) -> None:
    """The issue's figures for ``make bench``: every endpoint's p95 under 500 ms, no error over the whole run."""
    for row in csv.DictReader(stats_csv.open(encoding="utf-8")):
        name = "all requests" if row["Name"] == "Aggregated" else f"{row['Type']} {row['Name']}"
        figure(f"load p95: {name}", float(row["95%"]), "ms", target=P95_TARGET_MS)
    count = failures.split()[1] if len(failures.split()) > 1 else ""
    figure("load: errors, ramp-up included", float(count) if count.isdigit() else float("nan"), "", target=0)


if __name__ == "__main__":
    main()
