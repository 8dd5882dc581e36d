"""What `make demo` runs after migrating: demo firms, a full scoring run, the push, and the logins to print."""

import os

from django.core.management import call_command
from django.core.management.base import BaseCommand

from demo.financing import demo_financing_create
from demo.loans import demo_filings_corrected, demo_loans_create, demo_push, demo_warnings_create
from demo.policies import demo_policies_create, demo_policies_matched
from demo.services import (
    DEMO_PASSWORD,
    demo_batch_get_or_create,
    demo_draft_system,
    demo_local_batch_create,
    demo_local_system_create,
    demo_objection_create,
    demo_previous_year_create,
    demo_review_queue,
    demo_trial_run,
    demo_users_create,
)
from enterprises.models import Submission


class Command(BaseCommand):
    help = "准备演示环境(演示企业、评分、推送、演示账号)。 / Prepare the demo: firms, scoring, push, demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--firms", type=int, default=20000)

    def handle(self, *args, firms: int, **options):
        batch = demo_batch_get_or_create()
        existing = Submission.objects.filter(batch=batch).count()
        if existing < firms:
            call_command("generate_demo", firms=firms - existing, stdout=self.stdout)
        else:
            self.stdout.write(f"Demo batch already holds {existing:,} firms; not adding more.")
        batch.refresh_from_db()
        if demo_policies_create():  # before publication: its matching covers them
            self.stdout.write("Policy library: 24 demo policies over 12 classes.")
        if batch.scoring.published_run_id is None or existing < firms:
            self.stdout.write("Scoring the demo batch and publishing the run ...")
            call_command("score_batch", batch.pk, publish=True, stdout=self.stdout)
        previous = demo_previous_year_create(batch)
        if previous:
            self.stdout.write(f"Previous year's batch (2023): {previous:,} approved filings of the same firms.")
        local_filings = demo_local_batch_create(batch)
        if local_filings:
            self.stdout.write(f"Guangdong's own batch, extra field 省级研发平台数量: {local_filings:,} filings.")
        local = demo_local_system_create()
        self.stdout.write(
            f"Draft local indicator system {local.key} (region 44, not frozen), with a local indicator on the "
            "Guangdong batch's extra field: preview it on that batch."
        )
        trial = demo_trial_run(batch)
        self.stdout.write(f"Trial run #{trial.pk} with national-v2 (never published): {trial.enterprise_count:,} firms")
        draft = demo_draft_system()
        self.stdout.write(f"Draft system {draft.key} (unfrozen): edit it and preview it on the batch (weight sandbox).")
        logins = demo_users_create(batch)  # first: the review queue and the corrections leave the logins' firms be
        queued = demo_review_queue(batch)
        if queued:
            self.stdout.write(f"{queued} filings put back in the review queue (some with plausibility flags).")
        batch.refresh_from_db()
        rows = demo_push(batch=batch)  # idempotent: the publish hook may have pushed already
        if demo_filings_corrected(batch=batch):  # a second run: the lists show what changed since the first
            # Published with the batch's notice period (公示), pushing during it so the banks' lists stay current.
            self.stdout.write("Some filings corrected; scoring and publishing a second run, in its notice period ...")
            batch.push_during_notice = True
            batch.save(update_fields=["push_during_notice", "updated_at"])
            call_command("score_batch", batch.pk, publish=True, notice_days=batch.notice_days, stdout=self.stdout)
            batch.refresh_from_db()
            rows = demo_push(batch=batch)
        matched = demo_policies_matched(batch=batch)
        self.stdout.write(f"Policy matching of the published run: {matched:,} matches and near-misses stored.")
        if demo_objection_create(batch=batch):
            self.stdout.write(
                "The firm 'firm' objected to its result (pending: bureau handles it at /bureau/objections/)."
            )
        loans = demo_loans_create(batch=batch)
        warnings = demo_warnings_create(batch=batch)
        applications = demo_financing_create()
        self.stdout.write(
            f"Recommendation lists: {rows:,} rows; demo loan contracts created: {loans}; "
            f"post-loan warnings: {warnings}; the demo firm's applications to banks: {applications}."
        )
        self.stdout.write("\n" + "=" * 78)
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD})  ·  演示账号(统一密码:{DEMO_PASSWORD})")
        for username, role, scope in logins:
            self.stdout.write(f"  {username:<10} {role}  [{scope}]")
        host = os.environ.get("HOST", "127.0.0.1:8000")  # what `make demo` passes to runserver
        self.stdout.write(f"Open http://{host}/  ·  admin: http://{host}/admin/")
        self.stdout.write("=" * 78 + "\n")
