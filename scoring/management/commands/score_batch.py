from django.core.management.base import BaseCommand, CommandError

from core.exceptions import ApplicationError
from enterprises.models import Batch
from scoring.choices import RunState
from scoring.models import ScoringRun
from scoring.services import scoring_run_create, scoring_run_execute, scoring_run_publish


class Command(BaseCommand):
    help = "在当前进程中为一个批次评分(可选发布),打印各阶段耗时与统计。 / Score a batch in-process, optionally publish."

    def add_arguments(self, parser):
        parser.add_argument("batch_id", type=int)
        parser.add_argument("--publish", action="store_true", help="publish the run once computed")
        parser.add_argument(
            "--notice-days",
            type=int,
            default=0,
            help="working days of public notice when publishing (banks get the lists after it)",
        )

    def handle(self, *args, batch_id: int, publish: bool, notice_days: int = 0, **options):
        batch = Batch.objects.filter(pk=batch_id).first()
        if batch is None:
            raise CommandError(f"batch {batch_id} does not exist")
        try:
            run = scoring_run_create(batch=batch, enqueue=False)
            scoring_run_execute(run_id=run.pk)
            run = ScoringRun.objects.get(pk=run.pk)
            if run.state != RunState.COMPUTED:
                raise CommandError(f"run #{run.pk} ended {run.state}: {run.error}")
            if publish:
                run = scoring_run_publish(run=run, notice_days=notice_days)
        except ApplicationError as error:
            raise CommandError(error.message)
        self.stdout.write(
            f"run #{run.pk} of batch '{batch}' ({run.system.key}, {run.enterprise_count:,} firms): {run.state}"
        )
        for phase in ("load", "score", "persist", "publish", "total"):
            if phase in run.timings:
                seconds = run.timings[phase]
                self.stdout.write(
                    f"  {phase:<8} {seconds:8.3f} s  {run.enterprise_count / max(seconds, 1e-9):>12,.0f} firms/s"
                )
        counts = run.counts
        self.stdout.write(f"  eligible {counts['eligible']:,} of {counts['enterprises']:,}")
        self.stdout.write("  by grade    " + "  ".join(f"{k} {v:,}" for k, v in counts["by_grade"].items()))
        self.stdout.write("  by stage    " + "  ".join(f"{k} {v:,}" for k, v in counts["by_stage"].items()))
        self.stdout.write("  by province " + "  ".join(f"{k} {v:,}" for k, v in counts["by_province"].items()))
