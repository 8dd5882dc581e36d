"""``{% load scoring_labels %}``: a stage by its name (``{{ rec.stage|stage }}``, ``{{ product.stages|stages }}``)
wherever a row stores the code without choices (list rows, products)."""

from django import template
from django.utils.translation import gettext as _

from scoring.choices import Stage

register = template.Library()


@register.filter
def stage(value: str) -> str:
    return str(Stage(value).label) if value in Stage.values else (value or "—")


@register.filter
def stages(values) -> str:
    return "、".join(stage(v) for v in values) if values else _("全部")
