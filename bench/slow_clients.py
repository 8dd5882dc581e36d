"""Drill: a handful of slow clients starve gunicorn's sync workers, but not when nginx (deploy/nginx.conf) is in front.

Starts gunicorn (2 sync workers, production settings, a throwaway SQLite database) and nginx with the deployment's
config on loopback ports, opens SLOW connections that trickle their request headers one byte a second, and times an
ordinary request while they hang on — straight to gunicorn, then through nginx. Loopback only, bounded in time.

    .venv/bin/python bench/slow_clients.py          # needs nginx on the PATH (Debian: apt-get install nginx-light)
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP_PORT, PROXY_PORT = 18431, 18432
SLOW = 8  # slow connections: four times the workers
HOLD_SECONDS = 12  # how long the slow clients trickle before the drill ends
PROBE_TIMEOUT = 8.0


def _wait_port(port: int, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"nothing listens on 127.0.0.1:{port}")


def _slow_clients(port: int) -> list[socket.socket]:
    clients = []
    for _ in range(SLOW):
        client = socket.create_connection(("127.0.0.1", port), timeout=2)
        client.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # headers never finish
        clients.append(client)
    return clients


def _trickle(clients: list[socket.socket]) -> None:
    for client in clients:
        with contextlib.suppress(OSError):  # dropped by the server: that is the point
            client.sendall(b"X-a: b\r\n")


def _probe(port: int) -> str:
    """Seconds for one ordinary request, or 'starved' when none answers within PROBE_TIMEOUT."""
    started = time.perf_counter()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=PROBE_TIMEOUT) as client:
            client.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            client.settimeout(PROBE_TIMEOUT)
            if not client.recv(64).startswith(b"HTTP/1."):
                return "no answer"
    except (TimeoutError, OSError):
        return f"starved (> {PROBE_TIMEOUT:.0f} s)"
    return f"{time.perf_counter() - started:.3f} s"


def _drill(port: int) -> str:
    clients = _slow_clients(port)
    try:
        time.sleep(1)
        _trickle(clients)
        result = _probe(port)
        for _ in range(int(HOLD_SECONDS - PROBE_TIMEOUT)):
            time.sleep(1)
            _trickle(clients)
        return result
    finally:
        for client in clients:
            client.close()


def main() -> None:
    if shutil.which("nginx") is None:
        raise SystemExit("nginx is not installed (apt-get install nginx-light)")
    work = Path(tempfile.mkdtemp(prefix="slow-clients-"))
    env = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50), "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "False", "DATABASE_URL": f"sqlite:///{work}/db.sqlite3",
        "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15"),
        "DJANGO_LOG_LEVEL": "ERROR",
    }  # fmt: skip
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{APP_PORT}",
         "--workers", "2", "--timeout", "30"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    config = (ROOT / "deploy" / "nginx.conf").read_text()
    config = config.replace("server web:8000;", f"server 127.0.0.1:{APP_PORT};").replace(
        "listen 80;", f"listen 127.0.0.1:{PROXY_PORT};"
    )
    (work / "nginx.conf").write_text(config)
    nginx = subprocess.Popen(
        ["nginx", "-p", str(work), "-c", str(work / "nginx.conf"),
         "-g", f"daemon off; pid {work}/nginx.pid; error_log {work}/error.log;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait_port(APP_PORT)
        _wait_port(PROXY_PORT)
        print(f"{SLOW} slow clients, gunicorn with 2 sync workers; an ordinary request meanwhile:")
        print(f"  idle (cold), to gunicorn   : {_probe(APP_PORT)}")
        print(f"  straight to gunicorn       : {_drill(APP_PORT)}")
        time.sleep(2)
        print(f"  through nginx              : {_drill(PROXY_PORT)}")
    finally:
        nginx.terminate()
        gunicorn.terminate()
        nginx.wait(10)
        gunicorn.wait(10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
