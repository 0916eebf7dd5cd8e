"""What /healthz reports: content counts and the search index's state (faq.search.service.index_state).

"degraded" (the API answers 503) when the search index is unusable or its pending changes lag behind.
"""

from .models import Office, PhoneNumber
from .queries import published_entries
from .search.service import index_state

UNHEALTHY_INDEX = ("degraded", "unavailable")


def health():
    search = index_state()
    body = {
        "status": "ok",
        "entries": published_entries().count(),
        "offices": Office.objects.count(),
        "phones": PhoneNumber.objects.count(),
        "search": search,
    }
    if search["status"] in UNHEALTHY_INDEX:
        body.update(status="degraded", reason=f"search index: {search['reason']}")
    return body
