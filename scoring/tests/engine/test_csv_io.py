"""The offline-scoring CSV: parsing, every kind of error with its row and column, and a bit-exact round trip."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest

from scoring.engine import score
from scoring.engine.csv_io import REQUIRED_COLUMNS, CsvInputError, read_population_csv, write_population_csv
from scoring.engine.defaults import NATIONAL_V2
from scoring.engine.system import BOOL_FIELDS, NUMERIC_FIELDS

from .builders import make_population

GOOD_ROW = {
    "enterprise_id": "7",
    "industry_code": "C39",
    "region_code": "440305",
    "established": "2016-03-08",
    "approved": "true",
    "consent": "TRUE",
    **dict.fromkeys(NUMERIC_FIELDS, "1.5"),
    **dict.fromkeys(BOOL_FIELDS, "false"),
}


def csv_text(*rows: dict[str, str], columns: list[str] | None = None) -> io.StringIO:
    columns = columns or list(GOOD_ROW)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([row.get(c, "") for c in columns] for row in rows)
    buffer.seek(0)
    return buffer


def read(*rows: dict[str, str], columns: list[str] | None = None):
    return read_population_csv(csv_text(*rows, columns=columns), "2024-12-31")


def errors_of(*rows: dict[str, str], columns: list[str] | None = None) -> list[tuple[int | None, str | None]]:
    with pytest.raises(CsvInputError) as caught:
        read(*rows, columns=columns)
    return [(e.row, e.column) for e in caught.value.errors]


def test_a_good_row_is_parsed():
    population = read(GOOD_ROW, {**GOOD_ROW, "enterprise_id": "8", "industry_code": "T97", "region_code": "110101"})
    assert population.enterprise_id.tolist() == [7, 8]
    assert population.section.tolist() == [2, 19]
    assert population.province.tolist() == [44, 11]
    assert population.established.tolist()[0].isoformat() == "2016-03-08"
    assert population.values["revenue"].tolist() == [1.5, 1.5]
    assert population.approved.tolist() == [True, True]
    assert population.reference_date == np.datetime64("2024-12-31")


def test_blank_cells_are_zero_and_false_and_extra_columns_are_ignored():
    row = {**GOOD_ROW, "revenue": "", "is_tech_sme": "", "consent": "", "uscc": "91X"}
    population = read(row, columns=list(GOOD_ROW) + ["uscc"])
    assert population.values["revenue"].tolist() == [0.0]
    assert population.flags["is_tech_sme"].tolist() == [False]
    assert population.consent.tolist() == [False]


def test_cells_missing_from_a_short_row_are_zero_and_false():
    text = csv_text(GOOD_ROW).getvalue() + "8,C39,440305,2016-03-08,true,true,12\n"
    population = read_population_csv(io.StringIO(text), "2024-12-31")
    assert population.values["revenue"].tolist() == [1.5, 12.0]
    assert population.values["revenue_prev"].tolist() == [1.5, 0.0]
    assert population.flags["major_violation"].tolist() == [False, False]


@pytest.mark.parametrize(("text", "value"), [("1", True), ("0", False), ("True", True), ("fAlSe", False)])
def test_booleans_in_any_case(text, value):
    assert read({**GOOD_ROW, "is_little_giant": text}).flags["is_little_giant"].tolist() == [value]


def test_negative_profit_and_assets_are_allowed():
    population = read({**GOOD_ROW, "net_profit": "-12.5", "net_assets": "-3"})
    assert population.values["net_profit"].tolist() == [-12.5]


def test_missing_required_column_is_reported_on_the_header_row():
    columns = [c for c in GOOD_ROW if c not in ("rd_staff", "consent")]
    assert errors_of(GOOD_ROW, columns=columns) == [(1, "consent"), (1, "rd_staff")]


@pytest.mark.parametrize(
    ("column", "text"),
    [
        ("revenue", "12a"),
        ("revenue", "1,5"),
        ("net_profit", "nan"),
        ("employees", "inf"),
        ("standards", "1_000"),
    ],
)
def test_non_numeric_cell(column, text):
    assert errors_of(GOOD_ROW, {**GOOD_ROW, "enterprise_id": "8", column: text}) == [(3, column)]


@pytest.mark.parametrize("column", [c for c in NUMERIC_FIELDS if c not in ("net_profit", "net_assets")])
def test_negative_value_where_forbidden(column):
    assert errors_of({**GOOD_ROW, column: "-0.01"}) == [(2, column)]


@pytest.mark.parametrize("text", ["2023-02-30", "2023/01/05", "yesterday", ""])
def test_bad_date(text):
    assert errors_of({**GOOD_ROW, "established": text}) == [(2, "established")]


@pytest.mark.parametrize("text", ["yes", "2", "T"])
def test_bad_boolean(text):
    assert errors_of({**GOOD_ROW, "dishonest_debtor": text}) == [(2, "dishonest_debtor")]


def test_duplicate_enterprise_id_names_the_repeated_row_and_the_first_one():
    rows = [GOOD_ROW, {**GOOD_ROW, "enterprise_id": "8"}, GOOD_ROW]
    with pytest.raises(CsvInputError) as caught:
        read(*rows)
    assert [(e.row, e.column) for e in caught.value.errors] == [(4, "enterprise_id")]
    assert "first seen in row 2" in caught.value.errors[0].message


@pytest.mark.parametrize("text", ["", "abc", "-5", "1.5"])
def test_bad_enterprise_id(text):
    assert errors_of({**GOOD_ROW, "enterprise_id": text}) == [(2, "enterprise_id")]


@pytest.mark.parametrize("text", ["U99", "c39", "", "39"])
def test_bad_industry_code(text):
    assert errors_of({**GOOD_ROW, "industry_code": text}) == [(2, "industry_code")]


@pytest.mark.parametrize("text", ["44030", "4403051", "44O305", ""])
def test_bad_region_code(text):
    assert errors_of({**GOOD_ROW, "region_code": text}) == [(2, "region_code")]


def test_all_errors_are_collected_in_row_then_column_order():
    rows = [
        {**GOOD_ROW, "enterprise_id": "1", "revenue": "x", "consent": "maybe"},
        {**GOOD_ROW, "enterprise_id": "2"},
        {**GOOD_ROW, "enterprise_id": "3", "region_code": "12", "rd_expense": "-1"},
    ]
    with pytest.raises(CsvInputError) as caught:
        read(*rows)
    error = caught.value
    assert [(e.row, e.column) for e in error.errors] == [
        (2, "consent"),
        (2, "revenue"),
        (4, "region_code"),
        (4, "rd_expense"),
    ]
    assert (error.row, error.column) == (2, "consent")
    assert "row 2, column revenue" in str(error) and "4 problem(s)" in str(error)


def test_a_row_with_too_many_cells_is_reported_by_row():
    text = csv_text(GOOD_ROW).getvalue() + "8," + ",".join(["1"] * (len(GOOD_ROW) + 3)) + "\n"
    with pytest.raises(CsvInputError) as caught:
        read_population_csv(io.StringIO(text), "2024-12-31")
    assert caught.value.row == 3


def test_required_columns_are_the_id_columns_and_every_raw_field():
    assert len(REQUIRED_COLUMNS) == 6 + len(NUMERIC_FIELDS) + len(BOOL_FIELDS)


def random_population(n: int, seed: int):
    rng = np.random.default_rng(seed)
    values = {name: rng.random(n) * 10.0 ** rng.integers(-3, 9, n) for name in NUMERIC_FIELDS}
    values["net_profit"] = -values["net_profit"] + 0.1 + 0.2  # negative and float-noisy
    values["revenue"][:3] = [0.1 + 0.2, 1e-7, 123456789.123456789]
    return make_population(
        n,
        enterprise_id=rng.permutation(np.arange(10**12, 10**12 + n)),
        section=rng.choice(list("ACHMT"), n),
        province=rng.choice([11, 44, 65], n),
        established=np.datetime64("1990-01-01") + rng.integers(0, 12000, n).astype("timedelta64[D]"),
        approved=rng.random(n) < 0.8,
        consent=rng.random(n) < 0.8,
        **values,
        **{name: rng.random(n) < 0.4 for name in BOOL_FIELDS},
    )


def test_round_trip_is_bit_exact():
    original = random_population(400, seed=9)
    buffer = io.StringIO()
    write_population_csv(original, buffer)
    buffer.seek(0)
    again = read_population_csv(buffer, original.reference_date)
    assert np.array_equal(again.enterprise_id, original.enterprise_id)
    assert np.array_equal(again.section, original.section)
    assert np.array_equal(again.province, original.province)
    assert np.array_equal(again.established, original.established)
    assert np.array_equal(again.approved, original.approved) and np.array_equal(again.consent, original.consent)
    for name in NUMERIC_FIELDS:
        assert again.values[name].tobytes() == original.values[name].tobytes(), name
    for name in BOOL_FIELDS:
        assert np.array_equal(again.flags[name], original.flags[name]), name
    first, second = score(original, NATIONAL_V2), score(again, NATIONAL_V2)
    assert first.total.tobytes() == second.total.tobytes()


def test_round_trip_keeps_full_industry_and_region_codes():
    population = read(GOOD_ROW)
    buffer = io.StringIO()
    write_population_csv(population, buffer)
    assert "C39,440305" in buffer.getvalue()


class ForwardOnlyUpload:
    """A file object that can only be read once, front to back (no seek), delivering bytes."""

    def __init__(self, text: str) -> None:
        self.data = text.encode("utf-8")

    def read(self, size: int = -1) -> bytes:
        data, self.data = self.data, b""
        return data


def test_a_forward_only_byte_stream_is_read_twice_when_it_holds_a_bad_number():
    upload = ForwardOnlyUpload(csv_text({**GOOD_ROW, "revenue": "abc"}).getvalue())
    with pytest.raises(CsvInputError) as caught:
        read_population_csv(upload, "2024-12-31")
    assert [(e.row, e.column) for e in caught.value.errors] == [(2, "revenue")]
