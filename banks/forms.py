"""Forms of the bank officer portal: list filters, status changes, loan products. They parse; services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.reference_data import SECTIONS
from scoring.choices import Stage

from .choices import RecommendationStatus
from .models import Branch, LoanProduct
from .selectors import GRADES, SORTS


def _blank(choices):
    return [("", _("全部")), *choices]


class RecommendationFilterForm(forms.Form):
    region = forms.RegexField(label=_("区域代码"), regex=r"^\d{0,6}$", required=False)
    grade = forms.ChoiceField(label=_("等级"), choices=_blank([(g, g) for g in GRADES]), required=False)
    section = forms.ChoiceField(
        label=_("行业门类"), choices=_blank([(c, f"{c} {n}") for c, n in SECTIONS]), required=False
    )
    stage = forms.ChoiceField(label=_("发展阶段"), choices=_blank(Stage.choices), required=False)
    product = forms.TypedChoiceField(label=_("产品"), coerce=int, empty_value=None, required=False)
    status = forms.ChoiceField(label=_("状态"), choices=_blank(RecommendationStatus.choices), required=False)
    preferred = forms.BooleanField(label=_("仅意向本行"), required=False)
    mine = forms.BooleanField(label=_("仅本人跟进"), required=False)
    sort = forms.ChoiceField(
        label=_("排序"),
        required=False,
        choices=[
            ("rank", _("名单排名")),
            ("-total", _("总分从高到低")),
            ("total", _("总分从低到高")),
            ("-line", _("建议额度从高到低")),
            ("-need", _("融资需求从高到低")),
            ("status", _("状态")),
        ],
    )

    def __init__(self, *args, products=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = _blank([(p.pk, p.name) for p in products])

    def clean_sort(self):
        value = self.cleaned_data.get("sort") or "rank"
        return value if value in SORTS else "rank"


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("新状态"), choices=RecommendationStatus.choices)
    reason = forms.CharField(label=_("拒绝原因"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


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
        choices=[(c, f"{c} {n}") for c, n in SECTIONS],
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
