"""What goes into the index: the documents faq/search_indexes.py declares (haystack's SearchIndex classes),
prepared as plain dicts of field values for whichever engine writes them."""

from haystack import connections
from tqdm import tqdm

from faq.models import Entry, Office

MODELS = {"entry": Entry, "office": Office}
CHUNK = 200


def search_indexes():
    return list(connections["default"].get_unified_index().get_indexes().values())


def _index_for(model):
    return connections["default"].get_unified_index().get_index(model)


def prepare(index, obj):
    doc = index.full_prepare(obj)
    doc.pop("boost", None)
    return doc


def count_all():
    return sum(index.index_queryset().count() for index in search_indexes())


def all_documents(counts, progress=False, stdout=None):
    """Every searchable document, model by model; ``counts`` ({model label: n}) is filled in as they go."""
    for index in search_indexes():
        label = index.get_model()._meta.model_name
        qs = index.index_queryset().order_by("pk")
        counts[label] = 0
        bar = tqdm(total=qs.count(), desc=label, unit="doc", disable=not progress, file=stdout)
        last_pk = None
        while True:
            # Keyset pages, not offsets: rows deleted while we read would shift an offset past live rows.
            chunk = list((qs if last_pk is None else qs.filter(pk__gt=last_pk))[:CHUNK])
            if not chunk:
                break
            for obj in chunk:
                yield prepare(index, obj)
                counts[label] += 1
                bar.update(1)
            last_pk = chunk[-1].pk
        bar.close()


def documents_for(kind, ids):
    """(identifier, document or None) for every id: None when the row is gone or not searchable."""
    index = _index_for(MODELS[kind])
    found = {obj.pk: obj for obj in index.index_queryset().filter(pk__in=ids)}
    for pk in ids:
        obj = found.get(pk)
        yield f"faq.{kind}.{pk}", (prepare(index, obj) if obj is not None else None)
