"""Suggestions as you type, from one state of the index."""

import bisect


class Suggestions:
    """Every question and 相似问法 of one index state, sorted for prefix look-ups (bisect), with a scan for
    questions holding every typed word when the prefixes are too few."""

    def __init__(self, searcher):
        rows = []
        for fields in searcher.all_stored_fields():
            ident, cities = fields.get("id"), tuple((fields.get("city") or "").split(","))
            for text in [fields.get("title") or "", *(fields.get("similar") or "").split("\n")]:
                if text:
                    rows.append((text.lower(), text, ident, cities))
        rows.sort()
        self.rows = rows
        self.keys = [r[0] for r in rows]

    def find(self, prefix, city, limit, words=()):
        prefix = prefix.lower()
        out, seen = [], set()

        def take(row):
            if (city is None or city in row[3]) and row[2] not in seen and len(out) < limit:
                seen.add(row[2])
                out.append((row[1], row[2]))

        for row in self.rows[bisect.bisect_left(self.keys, prefix) :]:
            if not row[0].startswith(prefix) or len(out) >= limit:
                break
            take(row)
        if len(out) < limit and prefix:
            for row in self.rows:
                if prefix in row[0]:
                    take(row)
                if len(out) >= limit:
                    break
        return out
