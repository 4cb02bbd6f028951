"""The city leader's page: one screen of counts, amounts and ratios by district; no person is named on it."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.functional import SimpleLazyObject
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.http import AuthenticatedRequest
from dashboard.excel import table_xlsx, xlsx_response
from dashboard.figures import Table, city_figures, may_see_city_page
from dashboard.views.leader import fragment_key, requested_node


@login_required
@never_cache
@require_GET
def city(request: AuthenticatedRequest) -> HttpResponse:
    if not may_see_city_page(request.user):
        raise Http404
    node = requested_node(request)
    data = SimpleLazyObject(lambda: city_figures(request.user, node))
    context = {
        "section": "dashboard",
        "node": node,
        "data": data,
        "node_query": f"?node={node.agency.pk}" if node.agency is not None else "",
        # The rendered figures are kept as long as the figures (the template's {% cache %}), per scope, node, day and
        # language: a page kept is sent without rendering its tables again.
        "cache_seconds": settings.DASHBOARD_CACHE_SECONDS,
        "fragment_key": fragment_key(request, node),
    }
    return render(request, "dashboard/city.html", context)


@login_required
@never_cache
@require_GET
def city_export(request: AuthenticatedRequest, table: str) -> HttpResponseBase:
    if not may_see_city_page(request.user):
        raise Http404
    node = requested_node(request)
    data = city_figures(request.user, node)
    found: Table | None = data["tables"].get(table)
    if found is None:
        raise Http404
    content = table_xlsx(title=found.title, headers=found.headers, rows=found.rows, as_of=data["as_of"])
    return xlsx_response(content, f"city-{table}.xlsx")


urlpatterns: list[URLPattern] = [
    path("dashboard/city/", city, name="city"),
    path("dashboard/city/export/<slug:table>/", city_export, name="city_export"),
]
