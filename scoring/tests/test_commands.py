"""score_csv, export_run and score_batch from the shell: the worked example, the round trip and bad input."""

import json
import os
import subprocess
import sys
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from scoring.choices import RunState
from scoring.models import Score, ScoringRun
from scoring.selectors import system_definition
from scoring.services import scoring_run_create, scoring_run_execute, scoring_run_publish

from .conftest import FIRMS

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "tests" / "data" / "methodology"
EXACT = ["enterprise_id", "stage", "grade", "rank_national", "rank_province", "rank_industry", "reasons", "peer_level"]


def read(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.mark.parametrize("version", [1, 2])
def test_score_csv_reproduces_the_worked_example(db, tmp_path, version):
    out = tmp_path / "out.csv"
    call_command(
        "score_csv", "--system", f"national-v{version}", "--reference-date", "2024-12-31",
        str(EXAMPLE / "firms-300.csv"), str(out), stdout=StringIO(),
    )  # fmt: skip
    got, want = read(out), read(EXAMPLE / f"expected-national-v{version}.csv")
    assert len(got) == 300
    for column in EXACT:
        assert got[column].tolist() == want[column].tolist(), column
    assert got["total"].map(Decimal).tolist() == want["total"].map(Decimal).tolist()  # the file writes 44.2 for 44.20
    assert got["eligible"].str.lower().tolist() == want["eligible"].str.lower().tolist()
    required = {"enterprise_id", "stage", "base", "bonus", "total", "grade", "rank_national", "rank_province",
                "rank_industry", "stage_percentile", "eligible", "reasons"}  # fmt: skip
    assert required | {c for c in want.columns if c.startswith("pts_")} <= set(got.columns)


def test_score_csv_takes_a_system_json_file_without_the_database(db, tmp_path):
    from scoring.models import IndicatorSystem

    system = tmp_path / "system.json"
    definition = system_definition(system=IndicatorSystem.objects.get(code="national", version=2))
    system.write_text(json.dumps(definition.to_dict(), ensure_ascii=False))
    out = tmp_path / "out.csv"
    call_command("score_csv", "--system", str(system), "--reference-date", "2024-12-31",
                 str(EXAMPLE / "firms-300.csv"), str(out), stdout=StringIO())  # fmt: skip
    want = read(EXAMPLE / "expected-national-v2.csv")["total"].map(Decimal).tolist()
    assert read(out)["total"].map(Decimal).tolist() == want


def bad_csv(tmp_path, change) -> Path:
    frame = read(EXAMPLE / "firms-300.csv")
    change(frame)
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    return path


def set_cell(row: int, column: str, value: str):
    def change(frame):
        frame.loc[row - 2, column] = value  # spreadsheet row: the header is row 1

    return change


@pytest.mark.parametrize(
    "change, row, column",
    [
        (lambda frame: frame.pop("rd_expense"), 1, "rd_expense"),
        (set_cell(5, "revenue", "12,5x"), 5, "revenue"),
        (set_cell(7, "rd_staff", "-3"), 7, "rd_staff"),
        (set_cell(9, "established", "2019-02-30"), 9, "established"),
        (set_cell(4, "is_tech_sme", "maybe"), 4, "is_tech_sme"),
    ],
    ids=["missing-column", "not-a-number", "negative-amount", "bad-date", "bad-boolean"],
)
def test_score_csv_rejects_bad_input_with_exit_code_2_naming_row_and_column(db, tmp_path, change, row, column):
    path = bad_csv(tmp_path, change)
    with pytest.raises(CommandError) as raised:
        call_command("score_csv", "--system", "national-v1", "--reference-date", "2024-12-31", str(path),
                     str(tmp_path / "out.csv"))  # fmt: skip
    assert raised.value.returncode == 2
    assert f"row {row}" in str(raised.value) and column in str(raised.value)
    assert not (tmp_path / "out.csv").exists()


def test_negative_net_profit_is_allowed_and_extra_columns_are_ignored(db, tmp_path):
    def change(frame):
        frame.loc[0, "net_profit"] = "-120.5"
        frame["remarks"] = "extra"

    call_command("score_csv", "--system", "national-v1", "--reference-date", "2024-12-31",
                 str(bad_csv(tmp_path, change)), str(tmp_path / "out.csv"), stdout=StringIO())  # fmt: skip
    assert len(read(tmp_path / "out.csv")) == 300


def test_score_csv_exits_with_status_2_from_the_shell(tmp_path):
    """The real process exit code (no database needed with a system file)."""
    from scoring.engine.defaults import NATIONAL_V1

    system = tmp_path / "system.json"
    system.write_text(json.dumps(NATIONAL_V1.to_dict()))
    path = bad_csv(tmp_path, set_cell(3, "employees", "many"))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    completed = subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
        [sys.executable, str(ROOT / "manage.py"), "score_csv", "--system", str(system), "--reference-date",
         "2024-12-31", str(path), str(tmp_path / "out.csv")],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert completed.returncode == 2, completed.stderr
    assert "row 3" in completed.stderr and "employees" in completed.stderr


def test_export_run_then_score_csv_reproduces_the_published_run_exactly(populated_batch, tmp_path):
    run = scoring_run_create(batch=populated_batch, enqueue=False)
    scoring_run_execute(run_id=run.pk)
    run = scoring_run_publish(run=ScoringRun.objects.get(pk=run.pk))
    # Approval and consent change after publication; the export must still give what the run saw.
    from enterprises.models import Consent, Submission

    Consent.objects.all().delete()
    Submission.objects.filter(batch=populated_batch).update(status="submitted")

    call_command("export_run", str(run.pk), str(tmp_path / "export"), stdout=StringIO())
    export = tmp_path / "export"
    manifest = json.loads((export / "run.json").read_text())
    assert manifest["system_hash"] == run.system_hash
    call_command("score_csv", "--system", str(export / "system.json"), "--reference-date", manifest["reference_date"],
                 str(export / "inputs.csv"), str(tmp_path / "rescored.csv"), stdout=StringIO())  # fmt: skip
    rescored = read(tmp_path / "rescored.csv").set_index("enterprise_id")
    published = {str(e): f"{t:.2f}" for e, t in Score.objects.filter(run=run).values_list("enterprise_id", "total")}
    assert len(rescored) == FIRMS
    assert rescored["total"].to_dict() == published
    assert (export / "outputs.csv").read_text() == (tmp_path / "rescored.csv").read_text()


def test_export_run_refuses_when_the_filings_changed_after_the_run(populated_batch, tmp_path):
    from enterprises.models import Submission

    run = scoring_run_create(batch=populated_batch, enqueue=False)
    scoring_run_execute(run_id=run.pk)
    filing = Submission.objects.filter(batch=populated_batch).first()
    Submission.objects.filter(pk=filing.pk).update(revenue=filing.revenue + 1)
    with pytest.raises(CommandError, match="changed"):
        call_command("export_run", str(run.pk), str(tmp_path / "export"))


def test_score_batch_scores_publishes_and_prints_timings_and_counts(populated_batch):
    out = StringIO()
    call_command("score_batch", str(populated_batch.pk), "--publish", stdout=out)
    run = ScoringRun.objects.get(batch=populated_batch)
    populated_batch.refresh_from_db()
    assert run.state == RunState.PUBLISHED and populated_batch.scoring.published_run_id == run.pk
    assert Score.objects.filter(run=run).count() == FIRMS
    text = out.getvalue()
    for word in ("load", "score", "persist", "publish", "by grade", "by stage", "by province"):
        assert word in text
