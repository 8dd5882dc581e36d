"""Write operations on enterprises and filings. Every write validates the whole object first: bad input saves none."""

from datetime import date
from typing import Any

from django.db import transaction

from core.models import User

from .choices import MemberRole
from .models import Enterprise, EnterpriseMembership


@transaction.atomic
def enterprise_create(
    *,
    credit_code: str,
    name: str,
    region_code: str,
    industry_code: str,
    established: date,
    admin_user: User | None = None,
    **attributes: Any,
) -> Enterprise:
    """Register an enterprise (and make ``admin_user`` its administrator). Raises ValidationError naming each field."""
    enterprise = Enterprise(
        credit_code=credit_code.strip().upper(),
        name=name.strip(),
        region_code=region_code.strip(),
        industry_code=industry_code.strip().upper(),
        established=established,
        **attributes,
    )
    enterprise.section_id = enterprise.industry_code[:1]
    enterprise.full_clean(exclude=["section"])
    enterprise.save()
    if admin_user is not None:
        EnterpriseMembership.objects.create(user=admin_user, enterprise=enterprise, role=MemberRole.ADMIN)
    return enterprise
