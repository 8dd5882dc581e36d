"""The firm's "policies for you" (适合您的政策): its own matches with why each matches, its near-misses with what is
missing, the deadline and how to apply. A firm reads only its own rows (``firm_matches`` by its id)."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.permissions import enterprise_required
from scoring.models import ScoringRun

from .presenters import reasons_for, shortfall_of
from .selectors import firm_matches, firm_values, version_conditions


@enterprise_required
@require_GET
def firm_policy_list(request):
    enterprise = request.enterprise
    rows = firm_matches(enterprise_id=enterprise.pk)
    runs = {run.pk: run for run in ScoringRun.objects.filter(pk__in={r.run_id for r in rows}).select_related("batch")}
    firms = {pk: firm_values(run=run, enterprise_id=enterprise.pk) for pk, run in runs.items()}
    matched, near = [], []
    for row in rows:
        conditions = version_conditions(policy=row.policy, version=row.policy_version)
        row.reasons = reasons_for(conditions, firms.get(row.run_id))
        row.shortfall = shortfall_of(conditions, row)
        row.closed = row.policy.deadline is not None and row.policy.deadline < timezone.localdate()
        (near if row.near else matched).append(row)
    return render(request, "policies/firm_policy_list.html", {"matched": matched, "near": near})
