"""API representations of loan contracts, their inputs (the loan form's fields), and the bureau's funnel."""

from rest_framework import serializers

from banks.models import LoanProduct
from loans.models import GuaranteeMode, LoanContract, LoanWarning, RepaymentStatus, WarningKind


class LoanContractSerializer(serializers.ModelSerializer):
    credit_code = serializers.CharField(source="enterprise.credit_code", read_only=True, help_text="统一社会信用代码")
    name = serializers.CharField(source="enterprise.name", read_only=True)
    bank = serializers.IntegerField(source="bank_id", read_only=True)
    product = serializers.IntegerField(source="product_id", read_only=True, allow_null=True)
    recommendation = serializers.IntegerField(source="recommendation_id", read_only=True, allow_null=True)
    guarantee = serializers.SerializerMethodField(help_text="担保合同 id(科技创新专项担保计划)")
    officer = serializers.CharField(source="officer.username", read_only=True, allow_null=True)

    class Meta:
        model = LoanContract
        fields = [
            "id", "contract_no", "credit_code", "name", "bank", "product", "recommendation", "amount",
            "over_line_reason", "rate", "term_months", "signed_on", "disbursed_on", "repayment_status",
            "relending_eligible", "guarantee_mode", "guarantee", "officer", "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_guarantee(self, loan) -> int | None:
        guarantee = getattr(loan, "guarantee", None)
        return guarantee.pk if guarantee is not None else None


class LoanContractCreateSerializer(serializers.Serializer):
    """The loan form: the service checks amount, line, rate, term and dates against the product (400 per field)."""

    product = serializers.PrimaryKeyRelatedField(queryset=LoanProduct.objects.none(), help_text="该企业匹配的本行产品")
    contract_no = serializers.CharField(required=False, allow_blank=True, max_length=40, help_text="留空自动生成")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="万元")
    over_line_reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    rate = serializers.DecimalField(max_digits=5, decimal_places=3, help_text="年利率(%)")
    term_months = serializers.IntegerField(min_value=1, max_value=32767)
    signed_on = serializers.DateField()
    disbursed_on = serializers.DateField(required=False, allow_null=True)
    guarantee_mode = serializers.ChoiceField(choices=GuaranteeMode.choices, default=GuaranteeMode.CREDIT)

    def __init__(self, *args, recommendation=None, **kwargs):
        super().__init__(*args, **kwargs)
        if recommendation is not None:  # as the loan form: the products the firm matched at this bank
            self.fields["product"].queryset = LoanProduct.objects.filter(
                bank_id=recommendation.bank_id, pk__in=recommendation.product_ids
            )


class LoanContractUpdateSerializer(serializers.Serializer):
    """Either or both; a settled loan is final, disbursement not before signature (the services' rules)."""

    repayment_status = serializers.ChoiceField(choices=RepaymentStatus.choices, required=False)
    disbursed_on = serializers.DateField(required=False)


class LoanWarningSerializer(serializers.ModelSerializer):
    """A post-loan warning: what the newer run (or the imported veto flag) says against the score the loan was
    signed on."""

    loan = serializers.IntegerField(source="loan_id", read_only=True)
    contract_no = serializers.CharField(source="loan.contract_no", read_only=True)
    credit_code = serializers.CharField(source="enterprise.credit_code", read_only=True, help_text="统一社会信用代码")
    name = serializers.CharField(source="enterprise.name", read_only=True)
    kind = serializers.ChoiceField(choices=WarningKind.choices, read_only=True)
    batch = serializers.IntegerField(source="batch_id", read_only=True)
    run = serializers.IntegerField(source="run_id", read_only=True, allow_null=True)
    reasons = serializers.SerializerMethodField(help_text="方法论 §7 原因代码")
    acknowledged_by = serializers.CharField(source="acknowledged_by.username", read_only=True, allow_null=True)

    class Meta:
        model = LoanWarning
        fields = [
            "id", "loan", "contract_no", "credit_code", "name", "kind", "batch", "run", "previous_grade", "grade",
            "previous_total", "total", "reasons", "created_at", "acknowledged_at", "acknowledged_by", "note",
        ]  # fmt: skip
        read_only_fields = fields

    def get_reasons(self, warning) -> list[str]:
        return [code for code in warning.reasons.replace(" ", ";").split(";") if code]


class LoanWarningAcknowledgeSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, help_text="处理说明(必填)")
