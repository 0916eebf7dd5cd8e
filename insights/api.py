"""POST /api/entries/<id>/feedback/: 这个回答有帮助吗 for apps (mounted on faq's API in portal.urls)."""

from typing import Any

from django.http import Http404
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import ConfigDict, Field

from faq.errors import BadParameter
from faq.models import Entry
from faq.schemas import ErrorOut

from . import recording
from .forms import COMMENT_CHARS, clean_reason
from .models import Feedback
from .ratelimit import RATE_LIMIT_MESSAGE, over_limit

router = Router(tags=["feedback"])


REASONS = [*Feedback.Reason.values, *(str(label) for label in Feedback.Reason.labels)]


class FeedbackIn(Schema):
    # Typed loosely for pydantic and checked in _checked, so a wrong type gets a readable Chinese message; the
    # OpenAPI document still says exactly what is accepted.
    model_config = ConfigDict(json_schema_extra={"required": ["helpful"]})

    helpful: Any = Field(None, description="true：有帮助；false：没帮助", json_schema_extra={"type": "boolean"})
    reason: Any = Field(
        None,
        description="没帮助时的原因：没有回答我的问题 / 看不懂 / 信息过时或有误 / 按说明办不成 / 其他（或其代码）",
        json_schema_extra={"anyOf": [{"type": "string", "enum": REASONS}, {"type": "null"}]},
    )
    comment: Any = Field(
        None,
        description=f"补充说明，最多 {COMMENT_CHARS} 字（身份证号、手机号会被遮盖）",
        json_schema_extra={"anyOf": [{"type": "string", "maxLength": COMMENT_CHARS}, {"type": "null"}]},
    )


class FeedbackOut(Schema):
    entry_id: int
    helpful: bool
    reason: str


def _checked(payload):
    if not isinstance(payload.helpful, bool):
        raise BadParameter("helpful 必须是 true 或 false")
    for name in ("reason", "comment"):
        if getattr(payload, name) is not None and not isinstance(getattr(payload, name), str):
            raise BadParameter(f"{name} 必须是文字")
    if payload.comment and len(payload.comment) > COMMENT_CHARS:
        raise BadParameter(f"comment 最多 {COMMENT_CHARS} 个字")
    try:
        reason = clean_reason(payload.reason)
    except Exception as exc:  # django ValidationError: its message is the readable part
        raise BadParameter(" ".join(getattr(exc, "messages", [str(exc)]))) from exc
    return payload.helpful, "" if payload.helpful else reason, payload.comment or ""  # 有帮助 has no reason


@router.post(
    "/entries/{entry_id}/feedback/",
    response={201: FeedbackOut, 400: ErrorOut, 404: ErrorOut, 429: ErrorOut},
    summary="这个回答有帮助吗：提交评价",
)
def feedback_api(request, entry_id: int, payload: FeedbackIn):
    entry = Entry.objects.filter(pk=entry_id, status=Entry.Status.PUBLISHED).first()
    if entry is None:
        raise Http404(f"条目 {entry_id} 不存在")
    helpful, reason, comment = _checked(payload)
    if over_limit(request, "feedback"):
        raise HttpError(429, RATE_LIMIT_MESSAGE)
    saved = recording.save_feedback(entry, helpful, reason, comment)
    return Status(201, {"entry_id": entry.pk, "helpful": saved.helpful, "reason": saved.reason})
