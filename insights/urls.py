from django.urls import path

from . import views

app_name = "insights"

urlpatterns = [
    path("go/<int:entry_id>/", views.open_result, name="open"),
    path("entries/<int:entry_id>/feedback/", views.entry_feedback, name="feedback"),
    path("ask/", views.ask, name="ask"),
]
