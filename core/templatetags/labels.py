"""``{% load labels %}``: ``{{ code|region }}``, ``{{ letter|section }}``, ``{{ flag|yes_no }}``,
``{{ names|listing }}``, ``{{ letters|sections }}`` (core/labels.py)."""

from django import template

from core import labels

register = template.Library()
register.filter("region", labels.region_label)
register.filter("section", labels.section_label)
register.filter("yes_no", labels.yes_no)
register.filter("listing", labels.listing)
register.filter("sections", labels.sections_listing)
