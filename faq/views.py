"""Placeholder views; the portal pages are built in issue 4."""

from django.http import HttpResponse


def _placeholder(request, *args, **kwargs):
    return HttpResponse("人社知识库")


home = city_detail = district_detail = topic_detail = keyword_detail = entry_detail = office_detail = _placeholder
