"""API representations of a bank's recommendations, the officer's workflow inputs, and a consenting firm's profile."""

from rest_framework import serializers

from banks.choices import DeclineCategory, RecommendationStatus
from banks.models import LoanProduct, Recommendation
from core.choices import BankKind
from core.models import Bank, Branch
from scoring.choices import Grade, Stage


class RecommendationSerializer(serializers.ModelSerializer):
    batch = serializers.IntegerField(source="run.batch_id", read_only=True)
    run = serializers.IntegerField(source="run_id", read_only=True)
    credit_code = serializers.CharField(source="enterprise.credit_code", read_only=True, help_text="统一社会信用代码")
    name = serializers.CharField(source="enterprise.name", read_only=True)
    total = serializers.FloatField(read_only=True, allow_null=True)
    grade = serializers.ChoiceField(choices=Grade.choices, read_only=True, allow_null=True)
    stage = serializers.ChoiceField(choices=Stage.choices, read_only=True, allow_null=True)
    product_ids = serializers.ListField(child=serializers.IntegerField(), read_only=True, allow_null=True)
    consent_withdrawn = serializers.BooleanField(
        source="masked", read_only=True, help_text="企业已撤销对本行的授权:只保留本行的跟进记录,企业的各项数据为 null"
    )
    officer = serializers.CharField(
        source="officer.username", read_only=True, allow_null=True, help_text="跟进客户经理(或 API 客户端的服务账号)"
    )

    class Meta:
        model = Recommendation
        fields = [
            "id", "batch", "run", "credit_code", "name", "list_rank", "total", "grade", "stage", "region_code",
            "section", "product_ids", "suggested_line", "financing_amount", "preferred", "status", "status_changed_at",
            "officer", "notes", "decline_category", "decline_reason", "superseded", "created_at", "consent_withdrawn",
        ]  # fmt: skip
        read_only_fields = fields
        extra_kwargs = {name: {"allow_null": True} for name in ("region_code", "section", "suggested_line",
                                                                 "financing_amount", "preferred")}  # fmt: skip
        extra_kwargs["decline_category"] = {"allow_null": True, "allow_blank": False}

    def to_representation(self, instance):
        """A masked row (the firm's consent lapsed after the bank worked it) withholds every figure of the firm."""
        data = super().to_representation(instance)
        data["decline_category"] = data.get("decline_category") or None  # no category yet: null, not ""
        if instance.masked:
            data.update(dict.fromkeys(Recommendation.MASKED_FIELDS))
        return data


class RecommendationStatusSerializer(serializers.Serializer):
    """new → viewed → contacted → approved, or → declined with a reason; "contracted" by recording the loan."""

    status = serializers.ChoiceField(choices=RecommendationStatus.choices)
    decline_category = serializers.ChoiceField(
        choices=DeclineCategory.choices, required=False, help_text="拒绝原因类别(拒绝时必填);企业日后只会看到类别"
    )
    decline_reason = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, help_text="拒绝的内部说明(本行内部,企业不可见)"
    )
    notes = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class RecommendationNotesSerializer(serializers.Serializer):
    notes = serializers.CharField(allow_blank=True, max_length=5000)


class RecommendationReassignSerializer(serializers.Serializer):
    """Whom to hand the firm to: a colleague of the bank who can see it, by username (as ``officer`` reads)."""

    officer = serializers.CharField(max_length=150, help_text="接手的本行客户经理的用户名(须能看到该企业)")


class ProfileScoreSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Stage.choices)
    total = serializers.FloatField()
    grade = serializers.ChoiceField(choices=Grade.choices)
    rank_national = serializers.IntegerField()
    rank_province = serializers.IntegerField()
    rank_industry = serializers.IntegerField()


class ProfileFinancingSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True, help_text="万元")
    term_months = serializers.IntegerField(allow_null=True)
    purpose = serializers.CharField()


class ProfileFinancialsSerializer(serializers.Serializer):
    revenue = serializers.DecimalField(max_digits=16, decimal_places=2, help_text="营业收入(万元)")
    rd_expense = serializers.DecimalField(max_digits=16, decimal_places=2, help_text="研发费用(万元)")
    invention_patents = serializers.IntegerField()


class ProfileLineSerializer(serializers.Serializer):
    product = serializers.IntegerField()
    name = serializers.CharField()
    line = serializers.DecimalField(max_digits=16, decimal_places=2, help_text="建议授信额度(万元),方法 §11")


class RecommendationProfileSerializer(serializers.Serializer):
    """What the officer's profile page shows; ``financials`` only under a consent of scope ``financials``."""

    recommendation = serializers.IntegerField()
    consent_scope = serializers.ChoiceField(choices=["profile", "financials"])
    credit_code = serializers.CharField()
    name = serializers.CharField()
    region_code = serializers.CharField()
    industry_code = serializers.CharField()
    established = serializers.DateField()
    score = ProfileScoreSerializer(allow_null=True)
    financing = ProfileFinancingSerializer(allow_null=True)
    financials = ProfileFinancialsSerializer(allow_null=True)
    lines = ProfileLineSerializer(many=True)


class BankSerializer(serializers.ModelSerializer):
    """A lending institution (public reference: what a consent or a loan names)."""

    kind = serializers.ChoiceField(choices=BankKind.choices, read_only=True)
    region_scope = serializers.CharField(read_only=True, help_text="经营区域(行政区划代码前缀);全国性机构为空")

    class Meta:
        model = Bank
        fields = ["id", "code", "name", "short_name", "kind", "is_national", "region_scope", "relending_participant"]
        read_only_fields = fields


class BranchSerializer(serializers.ModelSerializer):
    bank = serializers.IntegerField(source="bank_id", read_only=True)
    region_scope = serializers.CharField(read_only=True, help_text="服务区域(行政区划代码前缀)")

    class Meta:
        model = Branch
        fields = ["id", "bank", "name", "region_scope"]
        read_only_fields = fields


class LoanProductSerializer(serializers.ModelSerializer):
    """One of the bank's own loan products: what a loan is recorded under (``product`` of the loan form)."""

    bank = serializers.IntegerField(source="bank_id", read_only=True)
    min_grade = serializers.ChoiceField(choices=Grade.choices, read_only=True)
    stages = serializers.ListField(child=serializers.ChoiceField(choices=Stage.choices), read_only=True,
                                   help_text="适用阶段;空为全部")  # fmt: skip
    sections = serializers.ListField(child=serializers.CharField(), read_only=True, help_text="适用行业门类;空为全部")
    line_by_grade = serializers.DictField(child=serializers.DecimalField(max_digits=12, decimal_places=2),
                                          read_only=True, help_text="各等级授信额度(万元)")  # fmt: skip
    branches = serializers.PrimaryKeyRelatedField(many=True, read_only=True, help_text="限定的分支机构;空为全行")

    class Meta:
        model = LoanProduct
        fields = [
            "id", "bank", "name", "min_grade", "stages", "sections", "max_amount", "term_months", "rate_spread_bp",
            "line_by_grade", "active", "branches",
        ]  # fmt: skip
        read_only_fields = fields
