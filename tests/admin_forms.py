"""What a browser posts from an admin form: the fields of the real admin's form and inline formsets, rendered and
read back as a browser reads them (so split date/time inputs, checkboxes and selects post as they would)."""

from html.parser import HTMLParser

from django.contrib import admin
from django.contrib.auth.models import User
from django.test import RequestFactory


class FormFields(HTMLParser):
    """The fields a browser would submit from the form with id ``form_id`` (inputs, textareas, selects), or from
    every field of the markup when ``form_id`` is None."""

    def __init__(self, form_id=None):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.fields = form_id, form_id is None, []
        self._textarea = self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = self.form_id is None or a.get("id") == self.form_id
        elif not self.inside:
            return
        elif tag == "input" and a.get("name") and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self.fields.append((a["name"], a.get("value", "on" if a.get("type") == "checkbox" else "")))
        elif tag == "textarea":
            self._textarea = [a["name"], ""]
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a.get("value", "")))

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = self.form_id is None
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            self.fields.append((name, text.removeprefix("\n")))
            self._textarea = None
        elif tag == "select":
            self._select = None


def form_fields(html, form_id=None):
    parser = FormFields(form_id)
    parser.feed(html)
    return parser.fields


def _as_post(pairs):
    """(name, value) pairs as the test client's POST dict: a name posted several times maps to a list."""
    data = {}
    for name, value in pairs:
        if name in data:
            data[name] = [*data[name], value] if isinstance(data[name], list) else [data[name], value]
        else:
            data[name] = value
    return data


def form_data(obj, **changes):
    """What the admin change form (the add form for an unsaved ``obj``) posts for ``obj`` as it is, with
    ``changes``.  Every inline posts its existing rows unchanged and no new row.

    The stale-form token is left out unless ``changes`` gives one: callers build ``obj`` in memory, so its
    ``updated_at`` need not be the one a freshly opened page would carry."""
    model_admin = admin.site._registry[type(obj)]
    request = RequestFactory().get("/")
    request.user = User(username="form-reader", is_staff=True, is_superuser=True, is_active=True)
    saved = obj.pk is not None
    form = model_admin.get_form(request, obj if saved else None, change=saved)(instance=obj)
    html = [str(field) for field in form]  # each field's inputs (no labels or help: rendering those is slow)
    for formset_class, inline in model_admin.get_formsets_with_inlines(request, obj if saved else None):
        prefix = formset_class.get_default_prefix()
        formset = formset_class(instance=obj, prefix=prefix, queryset=inline.get_queryset(request))
        rows = len(formset.initial_forms)
        html.append(
            f'<input name="{prefix}-TOTAL_FORMS" value="{rows}"><input name="{prefix}-INITIAL_FORMS" value="{rows}">'
            f'<input name="{prefix}-MIN_NUM_FORMS" value="0"><input name="{prefix}-MAX_NUM_FORMS" value="1000">'
        )
        html.extend(str(field) for row in formset.initial_forms for field in row)
    data = _as_post(form_fields("".join(html)))
    data.pop("version_token", None)
    data.update(changes)
    return data
