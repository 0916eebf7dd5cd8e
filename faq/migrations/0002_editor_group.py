"""The 编辑 (editor) group: may add and change entries, steps, offices and phones; cannot manage users."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_GROUP = "编辑"
EDITOR_PERMISSIONS = {
    "entry": ["add", "change", "view"],
    "procedurestep": ["add", "change", "delete", "view"],
    "office": ["add", "change", "view"],
    "phonenumber": ["add", "change", "delete", "view"],
    "keyword": ["add", "change", "view"],
    "synonymgroup": ["add", "change", "view"],
    "topic": ["view"],
    "city": ["view"],
    "district": ["view"],
    "sourcedocument": ["view"],
}


def create_editor_group(apps, schema_editor):
    # Permissions are normally created after migrate; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=EDITOR_GROUP)
    codenames = [f"{action}_{model}" for model, actions in EDITOR_PERMISSIONS.items() for action in actions]
    group.permissions.add(*Permission.objects.filter(content_type__app_label="faq", codename__in=codenames))


def remove_editor_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=EDITOR_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("faq", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_editor_group, remove_editor_group)]
