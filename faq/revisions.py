"""Revisions (django-reversion): every staff save of an entry or office stores the whole content, with the
inline rows it follows; two revisions compare field by field; a revision's content can be applied again.

django-reversion was chosen over django-simple-history because one revision holds an entry *and* its
inlines (steps, phones, office links, materials, 相似问法) as one unit, which is what restore and the staged
changes of the review workflow need; simple-history keeps one history table per model with no grouping.
"""

import difflib

import reversion
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from reversion.models import Revision, Version
from reversion.revisions import _follow_relations_recursive, _get_options

from .cards import CARD_FIELDS
from .models import (
    District,
    Entry,
    EntryOffice,
    Material,
    Office,
    PhoneNumber,
    ProcedureStep,
    SimilarQuestion,
    Topic,
)

# Every field is kept (a restore writes the row back whole); the diff shows only what a reviewer reads.
ENTRY_FOLLOW = ("steps", "phones", "office_links", "material_items", "similar_questions")


def register_models():
    if reversion.is_registered(Entry):
        return
    reversion.register(Entry, follow=ENTRY_FOLLOW)
    reversion.register(Office, follow=("phones",))
    for model in (ProcedureStep, PhoneNumber, EntryOffice, Material, SimilarQuestion):
        reversion.register(model)


def latest_revision(obj):
    """The last revision that was applied (a staged proposal is not)."""
    version = Version.objects.get_for_object(obj).filter(revision__proposal_of__isnull=True).first()
    return version.revision if version else None


def versions_of(obj):
    """Unsaved Version rows for ``obj`` as it is now in this transaction, with everything it follows."""
    rows = []
    for item in _follow_relations_recursive(obj):
        options = _get_options(type(item))
        rows.append(
            Version(
                content_type=ContentType.objects.get_for_model(type(item)),
                object_id=str(item.pk),
                db="default",
                format=options.format,
                serialized_data=serializers.serialize(options.format, (item,), fields=options.fields),
                object_repr=str(item)[:191],
            )
        )
    return rows


def save_revision(versions, user=None, comment=""):
    """A revision from rows ``versions_of`` made (e.g. inside a savepoint that was then rolled back)."""
    user = user if getattr(user, "is_authenticated", False) else None
    revision = Revision.objects.create(user=user, comment=comment, date_created=timezone.now())
    for version in versions:
        version.pk = None
        version.revision = revision
    Version.objects.bulk_create(versions)
    return revision


def copy_versions(revision):
    return [
        Version(
            content_type_id=v.content_type_id,
            object_id=v.object_id,
            db=v.db,
            format=v.format,
            serialized_data=v.serialized_data,
            object_repr=v.object_repr,
        )
        for v in revision.version_set.all()
    ]


def _parent_field(model, root_model):
    """The foreign key by which an inline row of ``model`` belongs to a ``root_model`` (entry or office)."""
    for field in model._meta.fields:
        if field.is_relation and field.related_model is root_model and field.name in ("entry", "office"):
            return field.name
    return None


def apply_revision(root, revision):
    """Make ``root`` (an entry or office) and its inline rows what ``revision`` holds: rows added since are
    deleted, changed rows are rewritten, deleted rows come back.  A row id that now belongs to another parent
    (SQLite can hand a rolled-back id out again) is saved as a new row instead of taking that row over."""
    versions = list(revision.version_set.select_related("content_type"))
    wanted = {(v.content_type_id, v.object_id) for v in versions}
    for item in _follow_relations_recursive(root):
        key = (ContentType.objects.get_for_model(type(item)).pk, str(item.pk))
        if item is not root and key not in wanted:
            item.delete()
    ordered = sorted(versions, key=lambda v: v._model is not type(root))  # the root first
    for version in ordered:
        restored = version._object_version
        obj = restored.object
        if version._model is type(root):
            if obj.pk != root.pk:
                continue
        else:
            parent = _parent_field(type(obj), type(root))
            if parent is None or getattr(obj, f"{parent}_id") != root.pk:
                continue
            existing = type(obj).objects.filter(pk=obj.pk).values_list(f"{parent}_id", flat=True).first()
            if existing is not None and existing != root.pk:
                obj.pk = None
                obj._state.adding = True
        restored.save()


# --- reading a revision ----------------------------------------------------------------------------------------

ENTRY_LABELS = [
    ("question", "问题"),
    ("answer", "答复"),
    ("status", "状态"),
    ("publish_at", "生效时间"),
    ("expire_at", "失效时间"),
    ("audience", "服务对象"),
    *((f.name, str(f.label)) for f in CARD_FIELDS),
]
OFFICE_LABELS = [("name", "名称"), ("kind", "类别"), ("address", "地址"), ("hours", "办公时间")]
CHILD_LINES = {
    ProcedureStep: ("办理流程", lambda f: (f["order"], f["text"])),
    PhoneNumber: ("电话", lambda f: (f["order"], f"{f['label']} {f['number']}".strip())),
    Material: ("材料清单", lambda f: (f["order"], f["name"] + (f"（{f['note']}）" if f["note"] else ""))),
    SimilarQuestion: ("相似问法", lambda f: (0, f["text"])),
}


def _display(value, choices=None):
    if value is None:
        return ""
    if choices:
        return str(dict(choices).get(value, value))
    return str(value)


def readable(revision):
    """{label: text} of a revision's content, for a diff a reviewer can read."""
    versions = list(revision.version_set.select_related("content_type"))
    roots = [v for v in versions if v._model in (Entry, Office)]
    if not roots:
        return {}
    root = roots[0]
    fields = root.field_dict
    labels = ENTRY_LABELS if root._model is Entry else OFFICE_LABELS
    out = {}
    for name, label in labels:
        field = root._model._meta.get_field(name)
        out[label] = _display(fields.get(name), field.choices)
    if root._model is Entry:
        out["主题"] = "、".join(Topic.objects.filter(pk__in=fields.get("topics", [])).values_list("name", flat=True))
        names = District.objects.filter(pk__in=fields.get("districts", [])).values_list("name", flat=True)
        out["涉及区县"] = "、".join(names)
    children = {}
    for version in versions:
        if version._model in CHILD_LINES:
            label, line = CHILD_LINES[version._model]
            children.setdefault(label, []).append(line(version.field_dict))
        elif version._model is EntryOffice:
            office = Office.objects.filter(pk=version.field_dict["office"]).first()
            children.setdefault("办理地点", []).append((0, str(office) if office else "（已删除的机构）"))
    for label, _line in [*CHILD_LINES.values(), ("办理地点", None)]:
        out[label] = "\n".join(text for _order, text in sorted(children.get(label, []), key=lambda t: t[0]))
    return out


def mark_diff(old, new):
    """Old and new text as HTML, characters removed in <del> and added in <ins>; everything escaped."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    left, right = [], []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        a, b = escape(old[i1:i2]), escape(new[j1:j2])
        if op == "equal":
            left.append(a)
            right.append(b)
            continue
        if a:
            left.append(f"<del>{a}</del>")
        if b:
            right.append(f"<ins>{b}</ins>")
    return mark_safe("".join(left)), mark_safe("".join(right))  # noqa: S308 - every piece escaped above


def diff(old_revision, new_revision):
    """Rows (label, old html, new html) for every field that differs between two revisions."""
    old = readable(old_revision) if old_revision else {}
    new = readable(new_revision)
    rows = []
    for label in dict.fromkeys([*old, *new]):
        a, b = old.get(label, ""), new.get(label, "")
        if a != b:
            rows.append((label, *mark_diff(a, b)))
    return rows


def revisions_for(obj):
    """The object's revisions, newest first; a staged change's proposal is one too (``proposal_of``)."""
    ids = Version.objects.get_for_object(obj).values_list("revision_id", flat=True)
    return Revision.objects.filter(pk__in=ids).select_related("user", "proposal_of").order_by("-pk")
