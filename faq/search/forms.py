"""The /search/ page's parameters, validated the Django way: anything a citizen or an old link sends is
either used or quietly ignored (an unknown city, a page that is not a number), never an error page."""

from django import forms

from faq.models import City, Topic

QUERY_CHARS = 200


class SearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=10_000, strip=True)
    city = forms.SlugField(required=False)
    topic = forms.SlugField(required=False)
    page = forms.CharField(required=False)

    def clean_q(self):
        return self.cleaned_data["q"][:QUERY_CHARS]

    def clean_city(self):
        return City.objects.filter(slug=self.cleaned_data["city"]).first() if self.cleaned_data["city"] else None

    def clean_topic(self):
        return Topic.objects.filter(slug=self.cleaned_data["topic"]).first() if self.cleaned_data["topic"] else None

    def clean_page(self):
        try:
            return max(1, int(self.cleaned_data["page"]))
        except (TypeError, ValueError):
            return 1

    def params(self):
        """(q, city, topic, page) with whatever did not validate dropped."""
        self.is_valid()  # cleaned_data keeps the fields that did validate: an odd ``city`` keeps the query
        data = self.cleaned_data
        return data.get("q") or "", data.get("city"), data.get("topic"), data.get("page") or 1
