"""Staff pages of supervision: each kind's views module holds its own `urlpatterns`."""

from django.urls import URLPattern, URLResolver

from supervision.views import complaints, courts, hotline, index, inspections, ledger, suggestions

app_name = "supervision"
urlpatterns: list[URLPattern | URLResolver] = []
urlpatterns += suggestions.urlpatterns
urlpatterns += courts.urlpatterns
urlpatterns += complaints.urlpatterns
urlpatterns += hotline.urlpatterns

urlpatterns += index.urlpatterns
urlpatterns += inspections.urlpatterns
urlpatterns += ledger.urlpatterns
