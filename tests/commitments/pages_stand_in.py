"""Until the staff pages of commitments exist, the services' links to them (`commitments:detail`, in notices) need
an address: `commitment_pages` serves the project's URLs plus that one name. Once the pages' own URLs are wired in
config/urls.py, the fixture changes nothing."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, URLPattern, URLResolver, include, path, reverse

from config.urls import urlpatterns as project_urls


def _page(request: HttpRequest, pk: int) -> HttpResponse:
    return HttpResponse(status=404)


_pages: list[URLPattern | URLResolver] = [path("staff/commitments/<int:pk>/", _page, name="detail")]
urlpatterns: list[URLPattern | URLResolver] = [*project_urls, path("", include((_pages, "commitments")))]
handler404 = "accounts.api_support.not_found"
handler500 = "accounts.api_support.server_error"


@pytest.fixture
def commitment_pages(settings: Any) -> Iterator[None]:
    try:
        reverse("commitments:detail", args=[1])
    except NoReverseMatch:
        settings.ROOT_URLCONF = __name__
    yield
