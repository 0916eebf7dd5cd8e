"""The /search/ page: highlighted results, city and topic facets, pagination, a helpful empty page.
The view validates with SearchForm, runs one search and renders; links are built by template tags."""

from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from faq import hooks, queries
from faq.preferences import chosen_city

from .engine.base import EngineUnavailable
from .forms import SearchForm
from .service import search

PER_PAGE = 10
UNAVAILABLE_RETRY_AFTER = 30  # seconds
# Shown when nothing matched: broad, common questions that always find something (the curated 大家常搜, until
# staff edit the list: faq.hooks "popular_searches").
SUGGESTED_QUERIES = ["社保卡挂失", "失业保险金申领", "养老金计算", "工伤认定", "退保", "档案托管"]


def search_page(request):
    q, city, topic, page = SearchForm(request.GET).params()
    home = chosen_city(request)
    context = {"query": q, "city": city, "topic": topic, "results": None}
    if q:
        try:
            results = search(
                q,
                city=city and city.slug,
                topic=topic and topic.slug,
                page=page,
                limit=PER_PAGE,
                clamp_page=True,
                home_city=home,
            )
        except EngineUnavailable:
            # No usable index at all: say so (with the hotline) instead of an empty or broken page.
            response = render(request, "faq/search.html", {**context, "unavailable": True}, status=503)
            response["Retry-After"] = str(UNAVAILABLE_RETRY_AFTER)
            return response
        context.update(
            results=results,
            hits=results.hits,
            page_obj=results.paginator().get_page(results.page),
            facet_names=queries.facet_names(),
            scope_city=queries.city_choice(results.scope) if results.scope else None,
            best=results.best_answer(),
        )
        # The search log (insights) listens here, after the search; it may add click-tracking links.
        context.update(
            hooks.searched(request, results, "page", city=city and city.slug, topic=topic and topic.slug, page=page)
        )
        if not results.answered:
            context["hotlines"] = queries.hotlines(home or results.scope)
    if not q or not context["results"].total:
        context.update(
            hot_entries=queries.hot_entries(),
            suggested_queries=queries.popular_searches(home, SUGGESTED_QUERIES),
            all_topics=queries.all_topics(),
        )
    response = render(request, "faq/search.html", context)
    patch_vary_headers(response, ["Cookie"])
    return response
