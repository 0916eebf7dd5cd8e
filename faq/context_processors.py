"""Site-wide template context: the cities and the hotline, from the one declaration in faq.taxonomy."""

from .taxonomy import CITIES, NATIONAL_HOTLINE, city_names


def site(request):
    return {"site_cities": CITIES, "site_city_names": city_names(), "national_hotline": NATIONAL_HOTLINE}
