"""Links of the search page: facets that toggle a filter and page numbers, each keeping the other
parameters of the current request (and dropping ``page`` when the filter changes)."""

from urllib.parse import urlencode

from django import template
from django.core.paginator import Paginator

register = template.Library()


def _url(request, **changes):
    params = {k: v for k, v in request.GET.items() if k in ("q", "city", "topic", "page")}
    params.update(changes)
    return "?" + urlencode({k: v for k, v in params.items() if v not in (None, "", 1, "1")})


@register.inclusion_tag("includes/search_facets.html", takes_context=True)
def search_facets(context, param, title):
    """One facet group: ``param`` is "city" or "topic"; the counts are over every match, not the page."""
    request, results = context["request"], context["results"]
    names = context["facet_names"][param]
    current = request.GET.get(param)
    links = []
    for slug, count in results.facets.get(param, {}).items():
        if slug not in names:
            continue
        selected = slug == current
        url = _url(request, page=None, **{param: None if selected else slug})
        links.append({"name": names[slug], "count": count, "selected": selected, "url": url})
    return {"title": title, "links": links}


@register.inclusion_tag("includes/pagination.html", takes_context=True)
def search_pagination(context, page_obj):
    request = context["request"]
    paginator = page_obj.paginator
    links = []
    for n in paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1):
        if n == Paginator.ELLIPSIS:
            links.append({"gap": True})
        else:
            links.append({"number": n, "url": _url(request, page=n), "current": n == page_obj.number})
    return {
        "links": links if paginator.num_pages > 1 else [],
        "prev_url": _url(request, page=page_obj.previous_page_number()) if page_obj.has_previous() else "",
        "next_url": _url(request, page=page_obj.next_page_number()) if page_obj.has_next() else "",
    }


@register.simple_tag(takes_context=True)
def search_url(context, **params):
    """A search link with only ``params`` (a suggestion, the unfiltered search)."""
    return "?" + urlencode({k: v for k, v in params.items() if v})
