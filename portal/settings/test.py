"""Test settings: never touch the development database or index."""

import tempfile

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-key"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Each test process gets its own throw-away index directory.
HAYSTACK_CONNECTIONS = {
    "default": {
        "ENGINE": "faq.search_backend.JiebaWhooshEngine",
        "PATH": tempfile.mkdtemp(prefix="portal-test-index-"),
    },
}
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
