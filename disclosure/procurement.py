"""Public pages of procurement: the agencies' yearly statements of payments to SMEs overdue and unpaid, once
published, and the supplier blacklist while each ban is in force (docs/sectors.md#procurement). Cached as the other
public pages are (disclosure.views.public_page); the services announce every change that alters them."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils import timezone

from disclosure.views import page, public_page
from sectors.models import OverdueDisclosure, SupplierBan

PAGE_SIZE = 50


@public_page
def overdue_disclosures(request: HttpRequest) -> HttpResponse:
    statements = OverdueDisclosure.objects.published().select_related("agency").order_by("-year", "agency__name")
    listed = Paginator(statements, PAGE_SIZE).get_page(request.GET.get("page"))
    return page(request, "disclosure/procurement/disclosures.html", {"page": listed})


@public_page
def supplier_blacklist(request: HttpRequest) -> HttpResponse:
    bans = SupplierBan.objects.in_force(timezone.localdate()).select_related("decided_by").order_by("-starts_on", "-pk")
    listed = Paginator(bans, PAGE_SIZE).get_page(request.GET.get("page"))
    return page(request, "disclosure/procurement/blacklist.html", {"page": listed})


urlpatterns: list[URLPattern] = [
    path("procurement/overdue-payments/", overdue_disclosures, name="procurement_disclosures"),
    path("procurement/supplier-blacklist/", supplier_blacklist, name="procurement_blacklist"),
]
