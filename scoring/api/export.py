"""The CSV of a published run, streamed: the first bytes leave at once and memory stays flat whatever the size.

PostgreSQL formats each line (``concat_ws``) and a server-side cursor hands them over ``CSV_FETCH_ROWS`` at a
time inside a transaction, so the database never materialises the result (a ``WITH HOLD`` cursor outside a
transaction would copy all of it before the first row). Other databases: the ORM iterator and ``csv.writer``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

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
    template = "array_to_string(%(expressions)s, ',')"
    output_field = TextField()


class _CsvLine(Func):
    template = "concat_ws(',', %(expressions)s)"
    output_field = TextField()


def _header(run: ScoringRun) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(inert_row([*COLUMNS, *run.indicator_codes]))
    return buffer.getvalue().encode()


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
        F("rank_industry"), F("stage_percentile"), _Eligible(F("eligible")), F("reasons"), _ArrayCsv(F("points")),
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
        code, name, region, *fields, eligible, reasons, points = row
        points = Score._meta.get_field("points").to_python(points)
        writer.writerow(
            [code, inert(name), f"{region:06d}", *fields, "true" if eligible else "false", reasons, *points]
        )
        if count % CSV_FETCH_ROWS == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()
