"""The bureau's policy form: the policy's fields and a conditions editor of plain inputs (checkboxes for sections,
stages and qualifications, a region picker, a grade, and rows of threshold field / operator / value), so it works
without script on a phone. What it builds is checked by ``policies.conditions.conditions_validate``."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.labels import section_choices
from core.widgets import RegionPickerWidget
from scoring.choices import Stage

from .conditions import (
    NUMBER_FIELDS,
    NUMBER_OPS,
    OP_LABELS,
    PERCENT_FIELDS,
    conditions_validate,
    number_field_choices,
    qualification_choices,
)
from .models import Policy

EXTRA_THRESHOLD_ROWS = 3
SIMPLE_FIELDS = ("section", "stage", "region", "grade")


class PolicyForm(forms.ModelForm):
    cond_region = forms.CharField(label=_("条件:所在地区"), required=False, max_length=6,
                                  help_text=_("留空为政策适用地区内的全部企业。"))  # fmt: skip
    cond_sections = forms.MultipleChoiceField(label=_("条件:行业门类"), required=False,
                                              widget=forms.CheckboxSelectMultiple)  # fmt: skip
    cond_stages = forms.MultipleChoiceField(label=_("条件:发展阶段"), required=False, choices=Stage.choices,
                                            widget=forms.CheckboxSelectMultiple)  # fmt: skip
    cond_flags = forms.MultipleChoiceField(label=_("条件:须具备"), required=False,
                                           widget=forms.CheckboxSelectMultiple)  # fmt: skip
    cond_grade = forms.ChoiceField(label=_("条件:积分等级不低于"), required=False,
                                   choices=[("", "—"), *[(g, g) for g in "ABCDE"]])  # fmt: skip

    class Meta:
        model = Policy
        fields = ("name", "issuer", "policy_class", "region_scope", "benefit", "deadline", "office", "contact",
                  "how_to_apply", "active")  # fmt: skip
        widgets = {"deadline": forms.DateInput(attrs={"type": "date"}), "benefit": forms.Textarea(attrs={"rows": 3}),
                   "how_to_apply": forms.Textarea(attrs={"rows": 3})}  # fmt: skip

    def __init__(self, *args, region: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.region = region
        self.fields["region_scope"].widget = RegionPickerWidget(root=region)
        self.fields["cond_region"].widget = RegionPickerWidget(root=region)
        self.fields["cond_sections"].choices = section_choices()
        self.fields["cond_flags"].choices = qualification_choices()
        if not self.instance.pk:
            self.fields["region_scope"].initial = region
        existing = [c for c in self.instance.conditions or [] if c["field"] in NUMBER_FIELDS]
        self.threshold_rows = len(existing) + EXTRA_THRESHOLD_ROWS
        for i in range(self.threshold_rows):
            self.fields[f"t{i}_field"] = forms.ChoiceField(
                label=_("指标"), required=False, choices=[("", "—"), *number_field_choices()]
            )
            self.fields[f"t{i}_op"] = forms.ChoiceField(
                label=_("运算"), required=False, choices=[(op, OP_LABELS[op]) for op in NUMBER_OPS]
            )
            self.fields[f"t{i}_value"] = forms.FloatField(label=_("阈值"), required=False)
        self._initial_conditions(existing)

    def _initial_conditions(self, thresholds: list[dict]) -> None:
        for i, condition in enumerate(thresholds):
            scale = 100 if condition["field"] in PERCENT_FIELDS else 1
            self.initial.update({f"t{i}_field": condition["field"], f"t{i}_op": condition["op"],
                                 f"t{i}_value": round(condition["value"] * scale, 6)})  # fmt: skip
        for condition in self.instance.conditions or []:
            field, value = condition["field"], condition["value"]
            if field == "region":
                self.initial["cond_region"] = value[0]
            elif field == "section":
                self.initial["cond_sections"] = value
            elif field == "stage":
                self.initial["cond_stages"] = value
            elif field == "grade":
                self.initial["cond_grade"] = value
            elif condition["op"] == "is" and value:
                self.initial.setdefault("cond_flags", []).append(field)

    def threshold_fields(self):
        """The rows of the editor: (field, operator, value) bound fields."""
        return [(self[f"t{i}_field"], self[f"t{i}_op"], self[f"t{i}_value"]) for i in range(self.threshold_rows)]

    def simple_condition_fields(self):
        return [self[name] for name in ("cond_region", "cond_sections", "cond_stages", "cond_flags", "cond_grade")]

    def policy_fields(self):
        return [self[name] for name in self._meta.fields]

    def clean(self):
        data = super().clean()
        conditions: list[dict] = []
        if data.get("cond_region"):
            conditions.append({"field": "region", "op": "in", "value": [data["cond_region"]]})
        if data.get("cond_sections"):
            conditions.append({"field": "section", "op": "in", "value": data["cond_sections"]})
        if data.get("cond_stages"):
            conditions.append({"field": "stage", "op": "in", "value": data["cond_stages"]})
        conditions += [{"field": name, "op": "is", "value": True} for name in data.get("cond_flags") or []]
        if data.get("cond_grade"):
            conditions.append({"field": "grade", "op": ">=", "value": data["cond_grade"]})
        for i in range(self.threshold_rows):
            field, value = data.get(f"t{i}_field"), data.get(f"t{i}_value")
            if not field and value is None:
                continue
            if not field or value is None:
                self.add_error(f"t{i}_value" if field else f"t{i}_field", _("指标和阈值须同时填写。"))
                continue
            scale = 100 if field in PERCENT_FIELDS else 1
            conditions.append({"field": field, "op": data.get(f"t{i}_op") or ">=", "value": value / scale})
        try:
            data["conditions"] = conditions_validate(conditions, scope=data.get("region_scope") or "")
        except ValidationError as error:
            for message in error.message_dict["conditions"]:
                self.add_error(None, message)
        return data

    def service_fields(self) -> dict:
        fields = {name: self.cleaned_data[name] for name in self._meta.fields}
        fields["conditions"] = self.cleaned_data["conditions"]
        return fields
