"""Citizen-facing endpoints of the learning loop: the opened-result redirect, the 这个回答有帮助吗 form and the
没找到答案 form.  Both forms work without JavaScript (plain POST with CSRF); bad input gets a 400 page, a
client over its limit a 429 page, and neither writes anything."""

import re

from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST, require_safe

from faq.models import Entry

from . import recording
from .forms import FeedbackForm, MessageForm, first_error
from .ratelimit import RATE_LIMIT_MESSAGE, over_limit

TOKEN_RE = re.compile(r"^[0-9a-f]{16}$")
MAX_RANK = 1000


def published_entry(entry_id):
    return get_object_or_404(Entry.objects.select_related("city"), pk=entry_id, status=Entry.Status.PUBLISHED)


@require_safe
def open_result(request, entry_id):
    """/go/<entry>/?s=<search>&r=<rank>: note which result a search led to, then show the entry."""
    entry = published_entry(entry_id)
    token, rank = request.GET.get("s", ""), request.GET.get("r", "")
    if request.method == "GET" and TOKEN_RE.match(token) and rank.isdigit() and 1 <= int(rank) <= MAX_RANK:
        recording.record_click(request, entry.pk, token, int(rank))
    response = HttpResponseRedirect(entry.get_absolute_url())
    response["X-Robots-Tag"] = "noindex"
    return response


def refuse(request, message, status):
    return render(request, "insights/refused.html", {"message": message}, status=status)


@require_POST
def entry_feedback(request, entry_id):
    entry = published_entry(entry_id)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        return refuse(request, first_error(form), 400)
    if over_limit(request, "feedback"):
        return refuse(request, RATE_LIMIT_MESSAGE, 429)
    data = form.cleaned_data
    recording.save_feedback(entry, data["helpful"], data["reason"], data["comment"])
    return render(request, "insights/thanks.html", {"entry": entry, "helpful": data["helpful"]})


@require_POST
def ask(request):
    form = MessageForm(request.POST)
    if not form.is_valid():
        return refuse(request, first_error(form), 400)
    if over_limit(request, "message"):
        return refuse(request, RATE_LIMIT_MESSAGE, 429)
    recording.save_message(**form.cleaned_data)
    return render(request, "insights/thanks.html", {"message_saved": True})


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a form sent from a stale page (or another site) gets a readable Chinese 403."""
    return refuse(request, "页面已过期，请返回上一页刷新后再提交。", 403)
