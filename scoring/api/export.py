"""The CSV of a published run, streamed: the first bytes leave at once and memory stays flat whatever the size. A
byte-order mark first (Excel then reads the UTF-8 as UTF-8); the total and the points as published, 2 decimals.

PostgreSQL formats each line (``concat_ws``) and a server-side cursor hands them over ``CSV_FETCH_ROWS`` at a
time inside a transaction, so the database never materialises the result (a ``WITH HOLD`` cursor outside a
transaction would copy all of it before the first row). Other databases: the ORM iterator and ``csv.writer``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.db.models import F, Func, QuerySet, TextField

from core.exports import SQL_INERT, inert, inert_row
from scoring.models import Score, ScoringRun

CSV_FETCH_ROWS = 10_000  # lines per fetch and per yielded chunk (~1.5 MB): fewer round trips, still flat memory

COLUMNS = (
    "credit_code", "name", "region_code", "section", "stage", "total", "grade", "rank_national", "rank_province",
    "rank_industry", "stage_percentile", "eligible", "reasons",
)  # fmt: skip


class _CsvQuoted(Func):
    """A CSV field, quoted, and inert (``core.exports``): a name that begins like a formula gets a quote first."""

    template = "('\"' || replace(" + SQL_INERT.format("%(expressions)s") + ", '\"', '\"\"') || '\"')"
    output_field = TextField()


class _Eligible(Func):
    template = "(CASE WHEN %(expressions)s THEN 'true' ELSE 'false' END)"
    output_field = TextField()


class _ArrayCsv(Func):
    """The points, each as published: two decimals, in indicator order."""

    template = (
        "(SELECT string_agg(to_char(round(p::numeric, 2), 'FM999999990.00'), ',' ORDER BY o) "
        "FROM unnest(%(expressions)s) WITH ORDINALITY AS u(p, o))"
    )
    output_field = TextField()


class _Fixed(Func):
    """A float as text with ``places`` decimals (half away from zero, as PostgreSQL rounds numerics)."""

    output_field = TextField()

    def __init__(self, expression, *, places: int):
        super().__init__(expression)
        self.template = f"to_char(round(%(expressions)s::numeric, {int(places)}), 'FM0.{'0' * int(places)}')"


class _CsvLine(Func):
    template = "concat_ws(',', %(expressions)s)"
    output_field = TextField()


PERCENTILE_PLACES = 4  # a share of the stage (0–1): 4 decimals keep it to the hundredth of a percent
POINTS_PLACES = 2  # points and the total as published (methodology §6: 2 decimals)


def _header(run: ScoringRun) -> bytes:
    """With a byte-order mark, so that Excel opens the UTF-8 (Chinese names) as UTF-8."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(inert_row([*COLUMNS, *run.indicator_codes]))
    return ("\ufeff" + buffer.getvalue()).encode()


def scores_csv(*, run: ScoringRun, scores: QuerySet[Score]) -> Iterator[bytes]:
    """The header, then one line per score of ``scores`` (rows of ``run``) in enterprise order."""
    yield _header(run)
    scores = scores.order_by("enterprise_id")
    if connection.vendor == "postgresql":
        yield from _postgresql_lines(scores)
    else:
        yield from _orm_lines(scores)


def _postgresql_lines(scores: QuerySet[Score]) -> Iterator[bytes]:
    line = _CsvLine(
        F("enterprise__credit_code"), _CsvQuoted(F("enterprise__name")), F("region"),
        F("enterprise__section_id"), F("stage"), F("total"), F("grade"), F("rank_national"), F("rank_province"),
        F("rank_industry"), _Fixed(F("stage_percentile"), places=PERCENTILE_PLACES), _Eligible(F("eligible")),
        F("reasons"), _ArrayCsv(F("points")),
    )  # fmt: skip
    lines = scores.annotate(line=line).values_list("line", flat=True)
    with transaction.atomic():  # a cursor without hold: rows are produced as they are fetched
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")  # a bulk scan gains nothing from compiling expressions
        batch: list[str] = []
        for text in lines.iterator(chunk_size=CSV_FETCH_ROWS):
            batch.append(text)
            if len(batch) == CSV_FETCH_ROWS:
                batch.append("")
                yield "\n".join(batch).encode()
                batch = []
        if batch:
            batch.append("")
            yield "\n".join(batch).encode()


def _orm_lines(scores: QuerySet[Score]) -> Iterator[bytes]:
    rows = scores.values_list(
        "enterprise__credit_code", "enterprise__name", "region", "enterprise__section_id", "stage", "total", "grade",
        "rank_national", "rank_province", "rank_industry", "stage_percentile", "eligible", "reasons", "points",
    )  # fmt: skip
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for count, row in enumerate(rows.iterator(chunk_size=CSV_FETCH_ROWS), start=1):
        code, name, region, section, stage, total, grade, *ranks, percentile, eligible, reasons, points = row
        points = Score._meta.get_field("points").to_python(points)
        writer.writerow([
            code, inert(name), f"{region:06d}", section, stage, f"{total:.2f}", grade, *ranks,
            _fixed(percentile, PERCENTILE_PLACES), "true" if eligible else "false", reasons,
            *(_fixed(p, POINTS_PLACES) for p in points),
        ])  # fmt: skip
        if count % CSV_FETCH_ROWS == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()


def _fixed(value: float, places: int) -> str:
    """As PostgreSQL's ``round(numeric)`` above: half away from zero on the decimal value of the float."""
    return str(Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))
