"""REST API of supervision under /api/v1/supervision/: each kind's api module holds its own `urlpatterns`."""

from django.urls import URLPattern, URLResolver

from supervision.api import complaints, courts, suggestions

urlpatterns: list[URLPattern | URLResolver] = []
urlpatterns += suggestions.urlpatterns
urlpatterns += courts.urlpatterns
urlpatterns += complaints.urlpatterns
