from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.http import JsonResponse
from django.urls import include, path, re_path

from faq.admin_freshness import admin_urls
from faq.api import api, healthz
from faq.sitemaps import sitemaps
from insights.api import router as insights_router

# POST /api/entries/<id>/feedback/ (insights) beside faq's read API: faq itself never imports insights.
api.add_router("/", insights_router)

urlpatterns = [
    *admin_urls(),  # 内容体检, before the admin's own catch-all
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    # Any other /api/…/ path: a JSON 404 like the API's own, not the HTML page.  Only paths ending in "/", so
    # APPEND_SLASH still redirects /api/entries to /api/entries/.
    re_path(r"^api/(?:.*/)?$", lambda request: JsonResponse({"error": "未知的 API 地址", "status": 404}, status=404)),
    path("healthz", healthz, name="healthz"),
    path("sitemap.xml", sitemap, {"sitemaps": sitemaps}, name="sitemap"),
    path("", include("insights.urls")),
    path("", include("faq.urls")),
]

handler404 = "faq.views.page_not_found"
handler500 = "faq.views.server_error"
