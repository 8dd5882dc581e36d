"""CPU time of a bench's work, client and database: on a machine shared with other jobs the wall clock stretches
with the load, CPU seconds much less, so they are what two runs (or a change and its baseline) compare by."""

from __future__ import annotations

import math
import os
import time
from pathlib import Path


def server_cpu() -> float:
    """CPU seconds that this process's PostgreSQL backend (Django's default connection) has used, read from /proc
    when the server runs on this machine; NaN when it does not."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return float("nan")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


class CpuClock:
    """CPU seconds of this process and of its backend since ``start()``: ``clock.start(); …; client, server =
    clock.seconds()``. Use within one connection (a new connection is a new backend)."""

    def start(self) -> CpuClock:
        self.client, self.server = time.process_time(), server_cpu()
        return self

    def seconds(self) -> tuple[float, float]:
        return time.process_time() - self.client, server_cpu() - self.server


def cpu_text(client: float, server: float) -> str:
    if math.isnan(server):
        return f"CPU {client:.1f} s (this process)"
    return f"CPU {client + server:.1f} s (client {client:.1f} s + server {server:.1f} s)"
