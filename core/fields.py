"""Float array columns: ``FloatArrayField`` (``double precision[]`` on PostgreSQL, JSON text elsewhere) for arrays
SQL reads (a score's points are averaged per indicator in SQL), ``PackedFloatsField`` (bytes) for those only Python
reads.

Per-indicator points of a score row are written by binary COPY on PostgreSQL, where a float8 array is a fixed-width
record numpy can produce without formatting text; SQLite (the embedded default) stores the same list as JSON.
"""

import json

import numpy as np
from django.db import models


class FloatArrayField(models.Field):
    description = "Array of float64"

    def db_type(self, connection):
        return "double precision[]" if connection.vendor == "postgresql" else "text"

    def from_db_value(self, value, expression, connection):
        if value is None or isinstance(value, list):
            return value
        return json.loads(value)

    def to_python(self, value):
        if value is None or isinstance(value, list):
            return value
        return json.loads(value)

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None:
            return None
        values = [float(v) for v in value]
        return values if connection.vendor == "postgresql" else json.dumps(values)


PACKED_FLOAT = np.dtype(">f8")
"""A packed float's bytes: big-endian IEEE 754 binary64, the bytes PostgreSQL's ``float8send`` gives (migrations
convert a ``double precision[]`` column with it in SQL)."""


class PackedFloatsField(models.BinaryField):
    """A list of float64 values stored as one ``bytea`` (a BLOB on SQLite) of 8 bytes each, read back as a list of
    exactly the same floats.

    For arrays only Python reads: a binary COPY writes the bytes as they are, where a ``double precision[]`` is
    parsed element by element and carries a 24-byte header (measured: that parsing was half the server's CPU of a
    run's COPY). ``core.db.copy`` writes a whole [n, k] matrix in this form (kind ``float8 bytes``).
    """

    description = "Packed array of float64"

    def from_db_value(self, value, expression, connection):
        return self.to_python(value)

    def to_python(self, value):
        if value is None or isinstance(value, list):
            return value
        if isinstance(value, str):  # what value_to_string writes (fixtures)
            return json.loads(value)
        return np.frombuffer(bytes(value), dtype=PACKED_FLOAT).tolist()

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None or isinstance(value, bytes | memoryview):
            return super().get_db_prep_value(value, connection, prepared)
        return super().get_db_prep_value(np.asarray(value, dtype=PACKED_FLOAT).tobytes(), connection, prepared)

    def value_to_string(self, obj):
        return json.dumps(self.value_from_object(obj))
