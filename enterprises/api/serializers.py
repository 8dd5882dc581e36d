from rest_framework import serializers

from enterprises.models import Enterprise


class EnterpriseSerializer(serializers.ModelSerializer):
    section = serializers.CharField(source="section_id", read_only=True)

    class Meta:
        model = Enterprise
        fields = [
            "credit_code", "name", "region_code", "industry_code", "section", "established", "size_class",
            "is_high_tech_enterprise", "is_tech_sme", "is_specialised_sme", "is_little_giant",
        ]  # fmt: skip
