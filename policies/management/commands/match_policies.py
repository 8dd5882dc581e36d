"""Match policies on demand: every active policy over one published run, or one policy over every published run."""

from django.core.management.base import BaseCommand, CommandError

from policies.models import Policy
from policies.selectors import published_runs
from policies.services import policies_match, policy_match_now


class Command(BaseCommand):
    help = "匹配政策与企业。 / Match policies to firms: --policy ID (every published run) or --run ID (all policies)."

    def add_arguments(self, parser):
        parser.add_argument("--policy", type=int, help="one policy, over every published run it concerns")
        parser.add_argument("--run", type=int, help="every active policy over this published run")
        parser.add_argument("--no-notify", action="store_true", help="store the matches without telling the firms")

    def handle(self, *args, policy=None, run=None, no_notify=False, **options):
        if policy is not None:
            found = Policy.objects.filter(pk=policy).first()
            if found is None:
                raise CommandError(f"no policy {policy}")
            summaries = policy_match_now(policy=found)
        else:
            runs = [r for r in published_runs() if run is None or r.pk == run]
            if run is not None and not runs:
                raise CommandError(f"run {run} is not a batch's published run")
            summaries = [policies_match(run=r, notify=not no_notify) for r in runs]
        for s in summaries:
            timings = ", ".join(f"{k} {v:.2f} s" for k, v in s.timings.items())
            self.stdout.write(f"run #{s.run_id}: {s.policies} policies x {s.firms:,} firms -> {s.matched:,} matches, "
                              f"{s.near:,} near-misses, {s.notified:,} notices ({timings})")  # fmt: skip
