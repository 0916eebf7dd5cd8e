"""The staff side of the learning loop: 搜索与反馈分析 (reports with one-click fixes), 群众留言, 回答评价,
热点问题 and 大家常搜.  Fixes to the knowledge base go through faq.actions (audited, indexed at once)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from faq.actions import do_add_similar_question, do_create_draft_entry, do_create_thesaurus_term, do_save_staff_edit
from faq.admin_base import ReadOnlyAdminMixin
from faq.errors import BadParameter
from faq.models import City, Entry

from . import charts, reports
from .forms_admin import DraftForm, ReportFilterForm, SimilarForm, ThesaurusForm
from .models import CitizenMessage, Feedback, HotQuestionRule, PopularSearch, Report
from .privacy import mask_contact


@admin.register(Report)
class ReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """搜索与反馈分析: a page, not a list of rows (the proxy model only gives it a place in the admin)."""

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("similar/", view(self.add_similar), name="insights_report_similar"),
            path("thesaurus/", view(self.add_thesaurus), name="insights_report_thesaurus"),
            path("draft/", view(self.add_draft), name="insights_report_draft"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = ReportFilterForm(request.GET or None)
        window = form.window()
        report = reports.build_report(window)
        export = request.GET.get("export")
        if export in reports.TABLES:
            response = HttpResponse(reports.table_csv(report, export), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{export}-{window.since:%Y%m%d}.csv"'
            return response
        context = {
            **self.admin_site.each_context(request),
            "title": "搜索与反馈分析",
            "opts": self.model._meta,
            "form": form,
            "report": report,
            "chart": charts.daily_bars(report["daily"]),
            "cities": City.objects.all(),
            "query_string": request.GET.urlencode(),
            "can_fix": request.user.has_perm("faq.add_similarquestion"),
        }
        return TemplateResponse(request, "insights/report.html", context)

    def _back(self, request):
        target = request.POST.get("next") or reverse("admin:insights_report_changelist")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = reverse("admin:insights_report_changelist")
        return HttpResponseRedirect(target)

    def _run(self, request, perm, form, action):
        if not request.user.has_perm(perm):
            raise PermissionDenied
        if not form.is_valid():
            for errors in form.errors.values():
                self.message_user(request, errors[0], messages.ERROR)
            return self._back(request)
        try:
            return action(form.cleaned_data) or self._back(request)
        except BadParameter as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return self._back(request)

    @staticmethod
    def _pick(data):
        return data["entry"] or get_object_or_404(Entry, pk=data["entry_id"])

    def add_similar(self, request):
        def action(data):
            entry = self._pick(data)
            _similar, created = do_add_similar_question(entry, data["query"], request.user)
            done = "已添加为" if created else "本来就是"
            self.message_user(request, f"“{data['query']}”{done}“{entry.question}”的相似问法，搜索立即生效。")

        return require_POST(lambda r: self._run(r, "faq.add_similarquestion", SimilarForm(r.POST), action))(request)

    def add_thesaurus(self, request):
        def action(data):
            term = do_create_thesaurus_term(data["query"], data["official"], request.user)
            self.message_user(request, f"已加入口语词表：{term}")

        return require_POST(lambda r: self._run(r, "faq.add_thesaurusterm", ThesaurusForm(r.POST), action))(request)

    def add_draft(self, request):
        def action(data):
            entry = do_create_draft_entry(data["query"], data["city"], request.user)
            self.message_user(request, f"已创建问答草稿“{entry.question}”，请填写答复后发布。")
            return HttpResponseRedirect(reverse("admin:faq_entry_change", args=[entry.pk]))

        return require_POST(lambda r: self._run(r, "faq.add_entry", DraftForm(r.POST), action))(request)


class StaffAudited:
    """Saves are audited through faq.actions, like every staff edit."""

    def save_model(self, request, obj, form, change):
        do_save_staff_edit(
            obj,
            request.user,
            save=lambda: super(StaffAudited, self).save_model(request, obj, form, change),
            created=not change,
        )


@admin.register(CitizenMessage)
class CitizenMessageAdmin(StaffAudited, admin.ModelAdmin):
    list_display = ("question", "city", "masked_contact", "status", "origin", "created_at")
    list_filter = ("status", "city", "origin")
    search_fields = ("question",)
    readonly_fields = ("question", "city", "contact", "origin", "created_at", "entry")
    fields = ("question", "city", "contact", "origin", "created_at", "status", "staff_note", "entry")
    actions = ["make_draft", "mark_in_progress", "mark_answered"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("联系方式"))
    def masked_contact(self, obj):
        return mask_contact(obj.contact)

    @admin.action(description=_("转为问答草稿（问题已填好）"), permissions=["change"])
    def make_draft(self, request, queryset):
        if not request.user.has_perm("faq.add_entry"):
            raise PermissionDenied
        cities = {c.slug: c for c in City.objects.all()}
        made = []
        for message in queryset.exclude(status=CitizenMessage.Status.CONVERTED):
            city = cities.get(message.city)
            if city is None:
                self.message_user(request, f"留言“{message}”没有城市，请先确定城市再转为问答。", messages.WARNING)
                continue
            entry = do_create_draft_entry(message.question, city, request.user)
            message.status, message.entry = CitizenMessage.Status.CONVERTED, entry
            do_save_staff_edit(message, request.user)
            made.append(entry)
        if len(made) == 1:
            self.message_user(request, "已转为问答草稿，请填写答复后发布。")
            return HttpResponseRedirect(reverse("admin:faq_entry_change", args=[made[0].pk]))
        if made:
            self.message_user(request, f"已转为 {len(made)} 条问答草稿。")
        return None

    def _set_status(self, request, queryset, status):
        for message in queryset:
            message.status = status
            do_save_staff_edit(message, request.user)

    @admin.action(description=_("标记为处理中"), permissions=["change"])
    def mark_in_progress(self, request, queryset):
        self._set_status(request, queryset, CitizenMessage.Status.IN_PROGRESS)

    @admin.action(description=_("标记为已答复"), permissions=["change"])
    def mark_answered(self, request, queryset):
        self._set_status(request, queryset, CitizenMessage.Status.ANSWERED)


@admin.register(Feedback)
class FeedbackAdmin(StaffAudited, admin.ModelAdmin):
    list_display = ("entry", "helpful", "reason", "comment", "handled", "at")
    list_filter = ("helpful", "reason", "handled", "entry__city")
    list_select_related = ("entry",)
    search_fields = ("comment", "entry__question")
    readonly_fields = ("entry", "at", "helpful", "reason", "comment")
    actions = ["mark_handled"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("标记为已处理"), permissions=["change"])
    def mark_handled(self, request, queryset):
        for item in queryset.filter(handled=False):
            item.handled = True
            do_save_staff_edit(item, request.user)


@admin.register(HotQuestionRule)
class HotQuestionRuleAdmin(StaffAudited, admin.ModelAdmin):
    list_display = ("entry", "action", "city", "order")
    list_editable = ("order",)
    list_filter = ("action", "city")
    autocomplete_fields = ("entry",)


@admin.register(PopularSearch)
class PopularSearchAdmin(StaffAudited, admin.ModelAdmin):
    list_display = ("text", "city", "order", "active")
    list_editable = ("order", "active")
    list_filter = ("city", "active")
