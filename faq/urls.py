from django.urls import path

from . import views

app_name = "faq"

urlpatterns = [
    path("", views.home, name="home"),
    path("cities/<slug:city_slug>/", views.city_detail, name="city"),
    path("cities/<slug:city_slug>/<slug:district_slug>/", views.district_detail, name="district"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic"),
    path("keywords/<int:pk>/", views.keyword_detail, name="keyword"),
    path("entries/<int:pk>/", views.entry_detail, name="entry"),
    path("offices/<int:pk>/", views.office_detail, name="office"),
]
