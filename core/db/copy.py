"""Bulk I/O: the one place that bypasses the ORM for speed.

PostgreSQL gets ``COPY``: CSV streamed from a buffer pandas writes for the demo loader (``bulk_insert``), and binary
COPY straight between numpy arrays and tables for scoring runs (``queryset_to_arrays``, ``arrays_insert``). Other
databases (the embedded SQLite) get the ORM or ``executemany`` in chunks inside the caller's transaction.
Measured on this 2-core machine, 520,000 enterprise rows: COPY ~4 s, ``bulk_create`` ~60 s, one INSERT per row
~10 min.
"""

from __future__ import annotations

import io
import json
import struct
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from django.db import connection, models, transaction

from core.fields import PACKED_FLOAT

SQLITE_CHUNK_ROWS = 5_000  # executemany batch: larger gains little on SQLite and holds more Python tuples alive
COPY_CHUNK_ROWS = 100_000  # rows formatted per COPY buffer: bounds the peak memory of the CSV text (~30 MB)


def table_of(model: type[models.Model]) -> str:
    return model._meta.db_table


def bulk_insert(model: type[models.Model], frame: pd.DataFrame) -> int:
    """Insert every row of ``frame`` (columns = database column names) into ``model``'s table; returns the count.

    Values must already be valid: this skips model validation (callers validate in bulk, vectorised).
    """
    if frame.empty:
        return 0
    table = table_of(model)
    columns = list(frame.columns)
    qn = connection.ops.quote_name
    column_sql = ", ".join(qn(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            frame = _timestamps_as_text(frame, "%Y-%m-%d %H:%M:%S.%f+00:00")  # UTC, an offset PostgreSQL reads
            for start in range(0, len(frame), COPY_CHUNK_ROWS):
                buffer = io.StringIO()
                frame.iloc[start : start + COPY_CHUNK_ROWS].to_csv(buffer, index=False, header=False, na_rep="\\N")
                buffer.seek(0)
                sql = f"COPY {qn(table)} ({column_sql}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
                cursor.cursor.copy_expert(sql, buffer)  # the raw psycopg2 cursor under Django's wrapper
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {qn(table)} ({column_sql}) VALUES ({placeholders})"  # nosec B608 # quoted model names
            records = _sqlite_records(frame)
            for start in range(0, len(records), SQLITE_CHUNK_ROWS):
                cursor.executemany(sql, records.iloc[start : start + SQLITE_CHUNK_ROWS].itertuples(index=False))
    return len(frame)


def _sqlite_records(frame: pd.DataFrame) -> pd.DataFrame:
    """Python values SQLite can bind: datetimes as Django stores them there (naive UTC text), NaN as NULL."""
    frame = _timestamps_as_text(frame, "%Y-%m-%d %H:%M:%S.%f")
    return frame.astype(object).where(frame.notna(), None)


def _timestamps_as_text(frame: pd.DataFrame, form: str) -> pd.DataFrame:
    """Time-zone-aware columns as UTC text in ``form``. Each distinct value is formatted once: a bulk write stamps
    every row with the same few instants, and formatting 100,000 equal timestamps one by one cost seconds."""
    columns = [c for c in frame.columns if isinstance(frame[c].dtype, pd.DatetimeTZDtype)]
    if not columns:
        return frame
    frame = frame.copy()
    for column in columns:
        codes, uniques = pd.factorize(frame[column].dt.tz_convert("UTC"))
        texts = np.asarray(uniques.strftime(form), dtype=object)
        frame[column] = np.where(codes >= 0, texts[np.maximum(codes, 0)] if len(texts) else None, None)
    return frame


def next_ids(model: type[models.Model], count: int) -> range:
    """Reserve ``count`` consecutive primary keys for rows the caller will insert with explicit ids.

    On PostgreSQL the sequence is advanced past them, so later ORM inserts never collide. Meant for bulk loaders run
    inside a transaction that also holds the table lock (``lock_table``).
    """
    qn = connection.ops.quote_name
    table = table_of(model)
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX({qn(pk)}), 0) FROM {qn(table)}")  # nosec B608 # quoted model names
        start = cursor.fetchone()[0] + 1
        if connection.vendor == "postgresql" and count:
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, %s), %s)", [table, pk, start + count - 1])
    return range(start, start + count)


def lock_table(model: type[models.Model]) -> None:
    """Block concurrent writers for the rest of the transaction (PostgreSQL); SQLite serialises writers anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {connection.ops.quote_name(table_of(model))} IN SHARE ROW EXCLUSIVE MODE")


def with_defaults(model: type[models.Model], frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` plus every concrete column it lacks, filled with the field's default (callables called once).

    COPY bypasses Django, so defaults that live only in Python (timestamps, empty strings) must be spelled out.
    """
    frame = frame.copy()
    for field in model._meta.concrete_fields:
        if field.column in frame.columns or field.primary_key:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = pd.Timestamp.now(tz="UTC")
        else:
            value = field.get_default()  # the field's default, "" for text fields, None otherwise
        if isinstance(value, dict | list):  # a JSON column's default ({}): its text, not a pandas broadcast
            value = json.dumps(value)
        if value is None and not field.null:
            raise ValueError(f"{model.__name__}.{field.name} has no default: give it a column")
        frame[field.column] = value
    return frame


# --- Binary COPY between PostgreSQL and numpy ---------------------------------------------------------------------
# PostgreSQL's binary COPY format: a header, then per row an int16 field count and per field an int32 byte length
# followed by the value in network byte order; an int16 -1 ends the stream. When every field has a fixed width the
# rows are fixed-width records, so numpy reads and writes them as a structured array: no per-row Python at all.
# Measured here at 520,000 rows x 27 columns: ~0.9 s out (ORM: ~5.7 s), and the score rows in ~2 s (see
# scoring.persistence) against ~110 s with bulk_create.

COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
COPY_HEADER = COPY_SIGNATURE + struct.pack(">ii", 0, 0)  # flags 0 (no OIDs), no header extension
COPY_TRAILER = struct.pack(">h", -1)
# Rows encoded per block when writing: ~5 MB of score rows, which stay in cache. Blocks of 100,000 rows (~65 MB) cost
# more in page faults than in encoding: 0.43 s of CPU for 100,000 score rows against 0.07 s (measured, bench/).
COPY_OUT_CHUNK_ROWS = 8_192
PARSE_CHUNK_ROWS = 16_384  # rows parsed per block when reading: a few MB, in cache
COPY_READ_BYTES = 1 << 20  # bytes psycopg2 asks for per read(); its 8 KiB default costs thousands of Python calls
FLOAT8_OID = 701

# numpy dtype name -> (PostgreSQL cast, big-endian wire format)
WIRE_TYPES: dict[str, tuple[str, str]] = {
    "int64": ("int8", ">i8"),
    "int32": ("int4", ">i4"),
    "int16": ("int2", ">i2"),
    "float64": ("float8", ">f8"),
    "float32": ("float4", ">f4"),
    "bool": ("bool", "?"),
}
CENTS = "cents"
"""A ``numeric(p, 2)`` column read as float64. It travels as int8 hundredths: numeric → float8 in PostgreSQL goes
through text (~1 s for 10 columns x 520,000 rows), numeric → int8 does not, and ``cents / 100.0`` is the correctly
rounded double of the decimal, bit for bit what ``float(Decimal)`` or the ``::float8`` cast gives."""


class CopyFormatError(RuntimeError):
    """The server sent something the fixed-width reader cannot take (a NULL, a variable-width value)."""


def queryset_to_arrays(queryset: models.QuerySet, columns: Mapping[str, str]) -> dict[str, np.ndarray]:
    """Read ``queryset.values(*columns)`` as one numpy array per column (dtype names of ``WIRE_TYPES``).

    PostgreSQL: ``COPY (SELECT q.col::type … FROM (<queryset SQL>) q) TO STDOUT (FORMAT binary)`` parsed with
    ``numpy.frombuffer``; casts happen in the database, so numeric(16,2) arrives as the correctly rounded float64.
    Columns must be non-null. Other databases: the ORM, in chunks of ``SQLITE_CHUNK_ROWS``.
    """
    queryset = queryset.values_list(*columns)
    if connection.vendor != "postgresql":
        rows = list(queryset.iterator(chunk_size=SQLITE_CHUNK_ROWS))
        return {
            name: np.fromiter((row[i] for row in rows), dtype="float64" if dtype == CENTS else dtype, count=len(rows))
            for i, (name, dtype) in enumerate(columns.items())
        }
    qn = connection.ops.quote_name
    sql, params = queryset.query.sql_with_params()
    outer = ", ".join(
        f"(q.{qn(name)} * 100)::int8" if dtype == CENTS else f"q.{qn(name)}::{WIRE_TYPES[dtype][0]}"
        for name, dtype in columns.items()
    )
    buffer = io.BytesIO()
    with transaction.atomic(), connection.cursor() as cursor:
        # A bulk scan gains nothing from JIT; compiling the expressions alone cost ~0.9 s here.
        cursor.execute("SET LOCAL jit = off")
        inner = cursor.cursor.mogrify(sql, params).decode()
        # Bandit B608 below: the inner query is a Django queryset compiled with its parameters bound by psycopg2
        copy_sql = f"COPY (SELECT {outer} FROM ({inner}) AS q) TO STDOUT (FORMAT binary)"  # nosec B608
        cursor.cursor.copy_expert(copy_sql, buffer)
    return _parse_fixed_width(buffer.getbuffer(), columns)


def _parse_fixed_width(raw: memoryview, columns: Mapping[str, str]) -> dict[str, np.ndarray]:
    if bytes(raw[: len(COPY_SIGNATURE)]) != COPY_SIGNATURE or bytes(raw[-2:]) != COPY_TRAILER:
        raise CopyFormatError("not a binary COPY stream")
    (extension,) = struct.unpack(">i", raw[15:19])
    body = raw[19 + extension : len(raw) - 2]
    wire = {name: WIRE_TYPES["int64" if dtype == CENTS else dtype][1] for name, dtype in columns.items()}
    fields = [("count", ">i2")]
    for name in columns:
        fields += [(f"{name}.len", ">i4"), (name, wire[name])]
    record = np.dtype(fields)
    if len(body) % record.itemsize:
        raise CopyFormatError("rows are not fixed-width: a column is NULL or of a variable-width type")
    rows = np.frombuffer(body, dtype=record)
    # Byte-swapped into fresh native arrays, so the wire buffer can be freed; a block of rows at a time, so that the
    # 36 strided passes over it (checks and columns) read the cache, not memory: 0.76 → 0.2 s at 520,000 rows.
    out = {name: np.empty(rows.size, dtype="float64" if dtype == CENTS else dtype) for name, dtype in columns.items()}
    widths = {name: np.dtype(wire[name]).itemsize for name in columns}
    for start in range(0, rows.size, PARSE_CHUNK_ROWS):
        block = rows[start : start + PARSE_CHUNK_ROWS]
        if (block["count"] != len(columns)).any():
            raise CopyFormatError("unexpected field count")
        for name, dtype in columns.items():
            if (block[f"{name}.len"] != widths[name]).any():
                raise CopyFormatError(f"column {name}: NULL or unexpected width")
            target = out[name][start : start + block.size]
            if dtype == CENTS:
                np.divide(block[name], 100.0, out=target)
            else:
                target[...] = block[name]
    return out


@dataclass(frozen=True, eq=False)
class ArrayColumn:
    """One database column's values for ``arrays_insert``.

    ``kind`` is a ``WIRE_TYPES`` cast (``int8``, ``int4``, ``int2``, ``float8``, ``float4``, ``bool``); ``cents``
    (int64 hundredths written to a ``numeric(p, 2)`` column); ``float8[]`` (a 2-D [n, k] float64 array, one
    k-element array per row);
    ``bytes`` (fixed-width text: a numpy ``S<w>`` array whose values all have exactly ``w`` bytes, e.g. region codes);
    ``bytea`` (a 2-D [n, w] uint8 array, each row one ``w``-byte binary value: a packed record travels as one value
    instead of an array of many elements, each of which PostgreSQL would receive and check on its own);
    ``float8 bytes`` (a 2-D [n, k] float64 array, each row one bytea of k big-endian float64: the form of
    ``core.fields.PackedFloatsField``, byte-swapped block by block rather than packed in a whole copy first);
    ``timestamptz`` (a ``datetime64`` array, UTC); or, categorical, ``text`` or ``jsonb``: ``values`` are integer
    codes into ``labels`` (for ``jsonb``, JSON texts).

    ``varbytea``: one binary value of any length per row, all of them back to back in the 1-D uint8 ``values``,
    row ``i`` being ``values[bounds[i]:bounds[i + 1]]`` (a packed array of records per row: the policy matches of
    a county). At most one per insert, and not with ``text``/``jsonb`` or nullable columns.

    ``null`` (optional, fixed-width kinds only): a boolean mask of the rows whose value is written as NULL.
    """

    name: str
    kind: str
    values: np.ndarray
    labels: Sequence[str] = ()
    null: np.ndarray | None = None
    bounds: np.ndarray | None = None

    @property
    def rows(self) -> int:
        return len(self.values) if self.bounds is None else len(self.bounds) - 1


def arrays_insert(
    model: type[models.Model], columns: Sequence[ArrayColumn], *, table: str | None = None, freeze: bool = False
) -> int:
    """Insert the rows described by ``columns`` (all of one length) into ``table`` (default: the model's table).

    PostgreSQL: one streamed binary ``COPY … FROM STDIN``, encoded block by block with numpy (``freeze`` adds
    ``FREEZE``, valid only for a table created or truncated in the current transaction). Other databases:
    ``bulk_insert`` with the model fields' own conversions (e.g. the JSON text of a FloatArrayField on SQLite).
    """
    n = columns[0].rows
    if any(column.rows != n for column in columns):
        raise ValueError("columns differ in length")
    if n == 0:
        return 0
    if connection.vendor != "postgresql":
        return bulk_insert(model, _frame_for_orm(model, columns))
    encoder = _BinaryRowEncoder(columns)
    qn = connection.ops.quote_name
    column_sql = ", ".join(qn(c.name) for c in encoder.columns)
    options = "FORMAT binary, FREEZE true" if freeze else "FORMAT binary"
    stream = _IterableReader(encoder.stream(n))
    with connection.cursor() as cursor:
        sql = f"COPY {qn(table or table_of(model))} ({column_sql}) FROM STDIN WITH ({options})"
        cursor.cursor.copy_expert(sql, stream, size=COPY_READ_BYTES)
    return n


def arrays_frame(model: type[models.Model], columns: Sequence[ArrayColumn]) -> pd.DataFrame:
    """The rows of ``columns`` as a DataFrame of plain values (column names as in the database): what the SQLite
    fallback inserts, and a readable view of what a binary COPY would write."""
    return _frame_for_orm(model, columns)


def _frame_for_orm(model: type[models.Model], columns: Sequence[ArrayColumn]) -> pd.DataFrame:
    data: dict[str, Any] = {}
    for column in columns:
        if column.kind in CATEGORICAL_KINDS:
            data[column.name] = np.asarray(column.labels, dtype=object)[column.values]
        elif column.kind == "cents":
            data[column.name] = column.values / 100.0
        elif column.kind == "float8[]":
            field = next(f for f in model._meta.concrete_fields if f.column == column.name)
            data[column.name] = [field.get_db_prep_value(row, connection) for row in column.values.tolist()]
        elif column.kind == "bytes":
            data[column.name] = np.char.decode(column.values, "utf-8").astype(object)
        elif column.kind == VARBYTEA:
            bounds = column.bounds.tolist()
            data[column.name] = [column.values[a:b].tobytes() for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
        elif column.kind == "bytea":
            data[column.name] = [row.tobytes() for row in np.ascontiguousarray(column.values, dtype=np.uint8)]
        elif column.kind == "float8 bytes":
            data[column.name] = [row.tobytes() for row in np.ascontiguousarray(column.values, dtype=PACKED_FLOAT)]
        elif column.kind == "timestamptz":
            data[column.name] = pd.to_datetime(column.values, utc=True)
        else:
            data[column.name] = column.values
        if column.null is not None:
            data[column.name] = pd.Series(data[column.name]).astype(object).where(~column.null, None)
    return pd.DataFrame(data)


CATEGORICAL_KINDS = ("text", "jsonb")
VARBYTEA = "varbytea"
VARBYTEA_CHUNK_BYTES = 32 << 20  # payload bytes encoded per block of varbytea rows: bounds the peak memory
JSONB_VERSION = b"\x01"  # jsonb's binary input: a format version byte, then the JSON text
TIMESTAMP_EPOCH = np.datetime64("2000-01-01T00:00:00", "us")  # timestamptz travels as int8 microseconds from it


def _text_wire(column: ArrayColumn, label: str) -> bytes:
    return (JSONB_VERSION if column.kind == "jsonb" else b"") + label.encode()


def _cents_units_digits(column: ArrayColumn) -> int:
    """Base-10000 digits of the integer part that every value of a ``cents`` column fits in (1 below 10,000.00)."""
    values = column.values if column.null is None else column.values[~np.asarray(column.null, dtype=bool)]
    largest = int(np.abs(values).max()) // 100 if len(values) else 0
    digits = 1
    while largest >= 10_000**digits:
        digits += 1
    return digits


class _BinaryRowEncoder:
    """Encodes rows to the binary COPY format with numpy, block by block.

    Fixed-width columns form a structured record. Text columns have a variable width, but they are categorical
    (stage, grade, reason codes), so the text part of a row is one of a few byte strings: the rows of a block are
    grouped by it, and each group is again a fixed-width record (row order does not matter to COPY). Nullable columns
    go after the text part and join the grouping: within a group every row has the same columns NULL, so the rows are
    fixed-width records again.
    """

    def __init__(self, columns: Sequence[ArrayColumn]) -> None:
        for column in columns:
            if column.null is not None and column.kind in CATEGORICAL_KINDS:
                raise ValueError(f"{column.name}: NULL is supported for fixed-width kinds only")
            if column.kind == "bytes":  # checked before COPY starts: an error inside it reaches us as a cancel
                values = column.values if column.null is None else column.values[~np.asarray(column.null, bool)]
                if values.size and (np.char.str_len(values) != values.dtype.itemsize).any():
                    raise ValueError(f"{column.name}: every value must have exactly {values.dtype.itemsize} bytes")
        self.var = [c for c in columns if c.kind == VARBYTEA]
        if self.var and (len(self.var) > 1 or any(c.kind in CATEGORICAL_KINDS or c.null is not None for c in columns)):
            raise ValueError("one varbytea column at most, and no text or nullable columns beside it")
        self.fixed = [c for c in columns if c.kind not in (*CATEGORICAL_KINDS, VARBYTEA) and c.null is None]
        self.text = [c for c in columns if c.kind in CATEGORICAL_KINDS]
        self.nullable = [c for c in columns if c.null is not None]
        # the order of the COPY column list and of a row
        self.columns = self.fixed + self.text + self.nullable + self.var
        self.cents_digits = {c.name: _cents_units_digits(c) for c in columns if c.kind == "cents"}
        fields: list[tuple] = [("count", ">i2")]
        for column in self.fixed:
            fields += [(f"{column.name}.len", ">i4"), (column.name, self._wire_dtype(column))]
        self.record = np.dtype(fields)
        self.template = np.zeros((), dtype=self.record)
        self.template["count"] = len(self.columns)
        for column in self.fixed:
            self.template[f"{column.name}.len"] = self.record[column.name].itemsize
            self._fill_header(self.template[column.name], column)
        # One single-field record per nullable column: its length word and value, written only where not NULL.
        self.null_records = []
        for column in self.nullable:
            record = np.dtype([("len", ">i4"), ("value", self._wire_dtype(column))])
            template = np.zeros((), dtype=record)
            template["len"] = record["value"].itemsize
            self._fill_header(template["value"], column)
            self.null_records.append((record, template))
        if self.text:
            self.tails = self._text_tails()

    def _fill_header(self, target: np.ndarray, column: ArrayColumn) -> None:
        """The parts of a value's wire form that are the same on every row (numeric and array headers)."""
        if column.kind == "cents":
            digits = self.cents_digits[column.name]
            target["ndigits"], target["weight"], target["dscale"] = digits + 1, digits - 1, 2
        elif column.kind == "float8[]":
            target["ndim"], target["elemtype"], target["lbound"] = 1, FLOAT8_OID, 1
            target["dim"] = column.values.shape[1]
            target["items"]["len"] = 8

    def _wire_dtype(self, column: ArrayColumn) -> np.dtype:
        if column.kind == "cents":
            # numeric's wire form: ndigits, weight, sign, dscale, then base-10000 digits. Sent as the integer part's
            # digits (one below 10,000.00, weight 0) then hundredths x 100: numeric_recv accepts the unnormalised form
            # and strips the zero digits itself, so every value of the column has the same width.
            units = [f"units{i}" if i else "units" for i in range(self.cents_digits[column.name])]
            return np.dtype([(f, ">i2") for f in ("ndigits", "weight", "sign", "dscale", *units, "hundredths")])
        if column.kind == "float8[]":
            k = column.values.shape[1]
            items = np.dtype([("len", ">i4"), ("value", ">f8")])
            head = [(f, ">i4") for f in ("ndim", "hasnull", "elemtype", "dim", "lbound")]
            return np.dtype([*head, ("items", items, (k,))])
        if column.kind == "bytes":
            return np.dtype(f"S{column.values.dtype.itemsize}")
        if column.kind == "bytea":
            return np.dtype((np.uint8, (column.values.shape[1],)))
        if column.kind == "float8 bytes":
            return np.dtype((PACKED_FLOAT, (column.values.shape[1],)))
        if column.kind == "timestamptz":
            return np.dtype(">i8")
        casts = dict(WIRE_TYPES.values())
        return np.dtype(casts[column.kind])

    def _text_tails(self) -> list[bytes]:
        """Every combination of the text columns' labels, encoded; index = mixed-radix code of the combination."""
        encoded = [
            [struct.pack(">i", len(b)) + b for b in (_text_wire(c, label) for label in c.labels)] for c in self.text
        ]
        tails = [b""]
        for options in encoded:
            tails = [tail + option for tail in tails for option in options]
        return tails

    def stream(self, n: int) -> Iterator[memoryview]:
        """The COPY data for rows 0..n, block by block. A yielded block is only valid until the next one: the two
        buffers are reused, as fresh 65 MB allocations per block cost more in page faults than the encoding."""
        if self.var:
            yield from self._stream_var(n)
            return
        rows = min(n, COPY_OUT_CHUNK_ROWS)
        width = self.record.itemsize
        longest_tail = max((len(tail) for tail in self.tails), default=0) if self.text else 0
        longest_tail += sum(record.itemsize for record, _ in self.null_records)
        raw = np.empty((rows, width), dtype=np.uint8)
        grouped = self.text or self.nullable
        out = np.empty(rows * (width + longest_tail), dtype=np.uint8) if grouped else None
        yield memoryview(COPY_HEADER)
        for start in range(0, n, COPY_OUT_CHUNK_ROWS):
            stop = min(n, start + COPY_OUT_CHUNK_ROWS)
            yield self._encode(start, stop, raw[: stop - start], out)
        yield memoryview(COPY_TRAILER)

    def _stream_var(self, n: int) -> Iterator[memoryview]:
        """Rows with a trailing variable-width value: per block, the fixed records and each row's length word are
        inserted before the row's payload in one ``numpy.insert`` (the payloads are already back to back)."""
        (column,) = self.var
        bounds = np.asarray(column.bounds, dtype=np.int64)
        yield memoryview(COPY_HEADER)
        start = 0
        while start < n:
            stop = int(np.searchsorted(bounds, bounds[start] + VARBYTEA_CHUNK_BYTES, side="right")) - 1
            stop = min(n, max(stop, start + 1))
            raw = np.empty((stop - start, self.record.itemsize), dtype=np.uint8)
            self._encode(start, stop, raw, None)
            lengths = np.diff(bounds[start : stop + 1])
            heads = np.concatenate([raw, lengths.astype(">i4").view(np.uint8).reshape(-1, 4)], axis=1)
            payload = column.values[bounds[start] : bounds[stop]]
            at = np.repeat(bounds[start:stop] - bounds[start], heads.shape[1])
            yield memoryview(np.insert(payload, at, heads.reshape(-1)))
            start = stop
        yield memoryview(COPY_TRAILER)

    def _put(self, target: np.ndarray, column: ArrayColumn, values: np.ndarray) -> None:
        """Write ``values`` into the ``target`` field of a block of records (headers are already in place)."""
        if column.kind == "cents":
            digits = self.cents_digits[column.name]
            if values.size and (np.abs(values).max() >= 10_000**digits * 100):
                raise ValueError(f"{column.name}: value out of range for the numeric encoding")
            target["sign"] = np.where(values < 0, 0x4000, 0)
            units, hundredths = np.divmod(np.abs(values), 100)
            for i in range(digits):  # most significant first
                name = f"units{i}" if i else "units"
                target[name] = units // 10_000 ** (digits - 1 - i) % 10_000
            target["hundredths"] = hundredths * 100
        elif column.kind == "float8[]":
            target["items"]["value"] = values
        elif column.kind in ("bytes", "bytea", "float8 bytes"):
            target[...] = values
        elif column.kind == "timestamptz":
            target[...] = (values.astype("datetime64[us]") - TIMESTAMP_EPOCH).astype(np.int64)
        else:
            target[...] = values

    def _encode(self, start: int, stop: int, raw: np.ndarray, out: np.ndarray | None) -> memoryview:
        # Whole records are moved as uint8 rows: numpy copies structured records field by field, bytes in one go.
        raw[:] = np.frombuffer(self.template.tobytes(), dtype=np.uint8)
        block = raw.reshape(-1).view(self.record)
        for column in self.fixed:
            self._put(block[column.name], column, column.values[start:stop])
        if out is None:
            return memoryview(raw.reshape(-1))
        key = np.zeros(stop - start, dtype=np.int64)
        for column in self.text:  # mixed radix, the first text column most significant (as in _text_tails)
            key = key * len(column.labels) + column.values[start:stop]
        # The nullable columns' values, encoded for every row, and a bit per column set where the row has NULL.
        null_parts = []
        for column, (record, template) in zip(self.nullable, self.null_records, strict=True):
            part = np.empty((stop - start, record.itemsize), dtype=np.uint8)
            part[:] = np.frombuffer(template.tobytes(), dtype=np.uint8)
            values = column.values[start:stop]
            null = np.asarray(column.null[start:stop], dtype=bool)
            self._put(part.reshape(-1).view(record)["value"], column, _with_filler(column, values, null))
            null_parts.append(part)
            key = key * 2 + null
        order = np.argsort(key, kind="stable")
        key = key[order]
        bounds = np.concatenate(([0], np.flatnonzero(np.diff(key)) + 1, [key.size])).tolist()
        width, offset = raw.shape[1], 0
        null_word = np.frombuffer(struct.pack(">i", -1), dtype=np.uint8)
        for first, last in zip(bounds[:-1], bounds[1:], strict=True):
            group = key[first] >> len(self.nullable)
            tail = np.frombuffer(self.tails[group], dtype=np.uint8) if self.text else np.zeros(0, dtype=np.uint8)
            null_bits = key[first] & ((1 << len(self.nullable)) - 1)
            nulls = [(null_bits >> (len(self.nullable) - 1 - i)) & 1 for i in range(len(self.nullable))]
            size_per_row = (
                width + tail.size + sum(4 if z else p.shape[1] for z, p in zip(nulls, null_parts, strict=True))
            )
            rows = out[offset : offset + (last - first) * size_per_row].reshape(last - first, size_per_row)
            rows[:, :width] = raw[order[first:last]]
            at = width
            rows[:, at : at + tail.size] = tail
            at += tail.size
            for is_null, part in zip(nulls, null_parts, strict=True):
                if is_null:
                    rows[:, at : at + 4] = null_word
                    at += 4
                else:
                    rows[:, at : at + part.shape[1]] = part[order[first:last]]
                    at += part.shape[1]
            offset += rows.size
        return memoryview(out[:offset])


def _with_filler(column: ArrayColumn, values: np.ndarray, null: np.ndarray) -> np.ndarray:
    """``values`` with a valid placeholder on the NULL rows (never sent, but encoded with the rest of the block)."""
    if column.kind == "bytes":
        filler: Any = b"0" * values.dtype.itemsize
    elif column.kind == "timestamptz":
        filler = TIMESTAMP_EPOCH
    else:
        filler = 0
    return np.where(null, np.array(filler, dtype=values.dtype), values)


class _IterableReader:
    """A file-like ``read(size)`` over an iterator of byte blocks: what ``copy_expert`` reads COPY data from."""

    def __init__(self, blocks: Iterator[memoryview]) -> None:
        self.blocks = blocks
        self.current = memoryview(b"")

    def read(self, size: int = -1) -> bytes:
        while not self.current:
            block = next(self.blocks, None)
            if block is None:
                return b""
            self.current = block.cast("B")
        if size < 0:
            size = len(self.current)
        chunk, self.current = self.current[:size], self.current[size:]
        return chunk.tobytes()


def analyze(*model_classes: type[models.Model]) -> None:
    """Refresh planner statistics after a bulk load (PostgreSQL). Without them the planner guesses tiny tables and
    picks nested loops: the scoring load of 520,000 freshly generated firms took 6.4 s instead of 3 s."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in model_classes:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table_of(model))}")
