"""Financing needs and applications over the API: the firm's view (a status as the firm reads it, a decline by its
category only) and the bank's (its own internal note too)."""

from rest_framework import serializers

from banks.choices import ApplicationStatus, DeclineCategory, Urgency
from banks.financing_selectors import firm_status_label
from banks.models import ApplicationStep, FinancingApplication, FinancingNeed
from core.models import Bank


class StepSerializer(serializers.ModelSerializer):
    status_label = serializers.SerializerMethodField(help_text="企业看到的状态(拒绝时附原因类别)")

    class Meta:
        model = ApplicationStep
        fields = ["status", "status_label", "at"]

    def get_status_label(self, step) -> str:
        return firm_status_label(step)


class FirmApplicationSerializer(serializers.ModelSerializer):
    """An application as its firm sees it: the status, its date and, on a decline, the reason category (what the
    firm is told, issue #15) — under names of its own, never the bank's work fields (``decline_reason``, officer)."""

    bank_name = serializers.CharField(source="bank.short_label", read_only=True)
    purpose = serializers.CharField(source="need.purpose", read_only=True)
    status_label = serializers.SerializerMethodField(help_text="企业看到的状态(拒绝时附原因类别)")
    status_date = serializers.DateTimeField(source="status_changed_at", read_only=True)
    reason_category = serializers.CharField(source="decline_category", read_only=True,
                                            help_text="拒绝原因类别(固定列表);未拒绝时为空")  # fmt: skip
    steps = StepSerializer(many=True, read_only=True)

    class Meta:
        model = FinancingApplication
        fields = ["id", "need", "purpose", "bank", "bank_name", "product", "status", "status_label", "status_date",
                  "reason_category", "steps", "created_at"]  # fmt: skip
        read_only_fields = fields

    def get_status_label(self, application) -> str:
        return firm_status_label(application)


class NeedSerializer(serializers.ModelSerializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="万元;不超过 100000(10 亿元)")
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
    preferred_banks = serializers.PrimaryKeyRelatedField(queryset=Bank.objects.all(), many=True, required=False)
    is_open = serializers.BooleanField(read_only=True)
    applications = FirmApplicationSerializer(many=True, read_only=True)

    class Meta:
        model = FinancingNeed
        fields = ["id", "amount", "term_months", "purpose", "urgency", "valid_until", "preferred_banks",
                  "preferred_products", "withdrawn_at", "is_open", "applications", "created_at"]  # fmt: skip
        read_only_fields = ["id", "withdrawn_at", "is_open", "applications", "created_at"]
        extra_kwargs = {"preferred_products": {"required": False}}

    def get_fields(self):
        fields = super().get_fields()
        for name in ("amount", "term_months", "purpose", "valid_until"):  # the service states the rule, naming it
            fields[name].validators = []
        return fields


class ApplicationCreateSerializer(serializers.Serializer):
    need = serializers.IntegerField()
    bank = serializers.IntegerField(required=False, help_text="省略时为产品所属银行")
    product = serializers.IntegerField(required=False)


class IncomingApplicationSerializer(serializers.ModelSerializer):
    """An application addressed to the bank, with the need and the firm it comes from."""

    enterprise = serializers.IntegerField(source="need.enterprise_id", read_only=True)
    enterprise_name = serializers.CharField(source="need.enterprise.name", read_only=True)
    credit_code = serializers.CharField(source="need.enterprise.credit_code", read_only=True)
    amount = serializers.DecimalField(source="need.amount", max_digits=12, decimal_places=2, read_only=True)
    term_months = serializers.IntegerField(source="need.term_months", read_only=True)
    purpose = serializers.CharField(source="need.purpose", read_only=True)
    urgency = serializers.CharField(source="need.urgency", read_only=True)
    valid_until = serializers.DateField(source="need.valid_until", read_only=True)

    class Meta:
        model = FinancingApplication
        fields = ["id", "need", "enterprise", "enterprise_name", "credit_code", "amount", "term_months", "purpose",
                  "urgency", "valid_until", "product", "status", "status_changed_at", "decline_category",
                  "decline_reason", "created_at"]  # fmt: skip
        read_only_fields = fields


class ApplicationStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ApplicationStatus.choices)
    decline_category = serializers.ChoiceField(
        choices=DeclineCategory.choices, required=False, help_text="拒绝原因类别(拒绝时必填);企业只会看到类别"
    )
    decline_reason = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, help_text="拒绝的内部说明(本行内部,企业不可见)"
    )
