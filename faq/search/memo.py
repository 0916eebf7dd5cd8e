"""A bounded memo (least recently used out first) for the search caches: every cache a query can add to
is one of these, so a stream of unique queries (typos, long sentences) costs at most the bounds."""

import gc
import threading
from collections import OrderedDict


class LRU:
    """At most ``maxsize`` entries and, with ``weigh``, at most ``maxweight`` total weight (e.g. postings)."""

    def __init__(self, maxsize, maxweight=None, weigh=None):
        self.maxsize = maxsize
        self.maxweight = maxweight
        self.weigh = weigh
        self.weight = 0
        self._data = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self):
        return len(self._data)

    def __contains__(self, key):
        return key in self._data

    def get(self, key, default=None):
        with self._lock:
            try:
                self._data.move_to_end(key)
            except KeyError:
                return default
            return self._data[key]

    def put(self, key, value):
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return
            self._data[key] = value
            if self.weigh is not None:
                self.weight += self.weigh(value)
            while len(self._data) > self.maxsize or (self.maxweight is not None and self.weight > self.maxweight):
                _key, old = self._data.popitem(last=False)
                if self.weigh is not None:
                    self.weight -= self.weigh(old)

    def clear(self):
        with self._lock:
            self._data.clear()
            self.weight = 0


def freeze_startup():
    """Take everything alive now (modules, dictionaries, the warmed caches) out of the cyclic collector's view
    (``gc.freeze``), once a worker has warmed up.  A full collection runs only when the objects that survived
    since the last one reach a quarter of all long-lived ones; after warm-up those are hundreds of thousands,
    so the garbage cycles searches leave behind (evicted result objects: Django instances and their prefetch
    caches point at each other) piled up by tens of MB, and each full collection walked the whole warm heap.
    """
    gc.collect()
    gc.freeze()


def thaw():
    """Give the frozen objects back to the collector: a new state of the index replaces the warmed one, and
    whatever cycles it leaves must be collectable."""
    if gc.get_freeze_count():
        gc.unfreeze()
