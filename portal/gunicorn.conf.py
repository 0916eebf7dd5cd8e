"""gunicorn settings for `make serve` (production: portal.settings.prod, static files via whitenoise).

Every value can be overridden from the environment (or on the command line, which wins).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WORKERS") or os.environ.get("WEB_CONCURRENCY") or min(4, multiprocessing.cpu_count()))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# Load Django once in the master: workers fork with settings checked and jieba's dictionary already in memory,
# and a misconfiguration (no SECRET_KEY …) stops the server at start instead of in every worker.
preload_app = True
# Searches are short; a request still running after 30 s is stuck and its worker is replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycle workers now and then so slow leaks never build up; jitter keeps them from restarting together.
# Not too often: a new worker starts with cold search caches (decoded postings, result objects), whose
# memory is bounded (faq/collector.py), so at 200 requests/s this is a restart every few minutes, not seconds.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "50000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "5000"))
# Logs to stdout/stderr, for the process supervisor or container runtime to collect.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Access log lines without query strings and with addresses cut to /24 (/48); ACCESS_LOG_PRIVATE=0 logs both
# in full (debugging only: a search can hold personal data).
if os.environ.get("ACCESS_LOG_PRIVATE", "1").strip().lower() not in {"0", "false", "no", "off"}:
    logger_class = "portal.gunicorn_logging.PrivateAccessLogger"
# Only a proxy on this host may set X-Forwarded-Proto (see BEHIND_TLS_PROXY in portal/settings/prod.py).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Finite request limits: a search is cut to 100 characters (faq.search.MAX_QUERY_CHARS), under 3 kB
# percent-encoded, so no real URL comes near 8 kB; an unbounded line let one 10 MB URL tie up a worker for
# seconds and 50 MB kill it.  nginx (deploy/nginx.conf) applies the same limits before gunicorn sees a request.
limit_request_line = int(os.environ.get("GUNICORN_LIMIT_REQUEST_LINE", "8190"))
limit_request_fields = int(os.environ.get("GUNICORN_LIMIT_REQUEST_FIELDS", "100"))
limit_request_field_size = int(os.environ.get("GUNICORN_LIMIT_REQUEST_FIELD_SIZE", "8190"))


def post_worker_init(worker):
    """This node's index catches up with the change log before the worker serves; then it follows the log.
    The search caches are filled before the first request too (SEARCH_WARM_SECONDS), then frozen out of the
    cyclic garbage collector's view (faq.search.memo.freeze_startup)."""
    from faq.search.memo import freeze_startup
    from faq.search.replica import recover
    from faq.search.service import warm

    recover()
    warm(notify=worker.notify)
    freeze_startup()  # what start-up loaded stays; the collector then only looks at what searches add
