"""The self-assessment form: the raw fields of methodology §1, as the filing form presents them, never saved."""

from django import forms
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from enterprises.batch_fields import extra_key, extra_values_check
from enterprises.filing import GROUPS, HELP, UNITS, check_values
from enterprises.forms import extra_form_field
from enterprises.models import Submission

WHAT_IF_FIELDS = (*Submission.MONEY_FIELDS, *Submission.COUNT_FIELDS, *Submission.FLAG_FIELDS)


class WhatIfForm(forms.Form):
    """Every value the engine reads from a filing; a blank number counts as 0 (methodology §1), checked as the
    filing is (no negative amount except net profit and assets, R&D staff within the employees, …)."""

    def __init__(self, *args, batch_fields=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.batch_fields = list(batch_fields)  # the batch's extra fields: a local indicator reads them too
        self.fields.update(fields_for_model(Submission, fields=WHAT_IF_FIELDS))
        for name, field in self.fields.items():
            field.required = False
            field.help_text = HELP.get(name, field.help_text)
            if name in UNITS:
                field.widget.attrs.update({"data-unit": str(UNITS[name]), "inputmode": "decimal"})
        for extra in self.batch_fields:
            self.fields[extra_key(extra.code)] = extra_form_field(extra)

    def clean(self):
        """The filing's own checks (``enterprises.filing.check_values``): the same errors, by field, as the filing."""
        cleaned = super().clean()
        for name, messages in check_values(cleaned).errors.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
        raw = {extra.code: cleaned.get(extra_key(extra.code)) for extra in self.batch_fields}
        self.extra_values, errors = extra_values_check(self.batch_fields, raw)
        for name, messages in errors.items():
            for message in messages:
                self.add_error(name, message)
        return cleaned

    def groups(self):
        groups = [(title, [self[name] for name in names if name in self.fields]) for title, names in GROUPS]
        if self.batch_fields:
            groups.append((_("本批次扩展指标"), [self[extra_key(extra.code)] for extra in self.batch_fields]))
        return groups

    def values(self) -> dict:
        """The what-if values as the engine reads them: numbers as floats (blank 0), flags as booleans."""
        out = {}
        for name in WHAT_IF_FIELDS:
            value = self.cleaned_data.get(name)
            out[name] = bool(value) if name in Submission.FLAG_FIELDS else float(value or 0)
        for code in (extra.code for extra in self.batch_fields):
            out[code] = float(self.extra_values.get(code) or 0)
        return out
