"""API representations of enterprises and their filings. The filing write serializers only parse JSON into the
values the filing services take; the services (``enterprises.services``) decide what is valid, as for the page."""

from django.utils.translation import gettext as _
from rest_framework import serializers

from enterprises.models import Enterprise, Submission
from enterprises.services import VALUE_FIELDS


class EnterpriseSerializer(serializers.ModelSerializer):
    section = serializers.CharField(source="section_id", read_only=True)

    class Meta:
        model = Enterprise
        fields = [
            "credit_code", "name", "region_code", "industry_code", "section", "established", "size_class",
            "is_high_tech_enterprise", "is_tech_sme", "is_specialised_sme", "is_little_giant",
        ]  # fmt: skip


FILING_FIELDS = [*VALUE_FIELDS, "financing_purpose", "preferred_banks"]
"""What a firm files (methodology §1's raw fields and its financing need): the filing page's fields."""


class SubmissionSerializer(serializers.ModelSerializer):
    """A filing with every raw field; amounts in 万元 as decimal strings, ``preferred_banks`` as bank ids."""

    credit_code = serializers.CharField(source="enterprise.credit_code", read_only=True)
    name = serializers.CharField(source="enterprise.name", read_only=True)
    batch = serializers.IntegerField(source="batch_id", read_only=True)

    class Meta:
        model = Submission
        fields = [
            "id", "credit_code", "name", "batch", "status", "data_source", *FILING_FIELDS, "submitted_at",
            "reviewed_at", "review_comment", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class SubmissionSavedSerializer(SubmissionSerializer):
    """A filing just saved or submitted, with the checks' warnings (saved anyway; they ask for a second look)."""

    warnings = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), read_only=True,
        help_text="字段 → 提示(已保存;请核对单位与数值)",
    )  # fmt: skip

    class Meta(SubmissionSerializer.Meta):
        fields = [*SubmissionSerializer.Meta.fields, "warnings"]
        read_only_fields = fields

    def to_representation(self, instance):
        return {**super().to_representation(instance), "warnings": self.context.get("warnings", {})}


class SubmissionValuesSerializer(serializers.ModelSerializer):
    """Filing values to save: any subset of the fields (absent ones keep their value, ``null`` blanks one, as an
    empty box on the page does). Types and model limits are checked here, the filing's rules by the services."""

    class Meta:
        model = Submission
        fields = FILING_FIELDS
        extra_kwargs = {
            **{name: {"required": False, "allow_null": True} for name in VALUE_FIELDS},
            "financing_purpose": {"required": False},
            "preferred_banks": {"required": False},
        }

    def validate(self, attrs):
        if isinstance(self.initial_data, dict):
            unknown = sorted(set(self.initial_data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: [_("未知字段。")] for name in unknown})
        return attrs


class SubmissionCreateSerializer(SubmissionValuesSerializer):
    """A new filing: the batch (default: the batch open for filing now) and any values to save as its draft."""

    batch = serializers.IntegerField(
        required=False, min_value=1, help_text="当前开放填报的批次;省略时即为该批次", write_only=True
    )

    class Meta(SubmissionValuesSerializer.Meta):
        fields = ["batch", *FILING_FIELDS]


class ReviewSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, help_text="审核意见(退回时必填)")
