from django import forms
from django.utils.translation import gettext_lazy as _

from loans.forms import DateInput


class CompensationForm(forms.Form):
    amount = forms.DecimalField(label=_("代偿金额(万元)"), max_digits=12, decimal_places=2)
    occurred_on = forms.DateField(label=_("代偿日期"), widget=DateInput)
    recovered_amount = forms.DecimalField(label=_("已追偿金额(万元)"), max_digits=12, decimal_places=2, initial=0)
    notes = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
