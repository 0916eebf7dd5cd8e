"""django-axes handler with two limits: one for a username from one address, a higher one for the address.

A spray of random usernames from one address never repeats a (username, address) pair, so the pair limit alone
never locks it out; the address limit does.  It is higher than the pair limit because staff behind one office
address share it: a few typos by one editor must not lock out the others.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit, get_lockout_parameters
from django.conf import settings
from django.db.models import Sum


class AddressLimitHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None):
        limit = get_failure_limit(request, credentials)
        address_limit = getattr(settings, "AXES_ADDRESS_FAILURE_LIMIT", limit)
        parameters = get_lockout_parameters(request, credentials)
        worst = 0
        # One queryset per lockout parameter, in the same order (axes' filter_user_attempts).
        for parameter, attempts in zip(parameters, self.get_user_attempts(request, credentials), strict=True):
            failures = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            if parameter in ("ip_address", ["ip_address"]):
                # Reported on the pair's scale, which is what axes compares with AXES_FAILURE_LIMIT.
                failures = limit if failures >= address_limit else 0
            worst = max(worst, failures)
        return worst
