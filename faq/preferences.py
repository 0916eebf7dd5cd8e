"""The citizen's own choices, kept in cookies without a login: the city chosen in the header."""

from .taxonomy import CITY_BY_SLUG

CITY_COOKIE = "city"
CITY_COOKIE_AGE = 365 * 24 * 3600


def chosen_city(request):
    """The slug of the city the citizen picked in the header (cookie), if it is one we know."""
    slug = request.COOKIES.get(CITY_COOKIE, "")
    return slug if slug in CITY_BY_SLUG else None
