"""The public PPP project cards (seed 000 §(九): the consultants, the winning private partner and the contract are
disclosed): partner, consultants, contract summary, stage, payments due and paid, and who held each stage on the
government side, the civil servants named as 张某. Only published projects; anything else is "not found"."""

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils.http import http_date

from disclosure.views import not_found, page, public_page
from sectors.models import PppPaymentObligation, PppProject, PppStageAssignment
from sectors.models.ppp import STAGE_ORDER, PppStage
from subjects.masking import mask_person_name

PAGE_SIZE = 50


@public_page
def ppp_projects(request: HttpRequest) -> HttpResponse:
    projects = (
        PppProject.objects.published()
        .select_related("agency")
        .only("code", "name", "stage", "mode", "total_investment", "partner_name", "published_at", "agency__name")
        .order_by("-published_at", "-pk")
    )
    listed = Paginator(projects, PAGE_SIZE).get_page(request.GET.get("page"))
    return page(request, "disclosure/ppp/list.html", {"page": listed})


def public_card(pk: int) -> dict[str, Any] | None:
    """What the public card shows, in a fixed number of queries; None unless the project is published."""
    project = PppProject.objects.published().select_related("agency").filter(pk=pk).first()
    if project is None:
        return None
    assignments = PppStageAssignment.objects.filter(project=project).select_related("agency", "person")
    by_stage: dict[str, list[dict[str, Any]]] = {stage: [] for stage in STAGE_ORDER}
    for row in assignments.order_by("starts_on", "pk"):
        by_stage[row.stage].append(
            {
                "unit": row.agency.name,
                "person": mask_person_name(row.person.name),
                "starts_on": row.starts_on,
                "ends_on": row.ends_on,
            }
        )
    payments = list(PppPaymentObligation.objects.filter(project=project).order_by("year", "due_on", "pk"))
    return {
        "project": project,
        "stages": project.stage_rows(),
        "responsibility": [(stage, PppStage(stage).label, by_stage[stage]) for stage in STAGE_ORDER],
        "consultants": list(project.consultants.order_by("pk")),
        "payments": payments,
        "due_total": sum((p.amount_due for p in payments), start=0),
        "paid_total": sum((p.paid_amount for p in payments), start=0),
    }


@public_page
def ppp_project(request: HttpRequest, pk: int) -> HttpResponse:
    card = public_card(pk)
    if card is None:
        return not_found(request)
    response = page(request, "disclosure/ppp/project.html", card)
    response["Last-Modified"] = http_date(card["project"].updated_at.timestamp())
    return response


urlpatterns: list[URLPattern] = [
    path("ppp/", ppp_projects, name="ppp_projects"),
    path("ppp/<int:pk>/", ppp_project, name="ppp_project"),
]
