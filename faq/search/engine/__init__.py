"""The configured search engine (settings.SEARCH_ENGINE), one instance per process."""

import threading

from django.conf import settings
from django.utils.module_loading import import_string

_engine = None
_lock = threading.Lock()


def get_engine():
    global _engine
    if _engine is None:
        with _lock:
            if _engine is None:
                _engine = import_string(settings.SEARCH_ENGINE)()
    return _engine
