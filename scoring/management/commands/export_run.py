import json
from pathlib import Path

import numpy as np
import pandas as pd
from django.core.management.base import BaseCommand, CommandError

from scoring.choices import RunState
from scoring.engine.csv_io import write_population_csv
from scoring.models import ScoringRun
from scoring.selectors import population_digest, population_load, scores_of_run, system_definition


class Command(BaseCommand):
    help = (
        "导出评分任务的输入、指标体系与结果,可用 score_csv 复算。 / Export a computed or published run's inputs "
        "(offline-scoring CSV), system (JSON) and outputs, so that score_csv reproduces it."
    )

    def add_arguments(self, parser):
        parser.add_argument("run_id", type=int)
        parser.add_argument("directory")

    def handle(self, *args, run_id: int, directory: str, **options):
        run = ScoringRun.objects.select_related("batch", "system").filter(pk=run_id).first()
        if run is None:
            raise CommandError(f"run {run_id} does not exist")
        if run.state not in (RunState.COMPUTED, RunState.PUBLISHED):
            raise CommandError(f"run {run_id} is {run.state}: only computed or published runs can be exported")
        definition = system_definition(system=run.system)
        if definition.content_hash() != run.system_hash:
            raise CommandError(f"the stored system {run.system.key} no longer hashes to the run's {run.system_hash}")

        population = population_load(batch=run.batch, with_codes=True)
        if population_digest(population) != run.input_digest:
            raise CommandError(
                f"the filings of batch {run.batch_id} changed after run {run_id} read them "
                f"(input digest {run.input_digest[:12]}…): its inputs can no longer be exported exactly"
            )
        outputs = run_outputs(run)
        # Approval and consent change after a run; the run recorded what it saw in each firm's reason codes.
        reasons = outputs.set_index("enterprise_id")["reasons"].reindex(population.enterprise_id).fillna("")
        codes = reasons.str.split(";")
        population = _with_flags(
            population,
            approved=~codes.apply(lambda c: "not_approved" in c).to_numpy(dtype=bool),
            consent=~codes.apply(lambda c: "no_consent" in c).to_numpy(dtype=bool),
        )

        target = Path(directory)
        target.mkdir(parents=True, exist_ok=True)
        order = np.argsort(population.enterprise_id, kind="stable")
        write_population_csv(population.take(order), target / "inputs.csv")
        (target / "system.json").write_text(
            json.dumps(definition.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8"
        )
        outputs.to_csv(target / "outputs.csv", index=False, lineterminator="\n")
        manifest = {
            "run": run.pk,
            "batch": run.batch.name,
            "reference_date": run.batch.reference_date.isoformat(),
            "system": run.system.key,
            "system_hash": run.system_hash,
            "input_digest": run.input_digest,
            "state": run.state,
            "published_at": run.published_at.isoformat() if run.published_at else None,
            "enterprises": run.enterprise_count,
            "counts": run.counts,
            "reproduce": (
                f"python manage.py score_csv --system system.json --reference-date "
                f"{run.batch.reference_date.isoformat()} inputs.csv rescored.csv"
            ),
        }
        (target / "run.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        self.stdout.write(f"Exported run #{run.pk} ({run.enterprise_count:,} firms) to {target}.")


def run_outputs(run: ScoringRun) -> pd.DataFrame:
    """The run's scores, one row per enterprise in id order, in the offline-scoring result format."""
    columns = ["enterprise_id", "stage", "points", "base", "bonus", "total", "grade", "rank_national",
               "rank_province", "rank_industry", "stage_percentile", "reasons", "eligible", "peer_level"]  # fmt: skip
    frame = pd.DataFrame.from_records(
        list(scores_of_run(run=run).order_by("enterprise_id").values_list(*columns)), columns=columns
    )
    points = pd.DataFrame(
        np.array(frame.pop("points").tolist(), dtype=np.float64).reshape(len(frame), len(run.indicator_codes)),
        columns=[f"pts_{code}" for code in run.indicator_codes],
    )
    frame["total"] = frame["total"].map(lambda d: f"{d:.2f}")
    return pd.concat([frame.iloc[:, :2], points, frame.iloc[:, 2:]], axis=1)


def _with_flags(population, *, approved: np.ndarray, consent: np.ndarray):
    from dataclasses import replace

    return replace(population, approved=approved, consent=consent)
