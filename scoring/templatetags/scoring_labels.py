"""``{% load scoring_labels %}``: a stage by its name (``{{ rec.stage|stage }}``, ``{{ product.stages|stages }}``)
wherever a row stores the code without choices (list rows, products); the seeded systems' names in English
(``indicator``, ``category``, ``system_name``: scoring/labels.py)."""

from django import template
from django.utils.translation import gettext as _

from core.labels import listing
from scoring import labels
from scoring.choices import Stage

register = template.Library()
register.filter("indicator", labels.indicator_name)
register.filter("category", labels.indicator_category)
register.filter("system_name", labels.system_name)
register.filter("system_description", labels.system_description)
register.filter("data_field", labels.data_field_label)


@register.filter
def stage(value: str) -> str:
    return str(Stage(value).label) if value in Stage.values else (value or "—")


@register.filter
def stages(values) -> str:
    return listing(stage(v) for v in values) if values else _("全部")


@register.filter
def reasons(value) -> str:
    """A score's reason codes (``not_approved;no_consent``) as labels, or "—" when there are none."""
    return listing(labels.reason_labels(value)) or "—"
