"""The public register of investment promotion (招商引资): the published investment-promotion policy commitments, and
the agreements with investors with their government-side obligations and the lawful changes made to them (seed 003
§五(五)). Trade secrets are withheld: the terms flagged as such, and amounts flagged as such; the responsible civil
servant appears as 张某. Anonymous, cached like every public page (disclosure.views.public_page)."""

from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import path

from commitments.models import PUBLIC_STATUSES, Commitment, CommitmentKind
from disclosure.views import PAGE_SIZE, not_found, page, public_page
from sectors.models import InvestmentAgreement, ObligationStatus
from subjects.masking import mask_person_name

PUBLIC_COMMITMENTS = 20


def public_agreements() -> QuerySet[InvestmentAgreement]:
    return (
        InvestmentAgreement.objects.select_related("agency")
        .defer("summary", "secret_terms")
        .annotate(
            obligation_count=Count("obligations"),
            changed_count=Count("obligations", filter=Q(obligations__status=ObligationStatus.CHANGED)),
            broken_count=Count("obligations", filter=Q(obligations__status=ObligationStatus.BROKEN)),
        )
        .order_by("-signed_on", "-pk")
    )


@public_page
def register(request: HttpRequest) -> HttpResponse:
    agreements = Paginator(public_agreements(), PAGE_SIZE).get_page(request.GET.get("page"))
    commitments = list(
        Commitment.objects.public()
        .filter(kind=CommitmentKind.INVESTMENT_POLICY)
        .select_related("agency")
        .order_by("-promised_on", "-pk")[:PUBLIC_COMMITMENTS]
    )
    return page(
        request,
        "disclosure/investment/register.html",
        {"page": agreements, "agreements": agreements.object_list, "commitments": commitments},
    )


@public_page
def agreement(request: HttpRequest, pk: int) -> HttpResponse:
    found = (
        InvestmentAgreement.objects.select_related("agency", "responsible_person")
        .prefetch_related("obligations__changes", "commitments")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        return not_found(request)
    person = found.responsible_person
    context = {
        "agreement": found,
        "person": mask_person_name(person.name) if person is not None else "",
        "obligations": list(found.obligations.all()),
        "commitments": [c for c in found.commitments.all() if c.status in PUBLIC_STATUSES],
    }
    return page(request, "disclosure/investment/agreement.html", context)


urlpatterns = [
    path("investment/", register, name="investment"),
    path("investment/<int:pk>/", agreement, name="investment_agreement"),
]
