"""The credit-office leader's dashboard: tiles, charts and overdue lists inside the user's scope, drilled from the
region to a district to a unit, then to the items on the existing list pages; every figure exports to Excel."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.http import AuthenticatedRequest
from dashboard.excel import table_xlsx, xlsx_response
from dashboard.figures import Node, Table, leader_figures, may_see_leader_dashboard, node_for
from dashboard.warnings import scope_key


def requested_node(request: AuthenticatedRequest) -> Node:
    raw = request.GET.get("node", "")
    if raw and not raw.isdigit():
        raise Http404
    node = node_for(request.user, int(raw) if raw else None)
    if node is None:
        raise Http404  # a node outside the scope: as if it did not exist
    return node


def fragment_key(request: AuthenticatedRequest, node: Node) -> str:
    language = getattr(request, "LANGUAGE_CODE", "")
    return f"{scope_key(request.user)}:{node.path or '-'}:{timezone.localdate().isoformat()}:{language}"


@login_required
@never_cache
@require_GET
def leader(request: AuthenticatedRequest) -> HttpResponse:
    if not may_see_leader_dashboard(request.user):
        raise Http404
    node = requested_node(request)
    # Computed (or read from the cache) only if the template's kept fragment has expired.
    data = SimpleLazyObject(lambda: leader_figures(request.user, node))
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
    return render(request, "dashboard/leader.html", context)


@login_required
@never_cache
@require_GET
def leader_export(request: AuthenticatedRequest, table: str) -> HttpResponseBase:
    if not may_see_leader_dashboard(request.user):
        raise Http404
    node = requested_node(request)
    data = leader_figures(request.user, node)
    found: Table | None = data["tables"].get(table)
    if found is None:
        raise Http404
    content = table_xlsx(title=found.title, headers=found.headers, rows=found.rows, as_of=data["as_of"])
    return xlsx_response(content, f"dashboard-{table}.xlsx")


urlpatterns: list[URLPattern] = [
    path("dashboard/", leader, name="leader"),
    path("dashboard/export/<slug:table>/", leader_export, name="leader_export"),
]
