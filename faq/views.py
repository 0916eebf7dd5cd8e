"""Citizen-facing pages (issue 4). Views only check input, call one query function and render."""

import sys

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader

from portal.middleware import is_outage, outage_response

from . import directory, queries
from .errors import BadParameter

DISTRICT_COOKIE_AGE = 180 * 24 * 3600


def home(request):
    return render(request, "faq/home.html", queries.home_page())


def topic_index(request):
    return render(request, "faq/topic_index.html", queries.topic_index_page())


def topic_detail(request, slug):
    return render(request, "faq/topic.html", queries.topic_page(slug))


def city_detail(request, city_slug):
    return render(request, "faq/city.html", queries.city_page(city_slug))


def district_detail(request, city_slug, district_slug):
    context = queries.district_page(city_slug, district_slug)
    # A town with nothing on it is not a page (404), but still tells the citizen where to turn.
    return render(request, "faq/district.html", context, status=404 if context["empty"] else 200)


def keyword_index(request):
    return render(request, "faq/keyword_index.html", queries.keyword_index_page())


def keyword_detail(request, pk):
    return render(request, "faq/keyword.html", queries.keyword_page(pk))


def bad_request(request, exc):
    return render(request, "400.html", {"message": str(exc)}, status=400)


def entry_detail(request, pk):
    try:
        context = directory.entry_detail_page(pk, request.GET.get("district"), request.COOKIES)
    except BadParameter as exc:
        return bad_request(request, exc)
    response = render(request, "faq/entry.html", context)
    district = context["chosen_district"]
    if request.GET.get("district") and district is not None:
        # Remembered so the next entry page lists this district's offices first too.
        for name, value in (("city", district.city.slug), ("district", district.slug)):
            response.set_cookie(name, value, max_age=DISTRICT_COOKIE_AGE, samesite="Lax")
    return response


def office_index(request):
    params = {k: request.GET.get(k) or None for k in ("city", "district", "kind")}
    try:
        context = directory.office_index_page(**params)
    except BadParameter as exc:
        return bad_request(request, exc)
    return render(request, "faq/office_index.html", context)


def office_detail(request, pk):
    return render(request, "faq/office.html", directory.office_detail_page(pk))


def phone_index(request):
    return render(request, "faq/phone_index.html", directory.phone_index_page())


def page_not_found(request, exception=None):
    return render(request, "404.html", {"request_path": request.path}, status=404)


def server_error(request):
    # A database outage outside a view (middleware, sessions) is a 503 too, like DatabaseOutageMiddleware's.
    exception = sys.exc_info()[1]
    if is_outage(exception):
        return outage_response(request, exception)
    # No context processors or database: whatever broke must not break the error page too.
    return HttpResponseServerError(loader.get_template("500.html").render())
