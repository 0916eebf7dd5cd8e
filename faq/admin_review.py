"""Admin screens of the content lifecycle: an object's revisions with diffs and restore, and the reviewers'
queue of pending changes (approve, or return with a comment the editor sees)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from reversion.models import Revision

from .actions import do_approve_change, do_restore_revision, do_return_change, do_stage_change, must_stage
from .admin_forms import ReturnForm
from .errors import EditConflict, ReviewError
from .models import District, Entry, PendingChange
from .permissions import can_publish, can_review
from .revisions import diff, latest_revision, revisions_for


def _revision_or_404(obj, pk):
    try:
        return revisions_for(obj).get(pk=int(pk))
    except (TypeError, ValueError, Revision.DoesNotExist):
        raise Http404("没有这个版本") from None


class RevisionAdminMixin:
    """修改记录 for entries and offices: every revision (who, when, what), any two compared, restore."""

    def get_urls(self):
        model = self.model._meta.model_name
        own = [
            path("<int:pk>/revisions/", self.admin_site.admin_view(self.revisions_view), name=f"faq_{model}_revisions"),
            path(
                "<int:pk>/revisions/diff/",
                self.admin_site.admin_view(self.revision_diff_view),
                name=f"faq_{model}_revision_diff",
            ),
            path(
                "<int:pk>/revisions/<int:revision>/restore/",
                self.admin_site.admin_view(self.restore_view),
                name=f"faq_{model}_revision_restore",
            ),
        ]
        return own + super().get_urls()

    def history_view(self, request, object_id, extra_context=None):
        # The revisions say more than Django's log entries: who, when and the whole content.
        return HttpResponseRedirect(reverse(f"admin:faq_{self.model._meta.model_name}_revisions", args=[object_id]))

    def _object(self, request, pk):
        obj = self.get_object(request, str(pk))
        if obj is None or not self.has_view_permission(request, obj):
            raise Http404("没有这条记录")
        return obj

    def _context(self, request, obj, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "title": f"修改记录：{obj}",
            **extra,
        }

    def revisions_view(self, request, pk):
        obj = self._object(request, pk)
        revisions = list(revisions_for(obj))
        current = latest_revision(obj)
        context = self._context(
            request,
            obj,
            revisions=revisions,
            current=current,
            can_restore=self.has_change_permission(request, obj),
        )
        return TemplateResponse(request, "admin/faq/revisions.html", context)

    def revision_diff_view(self, request, pk):
        obj = self._object(request, pk)
        old = _revision_or_404(obj, request.GET.get("old"))
        new = _revision_or_404(obj, request.GET.get("new"))
        context = self._context(request, obj, old=old, new=new, rows=diff(old, new), title=f"版本差异：{obj}")
        return TemplateResponse(request, "admin/faq/revision_diff.html", context)

    def restore_view(self, request, pk, revision):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self._object(request, pk)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        result = do_restore_revision(obj, _revision_or_404(obj, revision), request.user)
        if isinstance(result, PendingChange):
            self.message_user(request, "已提交审核：恢复旧版本需经审核通过后才会发布。", messages.INFO)
        else:
            self.message_user(request, f"已恢复到版本 #{revision}（记为一个新版本）。", messages.SUCCESS)
        return HttpResponseRedirect(reverse(f"admin:faq_{self.model._meta.model_name}_revisions", args=[obj.pk]))


@admin.register(PendingChange)
class PendingChangeAdmin(admin.ModelAdmin):
    """The reviewers' queue.  Editors see their own proposals and the reviewers' comments."""

    list_display = ("entry", "state", "author", "created_at", "reviewer", "reviewed_at", "comment")
    list_filter = ("state",)
    list_select_related = ("entry", "author", "reviewer")
    search_fields = ("entry__question", "comment")

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if can_review(request.user) else qs.filter(author=request.user)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # only the review buttons change a pending change

    def get_urls(self):
        return [
            path("<int:pk>/approve/", self.admin_site.admin_view(self.approve_view), name="faq_pendingchange_approve"),
            path("<int:pk>/return/", self.admin_site.admin_view(self.return_view), name="faq_pendingchange_return"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        change = self.get_object(request, object_id)
        if change is None or not self.has_view_permission(request, change):
            raise Http404("没有这项待审核修改")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": change,
            "change": change,
            "title": f"审核：{change.entry}",
            "rows": diff(change.base, change.proposal) if change.base else diff(None, change.proposal),
            "may_review": can_review(request.user) and change.state == PendingChange.State.PENDING,
            "return_form": ReturnForm(),
            "preview_url": reverse("faq:preview_change", args=[change.pk]),
        }
        return TemplateResponse(request, "admin/faq/review.html", context)

    def _decide(self, request, pk, decide, done):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not can_review(request.user):
            raise PermissionDenied("只有审核人员可以审核")
        change = get_object_or_404(PendingChange, pk=pk)
        back = reverse("admin:faq_pendingchange_change", args=[pk])
        try:
            decide(change)
        except EditConflict:
            url = reverse("admin:faq_entry_revisions", args=[change.entry_id])
            self.message_user(
                request,
                f"无法通过：该条目在此修改提交后已被他人修改（见 {url}）。请退回，让编辑基于最新版本重新修改。",
                messages.ERROR,
            )
            return HttpResponseRedirect(back)
        except ReviewError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return HttpResponseRedirect(back)
        self.message_user(request, done, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:faq_pendingchange_changelist") + "?state__exact=pending")

    def approve_view(self, request, pk):
        return self._decide(request, pk, lambda c: do_approve_change(c, request.user), "已审核通过并发布。")

    def return_view(self, request, pk):
        form = ReturnForm(request.POST)
        comment = form.data.get("comment", "")
        return self._decide(
            request, pk, lambda c: do_return_change(c, request.user, comment), "已退回，编辑会看到您的意见。"
        )


class StagedEditMixin:
    """Four-eyes on the entry form: an editor's change to a published entry is staged (read back whole, rolled
    back, kept as a PendingChange) and citizens keep the published version until a reviewer approves it."""

    def stages(self, request, object_id):
        entry = Entry.objects.filter(pk=object_id).first() if object_id else None
        return entry is not None and must_stage(entry, request.user)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET" and self.stages(request, object_id):
            self.message_user(request, "此条目已发布：您保存的修改会提交审核，审核通过后才对群众显示。", messages.INFO)
        return super().change_view(request, object_id, form_url, extra_context)

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return fields if can_publish(request.user) else (*fields, "status")

    def save_model(self, request, obj, form, change):
        if not change and not can_publish(request.user):
            obj.status = Entry.Status.DRAFT  # a new entry starts as a draft until a reviewer publishes it
        if change and must_stage(obj, request.user):
            request.staging_savepoint = transaction.savepoint()
            obj.save()  # written only to be read back whole, then rolled back (do_stage_change)
            return
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        savepoint = getattr(request, "staging_savepoint", None)
        if savepoint is not None:
            request.staged_change = do_stage_change(form.instance, request.user, savepoint)

    def log_change(self, request, obj, message):
        if getattr(request, "staged_change", None) is None:
            return super().log_change(request, obj, message)
        return None

    def response_change(self, request, obj):
        if getattr(request, "staged_change", None) is None:
            return super().response_change(request, obj)
        self.message_user(request, "修改已提交审核。审核通过之前，群众看到的仍是已发布的版本。", messages.SUCCESS)
        return HttpResponseRedirect(request.path)

    def view_on_site(self, obj):
        # A draft, scheduled or expired entry has no public page: staff go to its preview instead of a 404.
        return obj.get_absolute_url() if obj.is_live() else reverse("faq:preview_entry", args=[obj.pk])

    def get_form(self, request, obj=None, change=False, **kwargs):
        request.editing_city = obj.city_id if obj is not None else None
        return super().get_form(request, obj, change, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "districts" and getattr(request, "editing_city", None):
            kwargs["queryset"] = District.objects.filter(city=request.editing_city)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("审核"))
    def review_state(self, obj):
        if obj.pk is None:
            return "新条目保存为草稿，提交审核通过后发布。"
        changes = list(obj.pending_changes.select_related("author", "reviewer")[:5])
        if not changes:
            return "无待审核的修改"
        rows = (
            (
                reverse("admin:faq_pendingchange_change", args=[c.pk]),
                c.get_state_display(),
                c.author or "—",
                localtime(c.created_at).strftime("%Y-%m-%d %H:%M"),
                f"审核意见：{c.comment}" if c.comment else "",
            )
            for c in changes
        )
        return format_html("<ul>{}</ul>", format_html_join("", '<li><a href="{}">{}</a>（{} 提交，{}）{}</li>', rows))

    @admin.display(description=_("修改记录"))
    def history_link(self, obj):
        if obj.pk is None:
            return "—"
        preview = reverse("faq:preview_entry", args=[obj.pk])
        return format_html(
            '<a href="{}">查看修改记录、比较与恢复</a> · <a href="{}">预览</a>',
            reverse("admin:faq_entry_revisions", args=[obj.pk]),
            preview,
        )
