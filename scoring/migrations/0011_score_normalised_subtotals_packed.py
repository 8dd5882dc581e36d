"""A score's ``normalised`` and ``subtotals`` become packed bytes (``core.fields.PackedFloatsField``): read by Python
only, and their ``double precision[]`` parsing was half the server's CPU of a run's COPY.

PostgreSQL converts in place with ``float8send`` (big-endian binary64, the packed form); other databases rewrite the
JSON text row by row."""

import json

import numpy as np
from django.db import migrations

import core.fields

COLUMNS = ("normalised", "subtotals")
PACK = """CREATE FUNCTION pg_temp.ipp_pack_floats(double precision[]) RETURNS bytea IMMUTABLE LANGUAGE sql AS
$$ SELECT coalesce(string_agg(float8send(v), ''::bytea ORDER BY i), ''::bytea) FROM unnest($1) WITH ORDINALITY AS t(v, i) $$"""


def forward(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(PACK)
            alter = ", ".join(f"ALTER COLUMN {c} TYPE bytea USING pg_temp.ipp_pack_floats({c})" for c in COLUMNS)
            cursor.execute(f"ALTER TABLE scoring_score {alter}")
            cursor.execute("DROP FUNCTION pg_temp.ipp_pack_floats(double precision[])")
        return
    _rewrite(apps, schema_editor, lambda text: np.asarray(json.loads(text), dtype=">f8").tobytes(), forward=True)


def backward(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        raise RuntimeError("not reversible on PostgreSQL without a bit-exact unpacking; restore from a backup")
    _rewrite(apps, schema_editor, lambda blob: json.dumps(np.frombuffer(bytes(blob), ">f8").tolist()), forward=False)


def _rewrite(apps, schema_editor, convert, *, forward):
    """SQLite: change the columns' type (the table is remade, values copied as they are), then convert each row."""
    Score = apps.get_model("scoring", "Score")
    old, new = (core.fields.FloatArrayField, core.fields.PackedFloatsField)[:: 1 if forward else -1]
    for column in COLUMNS:
        before, after = old(), new()
        before.set_attributes_from_name(column)
        after.set_attributes_from_name(column)
        before.model = after.model = Score
        schema_editor.alter_field(Score, before, after)
    table = Score._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT run_id, enterprise_id, {', '.join(COLUMNS)} FROM {table}")
        rows = cursor.fetchall()
        cursor.executemany(
            f"UPDATE {table} SET {' = %s, '.join(COLUMNS)} = %s WHERE run_id = %s AND enterprise_id = %s",
            [(*(convert(v) for v in values), run_id, enterprise_id) for run_id, enterprise_id, *values in rows],
        )


class Migration(migrations.Migration):
    dependencies = [("scoring", "0010_run_notice_and_objections")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    "score", "normalised", core.fields.PackedFloatsField(verbose_name="各指标标准化值")
                ),
                migrations.AlterField("score", "subtotals", core.fields.PackedFloatsField(verbose_name="类别小计")),
            ],
            database_operations=[migrations.RunPython(forward, backward)],
        )
    ]
