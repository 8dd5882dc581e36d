from django import forms
from django.utils.translation import gettext_lazy as _

from banks.models import LoanProduct

from .models import GuaranteeMode, RepaymentStatus


class DateInput(forms.DateInput):
    """An HTML date input: its value must be ISO 8601 whatever the locale's display format (zh: 2025/01/31)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class LoanContractForm(forms.Form):
    product = forms.ModelChoiceField(label=_("产品"), queryset=LoanProduct.objects.none())
    contract_no = forms.CharField(label=_("合同编号"), max_length=40, required=False, help_text=_("留空自动生成。"))
    amount = forms.DecimalField(label=_("合同金额(万元)"), max_digits=12, decimal_places=2)
    over_line_reason = forms.CharField(
        label=_("超出建议额度的理由"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    rate = forms.DecimalField(label=_("年利率(%)"), max_digits=5, decimal_places=3)
    term_months = forms.IntegerField(label=_("期限(月)"), min_value=1)
    signed_on = forms.DateField(label=_("签约日期"), widget=DateInput)
    disbursed_on = forms.DateField(label=_("放款日期"), widget=DateInput, required=False)
    guarantee_mode = forms.ChoiceField(label=_("担保方式"), choices=GuaranteeMode.choices)

    def __init__(self, *args, recommendation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = LoanProduct.objects.filter(
            bank_id=recommendation.bank_id, pk__in=recommendation.product_ids
        )


class RepaymentForm(forms.Form):
    repayment_status = forms.ChoiceField(label=_("还款状态"), choices=RepaymentStatus.choices)


class WarningAcknowledgeForm(forms.Form):
    note = forms.CharField(
        label=_("处理说明"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("例如:已电话核实经营情况、已提高贷后检查频率。"),
    )  # fmt: skip
