"""Site-wide template context: the cities and the hotline, from the one declaration in faq.taxonomy, and the
city the citizen chose in the header."""

from .preferences import chosen_city
from .taxonomy import CITIES, NATIONAL_HOTLINE, city_names


def site(request):
    return {
        "site_cities": CITIES,
        "site_city_names": city_names(),
        "site_title": "·".join(c.name for c in CITIES) + "人社政策问答",
        "national_hotline": NATIONAL_HOTLINE,
        "my_city": chosen_city(request) if request is not None else None,
    }
