"""Extension points the citizen pages call without knowing who listens.

Apps built on the knowledge base (the insights app: search log, clicks, hot questions) register here in their
``AppConfig.ready``; faq calls the hooks and never imports those apps, so the import layers stay acyclic.  With
nothing registered every hook is a no-op and every provider gives its fallback (the curated behaviour).
"""

import logging

log = logging.getLogger(__name__)

_listeners = {"search": [], "entry_view": []}
_providers = {}


def listen(event, fn):
    """Call ``fn`` on ``event`` ("search" or "entry_view"); registering the same function twice is harmless."""
    if fn not in _listeners[event]:
        _listeners[event].append(fn)


def provide(name, fn):
    """``fn(fallback=…, **kwargs)`` answers ``provided(name, …)`` from now on."""
    _providers[name] = fn


def searched(request, results, source, **filters):
    """A search was answered (``source``: "page" or "api"); returns extra template context from listeners.

    A listener's failure never breaks the citizen's search: it is logged and the page is served."""
    extra = {}
    for fn in _listeners["search"]:
        try:
            extra.update(fn(request, results, source=source, **filters) or {})
        except Exception:
            log.exception("search listener %r failed", fn)
    return extra


def entry_viewed(request, entry):
    for fn in _listeners["entry_view"]:
        try:
            fn(request, entry)
        except Exception:
            log.exception("entry view listener %r failed", fn)


def provided(name, fallback, **kwargs):
    """What the registered provider gives, else ``fallback()``; a failing provider falls back too."""
    fn = _providers.get(name)
    if fn is None:
        return fallback()
    try:
        return fn(fallback=fallback, **kwargs)
    except Exception:
        log.exception("provider %s failed", name)
        return fallback()
