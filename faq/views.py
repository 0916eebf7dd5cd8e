"""Citizen-facing pages (issue 4). Views only check input, call one query function and render."""

import functools
import hashlib
import json
import sys
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.contrib.staticfiles import finders
from django.http import Http404, HttpResponse, HttpResponseRedirect, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme

from portal.middleware import is_outage, outage_response

from . import directory, hooks, preview, queries
from .errors import BadParameter
from .preferences import CITY_COOKIE, CITY_COOKIE_AGE, chosen_city
from .structured_data import entry_graph, json_ld

DISTRICT_COOKIE_AGE = 180 * 24 * 3600


def choose_city(request):
    """The header's city chooser (a plain GET form, so it works without JavaScript): remember the choice in a
    cookie for a year, no login needed, and go back to the page it was made on."""
    city = request.GET.get("city", "")
    target = request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        target = "/"
    # A page filtered by ?city= shows the new choice, not the old filter.
    parts = urlsplit(target)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("city", "page")]
    target = parts.path + ("?" + urlencode(query) if query else "")
    response = HttpResponseRedirect(target)
    if queries.city_choice(city):
        response.set_cookie(
            CITY_COOKIE, city, max_age=CITY_COOKIE_AGE, samesite="Lax", httponly=True, secure=request.is_secure()
        )
    else:
        response.delete_cookie(CITY_COOKIE, samesite="Lax")
    return response


def home(request):
    response = render(request, "faq/home.html", queries.home_page(city=chosen_city(request)))
    patch_vary_headers(response, ["Cookie"])
    return response


def topic_index(request):
    return render(request, "faq/topic_index.html", queries.topic_index_page())


def topic_detail(request, slug):
    # ?city= wins (a shared link shows what its sender saw); ?city=all shows every city; else the chosen city.
    city = request.GET.get("city")
    if city is None:
        city = chosen_city(request)
    context = queries.topic_page(slug, city=city, audience=request.GET.get("audience"))
    response = render(request, "faq/topic.html", context)
    patch_vary_headers(response, ["Cookie"])
    return response


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
    context["json_ld"] = json_ld(entry_graph(context["entry"], request.build_absolute_uri))
    response = render(request, "faq/entry.html", context)
    hooks.entry_viewed(request, context["entry"])  # views per day feed the hot questions (insights)
    district = context["chosen_district"]
    if request.GET.get("district") and district is not None:
        # Remembered so the next entry page lists this district's offices first too.
        for name, value in (("city", district.city.slug), ("district", district.slug)):
            response.set_cookie(name, value, max_age=DISTRICT_COOKIE_AGE, samesite="Lax")
    return response


def _staff_only(request):
    """Anyone but staff gets the same 404 as for an unknown entry, so a preview link reveals nothing."""
    user = request.user
    if not (user.is_active and user.is_staff and user.has_perm("faq.view_entry")):
        raise Http404("条目不存在")


def entry_preview(request, pk):
    _staff_only(request)
    return preview.preview_response(request, pk)


def change_preview(request, pk):
    _staff_only(request)
    return preview.change_preview_response(request, pk)


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


# What the service worker caches on install, besides the home and offline pages.
SHELL_STATIC = ["css/portal.css", "js/mode.js", "js/portal.js", "img/favicon.svg", "manifest.webmanifest"]


@functools.cache
def service_worker_source():
    """static/js/sw.js with its constants. VERSION hashes the worker and every shell file's contents and URL, so
    any deploy that changes one of them changes the worker, and browsers replace it and its caches."""
    digest = hashlib.sha256()
    sources = ["js/sw.js", *SHELL_STATIC]
    for name in sources:
        digest.update(name.encode() + b"\0" + static(name).encode() + b"\0")
        digest.update(Path(finders.find(name)).read_bytes())
    shell = ["/", "/offline/", *(static(name) for name in SHELL_STATIC)]
    head = (
        f"var VERSION = {json.dumps(digest.hexdigest()[:12])};\n"
        f"var SHELL = {json.dumps(shell)};\n"
        'var OFFLINE_URL = "/offline/";\n'
    )
    return head + Path(finders.find("js/sw.js")).read_text(encoding="utf-8")


def service_worker(request):
    # At the site root so its scope covers every page; never cached by HTTP, so a deploy is seen at once.
    response = HttpResponse(service_worker_source(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


def offline(request):
    return render(request, "offline.html")


def page_not_found(request, exception=None):
    return render(request, "404.html", {"request_path": request.path}, status=404)


def server_error(request):
    # A database outage outside a view (middleware, sessions) is a 503 too, like DatabaseOutageMiddleware's.
    exception = sys.exc_info()[1]
    if is_outage(exception):
        return outage_response(request, exception)
    # No context processors or database: whatever broke must not break the error page too.
    return HttpResponseServerError(loader.get_template("500.html").render())
