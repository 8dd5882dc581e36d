"""The profile access log becomes append-only in the database too (PostgreSQL): a trigger rejects UPDATE and DELETE.

Its enterprise and user are PROTECTed rather than CASCADE / SET NULL, since either would be an edit of the log (see
ProfileAccessLog's docstring). TRUNCATE is not guarded: the test runner empties tables with it, and only the database
owner can run it. SQLite (the embedded default) relies on the application-level guard alone.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

FORWARD = """
CREATE OR REPLACE FUNCTION enterprises_access_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'enterprises_profileaccesslog is append-only: % rejected', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER enterprises_access_log_append_only
    BEFORE UPDATE OR DELETE ON enterprises_profileaccesslog
    FOR EACH ROW EXECUTE FUNCTION enterprises_access_log_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS enterprises_access_log_append_only ON enterprises_profileaccesslog;
DROP FUNCTION IF EXISTS enterprises_access_log_append_only();
"""


class PostgreSQLOnlyRunSQL(migrations.RunSQL):
    """RunSQL that does nothing on other databases."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [
        ("enterprises", "0003_filing_audit_evidence_access_log"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="profileaccesslog",
            name="enterprise",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="access_logs",
                to="enterprises.enterprise",
                verbose_name="企业",
            ),
        ),
        migrations.AlterField(
            model_name="profileaccesslog",
            name="user",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="查看人",
            ),
        ),
        PostgreSQLOnlyRunSQL(FORWARD, BACKWARD),
    ]
