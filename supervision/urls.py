"""Staff pages of supervision: each kind's views module holds its own `urlpatterns`."""

from django.urls import URLPattern, URLResolver

from supervision.views import index, inspections, ledger

app_name = "supervision"
urlpatterns: list[URLPattern | URLResolver] = []
urlpatterns += index.urlpatterns
urlpatterns += inspections.urlpatterns
urlpatterns += ledger.urlpatterns
