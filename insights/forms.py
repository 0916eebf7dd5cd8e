"""What citizens send, validated once for the HTML forms and the API alike (Chinese messages)."""

from django import forms

from faq.taxonomy import CITY_BY_SLUG

from .models import CITY_CHOICES, CitizenMessage, Feedback
from .privacy import mask_id_numbers, mask_personal_numbers

COMMENT_CHARS = 300
QUESTION_CHARS = 500
CONTACT_CHARS = 100
REASON_BY_LABEL = {str(label): value for value, label in Feedback.Reason.choices}


class FeedbackForm(forms.Form):
    helpful = forms.TypedChoiceField(
        choices=[("1", "有帮助"), ("0", "没帮助")],
        coerce=lambda v: v == "1",
        error_messages={"required": "请选择“有帮助”或“没帮助”", "invalid_choice": "请选择“有帮助”或“没帮助”"},
    )
    reason = forms.CharField(required=False)
    comment = forms.CharField(
        required=False,
        max_length=COMMENT_CHARS,
        error_messages={"max_length": f"补充说明最多 {COMMENT_CHARS} 个字"},
    )

    def clean_reason(self):
        return clean_reason(self.cleaned_data.get("reason"))

    def clean(self):
        data = super().clean()
        if data.get("helpful"):
            data["reason"] = ""  # 有帮助 has no reason
        return data


def clean_reason(value):
    """A reason code or its label (没有回答我的问题 …) → the code; anything else is refused."""
    value = (value or "").strip()
    if not value:
        return ""
    if value in Feedback.Reason.values:
        return value
    if value in REASON_BY_LABEL:
        return REASON_BY_LABEL[value]
    labels = "、".join(REASON_BY_LABEL)
    raise forms.ValidationError(f"原因只能是：{labels}")


def clean_comment(value):
    return mask_personal_numbers(" ".join((value or "").split()))[:COMMENT_CHARS]


class MessageForm(forms.Form):
    question = forms.CharField(
        max_length=QUESTION_CHARS,
        error_messages={"required": "请填写您的问题", "max_length": f"问题最多 {QUESTION_CHARS} 个字"},
    )
    city = forms.ChoiceField(
        required=False,
        choices=[("", "不确定"), *CITY_CHOICES],
        error_messages={"invalid_choice": "请选择列表中的城市"},
    )
    contact = forms.CharField(
        required=False,
        max_length=CONTACT_CHARS,
        error_messages={"max_length": f"联系方式最多 {CONTACT_CHARS} 个字"},
    )
    origin = forms.ChoiceField(required=False, choices=[("", ""), *CitizenMessage.Origin.choices])

    def clean_question(self):
        question = mask_personal_numbers(" ".join(self.cleaned_data["question"].split()))
        if not question:
            raise forms.ValidationError("请填写您的问题")
        return question

    def clean_contact(self):
        return mask_id_numbers(" ".join(self.cleaned_data.get("contact", "").split()))

    def clean_city(self):
        city = self.cleaned_data.get("city") or ""
        return city if city in CITY_BY_SLUG else ""


def first_error(form):
    for errors in form.errors.values():
        return errors[0]
    return "提交的内容有误"
