"""The engine's input table (``scoring.models.EngineInput``), filled from the filings and kept by triggers on
PostgreSQL: statement-level, with transition tables, so a bulk insert or update of filings costs one set-based
statement. A firm's section, region or establishment date changing updates its filings' rows; a filing deleted
removes its row. (No TRUNCATE trigger: a flush truncates both tables in one statement, and a trigger truncating the
second fails there; nothing truncates the filings alone.) The field lists are frozen here: a new raw field needs a
migration like this one.
"""

from django.db import migrations, models

MONEY = ("revenue", "revenue_prev", "rd_expense", "rd_expense_prev", "tech_contract_turnover", "high_tech_revenue",
         "net_profit", "net_assets", "taxes_paid", "vc_investment")  # fmt: skip
COUNTS = ("employees", "rd_staff", "invention_patents", "other_ip", "standards", "graduates_hired",
          "rd_platform_level", "sci_awards", "sci_projects")  # fmt: skip
FLAGS = ("is_high_tech_enterprise", "is_tech_sme", "is_specialised_sme", "is_little_giant", "dishonest_debtor",
         "tax_credit_d", "major_violation")  # fmt: skip
FIRM = {
    "section_ascii": "ascii(e.industry_code)",
    "region": "e.region_code::int4",
    "established_day": "e.established - DATE '1970-01-01'",
}
COLUMNS = {
    "submission_id": "s.id", "batch_id": "s.batch_id", "status": "s.status", "enterprise_id": "s.enterprise_id",
    **FIRM,
    **{f"{name}_cents": f"(s.{name} * 100)::int8" for name in MONEY},
    **{name: f"s.{name}::float8" for name in COUNTS},
    **{name: f"s.{name}" for name in FLAGS},
}  # fmt: skip
NAMES = ", ".join(COLUMNS)
VALUES = ", ".join(COLUMNS.values())
KEPT = [name for name in COLUMNS if name != "submission_id"]
SETS = ", ".join(f"{name} = {COLUMNS[name]}" for name in KEPT)
# A row is rewritten only where the engine's view of it changed: most updates of filings touch other columns
# (review, timestamps, financing needs), and an unchanged row then costs a comparison, not a new row version.
CHANGED = f"({', '.join('i.' + name for name in KEPT)}) IS DISTINCT FROM ({', '.join(COLUMNS[n] for n in KEPT)})"
FIRM_SETS = ", ".join(f"{name} = {value.replace('e.', 'n.')}" for name, value in FIRM.items())
FIRM_CHANGED = (
    f"({', '.join('i.' + name for name in FIRM)}) IS DISTINCT FROM "
    f"({', '.join(value.replace('e.', 'n.') for value in FIRM.values())})"
)

FORWARD = f"""
INSERT INTO scoring_engineinput ({NAMES})
SELECT {VALUES} FROM enterprises_submission s JOIN enterprises_enterprise e ON e.id = s.enterprise_id;

CREATE FUNCTION scoring_engine_input_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO scoring_engineinput ({NAMES})
    SELECT {VALUES} FROM new_rows s JOIN enterprises_enterprise e ON e.id = s.enterprise_id;
    RETURN NULL;
END $$;
CREATE FUNCTION scoring_engine_input_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE scoring_engineinput AS i SET {SETS}
    FROM new_rows s JOIN enterprises_enterprise e ON e.id = s.enterprise_id
    WHERE i.submission_id = s.id AND {CHANGED};
    RETURN NULL;
END $$;
CREATE FUNCTION scoring_engine_input_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM scoring_engineinput WHERE submission_id IN (SELECT id FROM old_rows);
    RETURN NULL;
END $$;
CREATE FUNCTION scoring_engine_input_firms() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE scoring_engineinput AS i SET {FIRM_SETS}
    FROM new_rows n WHERE i.enterprise_id = n.id AND {FIRM_CHANGED};
    RETURN NULL;
END $$;

CREATE TRIGGER scoring_engine_input_insert AFTER INSERT ON enterprises_submission
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION scoring_engine_input_insert();
CREATE TRIGGER scoring_engine_input_update AFTER UPDATE ON enterprises_submission
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION scoring_engine_input_update();
CREATE TRIGGER scoring_engine_input_delete AFTER DELETE ON enterprises_submission
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION scoring_engine_input_delete();
CREATE TRIGGER scoring_engine_input_firms AFTER UPDATE ON enterprises_enterprise
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION scoring_engine_input_firms();
ANALYZE scoring_engineinput;
"""

BACKWARD = """
DROP TRIGGER scoring_engine_input_firms ON enterprises_enterprise;
DROP TRIGGER scoring_engine_input_delete ON enterprises_submission;
DROP TRIGGER scoring_engine_input_update ON enterprises_submission;
DROP TRIGGER scoring_engine_input_insert ON enterprises_submission;
DROP FUNCTION scoring_engine_input_firms();
DROP FUNCTION scoring_engine_input_delete();
DROP FUNCTION scoring_engine_input_update();
DROP FUNCTION scoring_engine_input_insert();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0011_score_normalised_subtotals_packed"),
    ]

    operations = [
        migrations.CreateModel(
            name="EngineInput",
            fields=[
                ("submission_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("batch_id", models.BigIntegerField()),
                ("status", models.CharField(max_length=10)),
                ("enterprise_id", models.BigIntegerField(db_index=True)),
                ("section_ascii", models.IntegerField()),
                ("region", models.IntegerField()),
                ("established_day", models.IntegerField()),
                ("revenue_cents", models.BigIntegerField()),
                ("revenue_prev_cents", models.BigIntegerField()),
                ("rd_expense_cents", models.BigIntegerField()),
                ("rd_expense_prev_cents", models.BigIntegerField()),
                ("employees", models.FloatField()),
                ("rd_staff", models.FloatField()),
                ("invention_patents", models.FloatField()),
                ("other_ip", models.FloatField()),
                ("standards", models.FloatField()),
                ("tech_contract_turnover_cents", models.BigIntegerField()),
                ("high_tech_revenue_cents", models.BigIntegerField()),
                ("net_profit_cents", models.BigIntegerField()),
                ("net_assets_cents", models.BigIntegerField()),
                ("taxes_paid_cents", models.BigIntegerField()),
                ("graduates_hired", models.FloatField()),
                ("vc_investment_cents", models.BigIntegerField()),
                ("rd_platform_level", models.FloatField()),
                ("sci_awards", models.FloatField()),
                ("sci_projects", models.FloatField()),
                ("is_high_tech_enterprise", models.BooleanField()),
                ("is_tech_sme", models.BooleanField()),
                ("is_specialised_sme", models.BooleanField()),
                ("is_little_giant", models.BooleanField()),
                ("dishonest_debtor", models.BooleanField()),
                ("tax_credit_d", models.BooleanField()),
                ("major_violation", models.BooleanField()),
            ],
            options={
                "indexes": [models.Index(fields=["batch_id", "status"], name="engine_input_batch_status")],
            },
        ),
        migrations.RunPython(forward, backward),
    ]
