"""Public pages of tendering: the blacklist (suspensions and blacklistings in force), the bad-behaviour notices within
their public period, and the tendering agents' credit (score and sanctions). Experts appear as 张某 with their ID
number masked. docs/sectors.md#tendering."""

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils import timezone

from disclosure.views import page, public_page
from sectors.models import BadBehaviour, TenderParty, TenderSanction
from sectors.models.tendering import PartyKind
from sectors.services.tendering import current_scheme, parties_with_scores, sanctions_in_force

PAGE_SIZE = 50


@public_page
def blacklist(request: HttpRequest) -> HttpResponse:
    sanctions = sanctions_in_force(timezone.localdate()).select_related("party", "trigger__decided_by", "trigger__item")
    listed = Paginator(sanctions.order_by("-starts_on", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return page(request, "disclosure/tendering/blacklist.html", {"page": listed})


@public_page
def notices(request: HttpRequest) -> HttpResponse:
    rows = (
        BadBehaviour.objects.public(timezone.localdate())
        .select_related("party", "item", "decided_by")
        .order_by("-published_on", "-pk")
    )
    listed = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return page(request, "disclosure/tendering/notices.html", {"page": listed})


@public_page
def agents(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    in_force = Prefetch(
        "sanctions",
        queryset=TenderSanction.objects.published().in_force(today).order_by("-starts_on"),
        to_attr="sanctions_now",
    )
    rows = (
        parties_with_scores(TenderParty.objects.filter(kind=PartyKind.AGENT), today)
        .prefetch_related(in_force)
        .order_by("-score", "name", "pk")
    )
    listed = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return page(request, "disclosure/tendering/agents.html", {"page": listed, "scheme": current_scheme(today)})


urlpatterns: list[URLPattern] = [
    path("tendering/blacklist/", blacklist, name="tendering_blacklist"),
    path("tendering/bad-behaviour/", notices, name="tendering_notices"),
    path("tendering/agents/", agents, name="tendering_agents"),
]
