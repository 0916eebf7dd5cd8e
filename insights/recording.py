"""Recording what citizens did: called from faq.hooks after a search or an entry page, and from this app's
views.  Only what the reports need is kept (insights.models); the rest of the request is never looked at."""

import secrets

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from faq.search.understanding import normalize

from . import buffer
from .models import SearchClick, SearchLog
from .privacy import is_bot, mask_personal_numbers

TOP_IDS = 5
MAX_QUERY_CHARS = 200


def minute(now=None):
    return (now or timezone.now()).replace(second=0, microsecond=0)


def clean_query(q):
    """The query as the search service saw it (faq.search.understanding.normalize), masked."""
    return mask_personal_numbers(normalize(q))[:MAX_QUERY_CHARS]


def _entry_ids(ranked):
    ids = []
    for _score, ident in ranked:
        _app, kind, pk = ident.split(".")
        if kind == "entry":
            ids.append(int(pk))
            if len(ids) == TOP_IDS:
                break
    return ids


def on_search(request, results, source, city=None, topic=None, page=1):
    """Log a search (its first page only: paging on is not another question); give the result page links
    that record which result was opened."""
    if not settings.SEARCH_LOG_ENABLED or page != 1:
        return {}
    query = clean_query(results.query)
    if not query:
        return {}
    token = secrets.token_hex(8)
    buffer.add(
        SearchLog(
            at=minute(),
            query=query,
            city=results.scope or city or "",
            topic=topic or "",
            source=source,
            results=results.total,
            answered=results.answered,
            top_ids=_entry_ids(results.ranked),
            token=token,
        )
    )
    if source == "page":
        for rank, hit in enumerate(results.hits, start=1):
            if hit.kind == "entry":
                hit.open_url = f"{reverse('insights:open', args=[hit.obj.pk])}?s={token}&r={rank}"
    return {"search_token": token}


def on_entry_view(request, entry):
    if settings.SEARCH_LOG_ENABLED and request.method == "GET" and not is_bot(request):
        buffer.count_view(entry.pk, timezone.localdate())


def record_click(request, entry_id, token, rank):
    if settings.SEARCH_LOG_ENABLED and not is_bot(request):
        buffer.add(SearchClick(at=minute(), token=token, entry_id=entry_id, rank=rank))


def save_feedback(entry, helpful, reason="", comment=""):
    """One 有帮助/没帮助 (already validated; the comment is masked here)."""
    from .forms import clean_comment
    from .models import Feedback

    return Feedback.objects.create(
        entry=entry, at=minute(), helpful=helpful, reason="" if helpful else reason, comment=clean_comment(comment)
    )


def save_message(question, city="", contact="", origin=""):
    """One 群众留言 (validated and masked by insights.forms.MessageForm)."""
    from .models import CitizenMessage

    return CitizenMessage.objects.create(
        created_at=minute(),
        question=question,
        city=city,
        contact=contact,
        origin=origin or CitizenMessage.Origin.SEARCH,
    )
