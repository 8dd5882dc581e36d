"""Who may open which page. A missing role is a 404: we never confirm that a page or an object exists.

One decorator per role; each puts the role record on the request (``request.bureau_staff``, ``request.enterprise``,
``request.bank_officer``, ``request.guarantor_staff``) so views never look it up twice.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect


def bureau_staff_of(user):
    """The user's BureauStaff record, or None."""
    return getattr(user, "bureau_staff", None) if user.is_authenticated else None


def bureau_admin(user) -> bool:
    """The user is a bureau *administrator*: manages batches and runs (a reviewer only reviews filings)."""
    staff = bureau_staff_of(user) if user is not None else None
    return staff is not None and staff.role == "admin"


def bank_officer_of(user):
    return getattr(user, "bank_officer", None) if user.is_authenticated else None


def guarantor_staff_of(user):
    return getattr(user, "guarantor_staff", None) if user.is_authenticated else None


def enterprise_of(user):
    """The enterprise the user acts for (their first confirmed membership), or None."""
    if not user.is_authenticated:
        return None
    membership = user.memberships.filter(approved=True).select_related("enterprise").order_by("pk").first()
    return membership.enterprise if membership else None


def awaiting_verification(user) -> bool:
    """Whether the user has signed up for a firm and waits for the confirmation (no confirmed membership yet)."""
    return user.memberships.filter(approved=False).exists() and not user.memberships.filter(approved=True).exists()


def _role_required(lookup, attribute: str, waiting=None):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            record = lookup(request.user)
            if record is None and waiting is not None and waiting(request.user):
                return redirect("enterprises:register-pending")  # a sign-up under review: its status, not a 404
            if record is None:
                raise Http404
            setattr(request, attribute, record)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


bureau_required = _role_required(bureau_staff_of, "bureau_staff")
bureau_admin_required = _role_required(lambda user: bureau_staff_of(user) if bureau_admin(user) else None,
                                       "bureau_staff")  # fmt: skip
bank_officer_required = _role_required(bank_officer_of, "bank_officer")
guarantor_required = _role_required(guarantor_staff_of, "guarantor_staff")
enterprise_required = _role_required(enterprise_of, "enterprise", waiting=awaiting_verification)
