"""Staff editing. Any save through the admin marks the record as changed by staff, so a later
re-import keeps it instead of overwriting it; it is recorded as a revision (faq.revisions); an editor's
change to a published entry waits for a reviewer (faq.admin_review)."""

from django.contrib import admin
from django.db.models import Count, Q
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from .actions import (
    do_apply_link_rules,
    do_confirm_keywords,
    do_delete,
    do_save_staff_edit,
    do_send_for_review,
    do_set_status,
    do_set_topic,
    must_stage,
    staff_revision,
)
from .admin_base import ReadOnlyAdminMixin
from .admin_forms import EntryAdminForm, ParentFormSet, PhoneRowForm, SetTopicForm, StepRowForm, VersionedForm
from .admin_freshness import NeedsReviewFilter, ReviewActionsMixin
from .admin_review import RevisionAdminMixin, StagedEditMixin
from .cards import CARD_FIELD_NAMES, EXPECTED_ELEMENTS, fields_of, missing_elements
from .models import (
    AuditEvent,
    City,
    District,
    Entry,
    EntryOffice,
    Keyword,
    LinkRule,
    Material,
    Office,
    PhoneNumber,
    ProcedureStep,
    SimilarQuestion,
    SourceDocument,
    SynonymGroup,
    ThesaurusTerm,
    Topic,
)
from .permissions import can_publish, can_review

admin.site.site_header = "人社知识库管理"
admin.site.site_title = "人社知识库管理"
admin.site.index_title = "内容管理"

SOURCE_FIELDS = ("source", "source_key", "created_at", "updated_at")


class SimilarQuestionInline(admin.TabularInline):
    """相似问法, edited with the entry: searched like the question itself (a re-import never changes them)."""

    model = SimilarQuestion
    extra = 1
    fields = ("text", "origin")
    verbose_name = _("相似问法")
    verbose_name_plural = _("相似问法（群众的其他问法，用于搜索）")


class ProcedureStepInline(admin.TabularInline):
    """Steps in order; static/js/admin_steps.js adds 上移/下移 buttons that swap rows and their order."""

    model = ProcedureStep
    form = StepRowForm
    formset = ParentFormSet
    extra = 1
    fields = ("order", "text")
    classes = ("steps-inline",)


class PhoneInlineMixin:
    """Phone rows: the city defaults to the parent's, the district list is the parent's city's."""

    model = PhoneNumber
    form = PhoneRowForm
    formset = ParentFormSet
    extra = 0
    fields = ("label", "number", "district", "city", "order")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None and obj.city_id and "district" in formset.form.base_fields:
            formset.form.base_fields["district"].queryset = District.objects.filter(city=obj.city_id)
        return formset


class EntryPhoneInline(PhoneInlineMixin, admin.TabularInline):
    fk_name = "entry"
    verbose_name_plural = _("咨询电话")


class OfficePhoneInline(PhoneInlineMixin, admin.TabularInline):
    fk_name = "office"


class MaterialInline(admin.TabularInline):
    model = Material
    extra = 0
    fields = ("order", "name", "originals", "copies", "required", "note")
    verbose_name_plural = _("材料清单（原件、复印件份数，是否必备）")


class MissingElementFilter(admin.SimpleListFilter):
    """Entries lacking one 办事指南 element (faq.cards), so staff can fill them in turn."""

    title = _("缺少要素")
    parameter_name = "missing"

    def lookups(self, request, model_admin):
        return [(e, e) for e in EXPECTED_ELEMENTS]

    def queryset(self, request, queryset):
        if self.value() not in EXPECTED_ELEMENTS:
            return queryset
        empty = Q()
        for name in fields_of(self.value()):
            empty &= Q(**{name: ""})
        if self.value() == "咨询电话":
            empty &= Q(phones=None)
        if self.value() == "所需材料":
            empty &= Q(material_items=None)
        return queryset.filter(empty).distinct()


class EntryOfficeInline(admin.TabularInline):
    """Offices serving the entry, with where each link came from; a row added here is a staff link, which
    no re-import or rule change removes."""

    model = EntryOffice
    extra = 0
    fields = ("office", "origin", "rule")
    readonly_fields = ("origin", "rule")
    autocomplete_fields = ("office",)
    verbose_name_plural = _("办理地点（来源：来源文档 / 关联规则 / 工作人员）")


class StaffEditMixin(RevisionAdminMixin):
    """Saves and deletes go through faq.actions: the record is marked as staff-edited (the importer never
    overwrites it silently), the change is audited and the whole form (inlines too) is one revision."""

    form = VersionedForm

    class Media:
        js = ("js/admin_steps.js",)  # css/admin.css comes with every admin page (templates/admin/base_site.html)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and not self.stages(request, object_id):
            with staff_revision(request.user):
                return super().changeform_view(request, object_id, form_url, extra_context)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def stages(self, request, object_id):
        return False

    def save_model(self, request, obj, form, change):
        do_save_staff_edit(
            obj,
            request.user,
            save=lambda: super(StaffEditMixin, self).save_model(request, obj, form, change),
            created=not change,
        )

    def delete_model(self, request, obj):
        do_delete(obj, request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:  # one by one, so each deletion is audited and leaves its tombstone
            do_delete(obj, request.user)

    @admin.display(boolean=True, description=_("工作人员已修改"), ordering="edited_by_staff")
    def staff_marker(self, obj):
        return obj.edited_by_staff


@admin.register(Entry)
class EntryAdmin(StagedEditMixin, ReviewActionsMixin, StaffEditMixin, admin.ModelAdmin):
    form = EntryAdminForm
    list_display = ("question", "city", "audience", "status", "expire_at", "missing", "staff_marker", "review_due")
    list_filter = (
        "city",
        NeedsReviewFilter,
        MissingElementFilter,
        "topics",
        "audience",
        "status",
        "edited_by_staff",
        "source",
    )
    search_fields = ("question", "answer", *CARD_FIELD_NAMES)
    list_select_related = ("city",)
    readonly_fields = (
        "source",
        "source_key",
        "source_position",
        "source_section",
        "created_at",
        "updated_at",
        "staff_marker",
        "missing",
        "review_state",
        "history_link",
    )
    autocomplete_fields = ("keywords", "policies")
    filter_horizontal = ("topics", "districts")
    inlines = [SimilarQuestionInline, ProcedureStepInline, MaterialInline, EntryPhoneInline, EntryOfficeInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("phones", "material_items")

    @admin.display(description=_("办事指南要素"))
    def missing(self, obj):
        gaps = missing_elements(obj, has_phone=bool(obj.phones.all()), has_materials=bool(obj.material_items.all()))
        return "缺少：" + "、".join(gaps) if gaps else "齐全"

    actions = ["publish", "unpublish", "set_topic", "send_for_review", "set_review_date", "mark_verified"]

    def has_publish_permission(self, request):
        return can_publish(request.user)

    @admin.action(description=_("发布所选条目"), permissions=["publish"])
    def publish(self, request, queryset):
        n = do_set_status(queryset, Entry.Status.PUBLISHED, request.user)
        self.message_user(request, f"已发布 {n} 条。")

    @admin.action(description=_("撤回所选条目（改为草稿）"), permissions=["publish"])
    def unpublish(self, request, queryset):
        n = do_set_status(queryset, Entry.Status.DRAFT, request.user)
        self.message_user(request, f"已撤回 {n} 条。")

    @admin.action(description=_("设置主题"), permissions=["change"])
    def set_topic(self, request, queryset):
        form = SetTopicForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            changed, staged = do_set_topic(
                queryset, form.cleaned_data["topic"], request.user, replace=form.cleaned_data["replace"]
            )
            note = f"，{staged} 条已发布的条目已提交审核" if staged else ""
            self.message_user(request, f"已为 {changed} 条设置主题「{form.cleaned_data['topic']}」{note}。")
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "设置主题",
            "form": form,
            "entries": queryset,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/faq/set_topic.html", context)

    @admin.action(description=_("提交审核（草稿通过后发布）"), permissions=["change"])
    def send_for_review(self, request, queryset):
        n = do_send_for_review(queryset, request.user)
        self.message_user(request, f"已提交审核 {n} 条（已发布或已在审核中的条目不重复提交）。")

    fieldsets = (
        (None, {"fields": ("version_token", "question", "answer", "city", "audience", "status")}),
        (_("发布与审核"), {"fields": ("publish_at", "expire_at", "review_state", "history_link")}),
        (_("办事指南"), {"fields": ("missing", *CARD_FIELD_NAMES)}),
        (_("分类"), {"fields": ("topics", "districts", "keywords")}),
        (
            _("政策依据与核实"),
            {
                "fields": ("policies", "last_verified", "review_due", "review_reason"),
                "description": _("复核日期留空时按主题的复核周期计算；核实后清空“需复核原因”。"),
            },
        ),
        (
            _("来源（只读）"),
            {"fields": ("source", "source_key", "source_position", "source_section", "created_at", "updated_at")},
        ),
        (
            _("导入保护"),
            {"fields": ("staff_marker",), "description": _("工作人员修改过的条目，重新导入时不会被覆盖。")},
        ),
    )


@admin.register(Office)
class OfficeAdmin(StaffEditMixin, admin.ModelAdmin):
    list_display = ("name", "city", "district", "address", "staff_marker")
    list_filter = ("city", "district", "kind")
    search_fields = ("name", "address")
    list_select_related = ("city", "district")
    readonly_fields = (*SOURCE_FIELDS, "staff_marker")
    inlines = [OfficePhoneInline]


@admin.register(LinkRule)
class LinkRuleAdmin(admin.ModelAdmin):
    list_display = ("phrases", "office_kinds", "office_name", "city", "by_district", "active")
    list_filter = ("city", "active")
    search_fields = ("phrases", "office_kinds", "office_name", "note")
    actions = ["apply_now"]

    @admin.action(description=_("立即按所选规则重新关联条目"), permissions=["change"])
    def apply_now(self, request, queryset):
        n = do_apply_link_rules(request.user)
        self.message_user(request, f"已更新 {n} 条条目的办理地点。")


@admin.register(PhoneNumber)
class PhoneNumberAdmin(admin.ModelAdmin):
    list_display = ("number", "label", "city", "district", "entry", "office")
    list_filter = ("city", "district")
    search_fields = ("number", "label")
    list_select_related = ("city", "district", "entry", "office")
    raw_id_fields = ("entry", "office")

    # A published entry's phone is part of the entry: an editor changes it through the entry, for review.
    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.entry_id and must_stage(obj.entry, request.user):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.entry_id and must_stage(obj.entry, request.user):
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "order", "review_interval_days", "description")
    list_editable = ("order", "review_interval_days")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "area_code", "order")


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ("name", "city", "slug", "aliases", "order")
    list_filter = ("city",)
    search_fields = ("name", "aliases")


class AuditedSaveMixin:
    """Saves and deletes of data that is not imported go through faq.actions too (audited)."""

    def save_model(self, request, obj, form, change):
        save = super().save_model
        do_save_staff_edit(obj, request.user, save=lambda: save(request, obj, form, change), created=not change)

    def delete_model(self, request, obj):
        do_delete(obj, request.user)


@admin.register(Keyword)
class KeywordAdmin(AuditedSaveMixin, admin.ModelAdmin):
    """Extracted keywords: only those staff confirm are shown to citizens as 经工作人员校对."""

    list_display = ("name", "confirmed", "entry_count")
    list_filter = ("confirmed",)
    search_fields = ("name",)
    actions = ["confirm", "unconfirm"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_entries=Count("entries"))

    @admin.display(description=_("问答数"), ordering="n_entries")
    def entry_count(self, obj):
        return obj.n_entries

    @admin.action(description=_("标记为已校对"), permissions=["change"])
    def confirm(self, request, queryset):
        n = do_confirm_keywords(queryset, True, request.user)
        self.message_user(request, f"已将 {n} 个关键词标记为已校对。")

    @admin.action(description=_("取消已校对标记"), permissions=["change"])
    def unconfirm(self, request, queryset):
        n = do_confirm_keywords(queryset, False, request.user)
        self.message_user(request, f"已取消 {n} 个关键词的已校对标记。")


@admin.register(SynonymGroup)
class SynonymGroupAdmin(admin.ModelAdmin):
    list_display = ("terms", "note")
    search_fields = ("terms",)


@admin.register(ThesaurusTerm)
class ThesaurusTermAdmin(admin.ModelAdmin):
    """口语词表: what citizens say → the documents' terms; one-way unless marked 双向."""

    list_display = ("colloquial", "official", "two_way", "note")
    list_filter = ("two_way",)
    search_fields = ("colloquial", "official", "note")


@admin.register(SourceDocument)
class SourceDocumentAdmin(admin.ModelAdmin):
    list_display = ("title", "filename", "city", "published", "imported_at")
    readonly_fields = ("filename", "title", "city", "sha256", "published", "imported_at")

    def has_add_permission(self, request):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: the record of what staff and the importer changed; 审核 and admins see it."""

    date_hierarchy = "at"
    list_select_related = ("actor",)

    def has_view_permission(self, request, obj=None):
        return can_review(request.user) or super().has_view_permission(request, obj)

    list_display = ("at", "actor", "action", "target_type", "target_id", "summary")
    list_filter = ("action", "target_type")
    search_fields = ("summary",)
