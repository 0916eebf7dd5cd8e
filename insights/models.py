"""What citizens did, kept anonymously: no IP address, user agent, session or user id is stored anywhere here.
Times are kept to the minute; queries, comments and messages are masked (insights.privacy) before storage."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from faq.taxonomy import CITIES

CITY_CHOICES = [(c.slug, c.name) for c in CITIES]


class SearchLog(models.Model):
    """One search (page or API, first page only): what was asked and what it found."""

    class Source(models.TextChoices):
        PAGE = "page", _("搜索页")
        API = "api", _("接口")

    at = models.DateTimeField(_("时间（分钟）"), db_index=True)
    query = models.CharField(_("查询"), max_length=200, db_index=True)
    city = models.CharField(_("城市"), max_length=20, blank=True, db_index=True)
    topic = models.CharField(_("主题"), max_length=50, blank=True)
    source = models.CharField(_("来源"), max_length=4, choices=Source.choices, default=Source.PAGE)
    results = models.PositiveIntegerField(_("结果数"), default=0)
    answered = models.BooleanField(_("有答案"), default=False)
    top_ids = models.JSONField(_("前几条结果"), default=list, blank=True)  # entry ids, best first
    # Ties the clicks on this result page to this search; random, names no person.
    token = models.CharField(_("搜索标识"), max_length=16, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("搜索记录")
        verbose_name_plural = _("搜索记录")

    def __str__(self):
        return self.query


class SearchClick(models.Model):
    """A result a search led to: which entry, at which rank."""

    at = models.DateTimeField(_("时间（分钟）"), db_index=True)
    token = models.CharField(_("搜索标识"), max_length=16, db_index=True)
    entry_id = models.BigIntegerField(_("条目ID"), db_index=True)
    rank = models.PositiveSmallIntegerField(_("名次"))

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("结果点击")
        verbose_name_plural = _("结果点击")

    def __str__(self):
        return f"{self.entry_id}#{self.rank}"


class EntryViewDay(models.Model):
    """Entry page views per day (robots left out)."""

    entry_id = models.BigIntegerField(_("条目ID"))
    day = models.DateField(_("日期"), db_index=True)
    views = models.PositiveIntegerField(_("浏览次数"), default=0)

    class Meta:
        ordering = ["-day", "entry_id"]
        constraints = [models.UniqueConstraint(fields=["entry_id", "day"], name="insights_view_per_entry_day")]
        verbose_name = _("条目浏览")
        verbose_name_plural = _("条目浏览")

    def __str__(self):
        return f"{self.entry_id}@{self.day}"


class Feedback(models.Model):
    """这个回答有帮助吗？ One answer from a citizen; a 差评 is followed up like the 好差评 scheme asks."""

    class Reason(models.TextChoices):
        NOT_ANSWERED = "not_answered", _("没有回答我的问题")
        UNCLEAR = "unclear", _("看不懂")
        OUTDATED = "outdated", _("信息过时或有误")
        NOT_WORKING = "not_working", _("按说明办不成")
        OTHER = "other", _("其他")

    entry = models.ForeignKey("faq.Entry", on_delete=models.CASCADE, related_name="feedback", verbose_name=_("条目"))
    at = models.DateTimeField(_("时间（分钟）"), db_index=True)
    helpful = models.BooleanField(_("有帮助"))
    reason = models.CharField(_("原因"), max_length=20, choices=Reason.choices, blank=True)
    comment = models.CharField(_("补充说明"), max_length=300, blank=True)
    handled = models.BooleanField(_("已处理"), default=False)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("回答评价")
        verbose_name_plural = _("回答评价")

    def __str__(self):
        return f"{'有帮助' if self.helpful else '没帮助'}：{self.entry_id}"


class CitizenMessage(models.Model):
    """没找到答案？ A question a citizen left for the staff (群众留言)."""

    class Status(models.TextChoices):
        NEW = "new", _("新")
        IN_PROGRESS = "in_progress", _("处理中")
        ANSWERED = "answered", _("已答复")
        CONVERTED = "converted", _("已转为问答")

    class Origin(models.TextChoices):
        SEARCH = "search", _("搜索无答案")
        ENTRY = "entry", _("条目页")

    created_at = models.DateTimeField(_("留言时间（分钟）"), db_index=True)
    question = models.CharField(_("问题"), max_length=500)
    city = models.CharField(_("城市"), max_length=20, choices=CITY_CHOICES, blank=True)
    # Given by the citizen so staff can reply; shown masked in lists and deleted after INSIGHTS_CONTACT_DAYS.
    contact = models.CharField(_("联系方式"), max_length=100, blank=True)
    origin = models.CharField(_("来自"), max_length=10, choices=Origin.choices, default=Origin.SEARCH)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.NEW, db_index=True)
    staff_note = models.TextField(_("处理记录"), blank=True)
    entry = models.ForeignKey(
        "faq.Entry", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("转成的问答")
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("群众留言")
        verbose_name_plural = _("群众留言")

    def __str__(self):
        return self.question[:40]


class HotQuestionRule(models.Model):
    """Staff's say over 热点问题: pin an entry to the top, or hide it (for one city, or everywhere)."""

    class Action(models.TextChoices):
        PIN = "pin", _("置顶")
        HIDE = "hide", _("隐藏")

    entry = models.ForeignKey("faq.Entry", on_delete=models.CASCADE, related_name="+", verbose_name=_("条目"))
    city = models.CharField(_("城市"), max_length=20, choices=CITY_CHOICES, blank=True, help_text=_("留空：所有页面"))
    action = models.CharField(_("操作"), max_length=4, choices=Action.choices, default=Action.PIN)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["entry", "city"], name="insights_one_rule_per_entry_city")]
        verbose_name = _("热点问题设置")
        verbose_name_plural = _("热点问题设置")

    def __str__(self):
        return f"{self.get_action_display()}：{self.entry}"


class PopularSearch(models.Model):
    """大家常搜: the searches offered on the home page and on empty search pages."""

    text = models.CharField(_("搜索词"), max_length=30)
    city = models.CharField(_("城市"), max_length=20, choices=CITY_CHOICES, blank=True, help_text=_("留空：所有城市"))
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("显示"), default=True)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("大家常搜")
        verbose_name_plural = _("大家常搜")

    def __str__(self):
        return self.text


class Report(SearchLog):
    """The 搜索与反馈分析 page in the admin (a proxy: no table of its own)."""

    class Meta:
        proxy = True
        verbose_name = _("搜索与反馈分析")
        verbose_name_plural = _("搜索与反馈分析")
