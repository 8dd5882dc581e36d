from django import template

from policies.conditions import condition_text

register = template.Library()
register.filter("policy_condition", condition_text)
