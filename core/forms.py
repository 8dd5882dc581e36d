"""Forms of the bureau's API-client page. They parse; ``core.services`` decides."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.models import GuaranteeInstitution

from .models import ApiClient
from .validators import validate_region_scope
from .widgets import RegionPickerWidget


class ApiClientForm(forms.Form):
    """A bank's client: a name, its scopes and its region (inside the issuer's)."""

    name = forms.CharField(label=_("客户端名称"), max_length=100, help_text=_("例如“某银行信贷系统”。"))
    scopes = forms.MultipleChoiceField(
        label=_("权限范围"), choices=ApiClient.Scope.choices, widget=forms.CheckboxSelectMultiple
    )
    region_scope = forms.CharField(
        label=_("区域范围"),
        max_length=6,
        required=False,
        validators=[validate_region_scope],
        widget=RegionPickerWidget(),
        help_text=_("须在您的管辖范围之内;不选为您的全部范围。"),
    )

    def __init__(self, *args, area: str, scopes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_scope"].initial = area
        self.fields["region_scope"].widget.root = area  # the picker stays inside the issuer's region
        if scopes is not None:  # offer only what this kind of client may hold
            self.fields["scopes"].choices = [(v, label) for v, label in ApiClient.Scope.choices if v in scopes]


class BureauApiClientForm(ApiClientForm):
    """A bureau's client: a provincial platform, or a guarantor's system (banks issue their own)."""

    guarantor = forms.ModelChoiceField(
        label=_("所属担保机构"),
        queryset=GuaranteeInstitution.objects.all(),
        required=False,
        help_text=_("担保机构的业务系统:担保合同与代偿。留空为不属于任何机构的平台客户端。"),
    )


def form_error_add(form, error) -> None:
    """Show a service's refusal on ``form``: a ValidationError's messages on their fields (or the form's top when
    the field is not on it), an ApplicationError's message at the top."""
    if isinstance(error, ValidationError):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.message)
