from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from faq.api import api
from faq.api import healthz
from faq.sitemaps import sitemaps

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("healthz", healthz, name="healthz"),
    path("sitemap.xml", sitemap, {"sitemaps": sitemaps}, name="sitemap"),
    path("", include("faq.urls")),
]

handler404 = "faq.views.page_not_found"
handler500 = "faq.views.server_error"
