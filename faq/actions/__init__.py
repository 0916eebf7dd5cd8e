"""Every write to the knowledge base goes through an action here (zulip's ``do_*`` pattern): one
transaction holding the change, its audit record and, through the index queue's signals, its search index
tasks.  The admin, the importer command, the insights reports and any write API call these, never
``save()`` directly, so the review workflow and revisions have one place to attach.

``core`` saves, deletes, publishes and imports; ``review`` is the four-eyes workflow, bulk actions and
schedules; ``freshness`` holds import conflicts, deleted entries, policy documents and review dates;
``learning`` the fixes staff make from what citizens searched and asked.
"""

from .core import (
    check_not_stale,
    do_apply_link_rules,
    do_confirm_keywords,
    do_delete,
    do_import_sources,
    do_save_staff_edit,
    do_set_status,
    ensure_baseline,
    staff_revision,
)
from .freshness import (
    do_mark_verified,
    do_resolve_conflict,
    do_restore_entry,
    do_set_review_date,
    do_supersede_policy,
)
from .learning import do_add_similar_question, do_create_draft_entry, do_create_thesaurus_term
from .review import (
    do_approve_change,
    do_publish_scheduled,
    do_restore_revision,
    do_return_change,
    do_send_for_review,
    do_set_topic,
    do_stage_change,
    do_stage_current,
    must_stage,
)

__all__ = [
    "check_not_stale",
    "do_add_similar_question",
    "do_apply_link_rules",
    "do_approve_change",
    "do_confirm_keywords",
    "do_create_draft_entry",
    "do_create_thesaurus_term",
    "do_delete",
    "do_import_sources",
    "do_mark_verified",
    "do_publish_scheduled",
    "do_resolve_conflict",
    "do_restore_entry",
    "do_restore_revision",
    "do_return_change",
    "do_save_staff_edit",
    "do_send_for_review",
    "do_set_review_date",
    "do_set_status",
    "do_set_topic",
    "do_stage_change",
    "do_stage_current",
    "do_supersede_policy",
    "ensure_baseline",
    "must_stage",
    "staff_revision",
]
