"""The office and phone directories over the real sources: filters, one row per number, cities without
offices showing their channels, and no link to an empty town page."""

import re
from xml.etree import ElementTree

import pytest

from faq.models import District
from tests.test_pages import get

pytestmark = pytest.mark.django_db


def test_phone_directory_has_one_row_per_number_with_all_its_labels(imported, client):
    page = get(client, "/phones/")
    rows = re.findall(r'<tr class="phone-row">(.*?)</tr>', page.html, re.S)
    numbers = [re.search(r'class="tel-number">([^<]+)<', r).group(1) for r in rows]
    cities = re.findall(r'<section id="city-([a-z]+)"', page.html)
    assert len(rows) > 80 and cities == ["changsha", "shenzhen", "kunshan"]
    changsha = page.html.split('id="city-shenzhen"')[0]
    changsha_numbers = re.findall(
        r'<tr class="phone-row"><td><a class="tel" href="[^"]+"><span class="tel-number">([^<]+)<', changsha
    )
    assert len(changsha_numbers) == len(set(changsha_numbers))
    row = next(r for r, n in zip(rows, numbers, strict=True) if n == "0731-84907513")
    assert "养老金咨询电话" in row and "901办公室" in row
    # A room says where the number rings, not what to call about: the label leads with the business.
    labels = {
        n: re.findall(r'class="tel-label">([^<]+)<', r)
        for r, n in zip(rows, numbers, strict=True)
        if n.startswith("0731")
    }
    for number in ("0731-84907720", "0731-84907725"):
        assert labels[number] == ["用人单位招聘手续咨询电话（长沙市人力资源和社会保障局3楼304办公室）"]
    assert "生存认证咨询电话（长沙市人力资源和社会保障局901办公室）" in labels["0731-84907513"]
    room_only = re.compile(r"^[\u4e00-\u9fff\d]*\d+(?:楼|室|办公室)$")
    assert not [label for found in labels.values() for label in found if room_only.match(label)]
    # Grouped by 业务, the filter box ships hidden (the full list works without JavaScript).
    assert "<caption>长沙 · 社保卡</caption>" in page.html and "<caption>长沙 · 劳动监察</caption>" in page.html
    assert '<p class="phone-filter" hidden>' in page.html


def test_office_cards_offer_copy_map_and_tel_links(imported, client):
    page = get(client, "/offices/?city=changsha&kind=劳动人事争议仲裁委员会")
    assert page.html.count('class="card office-card"') == 11
    assert page.find("button", **{"class": "copy-button"})
    assert any(h.startswith("https://uri.amap.com/search?keyword=") for h in page.hrefs())
    assert any(h.startswith("tel:0731") for h in page.hrefs())
    assert "/static/js/directory.js" in page.html and "<script>" not in page.html.split("</head>")[1]


def test_kunshan_has_channels_instead_of_empty_pages(imported, client):
    offices = get(client, "/offices/")
    assert ("#city-kunshan", "昆山（网上办理）") in offices.links
    kunshan = offices.html.split('id="city-kunshan"')[1]
    assert "https://rs.jshrss.jiangsu.gov.cn" in kunshan
    city = get(client, "/cities/kunshan/")
    assert "https://rs.jshrss.jiangsu.gov.cn" in city.hrefs()
    assert not [h for h in city.hrefs() if h.startswith("/cities/kunshan/") and h != "/cities/kunshan/"]
    town = client.get("/cities/kunshan/bacheng/")
    assert town.status_code == 404 and "江苏人社网上办事服务大厅" in town.content.decode()


def test_no_link_leads_to_an_empty_town_page(imported, client):
    pages = ["/", "/offices/", "/phones/", *(f"/cities/{slug}/" for slug in ("changsha", "shenzhen", "kunshan"))]
    district_links = set()
    for url in pages:
        district_links |= {
            h.split("?")[0].split("#")[0]
            for h in get(client, url).hrefs()
            if h.count("/") == 4 and h.startswith("/cities/")
        }
    sitemap = client.get("/sitemap.xml")
    locs = [
        e.text for e in ElementTree.fromstring(sitemap.content).iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")
    ]
    district_links |= {re.sub(r"^https?://[^/]+", "", u) for u in locs if re.search(r"/cities/[^/]+/[^/]+/$", u)}
    assert district_links
    for href in district_links:
        assert client.get(href).status_code == 200, href
    empty = District.objects.filter(city__slug="kunshan", slug="bacheng").get()
    assert empty.get_absolute_url() not in district_links
