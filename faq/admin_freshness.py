"""Admin for the accuracy of the content: policy documents (政策依据), import conflicts (three versions side by
side), deleted entries (tombstones, with undo), the 需复核 filter, the 设置复核日期 and 已核实 bulk actions, and
the 内容体检 page.  Every write goes through faq.actions."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from .actions import (
    do_mark_verified,
    do_resolve_conflict,
    do_restore_entry,
    do_save_staff_edit,
    do_set_review_date,
    do_supersede_policy,
)
from .admin_base import ReadOnlyAdminMixin
from .cards import CARD_FIELDS
from .freshness import needs_review_q, today
from .health_checks import CHECK_LABELS, run_checks
from .models import EntryTombstone, ImportConflict, PolicyDocument


class NeedsReviewFilter(admin.SimpleListFilter):
    """The 需复核 queue: a superseded legal basis, or past the 复核日期."""

    title = _("需复核")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("all", _("需复核（全部）")), ("superseded", _("政策依据已被替代")), ("overdue", _("已过复核日期"))]

    def queryset(self, request, queryset):
        if self.value() == "all":
            return queryset.filter(needs_review_q())
        if self.value() == "superseded":
            return queryset.exclude(review_reason="")
        if self.value() == "overdue":
            return queryset.filter(review_due__lt=today())
        return queryset


class ReviewDateForm(forms.Form):
    review_due = forms.DateField(label=_("复核日期"), widget=forms.DateInput(attrs={"type": "date"}))


class ReviewActionsMixin:
    """Bulk actions on entries: 设置复核日期 (an intermediate page asks for the date) and 标记为已核实."""

    @admin.action(description=_("设置复核日期"), permissions=["change"])
    def set_review_date(self, request, queryset):
        form = ReviewDateForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            n = do_set_review_date(queryset, form.cleaned_data["review_due"], request.user)
            self.message_user(request, f"已设置 {n} 条条目的复核日期。")
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "设置复核日期",
            "form": form,
            "entries": queryset,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/faq/set_review_date.html", context)

    @admin.action(description=_("标记为已核实（最后核实日期为今天）"), permissions=["change"])
    def mark_verified(self, request, queryset):
        n = do_mark_verified(queryset.prefetch_related("topics"), request.user)
        self.message_user(request, f"已核实 {n} 条，复核日期已按主题的复核周期更新。")


@admin.register(PolicyDocument)
class PolicyDocumentAdmin(admin.ModelAdmin):
    list_display = ("title", "number", "issuer", "effective", "expires", "superseded", "entry_count")
    list_filter = ("superseded", "issuer")
    search_fields = ("title", "number", "issuer")
    readonly_fields = ("entry_list",)
    actions = ["supersede"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_entries=Count("entries"))

    @admin.display(description=_("条目数"), ordering="n_entries")
    def entry_count(self, obj):
        return obj.n_entries

    @admin.display(description=_("依据此文件的条目"))
    def entry_list(self, obj):
        return "、".join(f"#{e.pk} {e.question}" for e in obj.entries.all()) or "（无）"

    def save_model(self, request, obj, form, change):
        newly_superseded = obj.superseded and (not change or "superseded" in form.changed_data)
        do_save_staff_edit(
            obj,
            request.user,
            save=lambda: super(PolicyDocumentAdmin, self).save_model(request, obj, form, change),
            created=not change,
        )
        if newly_superseded and change:
            n = do_supersede_policy(obj, request.user)
            self.message_user(request, f"{n} 条依据此文件的条目已进入需复核。", messages.WARNING)

    @admin.action(description=_("标记为已被替代（依据它的条目进入需复核）"), permissions=["change"])
    def supersede(self, request, queryset):
        n = sum(do_supersede_policy(p, request.user) for p in queryset)
        self.message_user(request, f"{n} 条条目已进入需复核。", messages.WARNING)


CONFLICT_FIELDS = (("question", "问题"), ("answer", "答复"), ("steps", "办理流程")) + tuple(
    (f.name, f.label) for f in CARD_FIELDS
)


def version_text(version, name):
    value = version.get(name, "")
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return str(value or "")


def conflict_rows(conflict):
    """[(label, before, now, staff, differs)] for the fields any of the three versions has."""
    rows = []
    for name, label in CONFLICT_FIELDS:
        texts = [version_text(v, name) for v in (conflict.source_before, conflict.source_now, conflict.staff_version)]
        if any(texts):
            rows.append((label, *texts, texts[1] != texts[2]))
    return rows


class MergeForm(forms.Form):
    question = forms.CharField(label=_("问题"), max_length=300)
    answer = forms.CharField(label=_("答复"), widget=forms.Textarea(attrs={"rows": 12}))


@admin.register(ImportConflict)
class ImportConflictAdmin(admin.ModelAdmin):
    """A source changed an entry staff had edited: the staff version stayed; choose what happens now."""

    list_display = ("entry", "detected_at", "resolution", "resolved_by", "resolved_at")
    list_filter = ("resolution",)
    search_fields = ("entry__question",)
    list_select_related = ("entry", "resolved_by")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        conflict = get_object_or_404(ImportConflict.objects.select_related("entry"), pk=object_id)
        if not self.has_view_permission(request, conflict):
            raise PermissionDenied
        can_resolve = self.has_change_permission(request, conflict) and request.user.has_perm("faq.change_entry")
        staff = conflict.staff_version
        form = MergeForm(initial={"question": staff.get("question", ""), "answer": staff.get("answer", "")})
        if request.method == "POST":
            if not can_resolve or conflict.resolution:
                raise PermissionDenied
            choice = request.POST.get("resolution")
            if choice not in (
                ImportConflict.Resolution.KEPT,
                ImportConflict.Resolution.SOURCE,
                ImportConflict.Resolution.MERGED,
            ):
                return self.message_and_back(request, conflict, "请选择一种处理方式。", messages.ERROR)
            merged = None
            if choice == ImportConflict.Resolution.MERGED:
                form = MergeForm(request.POST)
                if not form.is_valid():
                    return self.render_conflict(request, conflict, form, can_resolve)
                merged = form.cleaned_data
            do_resolve_conflict(conflict, choice, request.user, merged=merged)
            label = ImportConflict.Resolution(choice).label
            self.message_user(request, f"已处理：{label}。")
            return redirect(reverse("admin:faq_importconflict_changelist"))
        return self.render_conflict(request, conflict, form, can_resolve)

    def message_and_back(self, request, conflict, text, level):
        self.message_user(request, text, level)
        return redirect(reverse("admin:faq_importconflict_change", args=[conflict.pk]))

    def render_conflict(self, request, conflict, form, can_resolve):
        context = {
            **self.admin_site.each_context(request),
            "title": f"导入冲突：{conflict.entry.question}",
            "conflict": conflict,
            "rows": conflict_rows(conflict),
            "form": form,
            "can_resolve": can_resolve and not conflict.resolution,
            "opts": self.model._meta,
            "entry_url": reverse("admin:faq_entry_change", args=[conflict.entry_id]),
        }
        return TemplateResponse(request, "admin/faq/importconflict/resolve.html", context)


@admin.register(EntryTombstone)
class EntryTombstoneAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Entries staff deleted: a re-import leaves them deleted; 恢复 undoes the deletion."""

    list_display = ("question", "source", "source_key", "deleted_by", "deleted_at")
    list_filter = ("source",)
    search_fields = ("question", "source_key")
    actions = ["restore"]

    @admin.action(description=_("恢复所选条目"), permissions=["restore"])
    def restore(self, request, queryset):
        restored = [do_restore_entry(t, request.user) for t in queryset.select_related("source__city")]
        self.message_user(request, f"已恢复 {len(restored)} 条条目。")

    def has_restore_permission(self, request):
        return request.user.has_perm("faq.add_entry")


def content_health_view(request):
    """内容体检: every problem the checks find, grouped by check, with a link to each entry."""
    if not request.user.has_perm("faq.view_entry"):
        raise PermissionDenied
    only = [c for c in request.GET.getlist("check") if c in CHECK_LABELS]
    problems = run_checks(only=only or None)
    groups = {}
    for p in problems:
        groups.setdefault(p.check, []).append(p)
    context = {
        **admin.site.each_context(request),
        "title": "内容体检",
        "groups": [
            (name, CHECK_LABELS[name], groups.get(name, [])) for name in CHECK_LABELS if not only or name in only
        ],
        "total": len(problems),
    }
    return TemplateResponse(request, "admin/faq/content_health.html", context)


def admin_urls():
    return [path("admin/content-health/", admin.site.admin_view(content_health_view), name="content_health")]
