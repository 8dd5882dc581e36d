"""The organisations several apps name move to core: banks, branches, officers, guarantors and their staff.

State only: the tables keep their names (``db_table``), so no row moves and the partitioned list tables that
reference ``banks_bank`` are untouched. The old apps drop the models from their state in banks 0008 and
guarantees 0002, after every reference has been pointed here.
"""

import core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from core.db.migrations import rename_content_types


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0003_api_client_guarantor_service_user"),
        ("banks", "0007_recommendationlist_by_region"),
        ("guarantees", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Bank",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(
                                db_index=True,
                                default=django.utils.timezone.now,
                                editable=False,
                                verbose_name="创建时间",
                            ),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
                        ("code", models.SlugField(max_length=20, unique=True, verbose_name="机构代码")),
                        ("name", models.CharField(max_length=100, unique=True, verbose_name="机构名称")),
                        ("short_name", models.CharField(max_length=20, verbose_name="简称")),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("policy", "开发性、政策性银行"),
                                    ("state_owned", "国有大型商业银行"),
                                    ("joint_stock", "全国性股份制商业银行"),
                                    ("regional", "城市商业银行/农村金融机构"),
                                ],
                                max_length=12,
                                verbose_name="类型",
                            ),
                        ),
                        ("is_national", models.BooleanField(default=True, verbose_name="全国性机构")),
                        (
                            "region_scope",
                            models.CharField(
                                blank=True,
                                help_text="全国性机构留空。",
                                max_length=6,
                                validators=[core.validators.validate_region_scope],
                                verbose_name="经营区域",
                            ),
                        ),
                        (
                            "relending_participant",
                            models.BooleanField(default=False, verbose_name="科技创新再贷款参与机构"),
                        ),
                    ],
                    options={
                        "verbose_name": "银行",
                        "verbose_name_plural": "银行",
                        "db_table": "banks_bank",
                        "ordering": ["code"],
                    },
                ),
                migrations.CreateModel(
                    name="GuaranteeInstitution",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(
                                db_index=True,
                                default=django.utils.timezone.now,
                                editable=False,
                                verbose_name="创建时间",
                            ),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
                        ("name", models.CharField(max_length=100, unique=True, verbose_name="机构名称")),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("national_fund", "国家融资担保基金"),
                                    ("provincial", "省级再担保机构"),
                                    ("local", "地方融资担保机构"),
                                ],
                                max_length=14,
                                verbose_name="类型",
                            ),
                        ),
                        (
                            "region_scope",
                            models.CharField(
                                blank=True,
                                max_length=6,
                                validators=[core.validators.validate_region_scope],
                                verbose_name="业务区域",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "担保机构",
                        "verbose_name_plural": "担保机构",
                        "db_table": "guarantees_guaranteeinstitution",
                        "ordering": ["kind", "name"],
                    },
                ),
                migrations.AlterField(
                    model_name="apiclient",
                    name="bank",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="api_clients",
                        to="core.bank",
                        verbose_name="所属银行",
                    ),
                ),
                migrations.CreateModel(
                    name="Branch",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(
                                db_index=True,
                                default=django.utils.timezone.now,
                                editable=False,
                                verbose_name="创建时间",
                            ),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
                        ("name", models.CharField(max_length=100, verbose_name="分支机构名称")),
                        (
                            "region_scope",
                            models.CharField(
                                help_text="行政区划代码前缀。",
                                max_length=6,
                                validators=[core.validators.validate_region_scope],
                                verbose_name="服务区域",
                            ),
                        ),
                        (
                            "bank",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="branches",
                                to="core.bank",
                                verbose_name="银行",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "分支机构",
                        "verbose_name_plural": "分支机构",
                        "db_table": "banks_branch",
                        "ordering": ["bank", "region_scope"],
                    },
                ),
                migrations.CreateModel(
                    name="BankOfficer",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(
                                db_index=True,
                                default=django.utils.timezone.now,
                                editable=False,
                                verbose_name="创建时间",
                            ),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
                        (
                            "is_admin",
                            models.BooleanField(
                                default=False, help_text="可管理本行积分贷产品。", verbose_name="产品管理员"
                            ),
                        ),
                        (
                            "bank",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="officers",
                                to="core.bank",
                                verbose_name="银行",
                            ),
                        ),
                        (
                            "user",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="bank_officer",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="用户",
                            ),
                        ),
                        (
                            "branch",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="officers",
                                to="core.branch",
                                verbose_name="分支机构",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "银行客户经理",
                        "verbose_name_plural": "银行客户经理",
                        "db_table": "banks_bankofficer",
                    },
                ),
                migrations.AlterField(
                    model_name="apiclient",
                    name="guarantor",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="api_clients",
                        to="core.guaranteeinstitution",
                        verbose_name="所属担保机构",
                    ),
                ),
                migrations.CreateModel(
                    name="GuarantorStaff",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(
                                db_index=True,
                                default=django.utils.timezone.now,
                                editable=False,
                                verbose_name="创建时间",
                            ),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
                        (
                            "institution",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="staff",
                                to="core.guaranteeinstitution",
                                verbose_name="担保机构",
                            ),
                        ),
                        (
                            "user",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="guarantor_staff",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="用户",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "担保机构人员",
                        "verbose_name_plural": "担保机构人员",
                        "db_table": "guarantees_guarantorstaff",
                    },
                ),
                migrations.AddConstraint(
                    model_name="branch",
                    constraint=models.UniqueConstraint(fields=("bank", "name"), name="branch_unique_name_per_bank"),
                ),
            ],
        ),
        rename_content_types(
            {
                ("banks", "bank"): "core",
                ("banks", "branch"): "core",
                ("banks", "bankofficer"): "core",
                ("guarantees", "guaranteeinstitution"): "core",
                ("guarantees", "guarantorstaff"): "core",
            }
        ),
    ]
