"""Sign-in cost: CPU per password check with the platform's hasher (Argon2id, ``core/hashers.py``) beside the
baseline it replaced (Django's PBKDF2-SHA256 at 1,000,000 iterations), and the sign-ins per second two cores can
take at that cost.

    .venv/bin/python bench/signin_bench.py [--rounds 20]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import PBKDF2PasswordHasher  # noqa: E402

from bench.figures import figure  # noqa: E402
from core.hashers import MeasuredArgon2PasswordHasher  # noqa: E402

PASSWORD = "Demo-2024!"  # noqa: S105


def cpu_ms(hasher, rounds: int) -> tuple[float, float]:
    """Median CPU and wall milliseconds of one verify."""
    encoded = hasher.encode(PASSWORD, hasher.salt())
    cpu, wall = [], []
    for _ in range(rounds):
        c, w = time.process_time(), time.perf_counter()
        assert hasher.verify(PASSWORD, encoded)
        cpu.append((time.process_time() - c) * 1000)
        wall.append((time.perf_counter() - w) * 1000)
    return sorted(cpu)[rounds // 2], sorted(wall)[rounds // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds
    cores = os.cpu_count() or 1
    argon = cpu_ms(MeasuredArgon2PasswordHasher(), rounds)
    pbkdf2 = cpu_ms(PBKDF2PasswordHasher(), max(3, rounds // 4))
    print(f"{'hasher':<46} {'CPU ms':>8} {'wall ms':>8} {'sign-ins/s on ' + str(cores) + ' cores':>22}")
    for name, (cpu, wall) in (
        ("Argon2id t=1 m=46 MiB p=1 (platform)", argon),
        (f"PBKDF2-SHA256 {PBKDF2PasswordHasher.iterations:,} it. (baseline)", pbkdf2),
    ):
        print(f"{name:<46} {cpu:>8.0f} {wall:>8.0f} {cores * 1000 / cpu:>22.0f}")
    print(f"ratio: Argon2id costs {argon[0] / pbkdf2[0]:.2f}× the baseline's CPU (target ≤ 150 ms)")
    figure("sign-in: CPU per password check (Argon2id)", argon[0], "ms", target=150, baseline=pbkdf2[0])


if __name__ == "__main__":
    main()
