"""Keywords (faq.keywords): a stop list and a variants table as data, merged variants, no bad segments on
the real sources, and 经工作人员校对 only on keywords staff confirmed."""

import pytest
from django.core.management import call_command

from faq.actions import do_confirm_keywords
from faq.keywords import STOPLIST_FILE, VARIANTS_FILE, extract_keywords, preferred_form, stoplist
from faq.models import AuditEvent, Entry, Keyword
from tests.test_pages import get

BAD_SEGMENTS = {"长沙市人", "社局", "保障局", "模块"}


def test_stop_list_and_variants_are_data_files():
    assert STOPLIST_FILE.name == "keyword_stoplist.txt" and VARIANTS_FILE.name == "keyword_variants.tsv"
    assert stoplist() >= BAD_SEGMENTS
    assert "办理" in stoplist() and "长沙" in stoplist()  # generic words and city names
    assert preferred_form("个人帐户") == "个人账户"
    assert preferred_form("电子社会保障卡") == "电子社保卡"
    assert preferred_form("养老金") == "养老金"


def test_extraction_merges_variants_and_drops_bad_segments():
    text = (
        "个人帐户如何查询？长沙市人社局提醒：个人帐户和个人账户是同一个账户，可在智慧人社APP的查询模块查看。"
        "长沙市人社局社会保障卡服务网点也可查询个人帐户。"
    )
    words = extract_keywords(text, top_k=8)
    assert "个人账户" in words and "个人帐户" not in words
    assert not BAD_SEGMENTS & set(words)


@pytest.mark.django_db
def test_real_sources_have_no_bad_segments_and_one_spelling(imported):
    call_command("extract_keywords", verbosity=0)
    names = set(Keyword.objects.values_list("name", flat=True))
    assert not BAD_SEGMENTS & names
    assert not {n for n in names if "帐户" in n or "社会保障卡" in n}
    assert {"个人账户", "社保卡"} <= names
    # Both spellings' entries are under the one keyword now.
    merged = Keyword.objects.get(name="个人账户").entries.all()
    assert any("帐户" in e.answer or "帐户" in e.question for e in merged)
    assert any("账户" in e.answer or "账户" in e.question for e in merged)


@pytest.mark.django_db
def test_unused_keywords_go_unless_staff_confirmed_them(imported):
    stale = Keyword.objects.create(name="长沙市人")
    kept = Keyword.objects.create(name="人工确认词", confirmed=True)
    call_command("extract_keywords", verbosity=0)
    assert not Keyword.objects.filter(pk=stale.pk).exists()
    assert Keyword.objects.filter(pk=kept.pk).exists()


@pytest.mark.django_db
def test_checked_by_staff_only_on_confirmed_keywords(imported, client, admin_user):
    call_command("extract_keywords", verbosity=0)
    index = get(client, "/keywords/")
    assert "经工作人员校对" not in index.html and "已校对" not in index.html
    keyword = Keyword.objects.get(name="社保卡")
    other = Keyword.objects.get(name="个人账户")
    assert "经工作人员校对" not in get(client, keyword.get_absolute_url()).html

    assert do_confirm_keywords(Keyword.objects.filter(pk=keyword.pk), True, admin_user) == 1
    assert AuditEvent.objects.filter(target_type="keyword", target_id=keyword.pk, actor=admin_user).exists()
    index = get(client, "/keywords/")
    item = index.html.split(f'href="{keyword.get_absolute_url()}"')[1].split("</li>")[0]
    assert "已校对" in item
    assert "已校对" not in index.html.split(f'href="{other.get_absolute_url()}"')[1].split("</li>")[0]
    assert "经工作人员校对" in get(client, keyword.get_absolute_url()).html
    assert "经工作人员校对" not in get(client, other.get_absolute_url()).html
    # Confirmed keywords survive re-extraction (only extraction's own orphans go).
    call_command("extract_keywords", verbosity=0)
    assert Keyword.objects.get(pk=keyword.pk).confirmed


@pytest.mark.django_db
def test_admin_confirms_keywords_with_an_action(imported, admin_client):
    call_command("extract_keywords", verbosity=0)
    keyword = Keyword.objects.get(name="社保卡")
    response = admin_client.post(
        "/admin/faq/keyword/", {"action": "confirm", "_selected_action": [keyword.pk]}, follow=True
    )
    assert response.status_code == 200
    assert Keyword.objects.get(pk=keyword.pk).confirmed
    listing = admin_client.get("/admin/faq/keyword/", {"confirmed__exact": "1"})
    assert "社保卡" in listing.content.decode()
    assert Entry.objects.filter(keywords=keyword).exists()
