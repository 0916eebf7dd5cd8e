"""The 编辑 (editor) group: may add and change entries, steps, offices and phones; cannot manage users.

Migration 0002 creates it; ``ensure_editor_group()`` recreates it idempotently (tests that flush the
database, or an operator who deleted it by mistake: ``manage.py shell -c "…ensure_editor_group()"``).
"""

from django.contrib.auth.management import create_permissions

EDITOR_GROUP = "编辑"
EDITOR_PERMISSIONS = {
    "entry": ["add", "change", "view"],
    "procedurestep": ["add", "change", "delete", "view"],
    "office": ["add", "change", "view"],
    "material": ["add", "change", "delete", "view"],
    "entryoffice": ["add", "change", "delete", "view"],
    "linkrule": ["add", "change", "delete", "view"],
    "phonenumber": ["add", "change", "delete", "view"],
    "keyword": ["add", "change", "view"],
    "synonymgroup": ["add", "change", "view"],
    "similarquestion": ["add", "change", "delete", "view"],
    "thesaurusterm": ["add", "change", "view"],
    "topic": ["view"],
    "city": ["view"],
    "district": ["view"],
    "sourcedocument": ["view"],
    "policydocument": ["add", "change", "view"],
    "importconflict": ["change", "view"],
    "entrytombstone": ["view"],
}


def ensure_editor_group(apps=None):
    """Create the group with exactly its permissions; ``apps`` is the migration state when called from one."""
    if apps is None:
        from django.apps import apps
    # Permissions are normally created after migrate; make sure they exist now.
    for app_config in apps.get_app_configs():
        had_models = getattr(app_config, "models_module", None)
        app_config.models_module = had_models or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = had_models
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=EDITOR_GROUP)
    codenames = [f"{action}_{model}" for model, actions in EDITOR_PERMISSIONS.items() for action in actions]
    group.permissions.set(Permission.objects.filter(content_type__app_label="faq", codename__in=codenames))
    return group
