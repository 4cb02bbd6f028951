"""The credit-office leader's dashboard: tiles, charts and overdue lists inside the user's scope, drilled from the
region to a district to a unit, then to the items on the existing list pages; every figure exports to Excel."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.http import AuthenticatedRequest
from dashboard.excel import table_xlsx, xlsx_response
from dashboard.figures import Node, Table, leader_figures, may_see_leader_dashboard, node_for


def requested_node(request: AuthenticatedRequest) -> Node:
    raw = request.GET.get("node", "")
    if raw and not raw.isdigit():
        raise Http404
    node = node_for(request.user, int(raw) if raw else None)
    if node is None:
        raise Http404  # a node outside the scope: as if it did not exist
    return node


def chart_data(data: dict[str, Any]) -> dict[str, Any]:
    return dict(data["charts"])


@login_required
@never_cache
@require_GET
def leader(request: AuthenticatedRequest) -> HttpResponse:
    if not may_see_leader_dashboard(request.user):
        raise Http404
    node = requested_node(request)
    data = leader_figures(request.user, node)
    tables: dict[str, Table] = data["tables"]
    context = {
        "section": "dashboard",
        "node": node,
        "data": data,
        "tiles": data["tiles"],
        "tables": tables,
        "lists": [(key, tables[key]) for key in tables if key.startswith("overdue_")],
        "charts": chart_data(data),
        "node_query": f"?node={node.agency.pk}" if node.agency is not None else "",
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
