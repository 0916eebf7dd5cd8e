"""Create the 编辑 (editor) group; see faq.permissions."""

from django.db import migrations

from faq.permissions import EDITOR_GROUP, ensure_editor_group


def create_editor_group(apps, schema_editor):
    ensure_editor_group(apps)


def remove_editor_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=EDITOR_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("faq", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_editor_group, remove_editor_group)]
