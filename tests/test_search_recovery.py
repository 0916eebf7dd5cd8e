"""Degrade, don't fail: a damaged or missing live index is searched from the previous complete build
(``degraded``), never answers 500 and never silently becomes an empty index; with no usable build the page
and the API answer 503; /healthz says why.  Each test damages real files of a real index on disk.

Each test acts as a freshly started worker (``fresh_worker``): the damage is on disk before the process
opens the index, as after a crash or a full disk.
"""

import os
from pathlib import Path

import pytest
from django.urls import reverse
from haystack import connections

from faq.models import City, Entry, IndexTask
from faq.search import engine as engine_module
from faq.search.build import build_index
from faq.search.engine.whoosh import collector, generations

pytestmark = pytest.mark.django_db


def fresh_worker():
    """Forget every open searcher and per-process memory, as a newly started worker would."""
    backend = connections["default"].get_backend()
    backend.setup_complete = False
    backend._searcher = None
    engine_module._engine = None
    collector.forget_segments(set())


def root():
    return Path(connections["default"].get_backend().root)


def live():
    return Path(os.path.realpath(root() / "current"))


@pytest.fixture
def two_builds(db):
    """Two complete builds: the previous one already holds the entry, the live one holds it too."""
    city = City.objects.create(slug="changsha", name="长沙", area_code="0731")
    entry = Entry.objects.create(city=city, question="社保卡丢了怎么补办？", answer="携带身份证到发卡银行挂失补办。")
    IndexTask.objects.all().delete()
    previous, *_ = build_index()
    current, *_ = build_index()
    assert previous != current and live() == Path(current)
    fresh_worker()
    yield entry, Path(previous), Path(current)
    fresh_worker()


def segment_file(gen, ext):
    (path,) = sorted(Path(gen).glob(f"*{ext}"), key=lambda p: -p.stat().st_size)[:1]
    return path


def replace_truncated(path):
    """A shorter copy in place of the file (a new inode: a searcher that has it open keeps the old one)."""
    data = path.read_bytes()
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data[: len(data) // 2])
    os.replace(tmp, path)


def assert_degraded_but_answering(client, entry):
    page = client.get("/search/", {"q": "社保卡补办"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "搜索服务正在恢复中" in html
    # The result links to the entry (through the opened-result redirect when the search log is on).
    assert entry.get_absolute_url() in html or reverse("insights:open", args=[entry.pk]) in html
    api = client.get("/api/search/", {"q": "社保卡补办"})
    assert api.status_code == 200
    body = api.json()
    assert body["degraded"] is True and [r["id"] for r in body["results"]] == [entry.pk]
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json()["status"] == "degraded" and health.json()["reason"].startswith("search index:")


def test_healthy_index_is_not_degraded(two_builds, client):
    entry, _previous, _current = two_builds
    body = client.get("/api/search/", {"q": "社保卡补办"}).json()
    assert body["degraded"] is False and [r["id"] for r in body["results"]] == [entry.pk]
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    assert "搜索服务正在恢复中" not in client.get("/search/", {"q": "社保卡"}).content.decode()


def test_truncated_postings_file_falls_back_to_the_previous_build(two_builds, client):  # fault #9
    entry, _previous, current = two_builds
    replace_truncated(segment_file(current, ".pst"))
    assert_degraded_but_answering(client, entry)


def test_deleted_terms_file_falls_back_to_the_previous_build(two_builds, client):  # fault #9
    entry, _previous, current = two_builds
    segment_file(current, ".trm").unlink()
    assert_degraded_but_answering(client, entry)


def test_missing_current_symlink_never_creates_an_empty_index(two_builds, client):  # fault #10
    entry, _previous, _current = two_builds
    (root() / "current").unlink()
    assert_degraded_but_answering(client, entry)
    assert not list(root().glob("*.toc")), "an empty index was created in the index root"


def test_live_build_without_an_index_falls_back(two_builds, client):  # never-built: ``current`` at an empty dir
    entry, _previous, current = two_builds
    for f in current.glob("*.toc"):
        f.unlink()
    assert_degraded_but_answering(client, entry)
    assert not list(current.glob("*.toc")), "an empty index was created in the live build"


def test_no_usable_build_answers_503_with_the_hotline(two_builds, client):
    _entry, previous, current = two_builds
    for gen in (previous, current):
        segment_file(gen, ".trm").unlink()
    page = client.get("/search/", {"q": "社保卡补办"})
    assert page.status_code == 503 and page["Retry-After"]
    html = page.content.decode()
    assert "搜索暂时不可用" in html and "12333" in html
    api = client.get("/api/search/", {"q": "社保卡补办"})
    assert api.status_code == 503 and "12333" in api.json()["error"]
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json()["search"]["status"] == "unavailable"


def test_an_empty_index_answers_an_empty_page(db, client):  # 'NoneType' object has no attribute 'segment_id'
    City.objects.create(slug="changsha", name="长沙", area_code="0731")
    build_index()
    fresh_worker()
    page = client.get("/search/", {"q": "社保卡"})
    assert page.status_code == 200 and "没有找到" in page.content.decode()
    body = client.get("/api/search/", {"q": "社保卡"}).json()
    assert body["total"] == 0 and body["degraded"] is False
    assert client.get("/healthz").status_code == 200


def test_index_changes_waiting_too_long_make_healthz_degraded(two_builds, client, settings):
    entry, _previous, _current = two_builds
    settings.SEARCH_INDEX_MAX_LAG_SECONDS = 60
    IndexTask.objects.create(kind="entry", object_id=entry.pk)
    assert client.get("/healthz").status_code == 200  # pending, but only just
    settings.SEARCH_INDEX_MAX_LAG_SECONDS = 0
    health = client.get("/healthz")
    assert health.status_code == 503
    body = health.json()
    assert body["status"] == "degraded" and "waiting" in body["reason"] and body["search"]["pending_updates"] == 1


def test_partial_generation_is_never_the_fallback(two_builds):  # fault #11, the part that needs no kill
    _entry, previous, _current = two_builds
    partial = generations.new_generation(root())
    (partial / "_MAIN_1.toc").write_bytes(b"")
    assert generations.complete_generations(root())[1:] == [previous]


def test_build_failing_at_commit_leaves_no_partial_generation(two_builds, monkeypatch):  # fault #11, disk full
    import errno

    _entry, _previous, current = two_builds
    before = sorted(p.name for p in root().glob("gen-*"))
    real_writer = generations._writer

    def full_disk_writer(ix, n_docs):
        writer = real_writer(ix, n_docs)

        def commit(**kwargs):
            writer.cancel()
            raise OSError(errno.ENOSPC, "No space left on device")

        writer.commit = commit
        return writer

    monkeypatch.setattr(generations, "_writer", full_disk_writer)
    with pytest.raises(OSError):
        build_index()
    assert sorted(p.name for p in root().glob("gen-*")) == before
    assert live() == current
