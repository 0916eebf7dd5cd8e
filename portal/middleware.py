"""Response headers Django has no setting for, and a guard against NUL characters in request input."""

from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse

BAD_INPUT_MESSAGE = "请求中含有不允许的字符（NUL），请检查链接或输入。"


class SecurityHeadersMiddleware:
    """Adds Permissions-Policy to every response (pages, API, static files) and refuses NUL in the URL.

    NUL cannot be stored in or compared by PostgreSQL (psycopg2 raises ValueError), so a query parameter
    carrying one would turn a lookup into a 500; no legitimate link or search contains it.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.permissions_policy = getattr(settings, "PERMISSIONS_POLICY", "")

    def __call__(self, request):
        if has_nul(request):
            response = bad_request(request, BAD_INPUT_MESSAGE)
        else:
            response = self.get_response(request)
        if self.permissions_policy:
            response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        return response


def has_nul(request):
    if "\x00" in request.path:
        return True
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists())


JSON_PATHS = ("/api/", "/healthz")


def bad_request(request, message):
    if request.path.startswith(JSON_PATHS) or "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"error": message, "status": 400}, status=400)
    return HttpResponseBadRequest(
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>请求有误 - 人社问答知识库</title>'
        f'</head><body><main><h1>请求有误</h1><p>{message}</p><p><a href="/">返回首页</a></p></main></body></html>',
        content_type="text/html; charset=utf-8",
    )
