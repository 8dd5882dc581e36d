"""API representations of guarantee contracts under the special guarantee plan and their compensation events."""

from rest_framework import serializers

from core.choices import InstitutionKind
from core.models import GuaranteeInstitution
from guarantees.models import CompensationEvent, GuaranteeContract, RiskLevel

PERCENT = {"max_digits": 5, "decimal_places": 2}
FEE = {"max_digits": 5, "decimal_places": 3}


class CompensationEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = CompensationEvent
        fields = ["id", "amount", "occurred_on", "recovered_amount", "notes", "created_at"]
        read_only_fields = fields


class GuaranteeContractSerializer(serializers.ModelSerializer):
    contract_no = serializers.CharField(source="loan.contract_no", read_only=True, help_text="贷款合同编号")
    credit_code = serializers.CharField(source="loan.enterprise.credit_code", read_only=True)
    name = serializers.CharField(source="loan.enterprise.name", read_only=True)
    bank = serializers.IntegerField(source="loan.bank_id", read_only=True)
    loan = serializers.IntegerField(source="loan_id", read_only=True)
    guarantor = serializers.IntegerField(source="guarantor_id", read_only=True)
    reguarantor = serializers.IntegerField(source="reguarantor_id", read_only=True, allow_null=True)
    compensations = CompensationEventSerializer(many=True, read_only=True)

    class Meta:
        model = GuaranteeContract
        fields = [
            "id", "loan", "contract_no", "credit_code", "name", "bank", "guarantor", "reguarantor", "amount",
            "bank_share", "national_fund_share", "provincial_share", "local_share", "guarantee_fee_rate",
            "reguarantee_fee_rate", "signed_on", "released_on", "compensations", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class GuaranteeContractCreateSerializer(serializers.Serializer):
    """The guarantee form; every rule of the special plan is checked by the service (400 naming the field)."""

    guarantor = serializers.PrimaryKeyRelatedField(queryset=GuaranteeInstitution.objects.all())
    reguarantor = serializers.PrimaryKeyRelatedField(
        queryset=GuaranteeInstitution.objects.filter(kind=InstitutionKind.PROVINCIAL), required=False, allow_null=True
    )
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="担保金额(万元)")
    bank_share = serializers.DecimalField(**PERCENT, help_text="银行分险比例(%)")
    national_fund_share = serializers.DecimalField(**PERCENT, help_text="国家融资担保基金分险比例(%)")
    provincial_share = serializers.DecimalField(**PERCENT, help_text="省级再担保分险比例(%)")
    local_share = serializers.DecimalField(**PERCENT, help_text="地方担保机构分险比例(%)")
    guarantee_fee_rate = serializers.DecimalField(**FEE, help_text="担保费率(%)")
    reguarantee_fee_rate = serializers.DecimalField(**FEE, help_text="再担保费率(%)")
    signed_on = serializers.DateField()


class GuaranteeReleaseSerializer(serializers.Serializer):
    released_on = serializers.DateField(help_text="解除日期,不早于签约日期")


class CompensationEventCreateSerializer(serializers.Serializer):
    """Only after the loan is overdue or in default, within the guaranteed amount; the loan is then in default."""

    amount = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="代偿金额(万元)")
    occurred_on = serializers.DateField()
    recovered_amount = serializers.DecimalField(max_digits=12, decimal_places=2, default=0, help_text="万元")
    notes = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class GuarantorSerializer(serializers.ModelSerializer):
    """A guarantee institution with its book against the risk-pool lines: ``accepting`` is false at the fuse (a
    guarantee naming it is then refused). Rates in percent, two decimals."""

    kind = serializers.ChoiceField(choices=InstitutionKind.choices, read_only=True)
    region_scope = serializers.CharField(read_only=True, help_text="业务区域(行政区划代码前缀);空为全国")
    compensation_rate = serializers.DecimalField(max_digits=7, decimal_places=2, read_only=True,
                                                 help_text="本机构代偿率(%)")  # fmt: skip
    pool_compensation_rate = serializers.DecimalField(
        max_digits=7, decimal_places=2, read_only=True, allow_null=True,
        help_text="省级再担保机构:其风险池的代偿率(%);其他机构为 null",
    )  # fmt: skip
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices, read_only=True)
    accepting = serializers.BooleanField(read_only=True, help_text="未达熔断线,可新增担保")

    class Meta:
        model = GuaranteeInstitution
        fields = ["id", "name", "kind", "region_scope", "compensation_rate", "pool_compensation_rate", "risk_level",
                  "accepting"]  # fmt: skip
        read_only_fields = fields
