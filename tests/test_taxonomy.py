"""Topic classification (faq.taxonomy): the entries the issue found misfiled under 单位参保经办 (加班, 深圳's
住房公积金, 城乡居民 registration, 工伤 rights) are not there, and employers' own business still is."""

import pytest

from faq.models import Entry
from faq.taxonomy import classify_topics
from tests.test_pages import get

EMPLOYER = "employer-services"


def parsed(parsed_sources, prefix, key):
    for doc, _sha in parsed_sources:
        if doc.filename.startswith(prefix):
            for entry in doc.entries:
                if entry.key == key:
                    return entry
    raise LookupError(prefix + key)


def topics(parsed_sources, prefix, key):
    e = parsed(parsed_sources, prefix, key)
    return classify_topics(e.question, e.answer, e.topics)


@pytest.mark.parametrize(
    ("prefix", "key", "right"),
    [
        ("000_", "q16", "labour-relations"),  # 单位安排法定节假日加班
        ("001_", "item19", "social-insurance-services"),  # 深圳 结算住房公积金 after a change of employer
        ("001_", "item10", "social-insurance-services"),  # 更换单位时不要急于退保
        ("000_", "q20", "work-injury"),  # 用人单位未给职工办理工伤保险
        ("002_", "q2", "rural-pension"),  # 城乡居民 register themselves
        ("000_", "q2", "employment"),  # 更换了工作单位 while receiving a housing subsidy
        ("003_", "faq11", "social-security-card"),  # 开户失败: the card's bank account
    ],
)
def test_misfiled_entries_leave_employer_services(parsed_sources, prefix, key, right):
    found = topics(parsed_sources, prefix, key)
    assert EMPLOYER not in found and right in found, found


@pytest.mark.parametrize(
    ("prefix", "key"),
    [("000_", "q89"), ("000_", "q54"), ("000_", "q87"), ("000_", "q88"), ("000_", "q35"), ("004_", "unit1")],
)
def test_employers_own_business_stays(parsed_sources, prefix, key):
    assert EMPLOYER in topics(parsed_sources, prefix, key)


@pytest.mark.django_db
def test_topic_page_no_longer_lists_overtime_or_housing_fund(imported, client):
    page = get(client, "/topics/employer-services/")
    overtime = Entry.objects.get(source__filename__startswith="000_", source_key="q16")
    fund = Entry.objects.get(source__filename__startswith="001_", source_key="item19")
    hrefs = page.hrefs()
    assert overtime.get_absolute_url() not in hrefs and fund.get_absolute_url() not in hrefs
    opening = Entry.objects.get(source__filename__startswith="000_", source_key="q89")
    assert opening.get_absolute_url() in hrefs
    assert overtime.get_absolute_url() in get(client, "/topics/labour-relations/").hrefs()
