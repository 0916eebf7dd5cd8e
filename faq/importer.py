"""Write parsed source documents into the knowledge base, idempotently and without losing staff edits.

Rules:
- identity: an entry is (source document, source key); an office is (city, name);
- a record whose parsed content did not change since the last import is left alone ("unchanged");
- a record staff changed (admin marker, or content that no longer matches what was imported)
  is never overwritten ("kept");
- an untouched record that vanished from its source is deleted ("removed");
- a staff-edited entry whose source changed is kept and an ImportConflict records the three versions
  ("conflict");
- an entry staff deleted (an EntryTombstone) is not brought back ("tombstoned");
- each entry is read under a row lock (select_for_update) and written only if nobody saved it meanwhile (a
  conditional UPDATE on updated_at and edited_by_staff, which also holds on SQLite): an editor's save during
  an import is never overwritten.
"""

import hashlib
import json
from collections import Counter
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import taxonomy
from .cards import CARD_FIELD_NAMES
from .freshness import link_mentioned_policies, seed_freshness, seed_policies
from .linking import apply_link_rules, seed_rules
from .models import (
    City,
    District,
    Entry,
    EntryOffice,
    EntryTombstone,
    ImportConflict,
    Material,
    Office,
    PhoneNumber,
    PolicyDocument,
    ProcedureStep,
    SimilarQuestion,
    SourceDocument,
    Topic,
)
from .parsers import parser_for
from .parsers.base import (
    ParsedDocument,
    ParsedEntry,
    ParsedOffice,
    ParsedPhone,
    ParseError,
    document_date,
    fill_guide,
)
from .validators import is_valid_phone
from .vocabulary import seed_vocabulary

CURATED_OFFICES = Path(__file__).resolve().parent / "data" / "offices.json"


class ImportReport:
    def __init__(self):
        self.counts: Counter = Counter()  # ("entry", "created") -> n
        self.kept: list[str] = []  # human-readable names of staff-edited records left alone

    def add(self, kind, outcome, label=None):
        self.counts[(kind, outcome)] += 1
        if outcome in ("kept", "conflict") and label:
            self.kept.append(f"{kind}: {label}")

    def get(self, kind, outcome):
        return self.counts[(kind, outcome)]

    def total(self, outcome):
        return sum(n for (_k, o), n in self.counts.items() if o == outcome)

    @property
    def changed(self):
        return any(self.total(o) for o in ("created", "updated", "removed"))

    def lines(self):
        kinds = sorted({k for k, _ in self.counts})
        outcomes = ["created", "updated", "unchanged", "kept", "conflict", "tombstoned", "removed"]
        for kind in kinds:
            parts = [f"{o} {self.counts[(kind, o)]}" for o in outcomes if self.counts[(kind, o)]]
            yield f"{kind}: " + ", ".join(parts)


def between_read_and_write(entry):
    """Runs between reading an entry and writing the source's version of it.  Nothing happens here; a test
    replaces it to hold the race window open while an editor saves the same entry from another thread."""


def fingerprint(data) -> str:
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class SourceError(ValueError):
    """A source file that cannot be read or decoded; the message names the file."""


def read_source(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise SourceError(f"cannot read source file {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise SourceError(f"source file {path} is not UTF-8 text ({exc.reason} at byte {exc.start})") from exc


@lru_cache(maxsize=1)
def curated_similar():
    """{(source filename, entry key): [相似问法, …]} from the curated data file."""
    path = Path(settings.CURATED_DATA_DIR) / "similar_questions.json"
    if not path.exists():
        return {}
    return {(row["source"], row["key"]): row["similar"] for row in json.loads(path.read_text(encoding="utf-8"))}


def ensure_taxonomy():
    """Create the curated cities, districts, topics and synonyms that are missing; never overwrite."""
    for order, info in enumerate(taxonomy.CITIES):
        slug, name, area = info.slug, info.name, info.area_code
        city, _ = City.objects.get_or_create(slug=slug, defaults={"name": name, "area_code": area, "order": order})
        for d_order, (d_slug, d_name, aliases) in enumerate(taxonomy.DISTRICTS.get(slug, [])):
            District.objects.get_or_create(
                city=city, slug=d_slug, defaults={"name": d_name, "aliases": ",".join(aliases), "order": d_order}
            )
    for order, (slug, name, description, _words) in enumerate(taxonomy.TOPICS):
        Topic.objects.get_or_create(slug=slug, defaults={"name": name, "description": description, "order": order})
    seed_vocabulary()


class Importer:
    def __init__(self, report: ImportReport | None = None):
        self.report = report or ImportReport()
        self.cities = {}
        self.districts = {}  # (city slug, canonical name) -> District
        self.topics = {}

    def load_lookups(self):
        self.cities = {c.slug: c for c in City.objects.all()}
        self.districts = {(d.city.slug, d.name): d for d in District.objects.select_related("city")}
        self.topics = {t.slug: t for t in Topic.objects.all()}

    def district(self, city_slug, name):
        canonical = taxonomy.canonical_district(name, city_slug)
        return self.districts.get((city_slug, canonical)) if canonical else None

    # --- documents -----------------------------------------------------------

    def import_document(self, doc: ParsedDocument, sha256: str, progress=None):
        city = self.cities[doc.city]
        source, created = SourceDocument.objects.get_or_create(
            filename=doc.filename, defaults={"title": doc.title, "city": city, "sha256": sha256}
        )
        if not created and (source.title, source.city_id, source.sha256) != (doc.title, city.pk, sha256):
            source.title, source.city, source.sha256 = doc.title, city, sha256
            source.save()
        source.published = doc.published
        source.imported_at = timezone.now()
        source.save(update_fields=["imported_at", "published"])

        for parsed_office in doc.offices:
            self.upsert_office(parsed_office, city, source)
        self.sync_standalone_phones(doc.phones, city, source)

        seen_keys = set()
        for parsed in doc.entries:
            if parsed.key in seen_keys:
                raise ValueError(f"{doc.filename}: duplicate entry key {parsed.key!r}")
            seen_keys.add(parsed.key)
            entry = self.upsert_entry(parsed, city, source)
            if entry is None:  # deleted by staff (tombstone)
                continue
            self.seed_similar(entry, doc.filename, parsed.key)
            if progress is not None:
                progress.update(1)

        for stale in Entry.objects.select_for_update().filter(source=source).exclude(source_key__in=seen_keys):
            if stale.changed_since_import():
                self.report.add("entry", "kept", stale.question)
            else:
                stale.delete()
                self.report.add("entry", "removed")

    # --- offices -------------------------------------------------------------

    def office_record(self, parsed: ParsedOffice, city):
        return {
            "name": parsed.name,
            "kind": parsed.kind,
            "address": parsed.address,
            "hours": parsed.hours,
            "district": taxonomy.canonical_district(parsed.district, city.slug)
            or (taxonomy.detect_districts(parsed.address, city.slug)[:1] or [""])[0],
            "phones": [asdict(p) for p in parsed.phones],
        }

    def upsert_office(self, parsed: ParsedOffice, city, source) -> Office:
        record = self.office_record(parsed, city)
        digest = fingerprint(record)
        office = Office.objects.filter(city=city, name=parsed.name).first()
        if office is not None:
            if office.source_hash == digest:
                self.report.add("office", "unchanged")
                return office
            if office.changed_since_import():
                self.report.add("office", "kept", office.name)
                return office
            outcome = "updated"
        else:
            office = Office(city=city, name=parsed.name, source=source)
            outcome = "created"
        office.kind = record["kind"]
        office.address = record["address"]
        office.hours = record["hours"]
        office.district = self.districts.get((city.slug, record["district"]))
        office.source = office.source or source
        office.source_key = office.source_key or parsed.name
        office.source_hash = digest
        office.save()
        office.phones.all().delete()
        PhoneNumber.objects.bulk_create(
            self.phone_row(p, city, order, office=office, fallback_district=office.district)
            for order, p in enumerate(self.valid_phones(parsed.phones))
        )
        office.import_hash = office.content_fingerprint()
        office.save(update_fields=["import_hash"])
        self.report.add("office", outcome)
        return office

    def phone_row(self, parsed: ParsedPhone, city, order, fallback_district=None, **links):
        return PhoneNumber(
            number=parsed.number,
            raw=parsed.raw or parsed.number,
            label=parsed.label,
            city=city,
            district=self.district(city.slug, parsed.district) if parsed.district else fallback_district,
            order=order,
            **links,
        )

    def valid_phones(self, phones):
        """Numbers no citizen could dial (faq.validators) are reported and left out, never published."""
        for parsed in phones:
            if is_valid_phone(parsed.number):
                yield parsed
            else:
                self.report.add("phone", "rejected")

    def sync_standalone_phones(self, phones: list[ParsedPhone], city, source):
        phones = list(self.valid_phones(phones))
        existing = {(p.number, p.label): p for p in PhoneNumber.objects.filter(source=source)}
        wanted = set()
        for order, parsed in enumerate(phones):
            key = (parsed.number, parsed.label)
            wanted.add(key)
            if key in existing:
                self.report.add("phone", "unchanged")
                continue
            self.phone_row(parsed, city, order, source=source).save()
            self.report.add("phone", "created")
        for key, phone in existing.items():
            if key not in wanted:
                phone.delete()
                self.report.add("phone", "removed")

    # --- entries -------------------------------------------------------------

    def entry_record(self, parsed: ParsedEntry, city):
        text = "\n".join([parsed.question, parsed.answer, *(getattr(parsed, n) for n in CARD_FIELD_NAMES)])
        districts = taxonomy.detect_districts(text, city.slug)
        for item in [*parsed.phones, *parsed.offices]:
            name = taxonomy.canonical_district(item.district, city.slug)
            if name and name not in districts:
                districts.append(name)
        record = asdict(parsed)
        record["topics"] = taxonomy.classify_topics(parsed.question, parsed.answer, parsed.topics)
        record["districts"] = districts
        return record

    def seed_similar(self, entry, filename, key):
        """The curated 相似问法 of an entry, once: later only staff change them (a deleted one stays deleted)."""
        if entry.similar_seeded:
            return
        texts = curated_similar().get((filename, key), [])
        SimilarQuestion.objects.bulk_create(
            (SimilarQuestion(entry=entry, text=t, origin=SimilarQuestion.Origin.CURATED) for t in texts),
            ignore_conflicts=True,
        )
        entry.similar_seeded = True
        entry.save(update_fields=["similar_seeded"])

    def upsert_entry(self, parsed: ParsedEntry, city, source) -> Entry | None:
        record = self.entry_record(parsed, city)
        digest = fingerprint(record)
        # The row lock (PostgreSQL) keeps an editor's save waiting until this import commits.
        entry = Entry.objects.select_for_update().filter(source=source, source_key=parsed.key).first()
        if entry is None and EntryTombstone.objects.filter(source=source, source_key=parsed.key).exists():
            self.report.add("entry", "tombstoned")
            return None
        if entry is not None:
            if entry.changed_since_import():
                self.keep_staff_version(entry, record, digest)
                return entry
            if entry.source_hash == digest:
                self.refresh_unchanged(entry, record, source)
                self.report.add("entry", "unchanged")
                return entry
            outcome = "updated"
        else:
            entry = Entry(source=source, source_key=parsed.key)
            outcome = "created"

        between_read_and_write(entry)
        if outcome == "updated" and not self.still_untouched(entry):
            entry.refresh_from_db()
            self.keep_staff_version(entry, record, digest)
            return entry
        self.write_entry(entry, parsed, record, digest, city, source)
        self.report.add("entry", outcome)
        return entry

    @staticmethod
    def still_untouched(entry) -> bool:
        """Nobody saved the entry since it was read: a conditional UPDATE that matches only the row as read
        (portable; on SQLite the import's write lock already keeps other writers out)."""
        return bool(
            Entry.objects.filter(pk=entry.pk, edited_by_staff=False, updated_at=entry.updated_at).update(
                edited_by_staff=False
            )
        )

    def refresh_unchanged(self, entry, record, source):
        """An unchanged entry still gets what older imports did not store: its source record and dates."""
        if not entry.source_record:
            entry.source_record = record
            Entry.objects.filter(pk=entry.pk).update(source_record=record)
        seed_freshness(entry, source)

    def keep_staff_version(self, entry, record, digest):
        """A staff-edited entry is never overwritten; a changed source becomes an ImportConflict (one open
        conflict per entry, updated if the source changes again)."""
        if entry.source_hash == digest:
            self.report.add("entry", "kept", entry.question)
            return
        conflict = entry.import_conflicts.filter(resolution=ImportConflict.Resolution.OPEN).first()
        if conflict is None:
            conflict = ImportConflict(entry=entry, source_before=entry.source_record)
        elif conflict.source_now_hash == digest:
            self.report.add("entry", "conflict", entry.question)
            return
        conflict.source_now = record
        conflict.source_now_hash = digest
        conflict.staff_version = entry.content_snapshot()
        conflict.save()
        self.report.add("entry", "conflict", entry.question)

    def write_entry(self, entry, parsed, record, digest, city, source):
        """Write the source's version of the entry with its steps, materials, phones, topics and offices."""
        offices = [self.upsert_office(o, city, source) for o in parsed.offices]
        entry.question = parsed.question
        entry.answer = parsed.answer
        entry.city = city
        entry.audience = parsed.audience
        for name in CARD_FIELD_NAMES:
            setattr(entry, name, getattr(parsed, name))
        entry.source_position = parsed.position
        entry.source_section = parsed.section
        entry.source_hash = digest
        entry.source_record = record
        entry.save()

        entry.steps.all().delete()
        ProcedureStep.objects.bulk_create(
            ProcedureStep(entry=entry, order=i, text=text) for i, text in enumerate(parsed.steps, start=1)
        )
        entry.material_items.all().delete()
        Material.objects.bulk_create(
            Material(entry=entry, order=i, **asdict(m)) for i, m in enumerate(parsed.material_items, start=1)
        )
        entry.phones.all().delete()
        PhoneNumber.objects.bulk_create(
            self.phone_row(p, city, i, entry=entry) for i, p in enumerate(self.valid_phones(parsed.phones))
        )
        entry.topics.set([self.topics[slug] for slug in record["topics"]])
        entry.districts.set([self.districts[(city.slug, name)] for name in record["districts"]])
        self.set_source_offices(entry, offices)
        link_mentioned_policies([entry], PolicyDocument.objects.exclude(number=""))
        seed_freshness(entry, source)
        entry.import_hash = entry.content_fingerprint()
        entry.save(update_fields=["import_hash", "last_verified", "review_due"])

    def set_source_offices(self, entry, offices):
        """Replace the links the source document made; rule links are the rules' business, staff links staff's."""
        wanted = {o.pk for o in offices}
        links = {link.office_id: link for link in entry.office_links.all()}
        stale = [pk for pk, link in links.items() if link.origin == EntryOffice.Origin.SOURCE and pk not in wanted]
        if stale:
            entry.offices.remove(*stale)
        new = [pk for pk in wanted if pk not in links]
        if new:
            entry.offices.add(*new, through_defaults={"origin": EntryOffice.Origin.SOURCE})

    def import_curated_offices(self, city_slugs):
        """Offices the answers name with an address but no source layout lists (faq/data/offices.json)."""
        for row in json.loads(CURATED_OFFICES.read_text(encoding="utf-8")):
            if row["city"] not in city_slugs:
                continue
            phones = [ParsedPhone(number=p["number"], label=p["label"]) for p in row.get("phones", [])]
            parsed = ParsedOffice(
                name=row["name"],
                address=row.get("address", ""),
                district=row.get("district", ""),
                hours=row.get("hours", ""),
                kind=row.get("kind", ""),
                phones=phones,
            )
            self.upsert_office(parsed, self.cities[row["city"]], None)


def parse_paths(paths) -> list[tuple[ParsedDocument, str]]:
    """Parse every file (so a bad file fails before anything is written); pairs of (document, sha256)."""
    parsed = []
    for path in paths:
        path = Path(path)
        text = read_source(path)
        parser = parser_for(path.name, text)
        try:
            doc = parser.parse(text, path.name)
        except ParseError:
            raise
        except Exception as exc:  # a layout the parser did not expect: name the file, keep the cause
            raise ParseError(f"{path.name}: cannot parse ({type(exc).__name__}: {exc})") from exc
        for entry in doc.entries:
            fill_guide(entry)
        doc.published = document_date(text)
        parsed.append((doc, hashlib.sha256(text.encode("utf-8")).hexdigest()))
    return parsed


def import_parsed(parsed, dry_run=False, progress_factory=None) -> ImportReport:
    """Write parsed documents in one transaction; ``dry_run`` rolls it back after counting.

    ``progress_factory(total)`` returns an object with ``update(n)`` and ``close()``.
    """
    from .search.queue import deferred  # one batch of search-index work for the whole import

    importer = Importer()
    with transaction.atomic(), deferred():
        ensure_taxonomy()
        importer.load_lookups()
        progress = progress_factory(sum(len(d.entries) for d, _ in parsed)) if progress_factory else None
        try:
            for doc, sha in parsed:
                importer.import_document(doc, sha, progress)
            importer.import_curated_offices({doc.city for doc, _ in parsed})
            seed_policies()
            seed_rules()
            apply_link_rules()
        finally:
            if progress is not None:
                progress.close()
        if dry_run:
            transaction.set_rollback(True)
    return importer.report


def run_import(paths, dry_run=False, progress_factory=None) -> ImportReport:
    return import_parsed(parse_paths(paths), dry_run=dry_run, progress_factory=progress_factory)
