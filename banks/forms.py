"""Forms of the bank officer portal: list filters, status changes, loan products. They parse; services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.labels import section_choices
from core.models import Branch
from scoring.choices import Stage

from .choices import DeclineCategory, RecommendationStatus
from .models import LoanProduct
from .selectors import GRADES


def _blank(choices, empty=None):
    return [("", empty or _("请选择")), *choices]


class StatusForm(forms.Form):
    """A step of the workflow; a decline names its category (the service requires it) and may add an internal note."""

    status = forms.ChoiceField(label=_("新状态"), choices=RecommendationStatus.choices)
    category = forms.ChoiceField(label=_("拒绝原因"), choices=_blank(DeclineCategory.choices), required=False)
    reason = forms.CharField(
        label=_("内部说明(企业不可见)"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )


class ReassignForm(forms.Form):
    officer = forms.TypedChoiceField(label=_("改派给"), coerce=int, choices=())

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].choices = [(o.user_id, o.user.get_full_name() or o.user.username) for o in candidates]


class NotesForm(forms.Form):
    notes = forms.CharField(label=_("跟进备注"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class LoanProductForm(forms.ModelForm):
    """Lines per grade are five number inputs; the service checks them against each other and the maximum."""

    line_a = forms.DecimalField(label=_("A 级额度(万元)"), min_value=0)
    line_b = forms.DecimalField(label=_("B 级额度(万元)"), min_value=0)
    line_c = forms.DecimalField(label=_("C 级额度(万元)"), min_value=0)
    line_d = forms.DecimalField(label=_("D 级额度(万元)"), min_value=0)
    line_e = forms.DecimalField(label=_("E 级额度(万元)"), min_value=0)
    min_grade = forms.ChoiceField(label=_("最低等级"), choices=[(g, g) for g in GRADES])
    stages = forms.MultipleChoiceField(
        label=_("适用阶段"),
        choices=Stage.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选为全部阶段。"),
    )
    sections = forms.MultipleChoiceField(
        label=_("适用行业门类"),
        choices=section_choices,
        required=False,
        help_text=_("不选为全部门类。"),
    )
    branches = forms.ModelMultipleChoiceField(
        label=_("服务网点"), queryset=Branch.objects.none(), required=False, help_text=_("不选为本行全部网点。")
    )

    class Meta:
        model = LoanProduct
        fields = ("name", "min_grade", "stages", "sections", "max_amount", "term_months", "rate_spread_bp", "active")

    def __init__(self, *args, bank, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branches"].queryset = Branch.objects.filter(bank=bank)
        lines = self.instance.line_by_grade or {}
        for grade in GRADES:
            self.fields[f"line_{grade.lower()}"].initial = lines.get(grade, 0)
        if self.instance.pk:
            self.fields["branches"].initial = list(self.instance.branches.values_list("pk", flat=True))

    def service_fields(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["line_by_grade"] = {g: self.cleaned_data[f"line_{g.lower()}"] for g in GRADES}
        return data
