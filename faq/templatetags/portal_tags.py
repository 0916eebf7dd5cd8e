"""Template helpers for the portal pages: answer rendering, breadcrumbs, canonical links."""

import re

from django import template
from django.urls import reverse
from django.utils.text import Truncator

from faq import cards
from faq.rendering import phone_links, render_text
from faq.taxonomy import CITIES

register = template.Library()

# Section pages a breadcrumb may name by URL name.
SECTIONS = {
    "faq:topic_index": "主题分类",
    "faq:keyword_index": "热门关键词",
    "faq:office_index": "办事机构",
    "faq:phone_index": "咨询电话",
    "faq:search": "搜索",
}


@register.filter(name="render_text")
def render_text_filter(value):
    """Plain-text answer → safe HTML (paragraphs, tables, lists, links); see faq.rendering."""
    return render_text(value or "")


@register.filter(name="phone_links")
def phone_links_filter(value):
    """A 咨询电话 element's text with each number as a tel: link."""
    return phone_links(value or "")


@register.filter
def card_values(obj):
    """The 办事指南 elements' texts (faq.cards), for the search index template."""
    return cards.card_values(obj)


@register.filter
def summary(value, length=120):
    """One line of plain text for <meta name="description">: no table pipes, no line breaks."""
    text = re.sub(r"\|\s*:?-{3,}:?\s*", " ", value or "")
    text = re.sub(r"[|\s]+", " ", text).strip()
    return Truncator(text).chars(length)


@register.simple_tag(takes_context=True)
def canonical_url(context):
    request = context.get("request")
    return request.build_absolute_uri(request.path) if request is not None else ""


@register.inclusion_tag("includes/breadcrumbs.html")
def breadcrumbs(*parts):
    """``{% breadcrumbs "faq:topic_index" topic %}`` → 首页 › 主题分类 › 养老保险.

    Each part is a section URL name (see SECTIONS), a model instance with get_absolute_url,
    or a plain string; the last part is the current page and is not linked.
    """
    crumbs = []
    for part in parts:
        if isinstance(part, str) and part in SECTIONS:
            crumbs.append({"label": SECTIONS[part], "url": reverse(part)})
        elif hasattr(part, "get_absolute_url"):
            crumbs.append({"label": str(part), "url": part.get_absolute_url()})
        else:
            crumbs.append({"label": str(part), "url": ""})
    if crumbs:
        crumbs[-1]["url"] = ""
    return {"crumbs": crumbs}


@register.simple_tag(takes_context=True)
def city_options(context):
    """The header's city chooser: [(slug, name, selected)] from the taxonomy (no query on every page)."""
    request = context.get("request")
    current = request.COOKIES.get("city", "") if request is not None else ""
    return [(c.slug, c.name, c.slug == current) for c in CITIES]
