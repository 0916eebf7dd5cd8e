"""POST /api/entries/<id>/feedback/: 201, a readable 400, 404, 429 over the per-client limit; a rejected
request writes nothing."""

import json

import pytest
from django.core.cache import cache

from faq.models import City, Entry
from insights.models import Feedback

URL = "/api/entries/{}/feedback/"


@pytest.fixture
def entry(db):
    cache.clear()
    city = City.objects.create(slug="kunshan", name="昆山")
    return Entry.objects.create(question="灵活就业人员怎样参保？", answer="到社保窗口登记。", city=city)


def post(client, entry_id, body, **extra):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(URL.format(entry_id), data, content_type="application/json", **extra)


def test_feedback_is_created(client, entry):
    response = post(client, entry.pk, {"helpful": False, "reason": "看不懂", "comment": "手机 13712345678 请回电"})
    assert response.status_code == 201
    assert response.json() == {"entry_id": entry.pk, "helpful": False, "reason": "unclear"}
    saved = Feedback.objects.get()
    assert saved.comment == "手机 137****5678 请回电" and saved.reason == "unclear"
    assert post(client, entry.pk, {"helpful": True}).status_code == 201


@pytest.mark.parametrize(
    "body, message",
    [
        ({}, "helpful 必须是 true 或 false"),
        ({"helpful": "yes"}, "helpful 必须是 true 或 false"),
        ({"helpful": 1}, "helpful 必须是 true 或 false"),
        ({"helpful": False, "reason": "太长了"}, "原因只能是"),
        ({"helpful": False, "comment": "长" * 301}, "最多 300 个字"),
        ({"helpful": False, "comment": 5}, "comment 必须是文字"),
        ("{not json", "参数错误"),
    ],
)
def test_bad_input_is_a_readable_400_and_writes_nothing(client, entry, body, message):
    response = post(client, entry.pk, body)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not Feedback.objects.exists()


def test_unknown_or_unpublished_entry_is_404(client, entry):
    assert post(client, 999999, {"helpful": True}).status_code == 404
    entry.status = Entry.Status.DRAFT
    entry.save()
    response = post(client, entry.pk, {"helpful": True})
    assert response.status_code == 404 and "不存在" in response.json()["error"]
    assert not Feedback.objects.exists()


def test_over_the_rate_limit_is_429_per_client(client, entry, settings):
    settings.FEEDBACK_RATE_LIMIT = 3
    for _ in range(3):
        assert post(client, entry.pk, {"helpful": True}).status_code == 201
    response = post(client, entry.pk, {"helpful": True})
    assert response.status_code == 429 and "太频繁" in response.json()["error"]
    assert Feedback.objects.count() == 3
    # Another address has its own allowance; the HTML form shares the same limit per client.
    assert post(client, entry.pk, {"helpful": True}, REMOTE_ADDR="10.1.2.3").status_code == 201
    html = client.post(f"/entries/{entry.pk}/feedback/", {"helpful": "1"})
    assert html.status_code == 429 and "太频繁" in html.content.decode()
    assert Feedback.objects.count() == 4


def test_the_limit_is_kept_under_a_keyed_hash_not_the_address(client, entry):
    post(client, entry.pk, {"helpful": True})
    keys = list(cache._cache.keys())
    assert keys and not any("127.0.0.1" in k for k in keys)


def test_html_form_bad_input_is_a_400_page(client, entry):
    response = client.post(f"/entries/{entry.pk}/feedback/", {"helpful": "maybe"})
    assert response.status_code == 400 and "请选择" in response.content.decode()
    response = client.post(f"/entries/{entry.pk}/feedback/", {"helpful": "0", "comment": "长" * 301})
    assert response.status_code == 400 and "300" in response.content.decode()
    assert client.get(f"/entries/{entry.pk}/feedback/").status_code == 405
    assert not Feedback.objects.exists()
