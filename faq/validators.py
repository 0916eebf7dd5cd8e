"""Phone numbers a citizen can actually dial: one validator for the model, the admin, the importer and the
content health checks (a ``tel:`` link must never carry letters or a wrong length)."""

import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

PHONE_HELP = "座机须带区号，如 0731-84159982；手机 11 位；或 12333、12345、96888 等服务号码"

# Nationwide short service numbers (12333 人社, 12345 政务, 96888 深圳社保 …) and emergency numbers.
SHORT_SERVICE_RE = re.compile(r"12\d{3}|9\d{4}|110|119|120")
BANK_HOTLINE_RE = re.compile(r"95\d{3,4}")  # 95588, 95533 …: national bank and insurer hotlines
MOBILE_RE = re.compile(r"1[3-9]\d{9}")
# 010 and 02x are three-digit area codes with 8-digit numbers; the others are four digits with 7 or 8.
LANDLINE_RE = re.compile(r"(?:010|02\d)-?\d{8}|0[3-9]\d{2}-?\d{7,8}")
EXTENSION_RE = re.compile(r"(?:-|转)\d{1,5}")
# A city's own line to a service number: 0731-12333.
CITY_SERVICE_RE = re.compile(r"0\d{2,3}-?(12\d{3}|9\d{4})")
TOLL_FREE_RE = re.compile(r"[48]00-?\d{3}-?\d{4}")
SEPARATORS_RE = re.compile(r"[\s()（）]")


def _is_landline(number):
    if LANDLINE_RE.fullmatch(number):
        return True
    match = LANDLINE_RE.match(number)
    return bool(match) and bool(EXTENSION_RE.fullmatch(number[match.end() :]))


def validate_phone_number(value):
    """Accept a mainland landline with its area code and the right digit count (an extension may follow), an
    11-digit mobile, a 400/800 number or a short service number; raise ValidationError with a Chinese reason."""
    number = SEPARATORS_RE.sub("", value or "").replace("－", "-").replace("—", "-")
    if not number:
        raise ValidationError("请填写电话号码。", code="empty")
    if not re.fullmatch(r"[\d-]+(?:转\d{1,5})?", number):
        raise ValidationError(f"电话号码“{value}”含有数字和“-”以外的字符。", code="characters")
    digits = number.replace("-", "")
    if SHORT_SERVICE_RE.fullmatch(digits) or BANK_HOTLINE_RE.fullmatch(digits) or CITY_SERVICE_RE.fullmatch(number):
        return
    if MOBILE_RE.fullmatch(number) or TOLL_FREE_RE.fullmatch(number) or _is_landline(number):
        return
    if digits.startswith("1"):
        raise ValidationError(f"手机号码“{value}”应为 11 位。", code="mobile")
    if not digits.startswith("0"):
        raise ValidationError(f"固定电话“{value}”缺少区号（例如 0731-）。", code="area_code")
    raise ValidationError(
        f"电话号码“{value}”的位数不对（010、02X 区号后应为 8 位，其他区号后 7 或 8 位）。", code="length"
    )


def phone_number_error(value):
    """The validator's reason, or None when the number is valid."""
    try:
        validate_phone_number(value)
    except ValidationError as exc:
        return exc.messages[0]
    return None


def is_valid_phone(value):
    """True for a number the portal may publish as a ``tel:`` link (see PHONE_HELP)."""
    return phone_number_error(value) is None


@deconstructible
class PhoneValidator:
    """The model field's validator: the reason, then what a valid number looks like."""

    code = "invalid_phone"

    def __call__(self, value):
        error = phone_number_error(value)
        if error is not None:
            raise ValidationError(f"电话号码格式不正确：{error}{PHONE_HELP}。", code=self.code, params={"value": value})

    def __eq__(self, other):
        return isinstance(other, PhoneValidator)


validate_phone = PhoneValidator()
