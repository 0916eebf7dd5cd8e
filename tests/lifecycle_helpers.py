"""Small fixtures for the content lifecycle tests: one city, a fresh empty index, editors and reviewers."""

import pytest
from django.contrib.auth.models import Group, User
from haystack import connections

from faq.models import City, District, Entry, Topic
from faq.permissions import ensure_editor_group, ensure_reviewer_group
from faq.search.build import build_index
from faq.search.service import search


def ids(q):
    return [h.obj.pk for h in search(q, limit=50, highlight=False).hits]


def member(name, group):
    (ensure_editor_group if group == "编辑" else ensure_reviewer_group)()
    user = User.objects.create_user(name, password=f"pw-{name}-123", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return User.objects.get(pk=user.pk)  # a fresh object: no cached permissions


@pytest.fixture
def city(db):
    city = City.objects.create(slug="changsha", name="长沙", area_code="0731")
    District.objects.create(city=city, slug="furong", name="芙蓉区")
    other = City.objects.create(slug="shenzhen", name="深圳", area_code="0755", order=1)
    District.objects.create(city=other, slug="futian", name="福田区")
    Topic.objects.create(slug="social-security-card", name="社会保障卡")
    connections["default"].get_backend()
    build_index()  # a fresh, empty index for every test
    return city


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run the block's on-commit hooks (the test transaction itself never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def editor(db):
    return member("editor", "编辑")


@pytest.fixture
def reviewer(db):
    return member("reviewer", "审核")


def make_entry(city, question="社保卡丢了怎么补办？", answer="携带身份证到发卡银行挂失补办。", **fields):
    return Entry.objects.create(question=question, answer=answer, city=city, **fields)
