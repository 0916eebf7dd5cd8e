"""Linking rules: an entry that sends the citizen to a kind of place (发卡银行社会保障卡服务专柜, 劳动监察,
失业保险经办窗口 …) is linked to the offices of that kind in its city, narrowed to the districts it names.

Rules are data (LinkRule, seeded from faq/data/link_rules.json, edited by staff).  Applying them replaces
only rule links: links from the source document and links staff added are never touched, and entries
staff edited keep their links exactly as staff left them.
"""

import json
import re
from pathlib import Path

from .models import City, Entry, EntryOffice, LinkRule, Office

RULES_FILE = Path(__file__).resolve().parent / "data" / "link_rules.json"

# "Sends the citizen somewhere": the place words of the issue that measured the gap.
PLACE_RE = re.compile(r"前往|窗口|网点|服务专柜|经办机构")
# An 经办机构 that acts ("经办机构将暂停待遇", "经办机构负责建立个人账户", "经社会保险经办机构同意") is not a
# place the citizen is sent to.
AGENT_AFTER_RE = re.compile(r"(?:将|负责|通过|应|审核|核实|责令|最迟|按照|对)")
AGENT_BEFORE_RE = re.compile(r"经(?:社会保险|社保|工伤保险)?$")
# "在社保个人窗口登记的银行账户", "为社保个人窗口缴费的参保人": a window the citizen once used, not one to go to.
PAST_USE_AFTER_RE = re.compile(r"(?:缴费|登记)的")
NATIONAL_NUMBERS = {"12333"}


def seed_rules():
    """Create the default rules when there are none (staff's own rules are never overwritten)."""
    if LinkRule.objects.exists():
        return
    cities = {c.slug: c for c in City.objects.all()}
    for row in json.loads(RULES_FILE.read_text(encoding="utf-8")):
        LinkRule.objects.create(
            phrases=",".join(row["phrases"]),
            office_kinds=",".join(row.get("office_kinds", [])),
            office_name=row.get("office_name", ""),
            city=cities.get(row.get("city", "")),
            by_district=row.get("by_district", True),
            note=row.get("note", ""),
        )


def entry_text(entry) -> str:
    return "\n".join([entry.question, entry.answer, entry.location])


def rule_offices(rule, entry, offices_by_city, district_ids):
    """The offices ``rule`` links ``entry`` to (empty when the entry mentions none of its places)."""
    if rule.city_id and rule.city_id != entry.city_id:
        return []
    text = entry_text(entry)
    if not any(p in text for p in rule.phrase_list()):
        return []
    kinds = set(rule.kind_list())
    found = [
        o
        for o in offices_by_city.get(entry.city_id, [])
        if (not kinds or o.kind in kinds) and (not rule.office_name or rule.office_name in o.name)
    ]
    if rule.by_district and district_ids:
        near = [o for o in found if o.district_id in district_ids]
        found = near or found
    return found


def apply_link_rules(entries=None) -> int:
    """Bring the rule links of ``entries`` (default: every entry staff did not edit) in line with the active
    rules; returns how many entries changed."""
    rules = list(LinkRule.objects.filter(active=True))
    offices_by_city = {}
    for office in Office.objects.all():
        offices_by_city.setdefault(office.city_id, []).append(office)
    if entries is None:
        entries = Entry.objects.all()
    changed = 0
    for entry in entries.filter(edited_by_staff=False).prefetch_related("office_links", "districts"):
        district_ids = {d.pk for d in entry.districts.all()}
        links = {link.office_id: link for link in entry.office_links.all()}
        wanted = {}
        # An entry whose own document lists where to go (#12's table) needs no guessing.
        from_source = any(link.origin == EntryOffice.Origin.SOURCE for link in links.values())
        for rule in [] if from_source else rules:
            for office in rule_offices(rule, entry, offices_by_city, district_ids):
                wanted.setdefault(office.pk, rule)
        stale = [pk for pk, link in links.items() if link.origin == EntryOffice.Origin.RULE and pk not in wanted]
        new = {pk: rule for pk, rule in wanted.items() if pk not in links}
        if stale:
            entry.offices.remove(*stale)
        for pk, rule in new.items():
            entry.offices.add(pk, through_defaults={"origin": EntryOffice.Origin.RULE, "rule": rule})
        changed += bool(stale or new)
    return changed


# --- the share of entries that send the citizen somewhere and link an office or a phone -----------------


def sends_somewhere(entry, literal=False) -> bool:
    """The answer sends the citizen to a place.  ``literal`` counts every place word (the issue's first
    count); otherwise an 经办机构 that only acts ("经办机构将暂停待遇") or a window named for what the citizen
    once did there ("在社保个人窗口登记的") does not count."""
    text = entry.answer
    for m in PLACE_RE.finditer(text):
        if literal:
            return True
        acting = m.group() == "经办机构" and (
            AGENT_AFTER_RE.match(text, m.end()) or AGENT_BEFORE_RE.search(text[max(0, m.start() - 8) : m.start()])
        )
        if not (acting or PAST_USE_AFTER_RE.match(text, m.end())):
            return True
    return False


def has_local_contact(entry) -> bool:
    if any(True for _ in entry.offices.all()):
        return True
    return any(p.number.split("-")[-1] not in NATIONAL_NUMBERS for p in entry.phones.all())


def link_report(city_slug="changsha"):
    """{"city", "entries", "sending", "linked", "share", "unlinked": [...], "literal": {the same, counting
    every place word}} for the published entries of a city."""
    entries = list(
        Entry.objects.filter(city__slug=city_slug, status=Entry.Status.PUBLISHED)
        .prefetch_related("offices", "phones")
        .order_by("pk")
    )

    def measure(literal):
        sending = [e for e in entries if sends_somewhere(e, literal)]
        linked = [e for e in sending if has_local_contact(e)]
        return {
            "sending": len(sending),
            "linked": len(linked),
            "share": round(len(linked) / len(sending), 4) if sending else 1.0,
            "unlinked": [
                {"id": e.pk, "source_key": e.source_key, "question": e.question} for e in sending if e not in linked
            ],
        }

    return {"city": city_slug, "entries": len(entries), **measure(False), "literal": measure(True)}
