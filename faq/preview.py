"""Staff preview: a draft, scheduled or staged version rendered by the real entry page, exactly as citizens
would see it.  The version is written inside a transaction that is always rolled back, so the page's own
queries read it and nothing of it (rows, index tasks, revisions) survives the request."""

from django.db import transaction
from django.http import Http404
from django.shortcuts import render

from . import directory
from .models import Entry, PendingChange
from .revisions import apply_revision


class _Discard(Exception):
    pass


def preview_response(request, entry_pk, change_pk=None):
    result = {}
    try:
        with transaction.atomic():
            entry = Entry.objects.filter(pk=entry_pk).first()
            if entry is None:
                raise Http404("没有这个条目")
            if change_pk is not None:
                change = PendingChange.objects.filter(pk=change_pk, entry=entry).select_related("proposal").first()
                if change is None:
                    raise Http404("没有这项待审核修改")
                apply_revision(entry, change.proposal)
            # Live for the length of this transaction only.
            Entry.objects.filter(pk=entry_pk).update(status=Entry.Status.PUBLISHED, publish_at=None, expire_at=None)
            context = directory.entry_detail_page(entry_pk, request.GET.get("district"), request.COOKIES)
            result["response"] = render(request, "faq/entry.html", {**context, "preview": True})
            raise _Discard
    except _Discard:
        pass
    response = result["response"]
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def change_preview_response(request, change_pk):
    entry_pk = PendingChange.objects.filter(pk=change_pk).values_list("entry_id", flat=True).first()
    if entry_pk is None:
        raise Http404("没有这项待审核修改")
    return preview_response(request, entry_pk, change_pk)
