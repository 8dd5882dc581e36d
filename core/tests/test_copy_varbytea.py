"""The binary COPY kinds the policy matches rely on (``core.db.copy``): one variable-width bytea per row, empty
ones included and across several encoding blocks, beside fixed-width columns, and float4."""

import numpy as np
import pytest
from django.db import connection

import core.db.copy as copy
from core.db.copy import VARBYTEA, ArrayColumn, arrays_insert
from core.models import User  # any model: the rows go to the scratch table


@pytest.fixture
def scratch(require_postgres):
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE copy_var (id int8 NOT NULL, share float4 NOT NULL, blob bytea NOT NULL)")
    return "copy_var"


def test_variable_width_values_round_trip_across_blocks(scratch, monkeypatch):
    monkeypatch.setattr(copy, "VARBYTEA_CHUNK_BYTES", 100)  # many blocks, some rows longer than a block
    rng = np.random.default_rng(5)
    lengths = rng.integers(0, 300, 60)
    lengths[[0, 7, 59]] = 0
    payload = rng.integers(0, 256, int(lengths.sum()), dtype=np.uint8)
    bounds = np.r_[0, np.cumsum(lengths)]
    share = rng.random(60).astype(np.float32)
    columns = [
        ArrayColumn("id", "int8", np.arange(60, dtype=np.int64)),
        ArrayColumn("share", "float4", share),
        ArrayColumn("blob", VARBYTEA, payload, bounds=bounds),
    ]
    assert arrays_insert(User, columns, table=scratch) == 60
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, share, blob FROM copy_var ORDER BY id")
        rows = cursor.fetchall()
    assert [r[0] for r in rows] == list(range(60))
    assert np.array_equal(np.array([r[1] for r in rows], dtype=np.float32), share)
    for (_id, _share, blob), a, b in zip(rows, bounds[:-1], bounds[1:], strict=True):
        assert bytes(blob) == payload[a:b].tobytes()


def test_a_variable_width_column_beside_a_nullable_one_is_refused(scratch):
    columns = [
        ArrayColumn("share", "float4", np.zeros(2, np.float32), null=np.array([True, False])),
        ArrayColumn("blob", VARBYTEA, np.zeros(3, np.uint8), bounds=np.array([0, 1, 3])),
    ]
    with pytest.raises(ValueError, match="varbytea"):
        arrays_insert(User, columns, table=scratch)
