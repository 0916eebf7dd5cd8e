"""The 办事指南 card's text elements, declared once.  The entry page, the API schema, the index template,
the admin form, the importer and keyword extraction all read CARD_FIELDS: adding an element (a model field
plus one line here) touches this list, not every layer."""

from dataclasses import dataclass


@dataclass(frozen=True)
class CardField:
    name: str  # the Entry attribute (a text field)
    label: str  # the card's heading


CARD_FIELDS = (
    CardField("conditions", "办理条件"),
    CardField("materials", "所需材料"),
    CardField("location", "受理地点"),
)
CARD_FIELD_NAMES = tuple(f.name for f in CARD_FIELDS)


def card_sections(entry):
    """[(CardField, text)] of the elements this entry has, in card order: a card shows only what has a value."""
    return [(f, getattr(entry, f.name)) for f in CARD_FIELDS if getattr(entry, f.name)]


def card_values(obj):
    """Every element's text, empty ones included (the index template)."""
    return [getattr(obj, name) for name in CARD_FIELD_NAMES]
