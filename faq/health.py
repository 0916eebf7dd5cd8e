"""What /healthz reports: content counts and the search index's state."""

from .models import Office, PhoneNumber
from .queries import published_entries
from .search.service import index_state


def health():
    return {
        "status": "ok",
        "entries": published_entries().count(),
        "offices": Office.objects.count(),
        "phones": PhoneNumber.objects.count(),
        "search": index_state(),
    }
