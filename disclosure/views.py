"""The public disclosure site (信用XX): anonymous, and shows only what may be shown (DOMAIN §10).

For now it finds credit subjects that are units; the records issue adds their disclosed dishonesty records. Nothing
about civil servants is public here.
"""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from records.models import Agency

PAGE_SIZE = 20


def site_name() -> str:
    # "信用" + the city's name, e.g. 信用临江; a deployment names itself with DISCLOSURE_SITE_NAME.
    return settings.DISCLOSURE_SITE_NAME or str(_("Credit disclosure"))


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "disclosure/home.html", {"site_name": site_name()})


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    page = None
    if q:
        # Public facts only: name, code and kind.
        agencies = Agency.objects.search(q).only("pk", "name", "uscc", "kind").order_by("name", "pk")
        page = Paginator(agencies, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "disclosure/search.html", {"site_name": site_name(), "q": q, "page": page})
