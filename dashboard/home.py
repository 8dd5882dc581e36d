"""The signed-in home page: per role, the few counts that say what to do next (filings waiting for review, sign-ups
to verify, new list rows, unread notices, applications new since the officer's last look, overdue guaranteed loans,
the firm's filing and published result), each linking to where it is done. It reads every app, so it lives in the
top layer; each count goes through the model's ``visible_to`` (a bureau counts its region, a bank its own list)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from banks.choices import RecommendationStatus
from banks.financing_selectors import new_for_bank
from banks.models import Notice, Recommendation
from core.permissions import awaiting_verification, enterprise_of
from enterprises.choices import SubmissionStatus
from enterprises.models import EnterpriseMembership, Submission
from enterprises.notices import notices_unread_count
from enterprises.selectors import open_batch_for, submission_of
from guarantees.models import GuaranteeContract
from loans.models import RepaymentStatus
from scoring.notice import release_due_check

from .report import published_score_history


@login_required
def home(request):
    release_due_check()  # ends notice periods on deployments without Celery beat (scoring.notice)
    user = request.user
    context = {"roles": [], "pending_sign_up": awaiting_verification(user)}
    if hasattr(user, "bureau_staff"):
        context["roles"].append("bureau")
        context["bureau"] = {
            "waiting": Submission.objects.visible_to(user).filter(status=SubmissionStatus.SUBMITTED).count(),
            "claims": EnterpriseMembership.objects.claims_for(user).count(),
        }
    if hasattr(user, "bank_officer"):
        context["roles"].append("bank")
        rows = Recommendation.objects.listed_to(user).current()
        context["bank"] = {
            "new": rows.filter(status=RecommendationStatus.NEW).count(),
            "mine": rows.filter(officer=user).exclude(status__in=CLOSED).count(),
            "unread": Notice.objects.filter(user=user, read_at__isnull=True).count(),
            "new_work": new_for_bank(user=user),
        }
    if hasattr(user, "guarantor_staff"):
        context["roles"].append("guarantor")
        guarantees = GuaranteeContract.objects.visible_to(user).filter(released_on__isnull=True)
        context["guarantor"] = {
            "active": guarantees.count(),
            "overdue": guarantees.filter(loan__repayment_status=RepaymentStatus.OVERDUE).count(),
        }
    enterprise = enterprise_of(user)
    if enterprise is not None:
        context["roles"].append("enterprise")
        batch = open_batch_for(enterprise=enterprise)
        context["firm"] = {
            "enterprise": enterprise,
            "batch": batch,
            "submission": submission_of(enterprise=enterprise, batch=batch) if batch else None,
            "latest": next(iter(published_score_history(enterprise=enterprise)), None),
            "unread": notices_unread_count(enterprise=enterprise),
        }
    return render(request, "dashboard/home.html", context)


CLOSED = (RecommendationStatus.DECLINED, RecommendationStatus.CONTRACTED)
