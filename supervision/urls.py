"""Staff pages of supervision: each kind's views module holds its own `urlpatterns`."""

from django.urls import URLPattern, URLResolver

from supervision.views import complaints, hotline

app_name = "supervision"
urlpatterns: list[URLPattern | URLResolver] = []
urlpatterns += complaints.urlpatterns
urlpatterns += hotline.urlpatterns
