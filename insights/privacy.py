"""What citizens type may hold their ID or mobile number: masked before anything is stored."""

import re

# 18-character resident ID (last character may be X), not inside a longer run of digits.
ID_RE = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[0-9Xx])(?![0-9A-Za-z])")
# 11-digit mainland mobile, optionally written 138 1234 5678 or 138-1234-5678.
MOBILE_RE = re.compile(r"(?<!\d)(1[3-9]\d)[ -]?\d{4}[ -]?(\d{4})(?!\d)")
BOT_RE = re.compile(
    r"bot|crawl|spider|slurp|bingpreview|facebookexternalhit|curl|wget|python-|httpclient|java/|go-http|scrapy|"
    r"headless|phantomjs|monitor|check",
    re.IGNORECASE,
)


def mask_personal_numbers(text):
    """430102199001011234 → 430102********1234; 13812345678 → 138****5678; other text unchanged."""
    if not text:
        return text or ""
    text = ID_RE.sub(lambda m: f"{m.group(1)}********{m.group(2).upper()}", text)
    return MOBILE_RE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)


def mask_id_numbers(text):
    """Only the ID numbers: a contact keeps its mobile number (given so staff can call back)."""
    return ID_RE.sub(lambda m: f"{m.group(1)}********{m.group(2).upper()}", text or "")


def mask_contact(text):
    """A contact as staff lists show it: numbers masked, and anything else shortened to its ends."""
    masked = mask_personal_numbers(text or "")
    if masked != text or len(masked) <= 4:
        return masked
    return masked[:2] + "*" * (len(masked) - 4) + masked[-2:]


def is_bot(request):
    """Obvious robots and scripts (their user agent is only looked at here, never stored)."""
    agent = request.META.get("HTTP_USER_AGENT", "")
    return not agent or bool(BOT_RE.search(agent))
