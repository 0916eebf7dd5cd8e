"""API schemas shared by the read API (faq.api) and the search API (faq.search.api)."""

from ninja import Schema

from .taxonomy import CITIES


class CityOut(Schema):
    slug: str
    name: str


class TopicOut(Schema):
    slug: str
    name: str


class PolicyOut(Schema):
    """A policy document an entry rests on (政策依据); see faq.freshness.policy_dict."""

    title: str
    number: str
    issuer: str
    effective: str | None
    expires: str | None
    url: str


class FreshnessOut(Schema):
    """An entry's status, 最后核实日期, 复核日期 and 政策依据 (faq.freshness.freshness_dict)."""

    status: str
    last_verified: str | None
    review_due: str | None
    policies: list[PolicyOut]


class ErrorOut(Schema):
    error: str
    status: int


class OnlineServiceOut(Schema):
    name: str
    url: str


class CityInfoOut(Schema):
    slug: str
    name: str
    area_code: str
    hotline: str
    online: list[OnlineServiceOut]


def city_infos():
    """The cities as faq.taxonomy declares them (the one source of truth)."""
    return [
        {
            "slug": c.slug,
            "name": c.name,
            "area_code": c.area_code,
            "hotline": c.hotline,
            "online": [{"name": name, "url": url} for name, url in c.online],
        }
        for c in CITIES
    ]
