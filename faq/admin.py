"""Staff editing. Any save through the admin marks the record as changed by staff, so a later
re-import keeps it instead of overwriting it."""

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .actions import do_apply_link_rules, do_delete, do_save_staff_edit, do_set_status
from .admin_freshness import NeedsReviewFilter, ReviewActionsMixin
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
    model = ProcedureStep
    extra = 1
    fields = ("order", "text")


class EntryPhoneInline(admin.TabularInline):
    model = PhoneNumber
    fk_name = "entry"
    extra = 0
    fields = ("label", "number", "district", "city", "order")
    verbose_name_plural = _("咨询电话")


class OfficePhoneInline(admin.TabularInline):
    model = PhoneNumber
    fk_name = "office"
    extra = 0
    fields = ("label", "number", "district", "city", "order")


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


class StaffEditMixin:
    """Saves and deletes go through faq.actions: the record is marked as staff-edited (the importer never
    overwrites it silently) and the change is audited."""

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
class EntryAdmin(ReviewActionsMixin, StaffEditMixin, admin.ModelAdmin):
    list_display = ("question", "city", "audience", "status", "missing", "staff_marker", "review_due")
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

    actions = ["publish", "unpublish", "set_review_date", "mark_verified"]

    @admin.action(description=_("发布所选条目"), permissions=["change"])
    def publish(self, request, queryset):
        n = do_set_status(queryset, Entry.Status.PUBLISHED, request.user)
        self.message_user(request, f"已发布 {n} 条。")

    @admin.action(description=_("撤回所选条目（改为草稿）"), permissions=["change"])
    def unpublish(self, request, queryset):
        n = do_set_status(queryset, Entry.Status.DRAFT, request.user)
        self.message_user(request, f"已撤回 {n} 条。")

    fieldsets = (
        (None, {"fields": ("question", "answer", "city", "audience", "status")}),
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


@admin.register(Keyword)
class KeywordAdmin(admin.ModelAdmin):
    list_display = ("name",)
    search_fields = ("name",)


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
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the record of what staff and the importer changed."""

    list_display = ("at", "actor", "action", "target_type", "target_id", "summary")
    list_filter = ("action", "target_type")
    search_fields = ("summary",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
