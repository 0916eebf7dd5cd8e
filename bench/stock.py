"""The stock configuration we compare against: haystack's own WhooshSearchBackend and its schema for our
SearchIndexes, with jieba's ``jieba.analyse.ChineseAnalyzer`` on the document field ``text`` (the usual
haystack + jieba recipe), built the way ``update_index`` does and queried with an OR group of the jieba-cut
query words on that field.
"""

import functools
import operator
import re

import jieba
from haystack import connections
from haystack.backends.whoosh_backend import WhooshEngine, WhooshSearchBackend
from haystack.query import SQ, SearchQuerySet
from jieba.analyse import ChineseAnalyzer
from whoosh.fields import TEXT, Schema

_WORDLIKE = re.compile(r"\w", re.UNICODE)


class StockJiebaWhooshBackend(WhooshSearchBackend):
    def build_schema(self, fields):
        content_field_name, schema = super().build_schema(fields)
        swapped = {}
        for name in schema.names():
            field = schema[name]
            if name == content_field_name and isinstance(field, TEXT):
                field.analyzer = ChineseAnalyzer()
            swapped[name] = field
        # A new Schema, not the patched one: jieba's analyzer stems, so the spelling field of the document
        # field needs its separate spell_* field, which Whoosh only adds when a field joins a schema.
        return content_field_name, Schema(**swapped)


class StockJiebaWhooshEngine(WhooshEngine):
    backend = StockJiebaWhooshBackend


def build(using="stock", batch_size=None):
    """What ``manage.py update_index --using stock --batch-size N`` does (batches by pk, one commit each), minus
    its retry loop, which deadlocks on Whoosh's write lock when a batch fails (the failed writer keeps the lock).

    By default one batch of everything: the stock build at its fastest.  haystack's default batch of 1,000
    commits and merges segments every 1,000 documents: 361 s instead of 89 s at 10k entries."""
    batch_size = batch_size or 10**9
    backend = connections[using].get_backend()
    counts = {}
    for index in connections[using].get_unified_index().get_indexes().values():
        qs = index.build_queryset(using=using).order_by("pk")
        label = index.get_model()._meta.model_name
        counts[label], last = 0, None
        while True:
            batch = list((qs.filter(pk__gt=last) if last is not None else qs)[:batch_size])
            if not batch:
                break
            backend.update(index, batch)
            counts[label] += len(batch)
            last = batch[-1].pk
    return counts


def query_words(q):
    return list(dict.fromkeys(w for w in jieba.cut(q) if _WORDLIKE.search(w)))


def stock_search(q, using="stock", limit=10):
    """Top ``limit`` SearchResults for ``SQ(content=w1) | SQ(content=w2) | …``."""
    words = query_words(q)
    if not words:
        return []
    sq = functools.reduce(operator.or_, (SQ(content=w) for w in words))
    return list(SearchQuerySet(using=using).filter(sq)[:limit])
