from django.conf import settings
from django.contrib import admin
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

admin.site.site_header = settings.ADMIN_SITE_HEADER
admin.site.site_title = settings.ADMIN_SITE_HEADER

api_v1: list[URLPattern | URLResolver] = [
    path("", include("accounts.api_urls")),
    path("", include("subjects.api_urls")),
    path("", include("records.api_urls")),
    path("", include("commitments.api_urls")),
    path("", include("repair.api_urls")),
    path("", include("disclosure.api_urls")),
    path("", include("reports.api_urls")),
    path("sectors/", include("sectors.api_urls")),
    path("supervision/", include("supervision.api_urls")),
    path("evaluation/", include("evaluation.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]

urlpatterns = [
    path("", include("disclosure.urls")),
    path("staff/", include("accounts.urls")),
    path("staff/", include("dashboard.urls")),
    path("staff/", include("subjects.urls")),
    path("staff/", include("records.urls")),
    path("staff/commitments/", include("commitments.urls")),
    path("staff/sectors/", include("sectors.urls")),
    path("staff/supervision/", include("supervision.urls")),
    path("supervision/", include("supervision.public_urls")),
    path("staff/evaluation/", include("evaluation.urls")),
    path("staff/", include("delivery.urls")),
    path("", include("repair.urls")),
    path("", include("notices.urls")),
    path("", include("reports.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"))),
    path("i18n/", include("django.conf.urls.i18n")),
    # Browsers ask for /favicon.ico on pages without an icon link (the admin's): answer instead of logging a 404.
    path("favicon.ico", lambda request: HttpResponsePermanentRedirect(static("favicon.svg"))),
]

# Under /api/ a 404 and a 500 speak the API's error shape; elsewhere the site's own pages.
handler404 = "accounts.api_support.not_found"
handler500 = "accounts.api_support.server_error"
