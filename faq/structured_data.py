"""schema.org JSON-LD for an entry page: the question and its answer (FAQPage), the steps of a real procedure
(HowTo, never a 网办 menu path: those are one 线上办理路径 line, not steps) and the offices that serve it
(GovernmentOffice with address and telephone), so that search engines and assistants can say where to go.

The block is data (``<script type="application/ld+json">``): browsers never run it, so the strict CSP needs
no hash or nonce for it.  Its text is escaped like Django's ``json_script`` so an answer can never close
the tag.
"""

import json

from django.utils.safestring import mark_safe

from .rendering import PIPE_ROW_RE, SEPARATOR_CELL_RE, split_cells

# Django's json_script escapes: "<", ">" and "&" never appear literally inside the <script> element.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def plain_answer(text: str) -> str:
    """The answer as readable text: a table row "| 养老保险 | 16% |" becomes "养老保险，16%", its "| --- |"
    separator goes (the page renders them as a table; quoted elsewhere, pipes would be noise)."""
    lines = []
    for line in text.split("\n"):
        if PIPE_ROW_RE.match(line.strip()):
            cells = [c for c in split_cells(line) if c]
            if not cells or all(SEPARATOR_CELL_RE.match(c) for c in cells):
                continue
            line = "，".join(cells)
        lines.append(line)
    return "\n".join(lines)


def office_node(office, absolute):
    node = {
        "@type": "GovernmentOffice",
        "@id": absolute(office.get_absolute_url()) + "#office",
        "name": office.name,
        "url": absolute(office.get_absolute_url()),
    }
    locality = office.city.name + (office.district.name if office.district_id else "")
    if office.address:
        node["address"] = {
            "@type": "PostalAddress",
            "streetAddress": office.address,
            "addressLocality": locality,
            "addressCountry": "CN",
        }
    else:
        node["areaServed"] = locality
    phones = list(dict.fromkeys(p.number for p in office.phones.all()))
    if phones:
        node["telephone"] = phones[0] if len(phones) == 1 else phones
    if office.hours:
        # Free text as the sources state it ("周一至周五上午9:30—12:00…"), not openingHours' "Mo-Fr" syntax.
        node["hoursAvailable"] = {"@type": "OpeningHoursSpecification", "description": office.hours}
    return node


def howto_node(entry, steps, materials, url):
    node = {
        "@type": "HowTo",
        "@id": url + "#howto",
        "name": entry.question,
        "step": [
            {"@type": "HowToStep", "position": i, "name": f"第{i}步", "text": step.text}
            for i, step in enumerate(steps, 1)
        ],
    }
    if materials:
        node["supply"] = [{"@type": "HowToSupply", "name": m.name} for m in materials]
    return node


def entry_graph(entry, absolute):
    """The JSON-LD object for ``entry`` (relations prefetched as faq.queries.entry_with_relations does);
    ``absolute`` turns a path into an absolute URL."""
    url = absolute(entry.get_absolute_url())
    steps = list(entry.steps.all())
    offices = list(entry.offices.all())
    # The whole answer: what a search result quotes should not depend on the card's layout.
    question = {
        "@type": "Question",
        "name": entry.question,
        "acceptedAnswer": {"@type": "Answer", "text": plain_answer(entry.answer), "url": url},
    }
    if entry.updated_at:
        question["dateModified"] = entry.updated_at.isoformat()
    faq = {
        "@type": "FAQPage",
        "@id": url + "#faq",
        "url": url,
        "inLanguage": "zh-CN",
        "mainEntity": [question],
    }
    graph = [faq]
    if steps:
        graph.append(howto_node(entry, steps, list(entry.material_items.all()), url))
    office_nodes = [office_node(o, absolute) for o in offices]
    if office_nodes:
        faq["about"] = [{"@id": node["@id"]} for node in office_nodes]
    graph.extend(office_nodes)
    return {"@context": "https://schema.org", "@graph": graph}


def json_ld(data) -> str:
    """``data`` as the text of a <script type="application/ld+json"> element."""
    return mark_safe(json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(JSON_SCRIPT_ESCAPES))
