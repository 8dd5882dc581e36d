"""Who may open which page. A missing role is a 404 (we never confirm that a page or object exists)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404


def bureau_staff_of(user):
    """The user's BureauStaff record, or None."""
    return getattr(user, "bureau_staff", None) if user.is_authenticated else None


def bureau_required(view):
    """Only science-and-technology bureau staff; others get a 404."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if bureau_staff_of(request.user) is None:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def scope_covers(outer: str, inner: str) -> bool:
    """Region scope ``outer`` contains ``inner`` ('' is national, '44' contains '4403' and '440305')."""
    return inner.startswith(outer)
