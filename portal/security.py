"""Security helpers used by the settings: CSP hashes of inline snippets, and django-axes hooks."""

import base64
import hashlib
import re
from pathlib import Path

INLINE_BLOCK = re.compile(r"<(script|style)(?P<attrs>[^>]*)>(?P<body>.*?)</\1>", re.DOTALL | re.IGNORECASE)


def inline_hashes(path: Path, tag: str) -> list[str]:
    """CSP 'sha256-…' sources for the inline <script>/<style> blocks of a template.

    Hashing the template text at start-up lets a fixed snippet (500.html's styles; the pages themselves have
    none) run under a strict policy and keeps working when the snippet is edited.
    A block containing template syntax renders differently from its source, so it is skipped: such a block
    needs a nonce instead (``nonce="{{ request.csp_nonce }}"``).  JSON data blocks and external scripts
    need no hash.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError:
        return []
    sources = []
    for match in INLINE_BLOCK.finditer(text):
        attrs, body = match["attrs"], match["body"]
        if match.group(1).lower() != tag or "src=" in attrs or "application/json" in attrs:
            continue
        if "{{" in body or "{%" in body:
            continue
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii")
        sources.append(f"'sha256-{digest}'")
    return sources


def client_ip_behind_proxy(request):
    """The client address as the trusted TLS proxy saw it: the last X-Forwarded-For hop (the one it added)."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    return hops[-1] if hops else request.META.get("REMOTE_ADDR")


def client_ip(request):
    """The address django-axes counts failures against (AXES_CLIENT_IP_CALLABLE).

    X-Forwarded-For is believed only with BEHIND_TLS_PROXY and only from a proxy in TRUSTED_PROXY_IPS
    (nginx, which replaces the header with the connecting address); anyone else could name any address.
    """
    from django.conf import settings

    remote = request.META.get("REMOTE_ADDR")
    if getattr(settings, "BEHIND_TLS_PROXY", False) and remote in getattr(settings, "TRUSTED_PROXY_IPS", ()):
        return client_ip_behind_proxy(request)
    return remote


def lockout_response(request, original_response=None, credentials=None):
    """django-axes lockout page: readable Chinese, status 429, no inline script or style (CSP)."""
    # Imported here: this module is also imported by the settings, before Django is set up.
    from axes.helpers import get_cool_off, get_failure_limit
    from django.http import HttpResponse
    from django.utils.html import escape

    cool_off = get_cool_off(request)
    minutes = int(cool_off.total_seconds() // 60) if cool_off else 0
    wait = f"请 {minutes} 分钟后再试" if minutes else "请联系管理员解除锁定"
    limit = get_failure_limit(request, credentials)
    message = f"登录失败次数过多（{limit} 次），该账号已被暂时锁定。{wait}。"
    body = (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>登录已锁定 - 人社知识库管理</title></head><body><main>"
        f"<h1>登录已锁定</h1><p>{escape(message)}</p>"
        '<p><a href="/">返回首页</a></p></main></body></html>'
    )
    response = HttpResponse(body, status=429, content_type="text/html; charset=utf-8")
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
