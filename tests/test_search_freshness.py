"""Edits reach search after commit through the queued single writer; deletes are never dropped; a locked
index never raises into the editor's request; rebuilds swap in a complete index."""

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from haystack import connections
from whoosh.fields import STORED

from faq.models import City, Entry, IndexNode, IndexTask, Office, PhoneNumber, Topic
from faq.search import queue as indexing
from faq.search.analysis import content_words
from faq.search.build import build_index
from faq.search.engine import whoosh as whoosh_engine
from faq.search.service import search

pytestmark = pytest.mark.django_db


def ids(q):
    return [h.obj.pk for h in search(q, limit=50, highlight=False).hits]


@pytest.fixture
def backend():
    return connections["default"].get_backend()


@pytest.fixture
def city(db, backend):
    city = City.objects.create(slug="changsha", name="长沙", area_code="0731")
    Topic.objects.create(slug="social-security-card", name="社会保障卡")
    build_index()  # a fresh, empty index for every test
    return city


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run the block's on-commit hooks (the test transaction itself never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def make_entry(city, question="社保卡丢了怎么补办？", answer="携带身份证到发卡银行挂失补办。"):
    return Entry.objects.create(question=question, answer=answer, city=city)


def test_orm_create_edit_and_delete_reach_search(city, commit):
    with commit():
        entry = make_entry(city)
    assert ids("社保卡补办") == [entry.pk]

    with commit():
        entry.question = "电子社保卡如何激活？"
        entry.save()
    assert ids("激活") == [entry.pk]
    assert ids("补办") == [entry.pk]  # still in the answer
    assert indexing.pending_count() == 0

    with commit():
        entry.delete()
    assert ids("激活") == []
    assert ids("社保卡") == []


def test_unpublishing_removes_and_related_rows_update_the_document(city, commit):
    with commit():
        entry = make_entry(city)
    with commit():
        PhoneNumber.objects.create(number="0731-84159982", label="社保卡服务热线", city=city, entry=entry)
    assert ids("84159982") == [entry.pk]
    with commit():
        entry.topics.add(Topic.objects.get())
    assert search("社保卡", topic="social-security-card").total == 1
    with commit():
        entry.status = Entry.Status.DRAFT
        entry.save()
    assert ids("社保卡") == []


def test_admin_edit_and_delete(city, commit, client):
    admin = User.objects.create_superuser("boss", password="pw-boss-123")
    client.force_login(admin)
    with commit():
        entry = make_entry(city)
        office = Office.objects.create(city=city, name="芙蓉区社会保障卡服务中心", address="芙蓉中路一段")
    data = {
        "question": "社保卡怎么修改密码？",
        "answer": "到发卡银行柜台修改。",
        "city": city.pk,
        "audience": "general",
        "status": "published",
        "conditions": "",
        "materials": "",
        "location": "",
        **{
            f"{p}-{k}": v
            for p in ("similar_questions", "steps", "phones", "material_items", "office_links")
            for k, v in {
                "TOTAL_FORMS": "0",
                "INITIAL_FORMS": "0",
                "MIN_NUM_FORMS": "0",
                "MAX_NUM_FORMS": "1000",
            }.items()
        },
    }
    with commit():
        response = client.post(reverse("admin:faq_entry_change", args=[entry.pk]), data)
    assert response.status_code == 302, response.content.decode()[:1500]
    assert ids("修改密码") == [entry.pk]

    with commit():
        response = client.post(reverse("admin:faq_office_delete", args=[office.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert [h.kind for h in search("芙蓉区社会保障卡").hits] == ["entry"]  # the office is gone
    with commit():
        client.post(reverse("admin:faq_entry_delete", args=[entry.pk]), {"post": "yes"})
    assert ids("密码") == []


def test_content_with_markup_is_shown_as_text(city, commit, client):
    with commit():
        make_entry(
            city, question="社保卡<script>alert('x')</script>说明", answer="<b>社保卡</b>使用<script>说明</script>"
        )
    html = client.get("/search/", {"q": "社保卡"}).content.decode()
    assert "<script>alert" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html and "<mark>社保卡</mark>" in html


def test_a_locked_index_never_reaches_the_editor_and_loses_nothing(city, commit, backend, monkeypatch):
    handed_over = []
    monkeypatch.setattr(indexing, "start_retrier", lambda: handed_over.append(True))
    monkeypatch.setattr(whoosh_engine, "LOCK_WAIT", 0.05)
    with commit():
        keep = make_entry(city, question="失业保险金如何申领？")
    assert backend.live_searcher().doc_count() == 1
    backend.ensure_current()
    other_writer = backend.index.refresh().writer()  # someone else (another process) holds the lock
    try:
        with commit():  # neither the save nor the delete raises
            edited = make_entry(city, question="社保卡密码忘了")
            keep.delete()
    finally:
        other_writer.cancel()
    assert handed_over
    assert indexing.pending_count() == 2
    assert backend.live_searcher().doc_count() == 1  # nothing applied yet (a stale hit would not be shown)
    assert indexing.flush() == 2  # ... until the retry gets the lock
    assert backend.live_searcher().doc_count() == 1
    assert ids("失业保险金") == []
    assert ids("密码") == [edited.pk]


def test_bulk_work_is_deferred_into_one_batch(city, commit):
    with commit(), indexing.deferred():
        entries = [make_entry(city, question=f"第{i}个社保卡问题") for i in range(5)]
        for e in entries:
            e.save()
        assert IndexTask.objects.count() == 0
    assert IndexTask.objects.count() == 5
    assert sorted(ids("社保卡")) == sorted(e.pk for e in entries)


def test_rebuild_swaps_in_a_complete_index(city, commit, backend):
    with commit():
        entry = make_entry(city)
    root = Path(backend.root)
    first = os.path.realpath(root / "current")
    target, counts, _replayed, _seconds = build_index()
    assert counts == {"entry": 1, "office": 0}
    assert os.path.realpath(root / "current") == str(target) != first
    assert ids("社保卡") == [entry.pk]
    build_index()
    # the newest previous generation stays for readers still on it; older ones are removed
    assert len(list(root.glob("gen-*"))) == 2


def test_hits_show_the_edited_record_not_a_remembered_copy(city, commit, backend):
    # Result objects are remembered per committed index state: every edit gives a new one.
    with commit():
        entry = make_entry(city)
        topic = Topic.objects.get()
        entry.topics.add(topic)
    (hit,) = search("社保卡补办").hits
    assert hit.title == "社保卡丢了怎么补办？" and [t.name for t in hit.topics] == ["社会保障卡"]

    with commit():
        entry.question = "社保卡丢失后如何补办？"
        entry.save()
    assert search("社保卡补办").hits[0].title == "社保卡丢失后如何补办？"
    # The ranking reads the title's words from the index (never re-segmenting titles): they follow the edit.
    searcher = backend.live_searcher()
    (docnum,) = [d for d in searcher.document_numbers() if searcher.stored_fields(d)["id"] == f"faq.entry.{entry.pk}"]
    assert searcher.stored_fields(docnum)["title_words"].split() == list(content_words("社保卡丢失后如何补办？"))
    assert {"社保卡", "丢失", "补办"} <= set(searcher.stored_fields(docnum)["title_words"].split())

    with commit():
        topic.name = "社保卡"
        topic.save()
    assert [t.name for t in search("社保卡补办").hits[0].topics] == ["社保卡"]

    with commit():
        entry.status = Entry.Status.DRAFT
        entry.save()
    assert search("社保卡补办").hits == []


def test_parallel_build_indexes_the_same_documents(city, backend, monkeypatch, commit):
    """Above PARALLEL_FROM documents the build hands text to Whoosh's multiprocessing writer (one segment per
    sub-process); searches see exactly what a single writer builds."""
    from faq.search.engine.whoosh import generations as command

    with commit():
        for i in range(40):
            make_entry(
                city, question=f"第{i}号社保卡问题：补办{'挂失' if i % 2 else '密码'}", answer=f"答复{i}：到网点办理。"
            )

    def results():
        return [
            [(h.obj.pk, h.score) for h in search(q, limit=50, highlight=False).hits] for q in ("社保卡", "挂失", "网点")
        ]

    # Nothing to replay: replayed edits are merged into one segment, and this is about the build's own writers.
    IndexTask.objects.all().delete()
    build_index()
    single = results()
    monkeypatch.setattr(command, "PARALLEL_FROM", 10)
    monkeypatch.setattr(command, "BATCH", 10)
    target, counts, _replayed, _seconds = build_index()
    assert counts == {"entry": 40, "office": 0}
    assert len(backend.live_searcher().leaf_searchers()) > 1  # really written by several processes
    assert sorted(map(sorted, results())) == sorted(map(sorted, single)) and len(single[0]) == 40


def test_the_schema_keeps_no_extra_copies_of_the_text(backend):
    schema = backend.build_schema(connections["default"].get_unified_index().all_searchfields())[1]
    assert not any(schema[name].column_type for name in ("text", "title", "title_grams"))
    assert schema["text"].stored and schema["title"].stored and not schema["title_grams"].stored
    assert "body" not in schema.names()
    assert isinstance(schema["title_words"], STORED)  # read by the ranking, never searched


def test_a_build_right_after_edits_keeps_no_replaced_copies(city, commit, backend):
    """Edits just before a build are replayed into it (their transactions may still have been open when the
    build read the database); the replaced copies must not stay in the index as deleted documents, which
    Whoosh still counts in idf and field lengths."""
    with commit(), indexing.deferred():
        for i in range(3):
            make_entry(city, question=f"第{i}个社保卡问题").save()
    IndexNode.objects.all().delete()  # a node that never applied them: everything is within the replay margin
    _target, counts, replayed, _seconds = build_index()
    assert counts == {"entry": 3, "office": 0} and replayed == 3
    reader = backend.live_searcher().reader()
    assert reader.doc_count_all() == reader.doc_count() == 3 and not reader.has_deletions()
    assert len(ids("社保卡")) == 3
