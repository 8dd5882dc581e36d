"""API representations of scoring objects. Score rows are built by hand: the declared fields document the schema,
``to_representation`` skips DRF's per-field machinery (a 500-row page in a few ms instead of tens)."""

from rest_framework import serializers

from scoring.choices import Grade, Stage
from scoring.models import Batch, Indicator, IndicatorSystem, Score, ScoringRun


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = [
            "code", "name", "category", "source_field", "method", "reference", "thresholds", "fractions",
            "weight_startup", "weight_growth", "weight_stable", "is_bonus", "order",
        ]  # fmt: skip


class IndicatorSystemSerializer(serializers.ModelSerializer):
    key = serializers.CharField(read_only=True)
    indicators = IndicatorSerializer(many=True, read_only=True)
    grade_bands = serializers.DictField(child=serializers.FloatField())

    class Meta:
        model = IndicatorSystem
        fields = [
            "id", "key", "code", "version", "name", "description", "region_scope", "bonus_cap", "min_group_size",
            "threshold", "grade_bands", "startup_age", "startup_revenue", "stable_age", "stable_revenue", "frozen",
            "content_hash", "indicators",
        ]  # fmt: skip


class BatchSerializer(serializers.ModelSerializer):
    system = serializers.CharField(source="system.key", read_only=True)
    published_run = serializers.IntegerField(source="published_run_id", read_only=True, allow_null=True)

    class Meta:
        model = Batch
        fields = [
            "id", "name", "year", "reference_date", "region_scope", "system", "status", "opens_on", "closes_on",
            "published_run",
        ]  # fmt: skip


class ScoringRunSerializer(serializers.ModelSerializer):
    batch = serializers.IntegerField(source="batch_id", read_only=True)
    system = serializers.CharField(source="system.key", read_only=True)
    indicator_codes = serializers.ListField(child=serializers.CharField())
    counts = serializers.DictField()

    class Meta:
        model = ScoringRun
        fields = [
            "id", "batch", "system", "state", "progress", "heartbeat_at", "started_at", "finished_at", "published_at",
            "enterprise_count", "indicator_codes", "counts", "error",
        ]  # fmt: skip


class ScoreSerializer(serializers.Serializer):
    """A published score with its per-indicator points as ``{indicator code: points}``.

    Needs ``context["indicator_codes"]`` (the run's order of ``points``) and rows with ``enterprise`` selected.
    """

    credit_code = serializers.CharField(help_text="统一社会信用代码")
    name = serializers.CharField()
    region_code = serializers.CharField()
    section = serializers.CharField()
    batch = serializers.IntegerField()
    run = serializers.IntegerField()
    stage = serializers.ChoiceField(choices=Stage.choices)
    peer_level = serializers.IntegerField()
    total = serializers.FloatField()
    base = serializers.FloatField()
    bonus = serializers.FloatField()
    grade = serializers.ChoiceField(choices=Grade.choices)
    rank_national = serializers.IntegerField()
    rank_province = serializers.IntegerField()
    rank_industry = serializers.IntegerField()
    stage_percentile = serializers.FloatField()
    eligible = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())
    points = serializers.DictField(child=serializers.FloatField())

    def to_representation(self, score: Score) -> dict:
        enterprise = score.enterprise
        codes = self.context["indicator_codes"]
        if callable(codes):  # rows of several runs: codes looked up per run
            codes = codes(score)
        return {
            "credit_code": enterprise.credit_code,
            "name": enterprise.name,
            "region_code": enterprise.region_code,
            "section": enterprise.section_id,
            "batch": self.context["batch_of"](score),
            "run": score.run_id,
            "stage": score.stage,
            "peer_level": score.peer_level,
            "total": float(score.total),
            "base": score.base,
            "bonus": score.bonus,
            "grade": score.grade,
            "rank_national": score.rank_national,
            "rank_province": score.rank_province,
            "rank_industry": score.rank_industry,
            "stage_percentile": score.stage_percentile,
            "eligible": score.eligible,
            "reasons": score.reason_codes,
            "points": dict(zip(codes, score.points, strict=False)),
        }


class RankingEntrySerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    credit_code = serializers.CharField()
    name = serializers.CharField()
    region_code = serializers.CharField()
    section = serializers.CharField()
    stage = serializers.ChoiceField(choices=Stage.choices)
    total = serializers.FloatField()
    grade = serializers.ChoiceField(choices=Grade.choices)
    eligible = serializers.BooleanField()

    def to_representation(self, score: Score) -> dict:
        enterprise = score.enterprise
        return {
            "rank": getattr(score, self.context["rank_field"]),
            "credit_code": enterprise.credit_code,
            "name": enterprise.name,
            "region_code": enterprise.region_code,
            "section": enterprise.section_id,
            "stage": score.stage,
            "total": float(score.total),
            "grade": score.grade,
            "eligible": score.eligible,
        }


class FunnelRowSerializer(serializers.Serializer):
    region_code = serializers.CharField(help_text="省级行政区划代码;合计行为空")
    collected = serializers.IntegerField(help_text="已提交的填报(不含草稿)")
    scored = serializers.IntegerField(help_text="已发布评分中的企业数")
    eligible = serializers.IntegerField(help_text="其中可推荐的企业数")


class FunnelSerializer(serializers.Serializer):
    batch = serializers.IntegerField()
    run = serializers.IntegerField(allow_null=True)
    total = FunnelRowSerializer()
    regions = FunnelRowSerializer(many=True)
