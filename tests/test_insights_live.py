"""A search made over HTTP reaches ``manage.py search_report`` while the server runs: the log is written by the
background flusher of the serving process, never in the request."""

import io
import json
import threading
import time
import urllib.parse
import urllib.request

import pytest
from django.core.management import call_command

from faq.models import City, Entry
from faq.search.build import build_index
from insights import buffer

QUERY = "灵活就业社保怎么交"
HANG_GUARD_SECONDS = 120  # only stops a broken run from hanging; no speed bound


@pytest.fixture
def server(transactional_db, live_server, settings):
    city = City.objects.create(slug="kunshan", name="昆山")
    Entry.objects.create(question="灵活就业人员如何缴纳社保？", answer="携带身份证到社保窗口登记。", city=city)
    build_index()
    buffer.buffer.discard()
    settings.SEARCH_LOG_FLUSH_SECONDS = 1
    yield live_server.url
    buffer.buffer.stop()


def reported_queries():
    out = io.StringIO()
    call_command("search_report", "--days", "1", "--format", "json", stdout=out)
    return {r["query"]: r["count"] for r in json.loads(out.getvalue())["top_queries"]}


def test_a_search_over_http_reaches_the_report_through_the_background_flusher(server, monkeypatch):
    writers, real_flush = [], buffer.Buffer.flush

    def flush(self):
        written = real_flush(self)
        if written:
            writers.append(threading.current_thread().name)
        return written

    monkeypatch.setattr(buffer.Buffer, "flush", flush)
    with urllib.request.urlopen(f"{server}/search/?{urllib.parse.urlencode({'q': QUERY})}") as response:
        assert response.status == 200
    with urllib.request.urlopen(f"{server}/api/search/?{urllib.parse.urlencode({'q': QUERY})}") as response:
        assert response.status == 200
    # Nothing here flushes or stops the buffer: only the flusher's own round can bring them to the report.
    started = time.monotonic()
    while reported_queries().get(QUERY) != 2:
        assert time.monotonic() - started < HANG_GUARD_SECONDS, f"the searches never reached the report: {writers}"
        time.sleep(0.2)
    assert writers and set(writers) == {"insights-flusher"}
