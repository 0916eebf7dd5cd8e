"""Pages that list offices: the directory (filters by city, district and kind; phones) and the entry card
(its offices nearest first, its answer without what the card already shows)."""

from urllib.parse import urlencode

from django.urls import reverse

from .cards import card_sections
from .display import answer_text
from .errors import BadParameter
from .freshness import is_stale
from .models import City, District, Office
from .queries import (
    city_or_error,
    district_or_error,
    entry_list,
    entry_with_relations,
    not_found,
    offices_with_phones,
    public_phones,
    related_entries,
    unique_phones,
)
from .taxonomy import CITY_BY_SLUG

OFFICE_PREVIEW = 4
OFFICE_MANY = 8  # up to this many offices of one kind are all listed (#12's seven windows)


def chosen_district(city, slug=None, cookie_city=None, cookie_slug=None):
    """The district the citizen chose: ``slug`` (a query parameter: unknown → 400), else the remembered
    cookie when it belongs to this city (a stale cookie is ignored)."""
    if slug:
        return district_or_error(slug, city)
    if cookie_slug and cookie_city == city.slug:
        return District.objects.filter(city=city, slug=cookie_slug).first()
    return None


def office_groups(entry, district=None):
    """The entry's offices by kind, nearest first (the chosen district, else the districts the entry names),
    with at most OFFICE_PREVIEW shown when a kind has many and a link to all of them."""
    near = {district.pk} if district else {d.pk for d in entry.districts.all()}
    by_kind = {}
    for office in entry.offices.all():
        by_kind.setdefault(office.kind, []).append(office)
    groups = []
    for kind, offices in by_kind.items():
        offices.sort(key=lambda o: (o.district_id not in near, o.district.order if o.district_id else -1, o.name))
        many = len(offices) > OFFICE_MANY
        groups.append(
            {
                "kind": kind,
                "offices": offices[:OFFICE_PREVIEW] if many else offices,
                "total": len(offices),
                "more_url": f"{reverse('faq:office_index')}?{urlencode({'city': entry.city.slug, 'kind': kind})}"
                if many
                else "",
                "unit": "网点" if "网点" in kind else "个机构",
            }
        )
    return groups


def office_index_page(city=None, district=None, kind=None):
    """Offices grouped as [(city, [(district or None, [offices])])], filtered by city, district and kind of
    business (unknown values → BadParameter), with the choices for the filter form."""
    offices = offices_with_phones()
    city_obj = city_or_error(city) if city else None
    district_obj = district_or_error(district, city_obj) if district else None
    kinds = list(Office.objects.exclude(kind="").order_by("kind").values_list("kind", flat=True).distinct())
    if kind and kind not in kinds:
        raise BadParameter(f"未知办事机构类别: {kind!r}")
    if city_obj:
        offices = offices.filter(city=city_obj)
    if district_obj:
        offices = offices.filter(district=district_obj)
    if kind:
        offices = offices.filter(kind=kind)
    offices = list(offices)
    cities = list(City.objects.prefetch_related("districts"))
    filtered = bool(city_obj or district_obj or kind)
    return {
        "groups": group_by_city_and_district(offices),
        "office_count": len(offices),
        "filters": {"city": city_obj, "district": district_obj, "kind": kind or ""},
        "filtered": filtered,
        "kinds": kinds,
        "cities": cities,
        "cities_without_offices": [] if filtered else cities_without_offices(cities, offices),
    }


def cities_without_offices(cities, offices):
    """Cities the directory holds no office for, with their 网办 entry points and hotline (faq.taxonomy)."""
    with_offices = {o.city_id for o in offices}
    return [{"city": c, "info": CITY_BY_SLUG.get(c.slug)} for c in cities if c.pk not in with_offices]


def group_by_city_and_district(items):
    cities = {}
    for item in items:
        districts = cities.setdefault(item.city, {})
        districts.setdefault(item.district, []).append(item)
    return [
        {
            "city": city,
            # City-wide items (no district) first, then districts in their own order.
            "districts": [
                {"district": d, "items": rows}
                for d, rows in sorted(districts.items(), key=lambda kv: (kv[0] is not None, kv[0] and kv[0].order))
            ],
        }
        for city, districts in cities.items()
    ]


def office_detail_page(pk):
    office = offices_with_phones().filter(pk=pk).first() or not_found(f"办事机构 {pk} 不存在")
    return {"office": office, "entries": list(entry_list().filter(offices=office))}


# 业务 of a number, from its labels and its office's kind; first match wins (仲裁 before 劳动, 社保卡 before 社保).
BUSINESSES = [
    ("社保卡", ("社会保障卡", "社保卡")),
    ("失业保险", ("失业",)),
    ("劳动监察", ("监察",)),
    ("劳动仲裁", ("仲裁",)),
    ("人事档案", ("档案",)),
    ("养老保险", ("养老", "资格认证")),
    ("就业招聘", ("招聘", "求职", "创业", "人力资源市场", "304办公室")),
    ("医保与卫健", ("医保", "卫健")),
    ("社保经办", ("社会保险", "社保", "劳动保障")),
]
OTHER_BUSINESS = "其他咨询"


def business_of(text):
    return next((name for name, words in BUSINESSES if any(w in text for w in words)), OTHER_BUSINESS)


def phone_rows(phones):
    """One row per (city, number), carrying every label the sources give it (0731-84907513 is both
    养老金咨询电话 and 901办公室), its district and offices, and the 业务 it is for."""
    rows = {}
    for phone in phones:
        row = rows.setdefault(
            (phone.city_id, phone.number),
            {
                "number": phone.number,
                "tel_href": phone.tel_href,
                "city": phone.city,
                "district": None,
                "labels": [],
                "offices": [],
            },
        )
        if phone.label and phone.label not in row["labels"]:
            row["labels"].append(phone.label)
        if phone.office_id and phone.office not in row["offices"]:
            row["offices"].append(phone.office)
        row["district"] = row["district"] or phone.district
    for row in rows.values():
        kinds = " ".join(o.kind for o in row["offices"])
        row["business"] = business_of(" ".join(row["labels"]) + " " + kinds)
    return list(rows.values())


def phone_index_page():
    phones = (
        public_phones()
        .select_related("city", "district", "office")
        .order_by("city__order", "district__order", "office__name", "order", "pk")
    )
    rows = phone_rows(phones)
    order = {name: i for i, (name, _w) in enumerate(BUSINESSES)}
    groups = []
    for city in City.objects.order_by("order", "pk"):
        mine = [r for r in rows if r["city"] == city]
        businesses = {}
        for row in sorted(mine, key=lambda r: (r["district"] is not None, r["district"].order if r["district"] else 0)):
            businesses.setdefault(row["business"], []).append(row)
        groups.append(
            {
                "city": city,
                "info": CITY_BY_SLUG.get(city.slug),
                "businesses": sorted(businesses.items(), key=lambda kv: order.get(kv[0], len(order))),
            }
        )
    return {"groups": groups, "phone_count": len(rows)}


def entry_detail_page(pk, district_slug=None, cookies=None):
    entry = entry_with_relations(pk)
    cookies = cookies or {}
    district = chosen_district(entry.city, district_slug, cookies.get("city"), cookies.get("district"))
    return {
        "entry": entry,
        "card_sections": card_sections(entry),
        "topics": list(entry.topics.all()),
        "phones": unique_phones(entry.phones.all()),
        "related": related_entries(entry),
        "office_groups": office_groups(entry, district),
        "materials": list(entry.material_items.all()),
        "answer_text": answer_text(
            entry,
            [s.text for s in entry.steps.all()],
            {link.office.name for link in entry.office_links.all() if link.origin == "source"},
        ),
        "chosen_district": district,
        "city_districts": list(entry.city.districts.all()),
        "policies": list(entry.policies.all()),
        "stale": is_stale(entry),
    }
