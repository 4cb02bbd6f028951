"""REST API of supervision under /api/v1/supervision/: each kind's api module holds its own `urlpatterns`."""

from django.urls import URLPattern, URLResolver

from supervision.api import inspections, ledger

urlpatterns: list[URLPattern | URLResolver] = []
urlpatterns += inspections.urlpatterns
urlpatterns += ledger.urlpatterns
