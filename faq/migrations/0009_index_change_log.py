"""The index queue becomes an ordered change log with a cursor per node (IndexNode); ``done_at`` goes."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("faq", "0008_editor_group_similar_questions"),
    ]

    operations = [
        migrations.RemoveField(model_name="indextask", name="done_at"),
        migrations.AlterField(
            model_name="indextask",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="创建时间"),
        ),
        migrations.AlterModelOptions(
            name="indextask",
            options={"ordering": ["pk"], "verbose_name": "索引变更", "verbose_name_plural": "索引变更"},
        ),
        migrations.CreateModel(
            name="IndexNode",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=100, unique=True, verbose_name="节点")),
                ("cursor", models.BigIntegerField(blank=True, null=True, verbose_name="游标")),
                ("gaps", models.JSONField(blank=True, default=list, verbose_name="未见编号")),
                ("generation", models.CharField(blank=True, max_length=500, verbose_name="索引版本")),
                ("version", models.BigIntegerField(default=0)),
                ("building_since", models.DateTimeField(blank=True, null=True, verbose_name="构建开始")),
                ("building_from", models.BigIntegerField(blank=True, null=True)),
                ("heartbeat_at", models.DateTimeField(blank=True, null=True, verbose_name="心跳")),
                ("last_applied_at", models.DateTimeField(blank=True, null=True, verbose_name="最近应用")),
            ],
            options={"verbose_name": "索引节点", "verbose_name_plural": "索引节点", "ordering": ["name"]},
        ),
    ]
