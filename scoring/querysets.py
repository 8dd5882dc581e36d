"""Per-user visibility of scoring objects: one ``visible_to(user)`` per model, used by pages and the API alike.

Published scores are read only through the API and the firm's own report, so ``Score.objects.visible_to`` takes the
API's ``Actor`` (``core.api.auth``: a bureau officer, a bank officer, a token client or an enterprise member,
reduced to a region, a firm and a bank) rather than a user.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Exists

from core.actors import actor_of
from core.regions import REGION_DIGITS, overlapping_region, region_range
from enterprises.models import Batch
from enterprises.selectors import consent_covers_bank

if TYPE_CHECKING:
    from core.actors import Actor


def _overlapping_scope(queryset: models.QuerySet, who) -> models.QuerySet:
    """Rows whose ``region_scope`` overlaps the bureau officer's."""
    actor = actor_of(who)
    return overlapping_region(queryset, actor.region) if actor.is_bureau else queryset.none()


def _inside_scope(queryset: models.QuerySet, who) -> models.QuerySet:
    """Rows the officer manages: those whose ``region_scope`` lies inside their own."""
    actor = actor_of(who)
    return queryset.filter(region_scope__startswith=actor.region) if actor.is_bureau else queryset.none()


class ScoringRunQuerySet(models.QuerySet):
    def visible_to(self, who):
        """Bureau staff see the runs of the batches they see (the API adds published runs for everyone else)."""
        actor = actor_of(who)
        return self.filter(batch__in=Batch.objects.visible_to(actor)) if actor.is_bureau else self.none()


class IndicatorSystemQuerySet(models.QuerySet):
    def visible_to(self, who):
        """Every bureau officer sees the national systems and those of regions overlapping theirs."""
        return _overlapping_scope(self, who)

    def editable_by(self, who):
        return _inside_scope(self, who).filter(frozen=False)


class ObjectionQuerySet(models.QuerySet):
    def visible_to(self, who):
        """Bureau staff see the objections of firms in their region; a firm member its own firm's; nobody else."""
        actor = actor_of(who)
        if actor.is_bureau:
            return self.filter(enterprise__region_code__startswith=actor.region)
        if actor.enterprise_id is not None:
            return self.filter(enterprise_id=actor.enterprise_id)
        return self.none()


def bank_consent(bank_id: int) -> Exists:
    """The scored firm has a consent active now for bank ``bank_id`` (``enterprises.selectors.consent_covers_bank``).
    "Now" is the database's clock, so a statement compiled once and cached (``published_score_lookup``) still sees
    a consent expire or be revoked on the next request."""
    return consent_covers_bank(bank_id)


class ScoreQuerySet(models.QuerySet):
    def in_region(self, prefix: str):
        """Scores of firms whose region, when scored, starts with ``prefix`` ('' = everywhere).

        An integer range on ``region``, which the index (region, total DESC, enterprise) serves: best first within a
        county is a plain index range, within a city or province a range scan and a top-N sort of its rows.
        """
        if not prefix:
            return self
        if len(prefix) == REGION_DIGITS:  # one county: equality, so the index hands its rows over best first
            return self.filter(region=int(prefix))
        low, high = region_range(prefix)
        return self.filter(region__gte=low, region__lt=high)

    def in_scope_of(self, actor: Actor):
        """The rows inside the actor's scope: its own firm (an enterprise member) or its region. What aggregates
        (the funnel) count; ranks are computed over the whole run anyway."""
        if actor.sees_no_firm:
            return self.none()
        if actor.enterprise_id is not None:
            return self.filter(enterprise_id=actor.enterprise_id)
        return self.in_region(actor.region)

    def visible_to(self, actor: Actor):
        """The rows ``actor`` may read firm by firm: those in its scope and, for a bank's officer or a bank's API
        client, only of firms with an active consent for that bank (a blanket consent or one naming it). Bureau staff
        and clients without a bank see their whole region; an enterprise member its own firm. See docs/api.md."""
        scores = self.in_scope_of(actor)
        if actor.bank_id is not None and not actor.sees_no_firm:
            scores = scores.filter(bank_consent(actor.bank_id))
        return scores
