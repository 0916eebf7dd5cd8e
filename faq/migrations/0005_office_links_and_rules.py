"""Entry–office links get a provenance (source document, linking rule or staff) so a re-import replaces only
the links it made; LinkRule holds the staff-editable "place mentioned → offices of this kind" rules.

The links keep their table: the former auto-created many-to-many becomes the EntryOffice model over the
same faq_entry_offices table (state only), then gains its new columns.  Existing links came from imports.
"""

import django.db.models.deletion
from django.db import migrations, models


def refresh_editor_group(apps, schema_editor):
    from faq.permissions import ensure_editor_group

    ensure_editor_group(apps)  # editors may edit links and linking rules


class Migration(migrations.Migration):
    dependencies = [("faq", "0004_audit_event")]

    operations = [
        migrations.CreateModel(
            name="LinkRule",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "phrases",
                    models.CharField(
                        help_text="逗号分隔，条目含其中任意一个即适用，例如：发卡银行,社保卡服务网点",
                        max_length=300,
                        verbose_name="答复中提到的地点",
                    ),
                ),
                (
                    "office_kinds",
                    models.CharField(
                        blank=True,
                        help_text="逗号分隔，与办事机构的“类别”一致",
                        max_length=200,
                        verbose_name="办事机构类别",
                    ),
                ),
                ("office_name", models.CharField(blank=True, max_length=100, verbose_name="机构名称包含")),
                (
                    "by_district",
                    models.BooleanField(
                        default=True,
                        help_text="条目提到区县且该区县有此类机构时，只关联该区县的机构",
                        verbose_name="按区县缩小",
                    ),
                ),
                ("active", models.BooleanField(default=True, verbose_name="启用")),
                ("note", models.CharField(blank=True, max_length=200, verbose_name="备注")),
                (
                    "city",
                    models.ForeignKey(
                        blank=True,
                        help_text="留空：所有城市",
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        to="faq.city",
                        verbose_name="城市",
                    ),
                ),
            ],
            options={"verbose_name": "关联规则", "verbose_name_plural": "关联规则", "ordering": ["pk"]},
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="EntryOffice",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "entry",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="office_links",
                                to="faq.entry",
                                verbose_name="条目",
                            ),
                        ),
                        (
                            "office",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="entry_links",
                                to="faq.office",
                                verbose_name="办事机构",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "faq_entry_offices",
                        "unique_together": {("entry", "office")},
                        "verbose_name": "办理地点",
                        "verbose_name_plural": "办理地点",
                    },
                ),
                migrations.AlterField(
                    model_name="entry",
                    name="offices",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="entries",
                        through="faq.EntryOffice",
                        to="faq.office",
                        verbose_name="办理地点",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="entryoffice",
            name="origin",
            field=models.CharField(
                choices=[("source", "来源文档"), ("rule", "关联规则"), ("staff", "工作人员")],
                default="source",
                max_length=10,
                verbose_name="来源",
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="entryoffice",
            name="origin",
            field=models.CharField(
                choices=[("source", "来源文档"), ("rule", "关联规则"), ("staff", "工作人员")],
                default="staff",
                max_length=10,
                verbose_name="来源",
            ),
        ),
        migrations.AddField(
            model_name="entryoffice",
            name="rule",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="faq.linkrule",
                verbose_name="规则",
            ),
        ),
        migrations.RunPython(refresh_editor_group, migrations.RunPython.noop),
    ]
