"""The address `commitments:detail` that the commitment services link their notices to, stubbed for the tests of
other apps while the staff pages of commitments are not wired into config/urls.py in this tree. The fixture uses the
real address as soon as it exists; this module can then go."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, include, path, reverse

from config.urls import handler404, handler500
from config.urls import urlpatterns as site_urlpatterns

__all__ = ["commitment_links", "handler404", "handler500"]


def _stub(request: HttpRequest, pk: int) -> HttpResponse:
    return HttpResponse()


urlpatterns = [
    *site_urlpatterns,
    path("staff/commitments/", include(([path("<int:pk>/", _stub, name="detail")], "commitments"))),
]


@pytest.fixture
def commitment_links(settings: Any) -> Iterator[None]:
    try:
        reverse("commitments:detail", args=[1])
    except NoReverseMatch:
        settings.ROOT_URLCONF = __name__
    yield
