from django import forms
from django.utils.translation import gettext_lazy as _

from core.choices import InstitutionKind
from core.models import GuaranteeInstitution
from loans.forms import DateInput


class CompensationForm(forms.Form):
    amount = forms.DecimalField(label=_("代偿金额(万元)"), max_digits=12, decimal_places=2)
    occurred_on = forms.DateField(label=_("代偿日期"), widget=DateInput)
    recovered_amount = forms.DecimalField(label=_("已追偿金额(万元)"), max_digits=12, decimal_places=2, initial=0)
    notes = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class GuaranteeForm(forms.Form):
    guarantor = forms.ModelChoiceField(label=_("担保机构"), queryset=GuaranteeInstitution.objects.all())
    reguarantor = forms.ModelChoiceField(
        label=_("省级再担保机构"),
        queryset=GuaranteeInstitution.objects.filter(kind=InstitutionKind.PROVINCIAL),
        required=False,
    )
    amount = forms.DecimalField(label=_("担保金额(万元)"), max_digits=12, decimal_places=2)
    bank_share = forms.DecimalField(label=_("银行分险比例(%)"), max_digits=5, decimal_places=2)
    national_fund_share = forms.DecimalField(label=_("国家融资担保基金分险比例(%)"), max_digits=5, decimal_places=2)
    provincial_share = forms.DecimalField(label=_("省级再担保分险比例(%)"), max_digits=5, decimal_places=2)
    local_share = forms.DecimalField(label=_("地方担保机构分险比例(%)"), max_digits=5, decimal_places=2)
    guarantee_fee_rate = forms.DecimalField(label=_("担保费率(%)"), max_digits=5, decimal_places=3)
    reguarantee_fee_rate = forms.DecimalField(label=_("再担保费率(%)"), max_digits=5, decimal_places=3)
    signed_on = forms.DateField(label=_("签约日期"), widget=DateInput)
