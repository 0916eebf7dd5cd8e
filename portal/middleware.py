"""Response headers Django has no setting for, a guard on request methods and NUL characters, and a 503
instead of a 500 while the database is down."""

import logging
import re

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse

BAD_INPUT_MESSAGE = "请求中含有不允许的字符（NUL），请检查链接或输入。"
METHOD_MESSAGE = "不支持该请求方法。"
OUTAGE_MESSAGE = "数据库暂时不可用，请稍后再试。"
OUTAGE_RETRY_AFTER = 30  # seconds

JSON_PATHS = ("/api/", "/healthz")
# The public site and the API only read; the admin also posts its forms.
READ_METHODS = ("GET", "HEAD")
ADMIN_METHODS = ("GET", "HEAD", "POST")
# The few public endpoints that take what citizens send (insights: feedback, 没找到答案 messages).
CITIZEN_POST_PATHS = re.compile(r"^/(?:api/)?entries/\d+/feedback/$|^/ask/$")

log = logging.getLogger("portal.outage")


class SecurityHeadersMiddleware:
    """Adds Permissions-Policy to every response (pages, API, static files)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.permissions_policy = getattr(settings, "PERMISSIONS_POLICY", "")

    def __call__(self, request):
        response = self.get_response(request)
        if self.permissions_policy:
            response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        return response


class RequestGuardMiddleware:
    """Refuses what no view should see, inside the header middleware so refusals carry CSP and the rest.

    - NUL in the URL: PostgreSQL cannot store or compare it (psycopg2 raises ValueError), so a query parameter
      carrying one would turn a lookup into a 500; no legitimate link or search contains it.
    - Methods a path does not serve (OPTIONS, TRACE, POST to a page …): 405 before the view runs.
    - HEAD on the API: django-ninja routes GET only, so HEAD runs as GET and the body is dropped.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if has_nul(request):
            return bad_request(request, BAD_INPUT_MESSAGE)
        posts = request.path.startswith("/admin/") or CITIZEN_POST_PATHS.match(request.path)
        allowed = ADMIN_METHODS if posts else READ_METHODS
        if request.method not in allowed:
            response = error_response(request, 405, METHOD_MESSAGE)
            response["Allow"] = ", ".join(allowed)
            return response
        if request.method == "HEAD" and request.path.startswith("/api/"):
            request.method = "GET"
            try:
                response = self.get_response(request)
            finally:
                request.method = "HEAD"
            if not response.streaming:
                length = len(response.content)
                response.content = b""
                response["Content-Length"] = str(length)
            return response
        return self.get_response(request)


class DatabaseOutageMiddleware:
    """A view that cannot reach the database answers 503 with Retry-After (JSON on the API), not a 500 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_outage(exception):
            return outage_response(request, exception)
        return None


def is_outage(exception):
    # Not DatabaseError as a whole: a ProgrammingError (a missing table, a bad query) is a bug, not an outage.
    return isinstance(exception, OperationalError | InterfaceError)


def outage_response(request, exception):
    log.warning("database unavailable for %s %s: %s", request.method, request.path, exception)
    if request.path.startswith("/healthz"):
        response = JsonResponse({"status": "degraded", "reason": OUTAGE_MESSAGE, "database": "unavailable"})
        response.status_code = 503
    else:
        response = error_response(request, 503, OUTAGE_MESSAGE, title="服务暂时不可用")
    response["Retry-After"] = str(OUTAGE_RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


def has_nul(request):
    if "\x00" in request.path:
        return True
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists())


def wants_json(request):
    return request.path.startswith(JSON_PATHS) or "application/json" in request.headers.get("Accept", "")


def error_response(request, status, message, title="请求有误"):
    """A JSON body like the API's errors, or a small Chinese page that needs no template or database."""
    if wants_json(request):
        return JsonResponse({"error": message, "status": status}, status=status)
    return HttpResponse(
        f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title} - 人社问答知识库</title>'
        f'</head><body><main><h1>{title}</h1><p>{message}</p><p><a href="/">返回首页</a></p></main></body></html>',
        status=status,
        content_type="text/html; charset=utf-8",
    )


def bad_request(request, message):
    return error_response(request, 400, message)
