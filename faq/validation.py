"""Phone numbers a citizen can actually dial (a tel: link must never carry letters or a wrong length).

``validate_phone_number`` is a plain Django validator (raises ValidationError with a Chinese message), usable
on a model or form field and by the content health checks (faq.health_checks)."""

import re

from django.core.exceptions import ValidationError

# National and city service numbers that have no area code.
SHORT_SERVICE_NUMBERS = frozenset({"12333", "96888", "12345", "12348", "12351", "12366", "110", "119", "120"})
MOBILE_RE = re.compile(r"1[3-9]\d{9}")
# 010 and 02x are three-digit area codes with 8-digit numbers; the others are four digits with 7 or 8.
LANDLINE_RE = re.compile(r"(?:(?:010|02\d)-?\d{8}|0[3-9]\d{2}-?\d{7,8})")
# A city's own line to a service number: 0731-12333.
CITY_SERVICE_RE = re.compile(r"0\d{2,3}-?(\d{5})")
BANK_HOTLINE_RE = re.compile(r"95\d{3,4}")  # 95588, 95533 …: national bank and insurer hotlines
TOLL_FREE_RE = re.compile(r"[48]00-?\d{3}-?\d{4}")
SEPARATORS_RE = re.compile(r"[\s()（）]")


def validate_phone_number(value: str) -> None:
    """Accept a mainland landline with its area code and the right digit count, an 11-digit mobile, a 400/800
    number or a short service number (12333, 96888, 12345 …); raise ValidationError otherwise."""
    number = SEPARATORS_RE.sub("", value or "").replace("－", "-").replace("—", "-")
    if not number:
        raise ValidationError("请填写电话号码。", code="empty")
    if not re.fullmatch(r"[\d-]+", number):
        raise ValidationError(f"电话号码“{value}”含有数字和“-”以外的字符。", code="characters")
    digits = number.replace("-", "")
    city_service = CITY_SERVICE_RE.fullmatch(number)
    if (
        digits in SHORT_SERVICE_NUMBERS
        or BANK_HOTLINE_RE.fullmatch(digits)
        or (city_service and city_service.group(1) in SHORT_SERVICE_NUMBERS)
    ):
        return
    if any(p.fullmatch(number) for p in (MOBILE_RE, LANDLINE_RE, TOLL_FREE_RE)):
        return
    if digits.startswith("1"):
        raise ValidationError(f"手机号码“{value}”应为 11 位。", code="mobile")
    if not digits.startswith("0"):
        raise ValidationError(f"固定电话“{value}”缺少区号（例如 0731-）。", code="area_code")
    raise ValidationError(
        f"电话号码“{value}”的位数不对（010、02X 区号后应为 8 位，其他区号后 7 或 8 位）。", code="length"
    )


def phone_number_error(value: str) -> str | None:
    """The validator's message, or None when the number is valid."""
    try:
        validate_phone_number(value)
    except ValidationError as exc:
        return exc.messages[0]
    return None
