"""Phone numbers a citizen can actually dial: one validator for the model, the admin and the importer."""

import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

# Nationwide short service numbers (12333 人社, 12345 政务, 96888 深圳社保 …): five digits, 12xxx or 9xxxx.
SHORT_SERVICE = re.compile(r"(?:12\d{3}|9\d{4})")
MOBILE = re.compile(r"1[3-9]\d{9}")
# 400/800 hotlines: ten digits, written 400-xxx-xxxx or run together.
HOTLINE = re.compile(r"(?:400|800)-?\d{3}-?\d{4}")
# Area code with its local number: 010 and 02x take 8 digits, the four-digit codes (0731, 0512, 0755) 7 or 8.
LANDLINE = re.compile(r"(?:0(?:10|2\d)-?\d{8}|0[3-9]\d{2}-?\d{7,8})")
EXTENSION = re.compile(r"(?:-|转)\d{1,5}")

PHONE_HELP = "座机须带区号，如 0731-84159982；手机 11 位；或 12333、12345、96888 等服务号码"


def is_valid_phone(value):
    """True for a number the portal may publish as a ``tel:`` link (see PHONE_HELP)."""
    number = (value or "").strip().replace(" ", "")
    if SHORT_SERVICE.fullmatch(number) or MOBILE.fullmatch(number) or HOTLINE.fullmatch(number):
        return True
    if LANDLINE.fullmatch(number):
        return True
    match = LANDLINE.match(number)
    return bool(match) and bool(EXTENSION.fullmatch(number[match.end() :]))


@deconstructible
class PhoneValidator:
    message = "电话号码格式不正确：" + PHONE_HELP
    code = "invalid_phone"

    def __call__(self, value):
        if not is_valid_phone(value):
            raise ValidationError(self.message, code=self.code, params={"value": value})

    def __eq__(self, other):
        return isinstance(other, PhoneValidator)


validate_phone = PhoneValidator()
