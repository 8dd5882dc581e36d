"""Forms of firms finding money: they parse and present; ``banks.financing`` decides what is valid."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.models import Bank
from scoring.choices import Stage

from .choices import ApplicationStatus, DeclineCategory, GuaranteeMode, Urgency
from .models import FinancingNeed, LoanProduct

ALL = _("全部")


def _blank(choices, label=ALL):
    return [("", label), *choices]


class NeedForm(forms.Form):
    amount = forms.DecimalField(label=_("需求金额(万元)"), max_digits=12, decimal_places=2,
                                widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}))  # fmt: skip
    term_months = forms.IntegerField(label=_("期限(月)"))
    purpose = forms.CharField(label=_("资金用途"), max_length=200)
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices, initial=Urgency.NORMAL)
    valid_until = forms.DateField(label=_("有效期至"), widget=forms.DateInput(attrs={"type": "date"}))
    preferred_banks = forms.ModelMultipleChoiceField(
        Bank.objects.order_by("code"), required=False, label=_("意向银行"),
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )  # fmt: skip


class ShelfFilterForm(forms.Form):
    """The supermarket's filters; every one optional."""

    bank = forms.ModelChoiceField(Bank.objects.order_by("code"), required=False, label=_("银行"),
                                  empty_label=_("全部"))  # fmt: skip
    amount = forms.DecimalField(label=_("需要金额(万元)"), required=False, min_value=0, max_digits=12,
                                decimal_places=2)  # fmt: skip
    term_months = forms.IntegerField(label=_("需要期限(月)"), required=False, min_value=1, max_value=120)
    guarantee_mode = forms.ChoiceField(label=_("担保方式"), choices=_blank(GuaranteeMode.choices), required=False)
    stage = forms.ChoiceField(label=_("发展阶段"), choices=_blank(Stage.choices), required=False)


class ApplyForm(forms.Form):
    need = forms.ModelChoiceField(FinancingNeed.objects.none(), label=_("融资需求"), empty_label=None)
    product = forms.ModelChoiceField(
        LoanProduct.objects.filter(active=True).select_related("bank"), label=_("申请产品"), widget=forms.HiddenInput
    )

    def __init__(self, *args, needs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["need"].queryset = needs
        self.fields["need"].label_from_instance = lambda need: (
            _("%(amount)s 万元 · %(term)s 个月 · %(purpose)s")
            % {"amount": f"{need.amount.normalize():f}", "term": need.term_months, "purpose": need.purpose}
        )


class ApplicationStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("新状态"), choices=ApplicationStatus.choices)
    category = forms.ChoiceField(label=_("拒绝原因"), choices=_blank(DeclineCategory.choices, "—"), required=False)
    reason = forms.CharField(
        label=_("内部说明(企业不可见)"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )
