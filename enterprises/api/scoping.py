"""Which enterprise profiles an API caller may read (see docs/api.md).

Bureau staff: firms in their region. An enterprise member: their own firm. A bank officer or a bank's API client:
firms in their region that consent, now, to share with that bank (a blanket consent or one naming the bank) — as
the bank pages will. A platform API client without a bank: firms in its region.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from core.api_auth import Audience
from enterprises.models import Consent, Enterprise


def enterprises_for(audience: Audience) -> QuerySet[Enterprise]:
    if audience.sees_nothing:
        return Enterprise.objects.none()
    if audience.enterprise_id is not None:
        return Enterprise.objects.filter(pk=audience.enterprise_id)
    firms = Enterprise.objects.filter(region_code__startswith=audience.region)
    if audience.bank_id is None:
        return firms
    now = timezone.now()
    consent = Consent.objects.filter(
        Q(bank__isnull=True) | Q(bank_id=audience.bank_id),
        Q(expires_at__isnull=True) | Q(expires_at__gt=now),
        enterprise_id=OuterRef("pk"),
        revoked_at__isnull=True,
        granted_at__lte=now,
    )
    return firms.filter(Exists(consent))
