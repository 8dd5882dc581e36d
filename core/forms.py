"""Forms of the bureau's API-client page. They parse; ``core.services`` decides."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.models import Bank, GuaranteeInstitution

from .models import ApiClient


class ApiClientForm(forms.Form):
    name = forms.CharField(label=_("客户端名称"), max_length=100, help_text=_("例如“某银行信贷系统”。"))
    scopes = forms.MultipleChoiceField(
        label=_("权限范围"), choices=ApiClient.Scope.choices, widget=forms.CheckboxSelectMultiple
    )
    region_scope = forms.CharField(
        label=_("区域范围"),
        max_length=6,
        required=False,
        help_text=_("行政区划代码前缀,须在您的管辖范围之内;留空为您的全部范围。"),
    )
    bank = forms.ModelChoiceField(
        label=_("所属银行"),
        queryset=Bank.objects.order_by("code"),
        required=False,
        help_text=_("银行的信贷系统:读取本行推荐名单、回写贷款信息。"),
    )
    guarantor = forms.ModelChoiceField(
        label=_("所属担保机构"),
        queryset=GuaranteeInstitution.objects.all(),
        required=False,
        help_text=_("担保机构的业务系统:担保合同与代偿。"),
    )

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_scope"].initial = staff.region_scope


def form_error_add(form, error) -> None:
    """Show a service's refusal on ``form``: a ValidationError's messages on their fields (or the form's top when
    the field is not on it), an ApplicationError's message at the top."""
    if isinstance(error, ValidationError):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.message)
