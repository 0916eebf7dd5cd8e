"""What search sees: published entries and offices (phones are indexed through them).

``title`` (question / office name) is boosted over ``text`` (haystack's document field with everything:
question, answer, conditions, steps, phones, offices) at query time in faq.search; plain SearchQuerySet
queries use ``text``.  ``title_grams`` (character bigrams of the title) backs the typo fallback.
Slugs go into multi-valued (Whoosh KEYWORD) fields so facets and filters match them exactly.
Nothing else is indexed: every field analysed costs build time and index size (``make bench``).
"""

from haystack import indexes

from .models import Entry, Office
from .search.analysis import content_words
from .search.engine.whoosh.analysis import ANALYZER, BIGRAM_ANALYZER


class PortalIndex(indexes.SearchIndex):
    """The fields entries and offices share, so one query and one set of facets covers both kinds."""

    text = indexes.CharField(document=True, use_template=True, analyzer=ANALYZER)
    kind = indexes.MultiValueField()
    city = indexes.MultiValueField()
    topics = indexes.MultiValueField()
    districts = indexes.MultiValueField()
    audience = indexes.MultiValueField()
    # Stored, not indexed: the title's content words, for ranking (faq.search) without segmenting titles.
    title_words = indexes.CharField(indexed=False)
    # 相似问法: searched in their own (boosted) field and ranked like the question itself; one per line.
    similar = indexes.CharField(analyzer=ANALYZER, default="")
    # Their content words, "w w|w w", stored for ranking like title_words.
    similar_words = indexes.CharField(indexed=False, default="")
    KIND = ""

    def prepare(self, obj):
        data = super().prepare(obj)
        data["title_words"] = " ".join(content_words(data["title"]))
        lines = [line for line in (data.get("similar") or "").split("\n") if line]
        data["similar_words"] = "|".join(" ".join(content_words(line)) for line in lines)
        return data

    def prepare_similar(self, obj):
        return ""

    def read_queryset(self, using=None):
        return self.index_queryset(using)

    def prepare_kind(self, obj):
        return [self.KIND]

    def prepare_city(self, obj):
        return [obj.city.slug]


class EntryIndex(PortalIndex, indexes.Indexable):
    KIND = "entry"
    title = indexes.CharField(model_attr="question", analyzer=ANALYZER)
    title_grams = indexes.CharField(analyzer=BIGRAM_ANALYZER, stored=False)

    def get_model(self):
        return Entry

    def prepare_similar(self, obj):
        return "\n".join(s.text for s in obj.similar_questions.all())

    def prepare_title_grams(self, obj):
        # The typo fallback matches the question and its 相似问法.
        return "\n".join([obj.question, *(s.text for s in obj.similar_questions.all())])

    def index_queryset(self, using=None):
        return (
            # Live now; faq.search.service checks again on read, publish_scheduled reindexes at the boundaries.
            Entry.objects.filter(Entry.live_q())
            .select_related("city")
            .prefetch_related("topics", "districts", "steps", "phones", "offices__phones", "similar_questions")
        )

    def prepare_topics(self, obj):
        return [t.slug for t in obj.topics.all()]

    def prepare_districts(self, obj):
        return [d.slug for d in obj.districts.all()]

    def prepare_audience(self, obj):
        return [obj.audience]


class OfficeIndex(PortalIndex, indexes.Indexable):
    KIND = "office"
    title = indexes.CharField(model_attr="name", analyzer=ANALYZER)
    title_grams = indexes.CharField(model_attr="name", analyzer=BIGRAM_ANALYZER, stored=False)

    def get_model(self):
        return Office

    def index_queryset(self, using=None):
        return Office.objects.select_related("city", "district").prefetch_related("phones", "entries__topics")

    def prepare_topics(self, obj):
        # An office serves the topics of the entries that send citizens to it.
        return sorted({t.slug for e in obj.entries.all() for t in e.topics.all()})

    def prepare_districts(self, obj):
        return [obj.district.slug] if obj.district_id else []

    def prepare_audience(self, obj):
        return []
