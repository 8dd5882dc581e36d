"""Forms of the enterprise journey: they parse and present; the services decide what is valid."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator, fields_for_model
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.models import Bank
from core.widgets import RegionPickerWidget, inputs_rendered_in_python

from .batch_fields import extra_key
from .choices import BatchFieldKind, ConsentScope
from .filing import GROUPS, HELP, UNITS
from .models import BatchField, Submission
from .services import EXTRA_VALUES, VALUE_FIELDS

FORM_FIELDS = (*VALUE_FIELDS, "financing_purpose", "preferred_banks")


def extra_form_field(field: BatchField) -> forms.Field:
    """The form field of a batch's extra field: its label in the reader's language with its unit, its help; the
    value is checked by ``enterprises.batch_fields`` (the service), as text, so the message names the field."""
    # The unit is the bureau's own text (one language): marked as user data, as the crawler and a translator read it.
    label = format_html("{}<span data-user>({})</span>", field.label, field.unit) if field.unit else field.label
    if field.kind == BatchFieldKind.YES_NO:
        return forms.BooleanField(label=label, required=False, help_text=field.help_text)
    attrs = {"inputmode": "decimal", "data-extra": field.code}
    if field.unit:
        attrs["data-unit"] = field.unit
    return forms.CharField(label=label, required=False, help_text=field.help_text, max_length=40,
                           widget=forms.TextInput(attrs=attrs))  # fmt: skip


def extra_initial(fields: list[BatchField], stored: dict) -> dict:
    """The extra fields' initial values of a filing (``extra_values``) as the form shows them."""
    initial = {}
    for field in fields:
        value = (stored or {}).get(field.code)
        initial[extra_key(field.code)] = value == "1" if field.kind == BatchFieldKind.YES_NO else (value or "")
    return initial


class _OneQueryChoices(ModelChoiceIterator):
    """The choices from one plain query per form: the default reads them through a server-side cursor (three round
    trips) each time the select is rendered, which is twice per page."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:  # evaluated once, then its result cache
            yield self.choice(obj)


class _BankChoiceField(forms.ModelMultipleChoiceField):
    iterator = _OneQueryChoices


class SubmissionForm(forms.Form):
    """Every raw field of methodology §1, the batch's extra fields (``batch_fields``) and the financing need;
    nothing is required until submission."""

    def __init__(self, *args, batch_fields: list[BatchField] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.batch_fields = list(batch_fields)
        self.fields.update(fields_for_model(Submission, fields=FORM_FIELDS))
        self.fields["preferred_banks"] = _BankChoiceField(
            Bank.objects.order_by("code"), required=False, label=_("意向银行(最多3家)"),
            widget=forms.SelectMultiple(attrs={"size": 6}),
        )  # fmt: skip
        for name, field in self.fields.items():
            field.required = False
            field.help_text = HELP.get(name, field.help_text)
            if name in UNITS:
                field.widget.attrs.update({"data-unit": str(UNITS[name]), "inputmode": "decimal"})
        for name in ("net_profit", "net_assets"):
            self.fields[name].widget.attrs["data-signed"] = "1"
        for field in self.batch_fields:
            self.fields[extra_key(field.code)] = extra_form_field(field)
        inputs_rendered_in_python(self.fields)

    def groups(self):
        """(title, bound fields) per category, the batch's extra fields, then the financing need."""
        sections = [(title, [self[name] for name in names]) for title, names in GROUPS]
        if self.batch_fields:
            sections.append((_("本批次扩展指标"), [self[extra_key(f.code)] for f in self.batch_fields]))
        financing = ("financing_amount", "financing_term_months", "financing_purpose", "preferred_banks")
        return [*sections, (_("融资需求"), [self[name] for name in financing])]

    def service_data(self) -> dict:
        """Cleaned values as the services take them (blank numbers stay ``None``: a draft may leave them out)."""
        data = {name: self.cleaned_data.get(name) for name in FORM_FIELDS}
        if self.batch_fields:
            data[EXTRA_VALUES] = {f.code: self.cleaned_data.get(extra_key(f.code)) for f in self.batch_fields}
        return data

    def add_service_errors(self, error: ValidationError) -> None:
        for name, messages in error.message_dict.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("证明材料"), help_text=_("PDF、JPEG 或 PNG,单个文件不超过 10 MB。"))
    description = forms.CharField(label=_("说明"), max_length=200, required=False)


class ReturnForm(forms.Form):
    comment = forms.CharField(label=_("审核意见"), widget=forms.Textarea(attrs={"rows": 3}))


class ConsentForm(forms.Form):
    bank = forms.ModelChoiceField(
        Bank.objects.order_by("code"), required=False, label=_("银行"), empty_label=_("全部合作银行"),
        help_text=_("不选表示授权平台全部合作银行。"),
    )  # fmt: skip
    scope = forms.ChoiceField(label=_("授权范围"), choices=ConsentScope.choices)
    expires_on = forms.DateField(
        label=_("到期日"), required=False, help_text=_("留空为长期有效,可随时撤销。"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )  # fmt: skip


class RegistrationForm(forms.Form):
    """A sign-up: the person, the firm they act for, and its business licence (the bureau or the firm's
    administrator confirms the request against it; ``enterprises.accounts``)."""

    username = forms.CharField(label=_("用户名"), max_length=30, help_text=_("3至30位字母、数字或 . @ + - _。"))
    email = forms.EmailField(label=_("电子邮箱"))
    password = forms.CharField(
        label=_("密码"), widget=forms.PasswordInput, help_text=_("至少10位,不能全为数字或过于常见。")
    )
    password_again = forms.CharField(label=_("确认密码"), widget=forms.PasswordInput)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=18, min_length=18)
    name = forms.CharField(label=_("企业名称"), max_length=200)
    region_code = forms.CharField(  # chosen by name down to the county
        label=_("行政区划代码"),
        max_length=6,
        help_text=_("6位,例如 440305。"),
        widget=RegionPickerWidget(leaf_only=True),
    )
    industry_code = forms.CharField(label=_("国民经济行业代码"), max_length=5, help_text=_("例如 C39。"))
    established = forms.DateField(label=_("成立日期"), widget=forms.DateInput(attrs={"type": "date"}))
    licence = forms.FileField(
        label=_("营业执照"), help_text=_("PDF、JPEG 或 PNG,不超过 10 MB;用于核验您与企业的关系,仅核验人员可见。")
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("两次输入的密码不一致。"))
        return data

    def cleaned_data_for_service(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "password_again"}


class ClaimDecisionForm(forms.Form):
    note = forms.CharField(
        label=_("核验说明"), max_length=200, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class InviteForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    email = forms.EmailField(label=_("电子邮箱"))


class BatchFieldForm(forms.ModelForm):
    """A batch's extra field as a bureau administrator defines it (``enterprises.batch_fields`` checks it)."""

    class Meta:
        model = BatchField
        fields = ("code", "label_zh", "label_en", "unit", "kind", "min_value", "max_value", "help_text", "order")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["code"].disabled = True  # systems name it: it never changes

    def _post_clean(self):  # the service validates the whole object (and names the field of each error)
        pass

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name != "code"}

    def add_service_errors(self, error: ValidationError) -> None:
        for name, messages in error.message_dict.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
