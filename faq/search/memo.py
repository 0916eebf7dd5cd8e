"""A bounded memo (least recently used out first) for the search caches: every cache a query can add to
is one of these, so a stream of unique queries (typos, long sentences) costs at most the bounds."""

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
