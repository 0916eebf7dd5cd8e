"""Per-client limits for what citizens send (feedback, messages) without keeping their address.

The counter lives only in the cache, under an HMAC of the address keyed with SECRET_KEY and the day (a salt that
rotates daily), so nothing stored names a person and yesterday's keys cannot be linked to today's."""

import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from portal.security import client_ip


def _key(request, bucket):
    salt = f"{settings.SECRET_KEY}|{timezone.localdate().isoformat()}".encode()
    digest = hmac.new(salt, f"{bucket}|{client_ip(request) or ''}".encode(), hashlib.sha256).hexdigest()
    return f"insights:limit:{bucket}:{digest[:32]}"


def over_limit(request, bucket):
    """Count one attempt; True when this client already used its FEEDBACK_RATE_LIMIT for the period."""
    key = _key(request, bucket)
    if cache.add(key, 1, settings.FEEDBACK_RATE_PERIOD):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, settings.FEEDBACK_RATE_PERIOD)
        return False
    return count > settings.FEEDBACK_RATE_LIMIT


RATE_LIMIT_MESSAGE = "提交太频繁，请稍后再试。急需咨询请拨打人社服务热线 12333。"
