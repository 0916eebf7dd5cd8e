"""The 编辑 (editor) and 审核 (reviewer) groups.  Editors add and change entries, steps, offices and phones and
propose changes to published entries; reviewers also approve or return those changes, publish, delete and read
the audit log.  Neither manages users.

Migrations 0002 and 0010 create them; ``ensure_editor_group()`` / ``ensure_reviewer_group()`` recreate them
idempotently (tests that flush the database, or an operator who deleted one by mistake:
``manage.py shell -c "…ensure_editor_group()"``).
"""

from django.conf import settings
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
    "pendingchange": ["view"],  # their own proposals and the reviewer's comments
    "policydocument": ["add", "change", "view"],
    "importconflict": ["change", "view"],
    "entrytombstone": ["view"],
}
REVIEWER_GROUP = "审核"
REVIEWER_PERMISSIONS = {
    **EDITOR_PERMISSIONS,
    "entry": ["add", "change", "delete", "view"],
    "office": ["add", "change", "delete", "view"],
    "pendingchange": ["view", "change", "review_entry"],
    "auditevent": ["view"],
}
REVIEW_PERMISSION = "faq.review_entry"


def can_publish(user):
    """May ``user`` publish, approve and restore published content without a second pair of eyes?"""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or user.has_perm(REVIEW_PERMISSION):
        return True
    return bool(getattr(settings, "EDITORS_PUBLISH_DIRECTLY", False)) and user.has_perm("faq.change_entry")


def can_review(user):
    """Approving someone's proposal is a reviewer's job, whatever EDITORS_PUBLISH_DIRECTLY says."""
    return getattr(user, "is_authenticated", False) and (user.is_superuser or user.has_perm(REVIEW_PERMISSION))


def ensure_editor_group(apps=None):
    """Create the group with exactly its permissions; ``apps`` is the migration state when called from one."""
    return _ensure_group(EDITOR_GROUP, EDITOR_PERMISSIONS, apps)


def ensure_reviewer_group(apps=None):
    return _ensure_group(REVIEWER_GROUP, REVIEWER_PERMISSIONS, apps)


def _ensure_group(name, permissions, apps=None):
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
    group, _ = Group.objects.get_or_create(name=name)
    codenames = [
        action if "_" in action else f"{action}_{model}" for model, actions in permissions.items() for action in actions
    ]
    group.permissions.set(Permission.objects.filter(content_type__app_label="faq", codename__in=codenames))
    return group
