"""The public pages of the honest street and town creation: the streets and towns named by year (a revoked naming
stays listed, marked, with its grounds), the ones in their public notice (objections are welcome), and each one's
page with the criteria met as the city's review found them. Nothing else of an application is public."""

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils import timezone

from disclosure.views import not_found, page, public_page
from sectors.models import CreationApplication
from sectors.models.streets import CreationStatus

PUBLIC_STATUSES = (CreationStatus.NOTICE, CreationStatus.NAMED, CreationStatus.REVOKED)


@public_page
def creation_named(request: HttpRequest) -> HttpResponse:
    rows = list(
        CreationApplication.objects.named_or_revoked()
        .select_related("agency")
        .only("year", "status", "named_on", "revoked_on", "revocation_reason", "agency__name", "agency__kind")
        .order_by("-year", "agency__name", "pk")
    )
    years: dict[int, list[CreationApplication]] = {}
    for row in rows:
        years.setdefault(row.year, []).append(row)
    notices = (
        CreationApplication.objects.in_notice(timezone.localdate())
        .select_related("agency")
        .order_by("notice_ends_on", "pk")
    )
    return page(
        request, "disclosure/streets/list.html", {"years": sorted(years.items(), reverse=True), "notices": notices}
    )


@public_page
def creation_page(request: HttpRequest, pk: int) -> HttpResponse:
    application = (
        CreationApplication.objects.filter(Q(status__in=PUBLIC_STATUSES))
        .select_related("agency", "checklist")
        .filter(pk=pk)
        .first()
    )
    if application is None:
        return not_found(request)
    evaluation = application.evaluation or {}
    criteria = [
        (criterion, evaluation.get(criterion.code, {}).get("met")) for criterion in application.checklist.criteria.all()
    ]
    return page(request, "disclosure/streets/detail.html", {"application": application, "criteria": criteria})


urlpatterns: list[URLPattern] = [
    path("honest-streets/", creation_named, name="creation_named"),
    path("honest-streets/<int:pk>/", creation_page, name="creation_page"),
]
