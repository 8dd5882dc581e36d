"""The self-assessment form: the raw fields of methodology §1, as the filing form presents them, never saved."""

from django import forms
from django.forms.models import fields_for_model

from enterprises.filing import GROUPS, HELP, UNITS, check_values
from enterprises.models import Submission

WHAT_IF_FIELDS = (*Submission.MONEY_FIELDS, *Submission.COUNT_FIELDS, *Submission.FLAG_FIELDS)


class WhatIfForm(forms.Form):
    """Every value the engine reads from a filing; a blank number counts as 0 (methodology §1), checked as the
    filing is (no negative amount except net profit and assets, R&D staff within the employees, …)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(Submission, fields=WHAT_IF_FIELDS))
        for name, field in self.fields.items():
            field.required = False
            field.help_text = HELP.get(name, field.help_text)
            if name in UNITS:
                field.widget.attrs.update({"data-unit": str(UNITS[name]), "inputmode": "decimal"})

    def clean(self):
        """The filing's own checks (``enterprises.filing.check_values``): the same errors, by field, as the filing."""
        cleaned = super().clean()
        for name, messages in check_values(cleaned).errors.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
        return cleaned

    def groups(self):
        return [(title, [self[name] for name in names if name in self.fields]) for title, names in GROUPS]

    def values(self) -> dict:
        """The what-if values as the engine reads them: numbers as floats (blank 0), flags as booleans."""
        out = {}
        for name in WHAT_IF_FIELDS:
            value = self.cleaned_data.get(name)
            out[name] = bool(value) if name in Submission.FLAG_FIELDS else float(value or 0)
        return out
