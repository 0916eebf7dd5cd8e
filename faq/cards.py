"""The 办事指南 card's elements (GB/T 39046-2020, 国办 办事指南要素), declared once.  The entry page, the API
schema (``guide``), the index template, the admin form and its 缺少 filter, the importer and keyword
extraction all read CARD_FIELDS: adding an element (a model field plus one line here) touches this list,
not every layer."""

from dataclasses import dataclass


@dataclass(frozen=True)
class CardField:
    name: str  # the Entry attribute (a text field)
    label: str  # the card's heading
    kind: str = "text"  # text | url | path (a 网办 menu path, linked to the entry's online_url) | phone (tel: links)
    # The element a missing value counts against in 「缺少：…」 (several fields may share one, e.g. 办理时限).
    expected: str = ""


CARD_FIELDS = (
    CardField("target", "办理对象", expected="办理对象"),
    CardField("conditions", "办理条件"),
    CardField("materials", "所需材料", expected="所需材料"),
    CardField("location", "受理地点"),
    CardField("service_forms", "办理形式", expected="办理形式"),
    CardField("service_hours", "办理时间", expected="办理时间"),
    CardField("promised_time_limit", "承诺办理时限", expected="办理时限"),
    CardField("legal_time_limit", "法定办理时限", expected="办理时限"),
    CardField("charged", "是否收费", expected="是否收费"),
    CardField("fee_standard", "收费标准"),
    CardField("online", "是否网办", expected="是否网办"),
    CardField("online_path", "线上办理路径", kind="path"),
    CardField("online_url", "网办入口", kind="url"),
    CardField("consult_phone", "咨询电话", kind="phone", expected="咨询电话"),
    CardField("complaint_phone", "监督投诉电话", kind="phone", expected="监督电话"),
)
CARD_FIELD_NAMES = tuple(f.name for f in CARD_FIELDS)
EXPECTED_ELEMENTS = tuple(dict.fromkeys(f.expected for f in CARD_FIELDS if f.expected))


def card_sections(entry):
    """[(CardField, text)] of the elements this entry has, in card order: a card shows only what has a value.
    The 网办入口 goes with the 线上办理路径 when there is one (the path links to it)."""
    sections = [(f, getattr(entry, f.name)) for f in CARD_FIELDS if getattr(entry, f.name)]
    if entry.online_path:
        sections = [(f, v) for f, v in sections if f.kind != "url"]
    return sections


def card_values(obj):
    """Every element's text, empty ones included (the index template)."""
    return [getattr(obj, name) for name in CARD_FIELD_NAMES]


def missing_elements(entry, has_phone=False, has_materials=False):
    """The expected elements ``entry`` has no value for, e.g. ["办理时限", "监督电话"]."""
    present = {f.expected for f in CARD_FIELDS if f.expected and getattr(entry, f.name)}
    if has_phone:
        present.add("咨询电话")
    if has_materials:
        present.add("所需材料")
    return [e for e in EXPECTED_ELEMENTS if e not in present]


def fields_of(element):
    """The field names that satisfy an expected element (the admin's 缺少 filter)."""
    return [f.name for f in CARD_FIELDS if f.expected == element]
