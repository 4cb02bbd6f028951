"""Public pages of supervision under /supervision/ (the public site's frame): each kind's public views module holds
its own `urlpatterns`."""

from django.urls import URLPattern, URLResolver, include, path

from supervision.views import public_complaints, suggestions_public

app_name = "supervision_public"
urlpatterns: list[URLPattern | URLResolver] = [
    *suggestions_public.urlpatterns,
    path("complaints/", include(public_complaints.urlpatterns)),
]
