"""Pieces the faq and insights admin screens share."""


class ReadOnlyAdminMixin:
    """A record staff may look at but never add, change or delete by hand (logs, tombstones, report pages):
    what changes it is an action, not a form."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
