"""REST API of supervision under /api/v1/supervision/: each kind's api module holds its own `urlpatterns`."""

from django.urls import URLPattern, URLResolver

from supervision.api import complaints, courts, inspections, ledger, suggestions

urlpatterns: list[URLPattern | URLResolver] = []
urlpatterns += suggestions.urlpatterns
urlpatterns += courts.urlpatterns
urlpatterns += complaints.urlpatterns

urlpatterns += inspections.urlpatterns
urlpatterns += ledger.urlpatterns
