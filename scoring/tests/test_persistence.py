"""The bulk write of a run's scores: exact values, idempotent rewrite, all-or-nothing, and the binary encodings."""

from decimal import Decimal

import numpy as np
import pytest
from django.db import connection, transaction

from core.db.copy import ArrayColumn, arrays_insert, queryset_to_arrays
from enterprises.models import Enterprise, Submission
from scoring.engine import score
from scoring.models import Score
from scoring.persistence import enterprise_regions, partition_name, scores_discard, scores_write
from scoring.selectors import population_load, system_definition
from scoring.services import scoring_run_create

from .conftest import FIRMS


@pytest.fixture
def run_and_result(populated_batch):
    run = scoring_run_create(batch=populated_batch, enqueue=False)
    result = score(population_load(batch=populated_batch), system_definition(system=run.system))
    return run, result


def write(run, result):
    with transaction.atomic():
        return scores_write(run=run, result=result)


def test_writing_twice_replaces_the_rows_instead_of_duplicating_them(run_and_result):
    run, result = run_and_result
    assert write(run, result) == FIRMS
    assert write(run, result) == FIRMS
    assert Score.objects.filter(run=run).count() == FIRMS


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_writing_outside_a_transaction_is_refused(run_and_result):
    run, result = run_and_result
    with pytest.raises(RuntimeError):
        scores_write(run=run, result=result)


def test_rows_written_in_a_rolled_back_transaction_do_not_exist(run_and_result):
    run, result = run_and_result
    with transaction.atomic():
        scores_write(run=run, result=result)
        transaction.set_rollback(True)
    assert not Score.objects.filter(run=run).exists()
    if connection.vendor == "postgresql":
        assert partition_name(run) not in connection.introspection.table_names()


def test_discard_removes_every_row_of_the_run(run_and_result):
    run, result = run_and_result
    write(run, result)
    scores_discard(run=run)
    assert not Score.objects.filter(run=run).exists()
    scores_discard(run=run)  # nothing left: still fine


def test_totals_are_the_rounded_totals_as_decimals(run_and_result):
    run, result = run_and_result
    write(run, result)
    stored = dict(Score.objects.filter(run=run).values_list("enterprise_id", "total"))
    pairs = zip(result.enterprise_id.tolist(), result.total_rounded.tolist(), strict=True)
    expected = {i: Decimal(f"{t:.2f}") for i, t in pairs}
    assert stored == expected


def test_each_score_carries_its_firms_region_code_as_an_integer(run_and_result):
    run, result = run_and_result
    write(run, result)
    stored = dict(Score.objects.filter(run=run).values_list("enterprise_id", "region"))
    expected = {e.pk: int(e.region_code) for e in Enterprise.objects.filter(pk__in=stored)}
    assert stored == expected and len(stored) == FIRMS
    assert len(set(stored.values())) > 10  # many regions: a misaligned copy would not go unnoticed


def test_a_scored_firm_that_no_longer_exists_fails_the_write(run_and_result):
    run, result = run_and_result
    missing = np.append(result.enterprise_id, result.enterprise_id.max() + 1)
    with pytest.raises(ValueError, match="no longer exists"):
        enterprise_regions(missing)


def test_the_population_read_is_the_same_through_copy_and_through_the_orm(populated_batch):
    """On PostgreSQL the bulk read goes through binary COPY: it must agree with plain ORM values, cell for cell."""
    arrays = queryset_to_arrays(
        Submission.objects.filter(batch=populated_batch),
        {
            "enterprise_id": "int64",
            "revenue": "cents",
            "net_profit": "cents",
            "employees": "float64",
            "is_tech_sme": "bool",
        },
    )
    rows = {r[0]: r[1:] for r in Submission.objects.filter(batch=populated_batch).values_list(
        "enterprise_id", "revenue", "net_profit", "employees", "is_tech_sme")}  # fmt: skip
    assert arrays["enterprise_id"].size == FIRMS
    for i, enterprise_id in enumerate(arrays["enterprise_id"].tolist()):
        revenue, net_profit, employees, tech_sme = rows[enterprise_id]
        assert arrays["revenue"][i] == float(revenue)
        assert arrays["net_profit"][i] == float(net_profit)
        assert arrays["employees"][i] == employees
        assert arrays["is_tech_sme"][i] == tech_sme


@pytest.fixture
def scratch_table(require_postgres):
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE copy_scratch (id int8 NOT NULL, amount numeric(8, 2) NOT NULL,"
            " values_ float8[] NOT NULL, label varchar(20) NOT NULL, other varchar(20) NOT NULL, flag bool NOT NULL,"
            " small int2 NOT NULL, medium int4 NOT NULL)"
        )
    yield "copy_scratch"


def test_binary_copy_writes_every_kind_of_column_exactly(scratch_table):
    cents = np.array([0, 5, 100, -1, -12345, 999999, 12999, 7000, 50])
    n = cents.size
    values = np.random.default_rng(1).normal(size=(n, 3)) * 1e6
    values[0] = [np.inf, -0.0, 5e-324]
    labels, others = ("startup", "growth", "", "稳定期"), ("x", "yy")
    label_codes, other_codes = np.arange(n) % len(labels), (np.arange(n) // 2) % 2
    columns = [
        ArrayColumn("id", "int8", np.arange(n, dtype=np.int64) + 2**40),
        ArrayColumn("amount", "cents", cents),
        ArrayColumn("values_", "float8[]", np.asfortranarray(values)),
        ArrayColumn("label", "text", label_codes, labels),
        ArrayColumn("other", "text", other_codes, others),
        ArrayColumn("flag", "bool", np.arange(n) % 3 == 0),
        ArrayColumn("small", "int2", np.arange(n, dtype=np.int16) - 3),
        ArrayColumn("medium", "int4", np.arange(n, dtype=np.int32) * 100_000),
    ]
    assert arrays_insert(Score, columns, table=scratch_table) == n
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, amount, values_, label, other, flag, small, medium FROM {scratch_table}")
        rows = {row[0] - 2**40: row[1:] for row in cursor.fetchall()}
    assert len(rows) == n
    for i in range(n):
        amount, array, label, other, flag, small, medium = rows[i]
        assert amount == Decimal(int(cents[i])) / 100
        assert np.array_equal(np.array(array), values[i]) and np.signbit(array[1]) == np.signbit(values[i][1])
        assert (label, other) == (labels[label_codes[i]], others[other_codes[i]])
        assert (flag, small, medium) == (i % 3 == 0, i - 3, i * 100_000)


def test_binary_copy_splits_large_inputs_into_blocks(scratch_table, monkeypatch):
    monkeypatch.setattr("core.db.copy.COPY_OUT_CHUNK_ROWS", 7)
    n = 50
    columns = [
        ArrayColumn("id", "int8", np.arange(n, dtype=np.int64)),
        ArrayColumn("amount", "cents", np.arange(n) * 3),
        ArrayColumn("values_", "float8[]", np.ones((n, 2))),
        ArrayColumn("label", "text", np.arange(n) % 2, ("a", "bb")),
        ArrayColumn("other", "text", np.zeros(n, dtype=int), ("z",)),
        ArrayColumn("flag", "bool", np.ones(n, dtype=bool)),
        ArrayColumn("small", "int2", np.zeros(n, dtype=np.int16)),
        ArrayColumn("medium", "int4", np.zeros(n, dtype=np.int32)),
    ]
    arrays_insert(Score, columns, table=scratch_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*), count(DISTINCT id), sum(amount) FROM {scratch_table}")
        assert cursor.fetchone() == (n, n, Decimal(3 * n * (n - 1) // 2) / 100)


def test_the_report_figures_are_stored_with_the_scores_and_read_back_exactly(populated_batch):
    from scoring.engine.report import report_figures, unpack_figures

    run = scoring_run_create(batch=populated_batch, enqueue=False)
    population = population_load(batch=populated_batch)
    definition = system_definition(system=run.system)
    result = score(population, definition)
    figures = report_figures(population, definition, result)
    with transaction.atomic():
        scores_write(run=run, result=result, figures=figures)
    k = len(definition.indicators)
    position = {int(e): i for i, e in enumerate(result.enterprise_id)}
    rows = Score.objects.filter(run=run).values_list("enterprise_id", "figures", "input_hash")
    assert len(rows) == FIRMS
    for enterprise_id, blob, input_hash in rows:
        i = position[enterprise_id]
        percentiles, advice = unpack_figures(blob, k)
        assert np.allclose(percentiles, figures.peer_percentile[i], atol=1e-6)
        assert advice == [(int(c), t, g_t, g) for c, t, g_t, g in figures.advice[i] if c >= 0]
        assert input_hash == int(figures.input_hash[i])
