"""热点问题 and 大家常搜 from real use (faq.hooks providers).

Hot questions: the entries most opened from search results plus most viewed over the last INSIGHTS_HOT_DAYS,
per city; staff pin and hide items (HotQuestionRule).  Until there is enough use, the curated list fills the
rest, so a fresh install looks as before.  Results are cached briefly; staff changes bump the cache version.
"""

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from faq.models import Entry

from .models import EntryViewDay, HotQuestionRule, PopularSearch, SearchClick

VERSION_KEY = "insights:hot:version"


def _cached(name, compute, **kwargs):
    seconds = settings.INSIGHTS_HOT_CACHE_SECONDS
    if seconds <= 0:
        return compute()
    version = cache.get_or_set(VERSION_KEY, 1, None)
    key = f"insights:{name}:{version}:" + ":".join(f"{k}={v}" for k, v in sorted(kwargs.items()))
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, seconds)
    return found


def usage_scores(city=None, days=None, now=None):
    """{entry_id: opened-from-search + page views} over the last ``days`` days (published entries only)."""
    since = (now or timezone.now()) - timedelta(days=days or settings.INSIGHTS_HOT_DAYS)
    scores = {}
    views = EntryViewDay.objects.filter(day__gte=timezone.localdate(since)).values("entry_id").annotate(n=Sum("views"))
    clicks = SearchClick.objects.filter(at__gte=since).values("entry_id").annotate(n=Count("pk"))
    for row in [*views, *clicks]:
        scores[row["entry_id"]] = scores.get(row["entry_id"], 0) + row["n"]
    live = Entry.objects.filter(pk__in=scores, status=Entry.Status.PUBLISHED)
    if city:
        live = live.filter(city__slug=city)
    keep = set(live.values_list("pk", flat=True))
    return {pk: n for pk, n in scores.items() if pk in keep}


def hot_entry_ids(limit, city=None, fallback=()):
    rules = HotQuestionRule.objects.filter(Q(city="") | Q(city=city or "")).select_related("entry__city")
    hidden = {r.entry_id for r in rules if r.action == HotQuestionRule.Action.HIDE}
    pinned = [
        r.entry_id
        for r in rules
        if r.action == HotQuestionRule.Action.PIN
        and r.entry.status == Entry.Status.PUBLISHED
        and (not city or r.entry.city.slug == city)
    ]
    scores = usage_scores(city)
    used = sorted(scores, key=lambda pk: (-scores[pk], pk))
    chosen = []
    for pk in [*pinned, *used, *fallback]:
        if pk not in hidden and pk not in chosen:
            chosen.append(pk)
    return chosen[:limit]


def hot_entries(fallback, limit, city=None):
    """The provider for faq.queries.hot_entries: pinned, then most used, then the curated list."""

    def compute():
        curated = fallback()
        ids = hot_entry_ids(limit, city, [e.pk for e in curated])
        known = {e.pk: e for e in curated}
        missing = [pk for pk in ids if pk not in known]
        if missing:
            known.update((e.pk, e) for e in Entry.objects.filter(pk__in=missing).select_related("city"))
        return [known[pk] for pk in ids if pk in known]

    # The entries themselves are cached (question and city are all a list shows); any entry saved bumps the
    # cache version, so an edited or unpublished entry is never shown stale.
    return _cached("hot", compute, limit=limit, city=city or "")


def popular_searches(fallback, city=None):
    """大家常搜 as staff set it (a city's own list, else the all-city one); the curated list until then."""

    def compute():
        rows = PopularSearch.objects.filter(active=True)
        own = [p.text for p in rows if city and p.city == city]
        shared = [p.text for p in rows if not p.city]
        return own or shared

    return _cached("popular", compute, city=city or "") or fallback()


@receiver(post_save, sender=Entry, dispatch_uid="insights-hot-entry-save")
def _entry_saved(created=False, **kwargs):
    if not created:  # a new entry is in no cached list; an edited or unpublished one may be
        _staff_changed()


@receiver(post_delete, sender=Entry, dispatch_uid="insights-hot-entry-delete")
@receiver(post_save, sender=HotQuestionRule, dispatch_uid="insights-hot-rule-save")
@receiver(post_delete, sender=HotQuestionRule, dispatch_uid="insights-hot-rule-delete")
@receiver(post_save, sender=PopularSearch, dispatch_uid="insights-popular-save")
@receiver(post_delete, sender=PopularSearch, dispatch_uid="insights-popular-delete")
def _staff_changed(**kwargs):
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, None)
