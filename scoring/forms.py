"""Forms for editing an indicator system. Field-level checks give precise messages; the engine's own ``validate``
runs again before a system can be frozen or used."""

from django import forms
from django.db import models
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from enterprises.models import COUNT_FIELDS, FLAG_FIELDS, MONEY_FIELDS, Batch, Submission

from .engine.system import SOURCE_FIELDS, STAGES
from .labels import data_field_choices, system_name
from .models import Indicator, IndicatorSystem

GRADES = ("A", "B", "C", "D")


class NumberListField(forms.CharField):
    """Comma-separated numbers, e.g. ``0.03, 0.06, 0.10``."""

    def to_python(self, value):
        text = (super().to_python(value) or "").replace(",", ",")
        try:
            return [float(part) for part in text.split(",") if part.strip()]
        except ValueError:
            raise forms.ValidationError(_("请输入以逗号分隔的数字,例如 0.03, 0.06, 0.10。"), code="number_list")

    def prepare_value(self, value):
        return ", ".join(f"{v:g}" for v in value) if isinstance(value, list) else value

    def has_changed(self, initial, data):
        """Compared as lists: an empty box against no list is no change (else the editor's spare row is "changed")."""
        try:
            return list(initial or []) != self.to_python(data)
        except forms.ValidationError:
            return True


class IndicatorSystemForm(forms.ModelForm):
    grade_a = forms.FloatField(label=_("A 级下限"))
    grade_b = forms.FloatField(label=_("B 级下限"))
    grade_c = forms.FloatField(label=_("C 级下限"))
    grade_d = forms.FloatField(label=_("D 级下限"))

    class Meta:
        model = IndicatorSystem
        fields = ("name", "description", "bonus_cap", "min_group_size", "threshold", "startup_age", "startup_revenue",
                  "stable_age", "stable_revenue")  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bands = self.instance.grade_bands or {}
        for grade in GRADES:
            self.fields[f"grade_{grade.lower()}"].initial = bands.get(grade)

    def clean(self):
        cleaned = super().clean()
        limits = [cleaned.get(f"grade_{g.lower()}") for g in GRADES]
        if None not in limits and any(b >= a for a, b in zip(limits, limits[1:], strict=False)):
            raise forms.ValidationError(_("等级下限须满足 A > B > C > D。"))
        if None not in limits:
            cleaned["grade_bands"] = dict(zip(GRADES, limits, strict=True))
        return cleaned

    def save(self, commit=True):
        self.instance.grade_bands = self.cleaned_data["grade_bands"]
        return super().save(commit)


class IndicatorForm(forms.ModelForm):
    thresholds = NumberListField(label=_("分档阈值"), required=False)
    fractions = NumberListField(label=_("分档得分比例"), required=False)

    class Meta:
        model = Indicator
        fields = ("order", "code", "name", "category", "source_field", "method", "reference", "thresholds",
                  "fractions", "weight_startup", "weight_growth", "weight_stable", "is_bonus")  # fmt: skip
        # A blank first choice: the editor's spare row then posts nothing and stays unchanged (not a half row).
        widgets = {"source_field": forms.Select(choices=[("", "---------"), *data_field_choices()])}

    def __init__(self, *args, extra_fields=None, **kwargs):
        """``extra_fields``: the batch extra fields (code → ``BatchField``) an indicator of this system may read
        (``indicator_systems.system_extra_fields``), offered after the standard fields."""
        super().__init__(*args, **kwargs)
        self.extra_fields = extra_fields or {}
        if self.extra_fields:
            local = [(code, f"{field.label} ({code})") for code, field in sorted(self.extra_fields.items())]
            self.fields["source_field"].widget.choices = [
                ("", "---------"), (_("标准字段"), data_field_choices()), (_("批次扩展字段"), local)]  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        method = cleaned.get("method")
        thresholds, fractions = cleaned.get("thresholds") or [], cleaned.get("fractions") or []
        source = cleaned.get("source_field")
        if source and source not in SOURCE_FIELDS and source not in self.extra_fields:
            self.add_error("source_field", _("未知的数据字段“%(field)s”。") % {"field": source})
        if method == "reference" and not (cleaned.get("reference") or 0) > 0:
            self.add_error("reference", _("标杆值法需要大于0的满分标杆值。"))
        if method == "tiers":
            if not thresholds or len(thresholds) != len(fractions):
                self.add_error("fractions", _("分档阈值与得分比例的个数须相同且至少一档。"))
            if any(b <= a for a, b in zip(thresholds, thresholds[1:], strict=False)):
                self.add_error("thresholds", _("分档阈值须严格递增。"))
            if any(not 0 <= f <= 1 for f in fractions):
                self.add_error("fractions", _("得分比例须在0到1之间。"))
            elif any(b < a for a, b in zip(fractions, fractions[1:], strict=False)):
                self.add_error("fractions", _("得分比例不能递减。"))
        return cleaned


class BaseIndicatorFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [f.cleaned_data for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        codes = [row["code"] for row in kept]
        if len(codes) != len(set(codes)):
            raise forms.ValidationError(_("指标代码不能重复。"))
        totals = stage_weight_totals(kept)
        wrong = [stage for stage in STAGES if abs(totals[stage] - 100) > 1e-9]
        if wrong:  # every stage named at once, each with its sum: one correction, not one per submit
            raise forms.ValidationError(
                [forms.ValidationError(_("%(stage)s基础指标权重之和为 %(total)s,应为 100。"),
                                       params={"stage": dict(STAGE_LABELS)[stage], "total": f"{totals[stage]:g}"})
                 for stage in wrong]
            )  # fmt: skip

    def kept_rows(self) -> list[forms.ModelForm]:
        """The indicator forms the system keeps once saved: not deleted, and not the unused blank row."""
        deleted = set(map(id, self.deleted_forms))
        return [f for f in self.forms if id(f) not in deleted and (f.instance.pk is not None or f.has_changed())]


def stage_weight_totals(rows: list[dict]) -> dict[str, float]:
    """The sum of the base (non-bonus) indicators' weights per stage, for the indicator rows ``rows``."""
    return {stage: sum(row.get(f"weight_{stage}") or 0 for row in rows if not row.get("is_bonus")) for stage in STAGES}


STAGE_LABELS = (("startup", _("初创期")), ("growth", _("成长期")), ("stable", _("稳定期")))

IndicatorFormSet = inlineformset_factory(
    IndicatorSystem, Indicator, form=IndicatorForm, formset=BaseIndicatorFormSet, extra=1, can_delete=True
)


class PreviewForm(forms.Form):
    """The weight sandbox: which batch the draft is previewed on (one the officer sees, in the system's region)."""

    batch = forms.ModelChoiceField(
        label=_("预览批次"), queryset=Batch.objects.none(),
        error_messages={"invalid_choice": _("预览批次:请选择本部门可见、且在本体系适用范围内的批次。"),
                        "required": _("预览批次:请选择一个批次。")},
    )  # fmt: skip

    def __init__(self, *args, system: IndicatorSystem, user, **kwargs):
        super().__init__(*args, **kwargs)
        batches = Batch.objects.visible_to(user).filter(scoring__isnull=False)
        self.fields["batch"].queryset = batches.filter(region_scope__startswith=system.region_scope).order_by(
            "-year", "-pk"
        )


class CloneForm(forms.Form):
    code = forms.SlugField(
        label=_("新体系代码"), max_length=40, help_text=_("沿用原代码则生成新版本;新代码为地方体系。")
    )
    name = forms.CharField(label=_("名称"), max_length=100)


class DateInput(forms.DateInput):
    input_type = "date"


class BatchForm(forms.ModelForm):
    """A batch's settings as a bureau administrator sets them; the service (``batch_create`` / ``batch_update``)
    checks the region and the system and names the field of each error."""

    system = forms.ModelChoiceField(label=_("指标体系"), queryset=IndicatorSystem.objects.none(),
                                    help_text=_("本批次评分默认使用的体系;启动评分时可另选。"))  # fmt: skip

    class Meta:
        model = Batch
        fields = (
            "name",
            "year",
            "reference_date",
            "region_scope",
            "opens_on",
            "closes_on",
            "notice_days",
            "push_during_notice",
        )
        widgets = {"reference_date": DateInput(), "opens_on": DateInput(), "closes_on": DateInput()}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["system"].queryset = IndicatorSystem.objects.visible_to(user)
        self.fields["system"].label_from_instance = lambda system: f"{system_name(system.name)} ({system.key})"
        if self.instance.pk is not None:
            self.fields["system"].initial = self.instance.scoring.system_id
        scope = getattr(user, "bureau_staff", None)
        if scope is not None and scope.region_scope and not self.instance.pk:
            self.fields["region_scope"].initial = scope.region_scope

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class RunStartForm(forms.Form):
    """Start a run of a batch: with which system, and whether it is a trial (never published, never pushed)."""

    system = forms.ModelChoiceField(label=_("指标体系"), queryset=IndicatorSystem.objects.none(), required=False,
                                    help_text=_("不选则用批次的体系。"))  # fmt: skip
    trial = forms.TypedChoiceField(
        label=_("用途"), coerce=lambda value: value == "1", initial="1", required=False, empty_value=False,
        choices=(("1", _("试算(不发布、不推送)")), ("0", _("正式评分(可发布)"))),
    )  # fmt: skip

    def __init__(self, *args, batch, user, **kwargs):
        super().__init__(*args, **kwargs)
        systems = IndicatorSystem.objects.visible_to(user)
        self.fields["system"].queryset = systems
        self.fields["system"].label_from_instance = lambda system: f"{system_name(system.name)} ({system.key})"
        self.fields["system"].initial = batch.scoring.system_id


class PublishForm(forms.Form):
    """Publish a computed run: how many working days of public notice (the batch's by default)."""

    notice_days = forms.IntegerField(
        label=_("公示期(工作日)"), min_value=0, max_value=60, required=False,  # empty: the batch's period
        help_text=_("周一至周五计为工作日,发布当天不计;0 为不公示,立即推送银行。"),
    )  # fmt: skip


class ObjectionForm(forms.Form):
    """A firm's objection to its published result."""

    # Optional here: ``objection_lodge`` names a missing subject or reason (one rule for every door).
    subject = forms.ChoiceField(label=_("异议事项"), help_text=_("对哪项填报数据或得分有异议。"), required=False)
    reason = forms.CharField(label=_("异议理由"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    file = forms.FileField(label=_("证明材料(可选)"), required=False,
                           help_text=_("PDF、JPEG 或 PNG,不超过 10 MB。"))  # fmt: skip

    def __init__(self, *args, subjects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = [("", "—"), *subjects]


class ObjectionDecisionForm(forms.Form):
    """The bureau's decision: accept (with the corrected value of the disputed field) or reject, with a reason."""

    decision = forms.ChoiceField(label=_("处理结果"), widget=forms.RadioSelect,
                                 choices=(("accept", _("采纳:更正数据并重新评分")), ("reject", _("驳回"))))  # fmt: skip
    note = forms.CharField(label=_("处理意见"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                           help_text=_("企业将收到此意见。"))  # fmt: skip

    def __init__(self, *args, subject: str, current, **kwargs):
        super().__init__(*args, **kwargs)
        self.subject = subject
        if subject not in (*MONEY_FIELDS, *COUNT_FIELDS, *FLAG_FIELDS):
            return  # the score itself: nothing filed to correct
        field = Submission._meta.get_field(subject)
        if field.choices:
            formfield = forms.TypedChoiceField(choices=field.choices, coerce=int)
        elif isinstance(field, models.BooleanField):
            formfield = forms.TypedChoiceField(choices=(("1", _("是")), ("0", _("否"))), coerce=lambda v: v == "1")
            current = "1" if current else "0"
        else:
            formfield = field.formfield()
        formfield.label = _("更正为:%(field)s") % {"field": field.verbose_name}
        formfield.required = False
        formfield.help_text = _("采纳时填写更正后的数值;留空则不改数据(如异议针对计算)。")
        formfield.initial = current
        self.fields["value"] = formfield
        self.order_fields(["decision", "value", "note"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "accept" and "value" in self.fields and cleaned.get("value") in (None, ""):
            cleaned["value"] = None
        return cleaned

    def values(self) -> dict:
        value = self.cleaned_data.get("value")
        return {self.subject: value} if value is not None and "value" in self.fields else {}
