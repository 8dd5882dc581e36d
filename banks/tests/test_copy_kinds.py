"""The binary COPY column kinds the recommendation push relies on: fixed-width text, jsonb, timestamps, NULLs, and
numerics of 10,000.00 and more (``core.db.copy``; the kinds scoring uses are tested in scoring/tests)."""

import json
from datetime import UTC, datetime
from decimal import Decimal

import numpy as np
import pytest
from django.db import connection

from banks.models import Recommendation
from core.db.copy import COPY_OUT_CHUNK_ROWS, ArrayColumn, arrays_insert


@pytest.fixture
def scratch(require_postgres):
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE copy_kinds (id int8 NOT NULL, code varchar(6) NOT NULL, products jsonb NOT NULL,"
            " at timestamptz NOT NULL, need numeric(12, 2), seen timestamptz, who int8, stage varchar(8) NOT NULL)"
        )
    return "copy_kinds"


def test_every_push_kind_round_trips_with_nulls_in_any_combination(scratch):
    n = 40
    rng = np.random.default_rng(3)
    codes = np.array([f"{440000 + i * 7:06d}" for i in range(n)], dtype="S6")
    combos = ("[1]", "[1, 2]", "[]")
    need = rng.integers(0, 10**10, size=n)  # up to 99,999,999.99: four base-10000 digits in all
    need[:3] = [0, 99_999_999_99, 1_000_000]  # the largest numeric(12, 2), and exactly 10,000.00
    need_null = rng.random(n) < 0.3
    when = np.datetime64("2025-03-01T08:30:15.123456", "us") + np.arange(n).astype("timedelta64[s]")
    seen_null = rng.random(n) < 0.5
    who_null = rng.random(n) < 0.5
    columns = [
        ArrayColumn("id", "int8", np.arange(n, dtype=np.int64)),
        ArrayColumn("code", "bytes", codes),
        ArrayColumn("products", "jsonb", np.arange(n) % 3, combos),
        ArrayColumn("at", "timestamptz", np.full(n, when[0])),
        ArrayColumn("need", "cents", need, null=need_null),
        ArrayColumn("seen", "timestamptz", when, null=seen_null),
        ArrayColumn("who", "int8", np.arange(n, dtype=np.int64) * 1000, null=who_null),
        ArrayColumn("stage", "text", np.arange(n) % 2, ("growth", "startup")),
    ]
    assert arrays_insert(Recommendation, columns, table=scratch) == n
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, code, products, at, need, seen, who, stage FROM {scratch}")
        rows = {row[0]: row[1:] for row in cursor.fetchall()}
    assert len(rows) == n
    first = datetime(2025, 3, 1, 8, 30, 15, 123456, tzinfo=UTC)
    for i in range(n):
        code, products, at, amount, seen, who, stage = rows[i]
        assert code == codes[i].decode()
        assert (json.loads(products) if isinstance(products, str) else products) == json.loads(combos[i % 3])
        assert at == first
        assert amount == (None if need_null[i] else Decimal(int(need[i])) / 100)
        assert seen == (None if seen_null[i] else first.replace(second=15 + i % 60, minute=30 + i // 60))
        assert who == (None if who_null[i] else i * 1000)
        assert stage == ("growth", "startup")[i % 2]


def test_fixed_width_text_of_another_width_is_refused(scratch):
    columns = [
        ArrayColumn("id", "int8", np.arange(2, dtype=np.int64)),
        ArrayColumn("code", "bytes", np.array([b"440305", b"44"], dtype="S6")),
        ArrayColumn("products", "jsonb", np.zeros(2, dtype=int), ("[]",)),
        ArrayColumn("at", "timestamptz", np.full(2, np.datetime64("2025-01-01", "us"))),
        ArrayColumn("stage", "text", np.zeros(2, dtype=int), ("growth",)),
    ]
    with pytest.raises(ValueError, match="exactly 6 bytes"):
        arrays_insert(Recommendation, columns, table=scratch)


def test_nullable_rows_are_written_across_blocks(scratch, monkeypatch):
    monkeypatch.setattr("core.db.copy.COPY_OUT_CHUNK_ROWS", 7)
    assert COPY_OUT_CHUNK_ROWS != 7  # the module's own value is what the encoder reads
    n = 50
    columns = [
        ArrayColumn("id", "int8", np.arange(n, dtype=np.int64)),
        ArrayColumn("code", "bytes", np.full(n, b"110101", dtype="S6")),
        ArrayColumn("products", "jsonb", np.zeros(n, dtype=int), ("[7]",)),
        ArrayColumn("at", "timestamptz", np.full(n, np.datetime64("2025-01-01", "us"))),
        ArrayColumn("need", "cents", np.arange(n) * 150, null=np.arange(n) % 4 == 0),
        ArrayColumn("stage", "text", np.zeros(n, dtype=int), ("stable",)),
    ]
    arrays_insert(Recommendation, columns, table=scratch)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*), count(DISTINCT id), count(need), sum(need) FROM {scratch}")
        expected = sum(i * 150 for i in range(n) if i % 4) / Decimal(100)
        assert cursor.fetchone() == (n, n, n - len(range(0, n, 4)), expected)
