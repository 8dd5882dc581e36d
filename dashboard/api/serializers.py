from rest_framework import serializers


class FunnelQuerySerializer(serializers.Serializer):
    batch = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="已发布的批次")
    region = serializers.RegexField(
        r"^[0-9]{0,6}$",
        required=False,
        allow_blank=True,
        help_text="行政区划代码前缀,须在调用方范围之内;留空为调用方范围",
    )
    bank = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False, help_text="只看一家银行")


class FunnelStatisticsRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="省级代码或银行 id;合计行为空")
    label = serializers.CharField()
    collected = serializers.IntegerField(help_text="采集企业")
    recommended = serializers.IntegerField(help_text="推荐企业(可推荐)")
    list_rows = serializers.IntegerField(help_text="推送名单条数")
    banks = serializers.IntegerField(help_text="银行数")
    worked = serializers.IntegerField(help_text="已对接(已对接、已审批、已拒绝、已签约)")
    contract_firms = serializers.IntegerField(help_text="签约企业")
    contract_amount = serializers.DecimalField(max_digits=16, decimal_places=2, help_text="签约金额(万元)")
    guarantees = serializers.IntegerField(help_text="担保贷款笔数")
    guarantee_amount = serializers.DecimalField(max_digits=16, decimal_places=2, help_text="担保金额(万元)")


class FunnelStatisticsSerializer(serializers.Serializer):
    batch = serializers.IntegerField()
    run = serializers.IntegerField()
    region = serializers.CharField(help_text="统计的区域('' 为全国)")
    bank = serializers.IntegerField(allow_null=True)
    total = FunnelStatisticsRowSerializer()
    by_province = FunnelStatisticsRowSerializer(many=True)
    by_bank = FunnelStatisticsRowSerializer(many=True)
