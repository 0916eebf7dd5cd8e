"""Read-side queries shared by the API and the pages: validation of slugs and pages, serialisation."""

import math

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Prefetch, Q, When
from django.http import Http404

from . import hooks
from .cards import CARD_FIELD_NAMES, CARD_FIELDS, missing_elements
from .errors import BadParameter
from .freshness import freshness_dict
from .models import City, District, Entry, EntryOffice, Keyword, Office, PhoneNumber, Topic
from .taxonomy import CITIES, CITY_BY_SLUG, NATIONAL_HOTLINE

PAGE_SIZE = 20
MAX_PAGE = 100_000


def published_entries():
    """What citizens see: published and inside its 生效时间–失效时间 window, evaluated now (Entry.live_q)."""
    return Entry.objects.filter(Entry.live_q())


def city_or_error(slug):
    city = City.objects.filter(slug=slug).first()
    if city is None:
        raise BadParameter(f"未知城市: {slug!r}（可选: {', '.join(City.objects.values_list('slug', flat=True))}）")
    return city


def topic_or_error(slug):
    topic = Topic.objects.filter(slug=slug).first()
    if topic is None:
        raise BadParameter(f"未知主题: {slug!r}")
    return topic


def district_or_error(slug, city=None):
    districts = District.objects.filter(slug=slug)
    if city is not None:
        districts = districts.filter(city=city)
    district = districts.first()
    if district is None:
        raise BadParameter(f"未知区县: {slug!r}")
    return district


def check_page(page):
    if page < 1 or page > MAX_PAGE:
        raise BadParameter(f"page 必须在 1 到 {MAX_PAGE} 之间")
    return page


def paginate(queryset, page, serialize):
    check_page(page)
    count = queryset.count()
    pages = max(1, math.ceil(count / PAGE_SIZE))
    if page > pages:
        raise BadParameter(f"page 超出范围：共 {pages} 页")
    items = queryset[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return {"count": count, "page": page, "pages": pages, "results": [serialize(o) for o in items]}


def city_dict(city):
    return {"slug": city.slug, "name": city.name}


def phone_dict(phone):
    return {
        "number": phone.number,
        "label": phone.label,
        "district": phone.district.name if phone.district_id else None,
        "tel": phone.tel_href,
    }


def office_dict(office):
    return {
        "id": office.pk,
        "name": office.name,
        "address": office.address,
        "district": office.district.name if office.district_id else None,
        "city": city_dict(office.city),
        "kind": office.kind,
        "hours": office.hours,
        "phones": [phone_dict(p) for p in office.phones.all()],
        "url": office.get_absolute_url(),
    }


PHONES = Prefetch("phones", queryset=PhoneNumber.objects.select_related("district"))


def offices_with_phones():
    return Office.objects.select_related("city", "district").prefetch_related(PHONES)


def entry_page(city=None, topic=None, district=None, page=1):
    entries = published_entries().select_related("city")
    if city:
        city_obj = city_or_error(city)
        entries = entries.filter(city=city_obj)
    else:
        city_obj = None
    if topic:
        entries = entries.filter(topics=topic_or_error(topic))
    if district:
        entries = entries.filter(districts=district_or_error(district, city_obj))
    return paginate(
        entries.distinct(),
        page,
        lambda e: {"id": e.pk, "question": e.question, "city": city_dict(e.city), "url": e.get_absolute_url()},
    )


def entry_with_relations(entry_id):
    entry = (
        published_entries()
        .select_related("city", "source")
        .prefetch_related(
            "steps",
            "material_items",
            "topics",
            "districts",
            "keywords",
            "policies",
            PHONES,
            Prefetch("offices", queryset=offices_with_phones()),
            Prefetch("office_links", queryset=EntryOffice.objects.select_related("office")),
        )
        .filter(pk=entry_id)
        .first()
    )
    if entry is None:
        raise Http404(f"条目 {entry_id} 不存在")
    return entry


def entry_detail(entry_id):
    entry = entry_with_relations(entry_id)
    return {
        "id": entry.pk,
        "question": entry.question,
        "answer": entry.answer,
        "city": city_dict(entry.city),
        "audience": entry.get_audience_display(),
        "topics": [t.name for t in entry.topics.all()],
        "districts": [d.name for d in entry.districts.all()],
        "keywords": [k.name for k in entry.keywords.all()],
        **{name: getattr(entry, name) for name in CARD_FIELD_NAMES},
        "steps": [{"order": s.order, "text": s.text} for s in entry.steps.all()],
        "guide": guide_dict(entry),
        "phones": [phone_dict(p) for p in entry.phones.all()],
        "offices": [office_dict(o) for o in entry.offices.all()],
        "source": {
            "document": entry.source.title if entry.source_id else "",
            "filename": entry.source.filename if entry.source_id else "",
            "position": entry.source_position,
        },
        "updated_at": entry.updated_at.isoformat(),
        **freshness_dict(entry),
        "url": entry.get_absolute_url(),
    }


def material_dict(m):
    return {"name": m.name, "originals": m.originals, "copies": m.copies, "required": m.required, "note": m.note}


def guide_dict(entry):
    """The 办事指南 elements (faq.cards) as one object, with the 材料清单 rows and what is still missing."""
    items = list(entry.material_items.all())
    return {
        **{f.name: getattr(entry, f.name) for f in CARD_FIELDS},
        "material_items": [material_dict(m) for m in items],
        "missing": missing_elements(entry, has_phone=bool(entry.phones.all()), has_materials=bool(items)),
    }


def office_page(city=None, district=None, page=1):
    offices = offices_with_phones()
    city_obj = None
    if city:
        city_obj = city_or_error(city)
        offices = offices.filter(city=city_obj)
    if district:
        offices = offices.filter(district=district_or_error(district, city_obj))
    return paginate(offices, page, office_dict)


# --- pages (issue 4) -----------------------------------------------------------
# Each function returns everything one page renders, with a small, constant number of queries.

HOT_LIMIT = 8
HOT_POOL = 300
RELATED_LIMIT = 6
KEYWORD_INDEX_LIMIT = 120


def published_q():
    """Live entries across the ``entries`` relation; a function, so "now" is the time of each query."""
    return Entry.live_q("entries__")


def entry_list():
    """Published entries ready for a list item (question + city)."""
    return published_entries().select_related("city")


def not_found(message):
    raise Http404(message)


def facet_names():
    """{"city": {slug: name}, "topic": {slug: name}} for the search page's facets."""
    return {
        "city": dict(City.objects.values_list("slug", "name")),
        "topic": dict(Topic.objects.values_list("slug", "name")),
    }


def all_topics():
    return list(Topic.objects.order_by("order", "pk"))


def topics_with_counts(city=None):
    """Topics with their published entry counts; ``city`` (a City or a slug) counts that city's only."""
    if isinstance(city, str):
        published = published_q() & Q(entries__city__slug=city)
    else:
        published = published_q() & Q(entries__city=city) if city is not None else published_q()
    # Meta.ordering does not apply to GROUP BY queries, hence the explicit order_by.
    return Topic.objects.annotate(entry_count=Count("entries", filter=published, distinct=True)).order_by("order", "pk")


def with_content(districts):
    """Districts a page can say something about: a published entry, an office or a public phone.  The rest
    (昆山's towns) are left out of navigation and the sitemap, and their pages are 404s."""
    return districts.filter(
        Exists(Entry.districts.through.objects.filter(Entry.live_q("entry__"), district_id=OuterRef("pk")))
        | Exists(Office.objects.filter(district_id=OuterRef("pk")))
        | Exists(public_phones().filter(district_id=OuterRef("pk")))
    )


def cities_with_districts():
    districts = (
        with_content(District.objects)
        .annotate(entry_count=Count("entries", filter=published_q(), distinct=True))
        .order_by("order", "pk")
    )
    return (
        City.objects.annotate(entry_count=Count("entries", filter=published_q()))
        .order_by("order", "pk")
        .prefetch_related(Prefetch("districts", queryset=districts))
    )


def hot_entries(limit=HOT_LIMIT, city=None):
    """热点问题 for the home and city pages: from real use when an app provides them (faq.hooks), else the
    curated list."""
    return hooks.provided("hot_entries", lambda: curated_hot_entries(limit=limit, city=city), limit=limit, city=city)


# 大家常搜 on the home page until staff edit the list (faq.hooks "popular_searches").
POPULAR_SEARCHES = ["社保卡补办", "失业金", "退休", "工伤认定", "劳动仲裁"]


def popular_searches(city=None, curated=POPULAR_SEARCHES):
    """大家常搜: the staff-edited list for a city (slug) when there is one, else ``curated``."""
    return hooks.provided("popular_searches", lambda: list(curated), city=city)


def curated_hot_entries(limit=HOT_LIMIT, city=None):
    """Questions for the home page, spread over the cities (or one city's, given its slug)."""
    entries = entry_list().filter(city__slug=city) if city else entry_list()
    candidates = list(
        entries.annotate(
            # The sources' own 热点 sections first, then real questions before statements and news titles.
            hot=Case(
                When(source_section__contains="热点", then=0),
                When(Q(question__endswith="？") | Q(question__endswith="?"), then=1),
                default=2,
                output_field=IntegerField(),
            )
        )
        # A bounded pool is enough to find a few per city, whatever the size of the knowledge base.
        .order_by("hot", "source_position", "pk")[:HOT_POOL]
    )
    by_city = {}
    for entry in candidates:
        by_city.setdefault(entry.city_id, []).append(entry)
    chosen = []
    # Round-robin so one long document does not fill the list.
    while len(chosen) < limit and any(by_city.values()):
        for queue in by_city.values():
            if queue and len(chosen) < limit:
                chosen.append(queue.pop(0))
    return chosen


def hotlines(city_slug=None):
    """[{"label", "number"}]: the national 12333, and the chosen city's from a phone outside it (区号 + 12333)."""
    lines = [{"label": "人社服务热线", "number": NATIONAL_HOTLINE}]
    info = CITY_BY_SLUG.get(city_slug or "")
    if info:
        lines.append(
            {"label": f"{info.name}人社服务热线（外地手机拨打）", "number": f"{info.area_code}-{info.hotline}"}
        )
    return lines


def city_choice(slug):
    """{"slug", "name"} for a known city slug (from the taxonomy, no query), else None."""
    info = CITY_BY_SLUG.get(slug)
    return {"slug": info.slug, "name": info.name} if info else None


def home_page(city=None):
    """The home page, scoped to one city (a slug the citizen chose) if given: hot questions, topic counts and
    the total are that city's, and its districts come first."""
    chosen = city_choice(city)
    slug = chosen["slug"] if chosen else None
    cities = list(cities_with_districts())
    if slug:
        cities.sort(key=lambda c: c.slug != slug)
    entries = published_entries().filter(city__slug=slug) if slug else published_entries()
    return {
        "hot_entries": hot_entries(city=slug),
        "popular_searches": popular_searches(slug),
        "topics": list(topics_with_counts(slug)),
        "cities": cities,
        "entry_count": entries.count(),
        "chosen_city": chosen,
    }


def topic_index_page():
    return {"topics": list(topics_with_counts())}


def group_by_audience(entries):
    """[(label, [entries])] in the order 个人, 单位, 通用, leaving out empty groups."""
    groups = {value: [] for value in Entry.Audience.values}
    for entry in entries:
        groups.setdefault(entry.audience, []).append(entry)
    labels = dict(Entry.Audience.choices)
    return [{"key": key, "label": labels.get(key, key), "entries": items} for key, items in groups.items() if items]


AUDIENCE_LABELS = {"个人": Entry.Audience.PERSONAL, "单位": Entry.Audience.EMPLOYER}


def audience_choice(value):
    """'personal' / 'employer' (or 个人 / 单位) → the stored value; anything else → None (everyone)."""
    value = AUDIENCE_LABELS.get(value, value)
    return value if value in (Entry.Audience.PERSONAL, Entry.Audience.EMPLOYER) else None


def topic_page(slug, city=None, audience=None):
    """A topic's entries, optionally for one city (slug) and one audience (personal / employer).

    With an audience, its group comes first, then 通用; the other audience's entries are left out but counted.
    Counts per city for the same audience let an empty combination offer the cities that have some.
    One query for all the topic's entries; the filtering is done on that list.
    """
    topic = Topic.objects.filter(slug=slug).first() or not_found(f"主题 {slug} 不存在")
    everything = list(entry_list().filter(topics=topic))
    chosen = city_choice(city)
    audience = audience_choice(audience)

    def fits(entry):
        return audience is None or entry.audience in (audience, Entry.Audience.GENERAL)

    in_city = [e for e in everything if chosen is None or e.city.slug == chosen["slug"]]
    entries = [e for e in in_city if fits(e)]
    groups = group_by_audience(entries)
    if audience:
        groups.sort(key=lambda g: g["key"] != audience)
    per_city = {c.slug: 0 for c in CITIES}
    for entry in everything:
        if fits(entry):
            per_city[entry.city.slug] = per_city.get(entry.city.slug, 0) + 1
    return {
        "topic": topic,
        "groups": groups,
        "entry_count": len(entries),
        "city": chosen,
        "audience": audience,
        "audience_label": dict(Entry.Audience.choices).get(audience, ""),
        "left_out": len(in_city) - len(entries),
        "city_counts": [
            {"slug": s, "name": n, "count": per_city.get(s, 0)} for s, n in ((c.slug, c.name) for c in CITIES)
        ],
        "all_count": sum(1 for e in everything if fits(e)),
    }


def city_page(slug):
    city = City.objects.filter(slug=slug).first() or not_found(f"城市 {slug} 不存在")
    districts = (
        with_content(District.objects.filter(city=city))
        .annotate(
            entry_count=Count("entries", filter=published_q(), distinct=True),
            office_count=Count("offices", distinct=True),
        )
        .order_by("order", "pk")
    )
    entries = list(entry_list().filter(city=city).prefetch_related("topics"))
    topics = {}
    for entry in entries:
        for topic in entry.topics.all():
            topics.setdefault(topic, []).append(entry)
    hotlines = PhoneNumber.objects.filter(city=city, entry__isnull=True, office__isnull=True, district__isnull=True)
    return {
        "city": city,
        "districts": list(districts),
        "topic_groups": sorted(topics.items(), key=lambda kv: (kv[0].order, kv[0].pk)),
        "entry_count": len(entries),
        "office_count": Office.objects.filter(city=city).count(),
        "city_info": CITY_BY_SLUG.get(city.slug),
        "hotlines": unique_phones(hotlines),
        "hot_entries": hot_entries(city=city.slug),
    }


def unique_phones(phones):
    """Phones without repeats of the same number and label (several entries quote the same line)."""
    seen = set()
    result = []
    for phone in phones:
        key = (phone.number, phone.label)
        if key not in seen:
            seen.add(key)
            result.append(phone)
    return result


def public_phones():
    """Phone numbers a citizen may see: not those of unpublished entries."""
    return PhoneNumber.objects.filter(Q(entry__isnull=True) | Entry.live_q("entry__"))


def district_page(city_slug, district_slug):
    district = District.objects.select_related("city").filter(
        city__slug=city_slug, slug=district_slug
    ).first() or not_found(f"区县 {city_slug}/{district_slug} 不存在")
    offices = list(offices_with_phones().filter(district=district))
    office_numbers = {(p.number, p.label) for o in offices for p in o.phones.all()}
    phones = [
        p
        for p in unique_phones(public_phones().filter(district=district).select_related("office"))
        if (p.number, p.label) not in office_numbers
    ]
    entries = list(entry_list().filter(districts=district))
    return {
        "district": district,
        "city": district.city,
        "offices": offices,
        "phones": phones,
        "entries": entries,
        "empty": not (offices or phones or entries),
        "city_info": CITY_BY_SLUG.get(district.city.slug),
    }


def keyword_index_page(limit=KEYWORD_INDEX_LIMIT):
    keywords = (
        Keyword.objects.annotate(entry_count=Count("entries", filter=published_q(), distinct=True))
        .filter(entry_count__gt=0)
        .order_by("-entry_count", "name")[:limit]
    )
    keywords = list(keywords)
    return {"keywords": keywords, "any_confirmed": any(k.confirmed for k in keywords)}


def keyword_page(pk):
    keyword = Keyword.objects.filter(pk=pk).first() or not_found(f"关键词 {pk} 不存在")
    return {"keyword": keyword, "entries": list(entry_list().filter(keywords=keyword))}


def related_entries(entry, limit=RELATED_LIMIT):
    """Other entries on the same topics, same city first."""
    topic_ids = [t.pk for t in entry.topics.all()]
    if not topic_ids:
        return []
    same_topic = Entry.topics.through.objects.filter(topic_id__in=topic_ids).values("entry_id")
    return list(
        entry_list()
        .filter(pk__in=same_topic)
        .exclude(pk=entry.pk)
        .annotate(other_city=Case(When(city=entry.city_id, then=0), default=1, output_field=IntegerField()))
        .order_by("other_city", "city__order", "source_position", "pk")[:limit]
    )
