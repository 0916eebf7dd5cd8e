"""/sitemap.xml: every public page (search results are left out: they are queries, not pages)."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Count
from django.urls import reverse

from .models import City, District, Keyword, Office, Topic
from .queries import published_entries, published_q, with_content


class SectionSitemap(Sitemap):
    priority = 0.6
    changefreq = "weekly"

    def items(self):
        return ["faq:home", "faq:topic_index", "faq:keyword_index", "faq:office_index", "faq:phone_index"]

    def location(self, item):
        return reverse(item)


class TopicSitemap(Sitemap):
    priority = 0.6

    def items(self):
        return Topic.objects.all()


class CitySitemap(Sitemap):
    priority = 0.6

    def items(self):
        return City.objects.all()


class DistrictSitemap(Sitemap):
    priority = 0.5

    def items(self):
        return with_content(District.objects.select_related("city")).order_by("city__order", "order", "pk")


class EntrySitemap(Sitemap):
    priority = 0.8

    def items(self):
        return published_entries().order_by("pk")

    def lastmod(self, entry):
        return entry.updated_at


class KeywordSitemap(Sitemap):
    priority = 0.3

    def items(self):
        # Keywords whose every entry is unpublished would be empty pages.
        return Keyword.objects.annotate(n=Count("entries", filter=published_q())).filter(n__gt=0).order_by("pk")


class OfficeSitemap(Sitemap):
    priority = 0.5

    def items(self):
        return Office.objects.order_by("pk")


sitemaps = {
    "sections": SectionSitemap,
    "topics": TopicSitemap,
    "cities": CitySitemap,
    "districts": DistrictSitemap,
    "entries": EntrySitemap,
    "keywords": KeywordSitemap,
    "offices": OfficeSitemap,
}
