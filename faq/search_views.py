"""The /search/ page (issue 3 §5): highlighted results, city and topic facets, pagination, a helpful empty page."""

from urllib.parse import urlencode

from django.shortcuts import render

from . import queries
from .models import City, Topic
from .search import search

PER_PAGE = 10
# Shown when nothing matched: broad, common questions that always find something.
SUGGESTED_QUERIES = ["社保卡挂失", "失业保险金申领", "养老金计算", "参保证明打印", "工伤认定", "档案托管"]


def _int(value, default=1):
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return default


def _url(**params):
    return "?" + urlencode({k: v for k, v in params.items() if v})


def _facet_links(counts, objects, param, q, city, topic):
    links = []
    current = city if param == "city" else topic
    for slug, count in counts.items():
        obj = objects.get(slug)
        if obj is None:
            continue
        selected = slug == current
        params = {"q": q, "city": city, "topic": topic}
        params[param] = None if selected else slug
        links.append({"slug": slug, "name": obj.name, "count": count, "selected": selected, "url": _url(**params)})
    return links


def _page_links(page, pages, q, city, topic, window=2):
    numbers = sorted({1, pages, *range(max(1, page - window), min(pages, page + window) + 1)})
    links, last = [], 0
    for n in numbers:
        if n - last > 1:
            links.append({"gap": True})
        links.append({"number": n, "url": _url(q=q, city=city, topic=topic, page=n), "current": n == page})
        last = n
    return links


def search_page(request):
    q = (request.GET.get("q") or "").strip()[:200]
    cities = {c.slug: c for c in City.objects.all()}
    topics = {t.slug: t for t in Topic.objects.all()}
    # Unknown filter values (old links, typos) are ignored rather than failing the page.
    city = request.GET.get("city") if request.GET.get("city") in cities else None
    topic = request.GET.get("topic") if request.GET.get("topic") in topics else None
    page = _int(request.GET.get("page"))

    context = {"query": q, "city": cities.get(city), "topic": topics.get(topic), "results": None}
    if q:
        results = search(q, city=city, topic=topic, page=page, limit=PER_PAGE)
        if results.total and page > results.pages:
            page = results.pages
            results = search(q, city=city, topic=topic, page=page, limit=PER_PAGE)
        context.update(
            results=results,
            hits=results.hits,
            city_facets=_facet_links(results.facets.get("city", {}), cities, "city", q, city, topic),
            topic_facets=_facet_links(results.facets.get("topic", {}), topics, "topic", q, city, topic),
            page_links=_page_links(page, results.pages, q, city, topic) if results.pages > 1 else [],
            prev_url=_url(q=q, city=city, topic=topic, page=page - 1) if page > 1 else "",
            next_url=_url(q=q, city=city, topic=topic, page=page + 1) if page < results.pages else "",
            unfiltered_url=_url(q=q) if (city or topic) else "",
        )
    if not q or not context["results"].total:
        context.update(
            hot_entries=queries.hot_entries(),
            suggestions=[{"q": s, "url": _url(q=s)} for s in SUGGESTED_QUERIES],
            all_topics=list(topics.values()),
        )
    status = 200
    return render(request, "faq/search.html", context, status=status)
