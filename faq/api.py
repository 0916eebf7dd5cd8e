"""JSON read API, built with django-ninja (which also serves the OpenAPI document at /api/openapi.json).

Bad parameters give a 400 JSON body with a readable message, unknown ids a 404 JSON body; never a 500.
"""

from django.http import Http404, JsonResponse
from ninja import ModelSchema, NinjaAPI, Schema
from ninja.errors import HttpError, ValidationError
from ninja.renderers import JSONRenderer
from pydantic import Field, create_model

from . import queries, taxonomy
from .cards import CARD_FIELD_NAMES, CARD_FIELDS
from .health import health
from .models import Entry
from .schemas import CityInfoOut, CityOut, ErrorOut, FreshnessOut, city_infos
from .search.engine.base import EngineUnavailable

SEARCH_UNAVAILABLE_MESSAGE = "搜索暂时不可用，请稍后再试，或拨打人社服务热线 12333 咨询。"
SEARCH_RETRY_AFTER = 30  # seconds


class UTF8JSONRenderer(JSONRenderer):
    """Chinese as UTF-8 instead of \\uXXXX escapes: search responses take 57 % of the bytes (the bench's
    query mix), for citizens on mobile data and for the server that writes them."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="人社知识库 API",
    version="1.0",
    description=f"{taxonomy.city_names()}人社问答知识库的只读接口。",
    urls_namespace="api",
    renderer=UTF8JSONRenderer(),
)


def error_body(status, message, **extra):
    return JsonResponse({"error": message, "status": status, **extra}, status=status)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc):
    problems = []
    for err in exc.errors:
        where = ".".join(str(p) for p in err.get("loc", [])[1:]) or "request"
        problems.append(f"{where}: {err.get('msg', 'invalid value')}")
    return error_body(400, "参数错误: " + "; ".join(problems), details=problems)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error_body(404, str(exc) or "未找到")


@api.exception_handler(HttpError)
def on_http_error(request, exc):
    if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):  # django-ninja's own wording
        return error_body(400, "参数错误: 请求内容不是有效的 JSON")
    return error_body(exc.status_code, str(exc))


@api.exception_handler(EngineUnavailable)
def on_search_unavailable(request, exc):
    response = error_body(503, SEARCH_UNAVAILABLE_MESSAGE)
    response["Retry-After"] = str(SEARCH_RETRY_AFTER)
    return response


@api.exception_handler(queries.BadParameter)
def on_bad_parameter(request, exc):
    return error_body(400, str(exc))


class EntrySummaryOut(Schema):
    id: int
    question: str
    city: CityOut
    url: str


class EntryPageOut(Schema):
    count: int
    page: int
    pages: int
    results: list[EntrySummaryOut]


class StepOut(Schema):
    order: int
    text: str


class PhoneOut(Schema):
    number: str
    label: str
    district: str | None
    tel: str


class OfficeOut(Schema):
    id: int
    name: str
    address: str
    district: str | None
    city: CityOut
    kind: str
    hours: str
    phones: list[PhoneOut]
    url: str


class MaterialOut(Schema):
    name: str
    originals: int | None
    copies: int | None
    required: bool
    note: str


# One property per 办事指南 element, from faq.cards (never listed here).
GuideOut = create_model(
    "GuideOut",
    __base__=Schema,
    **{f.name: (str, Field("", title=f.label)) for f in CARD_FIELDS},
    material_items=(list[MaterialOut], Field(default_factory=list, title="材料清单")),
    missing=(list[str], Field(default_factory=list, title="缺少的要素")),
)


class SourceOut(Schema):
    document: str
    filename: str
    position: int


class EntryDetailOut(FreshnessOut, ModelSchema):
    """The entry's own text fields (the 办事指南 elements from faq.cards) plus its relations."""

    class Meta:
        model = Entry
        fields = ["id", "question", "answer", *CARD_FIELD_NAMES]

    city: CityOut
    audience: str
    topics: list[str]
    districts: list[str]
    keywords: list[str]
    steps: list[StepOut]
    guide: GuideOut
    phones: list[PhoneOut]
    offices: list[OfficeOut]
    source: SourceOut
    updated_at: str
    url: str


class OfficePageOut(Schema):
    count: int
    page: int
    pages: int
    results: list[OfficeOut]


ERRORS = {400: ErrorOut, 404: ErrorOut}


@api.get("/entries/", response={200: EntryPageOut, **ERRORS}, summary="问答条目列表")
def list_entries(
    request, city: str | None = None, topic: str | None = None, district: str | None = None, page: int = 1
):
    """Published entries, 20 a page, filtered by city, topic and district slugs."""
    return queries.entry_page(city=city, topic=topic, district=district, page=page)


@api.get("/entries/{entry_id}/", response={200: EntryDetailOut, **ERRORS}, summary="问答条目详情")
def get_entry(request, entry_id: int):
    return queries.entry_detail(entry_id)


@api.get("/offices/", response={200: OfficePageOut, **ERRORS}, summary="办事机构列表")
def list_offices(request, city: str | None = None, district: str | None = None, page: int = 1):
    return queries.office_page(city=city, district=district, page=page)


@api.get("/cities/", response=list[CityInfoOut], summary="城市、区号、热线与网办入口")
def list_cities(request):
    return city_infos()


def healthz(request):
    """Liveness and content counts, for monitors; includes the search index's state.

    The counts read the database: while it is down, portal.middleware answers 503 {"status": "degraded"}.
    An unusable search index or index changes waiting too long give 503 {"status": "degraded", "reason": …}.
    """
    body = {**health(), "database": "ok"}
    response = JsonResponse(body, status=200 if body["status"] == "ok" else 503)
    if response.status_code == 503:
        response["Retry-After"] = str(SEARCH_RETRY_AFTER)
        response["Cache-Control"] = "no-store"
    return response


from .search.api import router as search_router  # noqa: E402  (GET /api/search/)

api.add_router("/", search_router)
