"""The loop closed: a query that finds nothing becomes, in one admin click, a 相似问法 that finds the entry at
rank 1; the thesaurus and draft actions from the same row are audited too."""

import pytest
from django.urls import reverse
from django.utils import timezone

from faq.models import AuditEvent, Entry, SimilarQuestion, ThesaurusTerm
from faq.search.service import search
from insights import buffer
from insights.reports import Window, no_answer_queries

# Invented wording no entry uses.
QUERY = "恐龙化石认领"
BROWSER = {"HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"}


@pytest.fixture(autouse=True)
def _corpus(search_corpus, db):
    buffer.buffer.discard()
    yield
    buffer.buffer.discard()


def test_a_missed_query_becomes_a_similar_question_and_then_ranks_first(
    admin_client, client, django_capture_on_commit_callbacks
):
    before = search(QUERY)
    assert before.total == 0 and not before.answered
    client.get("/search/", {"q": QUERY}, **BROWSER)
    buffer.flush()
    row = next(r for r in no_answer_queries(Window.last_days(1)) if r["query"] == QUERY)
    assert row["count"] == 1

    entry = Entry.objects.filter(status=Entry.Status.PUBLISHED, question__contains="社保卡").first()
    report_url = reverse("admin:insights_report_changelist")
    page = admin_client.get(report_url)
    assert page.status_code == 200 and QUERY in page.content.decode() and "<svg" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:insights_report_similar"), {"query": QUERY, "entry_id": entry.pk, "next": report_url}
        )
    assert response.status_code == 302
    similar = SimilarQuestion.objects.get(entry=entry, text=QUERY)
    assert similar.origin == SimilarQuestion.Origin.SEARCH
    assert AuditEvent.objects.filter(target_type="similarquestion", target_id=similar.pk).exists()

    after = search(QUERY)
    assert after.answered and after.hits[0].obj.pk == entry.pk


def test_the_same_click_twice_adds_nothing_more(admin_client):
    entry = Entry.objects.filter(status=Entry.Status.PUBLISHED).first()
    for _ in range(2):
        admin_client.post(reverse("admin:insights_report_similar"), {"query": "另一个说法", "entry": entry.pk})
    assert SimilarQuestion.objects.filter(entry=entry, text="另一个说法").count() == 1
    assert AuditEvent.objects.filter(target_type="similarquestion").count() == 1


def test_thesaurus_term_from_a_query_widens_later_searches(admin_client):
    response = admin_client.post(
        reverse("admin:insights_report_thesaurus"), {"query": "小蓝本", "official": "社保卡|社会保障卡"}
    )
    assert response.status_code == 302
    term = ThesaurusTerm.objects.get(colloquial="小蓝本")
    assert term.official_list() == ["社保卡", "社会保障卡"]
    assert AuditEvent.objects.filter(target_type="thesaurusterm", target_id=term.pk).exists()
    assert search("小蓝本补办").answered
    # Twice: refused with a message, nothing changed.
    admin_client.post(reverse("admin:insights_report_thesaurus"), {"query": "小蓝本", "official": "别的"})
    assert ThesaurusTerm.objects.get(colloquial="小蓝本").official == "社保卡|社会保障卡"


def test_draft_entry_from_a_query(admin_client):
    response = admin_client.post(reverse("admin:insights_report_draft"), {"query": QUERY, "city": "shenzhen"})
    draft = Entry.objects.get(question=QUERY)
    assert response.status_code == 302 and response["Location"] == reverse("admin:faq_entry_change", args=[draft.pk])
    assert draft.status == Entry.Status.DRAFT and draft.city.slug == "shenzhen" and draft.edited_by_staff
    assert AuditEvent.objects.filter(target_type="entry", target_id=draft.pk, action="create").exists()
    assert admin_client.get(response["Location"]).status_code == 200


def test_actions_need_staff_and_permission(client, django_user_model):
    url = reverse("admin:insights_report_similar")
    assert client.post(url, {"query": QUERY, "entry_id": 1}).status_code == 302  # to the login page
    assert client.get(reverse("admin:insights_report_changelist")).status_code == 302
    clerk = django_user_model.objects.create_user("clerk", password="x", is_staff=True)
    client.force_login(clerk)
    assert client.post(url, {"query": QUERY, "entry_id": 1}).status_code == 403
    assert client.get(reverse("admin:insights_report_changelist")).status_code == 403
    assert not SimilarQuestion.objects.filter(text=QUERY).exists()


def test_bad_action_input_is_a_message_not_an_error(admin_client):
    response = admin_client.post(reverse("admin:insights_report_similar"), {"query": QUERY}, follow=True)
    assert response.status_code == 200 and "请选择一个条目" in response.content.decode()
    response = admin_client.post(
        reverse("admin:insights_report_draft"), {"query": QUERY, "city": "nowhere"}, follow=True
    )
    assert "请选择城市" in response.content.decode()
    assert admin_client.get(reverse("admin:insights_report_similar")).status_code == 405


def test_a_citizen_message_becomes_a_draft_entry_in_one_action(admin_client):
    from insights.models import CitizenMessage

    message = CitizenMessage.objects.create(
        created_at=timezone.now(), question="退休人员异地就医怎么备案？", city="kunshan", contact="13812345678"
    )
    listing = admin_client.get(reverse("admin:insights_citizenmessage_changelist")).content.decode()
    assert "138****5678" in listing and "13812345678" not in listing
    response = admin_client.post(
        reverse("admin:insights_citizenmessage_changelist"),
        {"action": "make_draft", "_selected_action": [message.pk]},
    )
    message.refresh_from_db()
    assert message.status == CitizenMessage.Status.CONVERTED and message.entry.question == message.question
    assert message.entry.status == Entry.Status.DRAFT and message.entry.city.slug == "kunshan"
    assert response["Location"] == reverse("admin:faq_entry_change", args=[message.entry.pk])
    assert AuditEvent.objects.filter(target_type="citizenmessage", target_id=message.pk).exists()
