"""GET /api/search/: the same search as the /search/ page, as JSON (issue 3 §6)."""

from ninja import Query, Router, Schema
from pydantic import Field

from faq import hooks, queries
from faq.schemas import CityOut, ErrorOut, TopicOut

from .service import search, suggest

router = Router(tags=["search"])

MAX_PAGE = 1000


class SearchHitOut(Schema):
    type: str = Field(description='"entry" 或 "office"')
    id: int
    title: str = Field(description="问题 / 机构名称")
    text: str = Field(description="条目的完整答复；机构的地址和电话")
    city: CityOut
    topics: list[TopicOut]
    url: str
    score: float
    highlight: str = Field(description="带 <mark> 高亮的摘要 HTML（已转义）")


class SearchOut(Schema):
    query: str
    total: int
    page: int
    answered: bool = Field(description="是否有条目回答了这个问题；false 时结果只是相关内容，请拨打 12333")
    city_fallback: bool = Field(description="所选城市没有答复，结果来自其他城市（政策可能不同）")
    suggestion: str = Field(description="纠正错别字后实际搜索的查询（「您是不是要找」），没有纠正时为空")
    results: list[SearchHitOut]
    facets: dict[str, dict[str, int]] = Field(description='{"city": {slug: 数量}, "topic": {slug: 数量}}')
    degraded: bool = Field(description="索引故障时为 true：结果来自上一次完整的索引，可能不含最近的修改")


class SearchParams(Schema):
    q: str = Field(..., min_length=1, max_length=500, description="查询词")
    city: str | None = Field(
        None,
        description="所在城市标识，如 changsha：先在该城市中搜索；该城市没有答复时返回其他城市的结果并标明 city_fallback",
    )
    topic: str | None = Field(None, description="主题标识，如 social-security-card")
    limit: int = Field(10, ge=1, le=50, description="每页条数，1–50")
    page: int = Field(1, ge=1, le=MAX_PAGE, description="页码，从 1 开始")


def hit_dict(hit):
    return {
        "type": hit.kind,
        "id": hit.obj.pk,
        "title": hit.title,
        "text": hit.text,
        "city": queries.city_dict(hit.city),
        "topics": [{"slug": t.slug, "name": t.name} for t in hit.topics],
        "url": hit.url,
        "score": hit.score,
        "highlight": hit.snippet_html,
    }


@router.get("/search/", response={200: SearchOut, 400: ErrorOut, 503: ErrorOut}, summary="全文搜索问答条目和办事机构")
def search_api(request, params: Query[SearchParams]):
    """Entries and offices ranked for ``q``; facet counts are over all matches (before paging)."""
    if not params.q.strip():
        raise queries.BadParameter("q 不能为空")
    if params.city:
        queries.city_or_error(params.city)
    if params.topic:
        queries.topic_or_error(params.topic)
    results = search(params.q, home_city=params.city, topic=params.topic, page=params.page, limit=params.limit)
    if params.page > results.pages:
        raise queries.BadParameter(f"page 超出范围：共 {results.pages} 页")
    hooks.searched(request, results, "api", city=None, topic=params.topic, page=params.page)
    return {
        "query": params.q,
        "total": results.total,
        "page": params.page,
        "answered": results.answered,
        "city_fallback": results.city_fallback,
        "suggestion": results.suggestion,
        "results": [hit_dict(h) for h in results.hits],
        "facets": results.facets,
        "degraded": results.degraded,
    }


class SuggestionOut(Schema):
    text: str
    url: str


class SuggestOut(Schema):
    suggestions: list[SuggestionOut]


class SuggestParams(Schema):
    q: str = Field("", max_length=100, description="已输入的文字")
    city: str | None = Field(None, description="城市标识，只提示该城市的问题")


@router.get("/suggest/", response={200: SuggestOut, 400: ErrorOut}, summary="输入提示：匹配的问题和相似问法")
def suggest_api(request, params: Query[SuggestParams]):
    if params.city:
        queries.city_or_error(params.city)
    return {"suggestions": suggest(params.q, city=params.city)}
