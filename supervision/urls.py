"""Staff pages of supervision: each kind's views module holds its own `urlpatterns`."""

from django.urls import URLPattern, URLResolver

app_name = "supervision"
urlpatterns: list[URLPattern | URLResolver] = []
