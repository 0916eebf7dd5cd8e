"""Forms of the 搜索与反馈分析 page: the filters and the one-click fixes from a query row."""

from datetime import timedelta

from django import forms
from django.utils import timezone

from faq.models import City, Entry
from faq.taxonomy import CITIES

from .reports import Window

MAX_DAYS = 366


class ReportFilterForm(forms.Form):
    city = forms.ChoiceField(
        label="城市", required=False, choices=[("", "全部城市"), *((c.slug, c.name) for c in CITIES)]
    )
    start = forms.DateField(label="开始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="结束日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError("开始日期不能晚于结束日期")
        if start and end and (end - start).days > MAX_DAYS:
            raise forms.ValidationError(f"一次最多查看 {MAX_DAYS} 天")
        return data

    def window(self):
        """The chosen window; the last 7 days (all cities) when nothing valid was chosen."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        end = data.get("end") or timezone.localdate()
        start = data.get("start") or end - timedelta(days=6)
        return Window.between(start, end, data.get("city") or "")


class SimilarForm(forms.Form):
    query = forms.CharField(
        max_length=100, error_messages={"required": "缺少查询词", "max_length": "相似问法最多 100 个字"}
    )
    entry = forms.ModelChoiceField(queryset=Entry.objects.all(), required=False)
    entry_id = forms.IntegerField(required=False, min_value=1, error_messages={"invalid": "请填写条目编号（数字）"})

    def clean(self):
        data = super().clean()
        if not data.get("entry") and not data.get("entry_id"):
            raise forms.ValidationError("请选择一个条目，或填写条目编号")
        return data


class ThesaurusForm(forms.Form):
    query = forms.CharField(
        max_length=30, error_messages={"required": "缺少查询词", "max_length": "口语说法最多 30 个字"}
    )
    official = forms.CharField(max_length=200, error_messages={"required": "请填写规范用语（多个用 | 分隔）"})


class DraftForm(forms.Form):
    query = forms.CharField(max_length=300, error_messages={"required": "缺少问题"})
    city = forms.ModelChoiceField(
        queryset=City.objects.all(),
        to_field_name="slug",
        error_messages={"required": "请选择城市", "invalid_choice": "请选择城市"},
    )
