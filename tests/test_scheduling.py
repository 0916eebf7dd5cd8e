"""Scheduled publishing: 生效时间 and 失效时间 take effect by themselves (evaluated on every read), and
``publish_scheduled`` keeps the status, the audit log and the search index in step."""

import json
from contextlib import contextmanager
from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from faq.models import AuditEvent, Entry
from tests.lifecycle_helpers import city, commit, ids, make_entry  # noqa: F401

pytestmark = pytest.mark.django_db


@contextmanager
def later(**delta):
    """The clock moved on by ``delta`` (what the schedule reads: django.utils.timezone.now)."""
    then = timezone.now() + timedelta(**delta)
    with mock.patch("django.utils.timezone.now", return_value=then):
        yield


def visible(client, entry):
    return client.get(entry.get_absolute_url()).status_code == 200


def in_sitemap(client, entry):
    return entry.get_absolute_url() in client.get(reverse("sitemap")).content.decode()


def run(*args):
    out = StringIO()
    call_command("publish_scheduled", *args, stdout=out)
    return out.getvalue()


def test_publish_at_takes_effect_at_its_time(city, commit, client):  # noqa: F811
    with commit():
        entry = make_entry(
            city,
            question="失业保险金什么时候发放？",
            answer="每月十五日前发放到社保卡。",
            publish_at=timezone.now() + timedelta(hours=1),
        )
    assert not visible(client, entry) and not in_sitemap(client, entry)
    assert ids("十五日前发放") == []
    assert client.get(reverse("faq:topic_index")).status_code == 200

    # Two hours later: pages see it at once, the timer's run puts it into search.
    with later(hours=2):
        assert visible(client, entry) and in_sitemap(client, entry)
        with commit():
            body = json.loads(run("--format", "json"))
        assert body == {"unpublished": [], "reindexed": [entry.pk], "dry_run": False}
        assert ids("十五日前发放") == [entry.pk]


def test_expire_at_takes_the_entry_off_pages_search_and_sitemap(city, commit, client):  # noqa: F811
    with commit():
        entry = make_entry(city, question="2022年灵活就业社保补贴标准？", answer="补贴按2022年标准执行。")
        entry.expire_at = timezone.now() + timedelta(hours=1)
        entry.save()
    assert visible(client, entry) and in_sitemap(client, entry) and ids("灵活就业社保补贴") == [entry.pk]

    with later(hours=2):
        # Without anyone acting: the page, the sitemap and the search hits evaluate the schedule on read.
        assert not visible(client, entry) and not in_sitemap(client, entry)
        assert ids("灵活就业社保补贴") == []

        assert "（演练，未修改）已到失效时间撤下 1 条" in run("--dry-run")
        entry.refresh_from_db()
        assert entry.status == Entry.Status.PUBLISHED
        with commit():
            run()
    entry.refresh_from_db()
    assert entry.status == Entry.Status.DRAFT
    event = AuditEvent.objects.get(action=AuditEvent.Action.UNPUBLISH, target_id=entry.pk)
    assert event.actor is None and "已到失效时间" in event.summary
    assert ids("灵活就业社保补贴") == []
    assert "撤下 0 条" in run()  # a second run has nothing left to do


def test_bad_arguments_are_refused():
    with pytest.raises(CommandError):
        run("--since-hours", "0")


def test_the_admin_refuses_an_expiry_before_the_start(city, client):  # noqa: F811
    from django.contrib.auth.models import User

    from tests.admin_forms import form_data

    client.force_login(User.objects.create_superuser("boss", password="pw-boss-123"))
    entry = make_entry(city)
    data = form_data(entry, publish_at_0="2026-12-10", publish_at_1="09:00:00", expire_at_0="2026-12-01")
    data["expire_at_1"] = "09:00:00"
    response = client.post(reverse("admin:faq_entry_change", args=[entry.pk]), data)
    assert response.status_code == 200
    assert "失效时间必须晚于生效时间" in response.content.decode()
