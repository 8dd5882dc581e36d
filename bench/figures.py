"""The headline figures of a bench, one machine-readable line each, for ``bench/run_all.py`` (``make bench``).

Every bench prints its own human output and, at its end, calls ``figure()`` once per figure it is held to::

    BENCH-FIGURE {"name": "whole run", "value": 5.8, "unit": "s", "target": 6, "baseline": 1995.0, "better": "lower"}

``target`` is the issue's bound (a ceiling, or a floor when ``better="higher"``); ``baseline`` is the bench's naive
baseline in the same unit, measured in the same run. Nothing here imports Django: the runner parses the lines back.
"""

from __future__ import annotations

import json
import math

PREFIX = "BENCH-FIGURE "


def figure(
    name: str,
    value: float,
    unit: str,
    target: float | None = None,
    baseline: float | None = None,
    *,
    better: str = "lower",
) -> None:
    """Print one ``BENCH-FIGURE`` line (flushed: the runner streams the bench's output as it comes)."""
    if better not in ("lower", "higher"):
        raise ValueError(f"better must be 'lower' or 'higher', not {better!r}")
    record = {
        "name": name,
        "value": _number(value),
        "unit": unit,
        "target": _number(target),
        "baseline": _number(baseline),
        "better": better,
    }
    print(PREFIX + json.dumps(record, ensure_ascii=False), flush=True)


def parse(line: str) -> dict | None:
    """The record of a ``BENCH-FIGURE`` line, or None for any other line of a bench's output."""
    if not line.startswith(PREFIX):
        return None
    return json.loads(line[len(PREFIX) :])


def _number(x: float | None) -> float | None:
    """A plain float (numpy scalars and Decimals print as JSON numbers); NaN and infinities as None."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None
