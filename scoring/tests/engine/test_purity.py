"""The scoring core stays pure: importing every engine module loads no Django (style.md, "The scoring core is pure")."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import scoring.engine

PROJECT_ROOT = Path(__file__).resolve().parents[3]


def engine_modules() -> list[str]:
    return [f"scoring.engine.{m.name}" for m in pkgutil.iter_modules(scoring.engine.__path__)]


def test_engine_has_the_modules_this_test_imports():
    assert {"scoring.engine.core", "scoring.engine.csv_io", "scoring.engine.lift"} <= set(engine_modules())


def test_importing_the_engine_does_not_import_django():
    code = "\n".join(
        ["import sys", "import scoring.engine"]
        + [f"import {name}" for name in engine_modules()]
        + ["loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))", "print(loaded)"]
    )
    completed = subprocess.run(  # noqa: S603 - our own interpreter running our own import list
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True, timeout=60
    )
    assert completed.stdout.strip() == "[]"
