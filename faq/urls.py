from django.urls import path

from . import views
from .search import views as search_views

app_name = "faq"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", search_views.search_page, name="search"),
    path("topics/", views.topic_index, name="topic_index"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic"),
    path("cities/<slug:city_slug>/", views.city_detail, name="city"),
    path("cities/<slug:city_slug>/<slug:district_slug>/", views.district_detail, name="district"),
    path("keywords/", views.keyword_index, name="keyword_index"),
    path("keywords/<int:pk>/", views.keyword_detail, name="keyword"),
    path("entries/<int:pk>/", views.entry_detail, name="entry"),
    path("preview/entries/<int:pk>/", views.entry_preview, name="preview_entry"),
    path("preview/changes/<int:pk>/", views.change_preview, name="preview_change"),
    path("offices/", views.office_index, name="office_index"),
    path("offices/<int:pk>/", views.office_detail, name="office"),
    path("phones/", views.phone_index, name="phone_index"),
    path("city/", views.choose_city, name="choose_city"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("offline/", views.offline, name="offline"),
]
