"""Test settings: never touch the development database or index."""

import os
import tempfile

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-key"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Each test process gets its own throw-away index directory.
HAYSTACK_CONNECTIONS = {
    "default": {
        "ENGINE": "faq.search.engine.whoosh.backend.JiebaWhooshEngine",
        "PATH": tempfile.mkdtemp(prefix="portal-test-index-"),
    },
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A throw-away file rather than shared-cache memory, where SQLite locks whole tables and fails at once instead
    # of waiting: the concurrency tests run threads with their own connections, as production's workers do.
    _test_db = os.path.join(tempfile.mkdtemp(prefix="portal-test-db-"), "test.sqlite3")
    DATABASES["default"]["TEST"] = {"NAME": _test_db}  # noqa: F405
# Tests apply index changes explicitly; no process-wide recovery or watcher thread in the test process.
SEARCH_INDEX_WATCH_SECONDS = 0
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# django-axes stays on; only the test client's login(), which has no request, skips it (force_login never
# authenticates at all).
AUTHENTICATION_BACKENDS = [
    "portal.auth_backends.AxesBackendAllowingTestClient",
    "django.contrib.auth.backends.ModelBackend",
]
# The search log is flushed explicitly (insights.buffer.flush) unless a test turns the flusher thread on.
SEARCH_LOG_FLUSH_SECONDS = 0
INSIGHTS_HOT_CACHE_SECONDS = 0
