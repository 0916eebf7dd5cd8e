"""Masking of ID and mobile numbers, and the purge of old rows and contacts."""

import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from faq.models import City, Entry
from insights.models import CitizenMessage, EntryViewDay, Feedback, SearchClick, SearchLog
from insights.privacy import mask_contact, mask_personal_numbers


@pytest.mark.parametrize(
    "text, masked",
    [
        ("430102199001011234", "430102********1234"),
        ("身份证号43010219900101123x补办", "身份证号430102********123X补办"),
        ("13812345678", "138****5678"),
        ("电话 138-1234-5678 或 138 1234 5678", "电话 138****5678 或 138****5678"),
        ("社保卡补办 12333", "社保卡补办 12333"),
        ("编号1234567890123456789", "编号1234567890123456789"),  # 19 digits: not an ID number
        ("座机0731-88888888", "座机0731-88888888"),
        ("", ""),
    ],
)
def test_mask_personal_numbers(text, masked):
    assert mask_personal_numbers(text) == masked


def test_contacts_are_masked_in_lists():
    assert mask_contact("13812345678") == "138****5678"
    assert mask_contact("zhang@example.com") == "zh*************om"


@pytest.fixture
def rows(db):
    city = City.objects.create(slug="changsha", name="长沙")
    entry = Entry.objects.create(question="如何办理失业登记？", answer="到人社窗口。", city=city)
    now = timezone.now()
    old, recent = now - timedelta(days=181), now - timedelta(days=10)
    for when in (old, recent):
        SearchLog.objects.create(at=when, query="失业登记", token="0" * 16)
        SearchClick.objects.create(at=when, token="0" * 16, entry_id=entry.pk, rank=1)
        EntryViewDay.objects.create(entry_id=entry.pk, day=timezone.localdate(when), views=3)
        Feedback.objects.create(entry=entry, at=when, helpful=True)
    CitizenMessage.objects.create(created_at=now - timedelta(days=91), question="老留言", contact="13812345678")
    CitizenMessage.objects.create(created_at=now - timedelta(days=5), question="新留言", contact="13912345678")
    return entry


def run(*args):
    out = io.StringIO()
    call_command("purge_insights", *args, stdout=out)
    return out.getvalue()


def test_purge_removes_rows_past_retention_and_old_contacts(rows):
    dry = json.loads(run("--dry-run", "--format", "json"))
    assert dry == {"dry_run": True, "search_log": 1, "clicks": 1, "views": 1, "feedback": 1, "contacts": 1}
    assert SearchLog.objects.count() == 2  # a dry run deletes nothing
    assert "已删除" in run()
    for model in (SearchLog, SearchClick, EntryViewDay, Feedback):
        assert model.objects.count() == 1
    assert dict(CitizenMessage.objects.values_list("question", "contact")) == {"老留言": "", "新留言": "13912345678"}
    assert json.loads(run("--format", "json"))["search_log"] == 0


def test_retention_follows_the_setting(rows, settings):
    settings.SEARCH_LOG_DAYS = 5
    run()
    assert not SearchLog.objects.exists()
