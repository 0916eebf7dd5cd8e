"""Settings shared by every environment. Environment-specific modules import from here."""

import os
import socket
from pathlib import Path

import dj_database_url
import django
from csp.constants import NONCE, NONE, SELF

from portal.security import inline_hashes

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# Runtime state (SQLite file, Whoosh index, jieba cache) lives here, never in the source tree.
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    # faq before haystack so that our rebuild_index (a safe, swapping rebuild) shadows haystack's.
    "faq",
    # Revisions of entries and offices (faq.revisions): whole content, diff and restore.
    "reversion",
    "insights",
    "haystack",
    # In INSTALLED_APPS so /api/docs serves Swagger UI from our own static files (CSP: script-src 'self').
    "ninja",
    "csp",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Header middleware first, so static files and every refusal below (400, 405, 503) get them too.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.middleware.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.middleware.RequestGuardMiddleware",
    "portal.middleware.DatabaseOutageMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Last, as django-axes requires: turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "faq.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent editors (threads or gunicorn workers): a writer waits up to 20 s for the lock instead of failing
    # with "database is locked"; IMMEDIATE takes the write lock at BEGIN, where SQLite can wait for it (a deferred
    # transaction that upgrades to writing later fails at once to avoid a deadlock); WAL lets searches read while
    # someone writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=20,
        transaction_mode="IMMEDIATE",
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
# Our additions to Django's Chinese catalogue (the admin's selector widget); see locale/.
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every request when it is missing

SOURCES_DIR = BASE_DIR / "fixtures" / "sources"
# Curated data the importer seeds once: 相似问法, the colloquial thesaurus.
CURATED_DATA_DIR = BASE_DIR / "fixtures"
# 内容体检 (faq.health_checks): a figure tied to a year more than this many years back is flagged for review.
CONTENT_HEALTH_OLD_YEARS = int(os.environ.get("CONTENT_HEALTH_OLD_YEARS", "2"))
JIEBA_CACHE_DIR = VAR_DIR / "jieba"

# Four-eyes review (faq.review): False = an editor's change to a published entry waits for a 审核.
# True suits a small office with one person: editors publish directly.
EDITORS_PUBLISH_DIRECTLY = env_bool("EDITORS_PUBLISH_DIRECTLY", False)

HAYSTACK_CONNECTIONS = {
    "default": {
        "ENGINE": "faq.search.engine.whoosh.backend.JiebaWhooshEngine",
        "PATH": os.environ.get("WHOOSH_INDEX_DIR", str(VAR_DIR / "whoosh_index")),
    },
}
# Edits reach the index after commit through faq.search.queue's single writer (never inside save()).
HAYSTACK_SIGNAL_PROCESSOR = "faq.search.queue.QueuedSignalProcessor"
# The engine behind faq.search (see faq/search/engine/base.py): query understanding stays above it.
SEARCH_ENGINE = os.environ.get("SEARCH_ENGINE", "faq.search.engine.whoosh.WhooshEngine")
# /healthz says "degraded" (503) when an index change has waited longer than this (nothing applies the queue).
SEARCH_INDEX_MAX_LAG_SECONDS = float(os.environ.get("SEARCH_INDEX_MAX_LAG_SECONDS", "60"))
# Seconds a starting worker spends loading the search caches before it serves (faq.search.service.warm).
SEARCH_WARM_SECONDS = float(os.environ.get("SEARCH_WARM_SECONDS", "20"))
# Each process applies pending index changes at start and checks for them this often (0: never; faq.search.queue).
SEARCH_INDEX_WATCH_SECONDS = float(os.environ.get("SEARCH_INDEX_WATCH_SECONDS", "5"))
# Several web nodes on one database (faq.search.nodes, faq.search.replica): each is named, keeps its own index
# and a cursor in the change log.  Its follower is woken by NOTIFY (PostgreSQL) or polls this often.
NODE_NAME = os.environ.get("NODE_NAME") or socket.gethostname()
SEARCH_INDEX_POLL_SECONDS = float(os.environ.get("SEARCH_INDEX_POLL_SECONDS", "0.5"))
# A log id passed but not seen is awaited this long (its transaction may still commit), then taken as rolled back.
SEARCH_INDEX_GAP_SECONDS = float(os.environ.get("SEARCH_INDEX_GAP_SECONDS", "120"))
# A node silent longer than this no longer holds back pruning of the log; it rebuilds its index when it returns.
SEARCH_NODE_TIMEOUT_SECONDS = float(os.environ.get("SEARCH_NODE_TIMEOUT_SECONDS", "3600"))
# /healthz says "degraded" when this node is more than this many changes behind the log.
SEARCH_NODE_MAX_LAG_CHANGES = int(os.environ.get("SEARCH_NODE_MAX_LAG_CHANGES", "1000"))
HAYSTACK_LIMIT_TO_REGISTERED_MODELS = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# --- Security (issue 5) ----------------------------------------------------------------------------------------
# Headers on every response, in every environment; prod.py adds the HTTPS-only ones.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"

# Content-Security-Policy (django-csp). No inline script or style runs unless listed here:
# - a fixed inline snippet in templates/base.html or 500.html is allowed by its sha256, computed from the
#   template at start-up (portal.security.inline_hashes), so editing the snippet needs no settings change;
# - a snippet that contains template variables needs nonce="{{ request.csp_nonce }}" on its tag instead.
# Everything else (JS in static/js/portal.js, CSS in static/css/) is 'self'.
_TEMPLATES_DIR = BASE_DIR / "templates"
_ADMIN_TEMPLATES = Path(django.__file__).parent / "contrib" / "admin" / "templates" / "admin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE, *inline_hashes(_TEMPLATES_DIR / "base.html", "script")],
        "style-src": [
            SELF,
            NONCE,
            *inline_hashes(_TEMPLATES_DIR / "500.html", "style"),
            *inline_hashes(_ADMIN_TEMPLATES / "change_list.html", "style"),
        ],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Admin login throttling (django-axes): N failures for one username from one address lock that pair out.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "1"))  # hours
# Username + address: an attacker cannot lock a staff member out from everywhere by guessing their name;
# the address alone, with its own higher limit (portal.login_throttle), stops a spray of random usernames.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_ADDRESS_FAILURE_LIMIT = int(os.environ.get("AXES_ADDRESS_FAILURE_LIMIT", "20"))
AXES_HANDLER = "portal.login_throttle.AddressLimitHandler"
# The client address: X-Forwarded-For from the proxy in front (deploy/nginx.conf) when there is one.
AXES_CLIENT_IP_CALLABLE = "portal.security.client_ip"
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
TRUSTED_PROXY_IPS = env_list("TRUSTED_PROXY_IPS", "127.0.0.1,::1")
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "portal.security.lockout_response"
AXES_VERBOSE = False

# --- The learning loop (insights, issue 11) ---------------------------------------------------------------------
# Anonymous search log, opened results and page views: on unless turned off; rows older than SEARCH_LOG_DAYS are
# removed by `manage.py purge_insights` (run it daily).
SEARCH_LOG_ENABLED = env_bool("SEARCH_LOG_ENABLED", True)
SEARCH_LOG_DAYS = int(os.environ.get("SEARCH_LOG_DAYS", "180"))
# Writes are batched off the request path (insights.buffer): flushed this often, or at this many rows.
SEARCH_LOG_FLUSH_SECONDS = float(os.environ.get("SEARCH_LOG_FLUSH_SECONDS", "1"))
SEARCH_LOG_BATCH = int(os.environ.get("SEARCH_LOG_BATCH", "200"))
# A form posted from a stale page gets a Chinese page, not Django's English one.
CSRF_FAILURE_VIEW = "insights.views.csrf_failure"
# A citizen's contact in 群众留言 is deleted after this many days.
INSIGHTS_CONTACT_DAYS = int(os.environ.get("INSIGHTS_CONTACT_DAYS", "90"))
# Feedback and messages per client per hour (counted in the cache under a keyed hash of the address, never stored).
FEEDBACK_RATE_LIMIT = int(os.environ.get("FEEDBACK_RATE_LIMIT", "10"))
FEEDBACK_RATE_PERIOD = int(os.environ.get("FEEDBACK_RATE_PERIOD", "3600"))
# 热点问题 from the last this many days of opened results and views, cached this long.
INSIGHTS_HOT_DAYS = int(os.environ.get("INSIGHTS_HOT_DAYS", "30"))
INSIGHTS_HOT_CACHE_SECONDS = int(os.environ.get("INSIGHTS_HOT_CACHE_SECONDS", "300"))
