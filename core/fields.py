"""A float array column: ``double precision[]`` on PostgreSQL, JSON text elsewhere.

Per-indicator points of a score row are written by binary COPY on PostgreSQL, where a float8 array is a fixed-width
record numpy can produce without formatting text; SQLite (the embedded default) stores the same list as JSON.
"""

import json

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
