"""API representations of scoring objects. Score rows are ``values()`` dicts built by hand: the declared fields
document the schema, ``to_representation`` skips DRF's per-field machinery and the ORM's model instances (a 500-row
page in a few ms instead of tens)."""

from rest_framework import serializers

from enterprises.models import Batch
from scoring.choices import Grade, Stage
from scoring.labels import reason_labels
from scoring.models import Indicator, IndicatorSystem, Score, ScoringRun

POINTS = Score._meta.get_field("points")  # its to_python turns the stored array (a list, or JSON text) into floats


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
    system = serializers.CharField(source="scoring.system.key", read_only=True)
    published_run = serializers.IntegerField(source="scoring.published_run_id", read_only=True, allow_null=True)

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

    Rows are ``values()`` dicts (``scoping.SCORE_COLUMNS``); the run's batch and indicator order (the order of
    ``points``) come from the row (``run__batch_id``, ``run__indicator_codes``: ``LOOKUP_COLUMNS``) or, for the
    rows of one run, from ``context["batch"]`` and ``context["indicator_codes"]``. ``region_code`` is the firm's
    region when it was scored (what ``rank_province`` refers to).
    """

    credit_code = serializers.CharField(help_text="统一社会信用代码")
    name = serializers.CharField()
    region_code = serializers.CharField(help_text="评分时企业的行政区划代码")
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

    def to_representation(self, row: dict) -> dict:
        codes = row["run__indicator_codes"] if "run__indicator_codes" in row else self.context["indicator_codes"]
        reasons = row["reasons"]
        return {
            "credit_code": row["enterprise__credit_code"],
            "name": row["enterprise__name"],
            "region_code": f"{row['region']:06d}",
            "section": row["enterprise__section_id"],
            "batch": row["run__batch_id"] if "run__batch_id" in row else self.context["batch"],
            "run": row["run_id"],
            "stage": row["stage"],
            "peer_level": row["peer_level"],
            "total": float(row["total"]),
            "base": row["base"],
            "bonus": row["bonus"],
            "grade": row["grade"],
            "rank_national": row["rank_national"],
            "rank_province": row["rank_province"],
            "rank_industry": row["rank_industry"],
            "stage_percentile": row["stage_percentile"],
            "eligible": bool(row["eligible"]),
            "reasons": reasons.split(";") if reasons else [],
            "points": dict(zip(codes, POINTS.to_python(row["points"]), strict=False)),
        }


class RankingEntrySerializer(serializers.Serializer):
    """A ranking entry from a ``scoping.RANKING_COLUMNS`` row; ``context["rank_field"]`` names the rank shown."""

    rank = serializers.IntegerField()
    credit_code = serializers.CharField()
    name = serializers.CharField()
    region_code = serializers.CharField()
    section = serializers.CharField()
    stage = serializers.ChoiceField(choices=Stage.choices)
    total = serializers.FloatField()
    grade = serializers.ChoiceField(choices=Grade.choices)
    eligible = serializers.BooleanField()

    def to_representation(self, row: dict) -> dict:
        return {
            "rank": row[self.context["rank_field"]],
            "credit_code": row["enterprise__credit_code"],
            "name": row["enterprise__name"],
            "region_code": f"{row['region']:06d}",
            "section": row["enterprise__section_id"],
            "stage": row["stage"],
            "total": float(row["total"]),
            "grade": row["grade"],
            "eligible": bool(row["eligible"]),
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


class RunScoreSerializer(ScoreSerializer):
    """A firm's result in any run (trial included) for bureau staff: the score, with its reasons also as labels."""

    reason_labels = serializers.ListField(child=serializers.CharField(), help_text="不可推荐原因(文字)")

    def to_representation(self, row: dict) -> dict:
        return {**super().to_representation(row), "reason_labels": reason_labels(row["reasons"])}
