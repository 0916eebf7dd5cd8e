"""Forms of the staff admin: the stale-form check, phone and step rows, the bulk "set topic" form."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html

from .actions import check_not_stale
from .errors import EditConflict
from .models import Entry, PhoneNumber, ProcedureStep, Topic
from .revisions import latest_revision, revisions_for

STEP_INPUT_SIZE = 90


def conflict_message(obj, token):
    """The refusal a stale form gets, linking to the diff between what the form showed and what is there now."""
    model = obj._meta.model_name
    url = reverse(f"admin:faq_{model}_revisions", args=[obj.pk])
    new = latest_revision(obj)
    # The revision that produced what the form showed is the first one saved after its updated_at.
    old = revisions_for(obj).filter(proposal_of__isnull=True, date_created__gte=token).order_by("pk").first()
    if new is not None and old is not None and old != new:
        url = reverse(f"admin:faq_{model}_revision_diff", args=[obj.pk]) + f"?old={old.pk}&new={new.pk}"
    return format_html(
        "保存未生效：您打开此页面后，其他人已修改并保存了这条记录。为避免覆盖他人的修改，"
        '请先<a href="{}">查看两次修改的差异</a>，再重新打开本页修改。',
        url,
    )


class VersionedForm(forms.ModelForm):
    """Carries the record's ``updated_at`` as loaded; a save is refused when the row changed since (checked
    under select_for_update inside the admin's transaction, so two saves cannot both pass)."""

    version_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.updated_at:
            self.fields["version_token"].initial = self.instance.updated_at.isoformat()

    def clean(self):
        cleaned = super().clean()
        token = cleaned.get("version_token")
        try:
            check_not_stale(self.instance, token)
        except EditConflict:
            raise ValidationError(conflict_message(self.instance, token), code="stale") from None
        return cleaned


class EntryAdminForm(VersionedForm):
    class Meta:
        model = Entry
        fields = ("question", "city", "districts", "publish_at", "expire_at")  # the admin passes the full list

    def clean(self):
        cleaned = super().clean()
        city, districts = cleaned.get("city"), cleaned.get("districts")
        if city is not None and districts:
            foreign = [d.name for d in districts if d.city_id != city.pk]
            if foreign:
                self.add_error("districts", f"以下区县不属于{city}：{'、'.join(foreign)}")
        publish_at, expire_at = cleaned.get("publish_at"), cleaned.get("expire_at")
        if publish_at and expire_at and expire_at <= publish_at:
            self.add_error("expire_at", "失效时间必须晚于生效时间")
        return cleaned


class ParentFormSet(BaseInlineFormSet):
    """Hands each row its parent (the entry or office being edited, possibly not saved yet)."""

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "parent": self.instance}


class PhoneRowForm(forms.ModelForm):
    """A phone row's city defaults to its entry's (or office's) city."""

    class Meta:
        model = PhoneNumber
        fields = ("label", "number", "district", "city", "order")

    def __init__(self, *args, parent=None, **kwargs):
        self.parent = parent
        super().__init__(*args, **kwargs)
        if "city" in self.fields:
            self.fields["city"].required = False
            self.fields["city"].help_text = "留空：与条目（或机构）同城"

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("city") and getattr(self.parent, "city_id", None):
            cleaned["city"] = self.parent.city
            self.instance.city = self.parent.city
        if not cleaned.get("city") and cleaned.get("number"):
            self.add_error("city", "请选择城市")
        return cleaned


class StepRowForm(forms.ModelForm):
    """A one-line step gets a one-line input; a step that already spans lines keeps a text area."""

    class Meta:
        model = ProcedureStep
        fields = ("order", "text")

    def __init__(self, *args, parent=None, **kwargs):
        super().__init__(*args, **kwargs)
        if "\n" not in (self.instance.text or ""):
            self.fields["text"].widget = forms.TextInput(attrs={"size": STEP_INPUT_SIZE, "class": "step-text"})
        self.fields["order"].widget.attrs["class"] = "step-order"


class SetTopicForm(forms.Form):
    """The intermediate page of the bulk action "set topic"."""

    topic = forms.ModelChoiceField(Topic.objects.all(), label="主题", empty_label="（请选择）")
    replace = forms.TypedChoiceField(
        label="方式",
        choices=[("0", "添加此主题（保留原有主题）"), ("1", "替换为此主题（去掉原有主题）")],
        coerce=lambda v: v == "1",
        initial="0",
        widget=forms.RadioSelect,
    )


class ReturnForm(forms.Form):
    comment = forms.CharField(label="审核意见", widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)
