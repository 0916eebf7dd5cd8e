"""Each thing once on the entry page: steps and offices shown as structured records are not repeated by the
answer's text; 网办 menu paths are one linked 线上办理路径 line; tables carry captions."""

import pytest

from faq.models import Entry
from faq.rendering import render_text
from tests.test_pages import get

pytestmark = pytest.mark.django_db


def main_text(page):
    return page.text().split("跳到正文", 1)[-1].split("相关问题", 1)[0]


def test_entry_12_shows_its_offices_once_and_its_process_once(imported, client):
    q12 = Entry.objects.get(source__filename__startswith="000_", source_key="q12")
    assert q12.offices.count() == 7 and q12.steps.count() == 2
    page = get(client, f"/entries/{q12.pk}/")
    text = main_text(page)
    # Every office's address once (its card), not again in a table.
    for office in q12.offices.all():
        assert text.count(office.address) == 1, office.name
    assert "<table" not in page.html.split('id="answer-h"')[1].split("</section>")[0]
    # The process once: the steps list; the answer keeps only its lead-in.
    assert text.count("到户口所在地、常住地或单位所在地社区") == 1
    assert "办理失业保险金申领，需分两步进行" in text
    assert len(page.find("ol", **{"class": "steps"})) == 1


def test_kunshan_registration_is_one_online_path_not_five_steps(imported, client):
    entry = Entry.objects.get(city__slug="kunshan", question__contains="用人单位用工登记")
    assert entry.steps.count() == 0
    assert entry.online_path == "江苏人社网上办事服务大厅 → 单位办事 → 社会保险 → 社会保险登记 → 用人单位用工参保登记"
    page = get(client, f"/entries/{entry.pk}/")
    assert not page.find("ol", **{"class": "steps"})
    assert ("https://rs.jshrss.jiangsu.gov.cn", entry.online_path) in page.links
    assert main_text(page).count("单位办事") == 1


def test_a_real_procedure_stays_numbered_steps(imported, client):
    unit26 = Entry.objects.get(source__filename__startswith="004_", source_key="unit26")
    assert unit26.steps.count() == 10 and unit26.online_path == ""
    page = get(client, f"/entries/{unit26.pk}/")
    assert len(page.find("ol", **{"class": "steps"})) == 1
    assert main_text(page).count("不晚于开考前10天") == 2  # two steps say it, each once


def test_a_table_lead_in_becomes_its_caption():
    html = render_text("咨询电话：\n| 名称 | 电话 |\n| --- | --- |\n| 芙蓉区 | 0731-1 |")
    assert "<caption>咨询电话</caption>" in html
    assert "<p>咨询电话：</p>" not in html
