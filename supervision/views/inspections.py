"""Staff pages of the inspections (督导检查): the rectification items sorted by deadline with filters and counts, the
inspections, an inspection's page (findings, items, results, timeline) and a rectification item's page (report,
evidence, verification, timeline) with the buttons of each role. Rows are fetched through their `visible_to(user)`
querysets: outside them, 404. The services judge every write."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedRequest
from accounts.models import User
from accounts.scope import agency_q
from kernel.errors import DomainError, NotAllowed
from supervision.forms.inspections import (
    FindingForm,
    InspectionFilterForm,
    InspectionForm,
    ItemForm,
    ReasonForm,
    ResultForm,
    SubmitForm,
    apply_errors,
    regions_run_by,
)
from supervision.models.inspections import (
    Inspection,
    InspectionFinding,
    RectificationEvent,
    RectificationEvidence,
    RectificationItem,
    RectificationStatus,
)
from supervision.services import inspections as services

PAGE_SIZE = 50


def filtered_items(user: User, params: Any) -> tuple[InspectionFilterForm, QuerySet[RectificationItem]]:
    form = InspectionFilterForm(params)
    rows = RectificationItem.objects.visible_to(user)
    if not form.is_valid():
        return form, rows.none()
    data = form.cleaned_data
    if data["q"]:
        rows = rows.filter(agency__name__contains=data["q"].strip())
    if data["year"]:
        rows = rows.filter(finding__inspection__year=data["year"])
    if data["status"]:
        rows = rows.filter(status=data["status"])
    if data["overdue"]:
        rows = rows.overdue()
    return form, rows


@login_required
@require_GET
def inspection_list(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    form, rows = filtered_items(user, request.GET)
    today = timezone.localdate()
    late = Q(status__in=[RectificationStatus.OPEN, RectificationStatus.RETURNED], due_on__lt=today)
    counts = rows.aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=late),
        **{status: Count("pk", filter=Q(status=status)) for status in RectificationStatus.values},
    )
    page = Paginator(
        rows.select_related("agency", "finding__inspection").order_by("due_on", "agency__name", "pk"), PAGE_SIZE
    )
    params = request.GET.copy()
    params.pop("page", None)
    inspections = Inspection.objects.visible_to(user).select_related("region").order_by("-year", "-starts_on")[:20]
    context = {
        "section": "supervision",
        "form": form,
        "page": page.get_page(request.GET.get("page")),
        "counts": counts,
        "status_choices": RectificationStatus.choices,
        "inspections": inspections,
        "may_create": regions_run_by(user).exists(),
        "today": today,
        "query": params.urlencode(),
    }
    return render(request, "supervision/inspections/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def inspection_create(request: AuthenticatedRequest) -> HttpResponse:
    if not regions_run_by(request.user).exists():
        raise PermissionDenied(_("Only the credit office runs inspections."))
    form = InspectionForm(request.POST or None, user=request.user)
    if request.method == "POST":
        valid = form.is_valid()
        read = form.cleaned_data
        data = services.InspectionInput(
            region=read.get("region"),
            kind=read.get("kind") or "",
            year=read.get("year"),
            title=read.get("title") or "",
            inspecting_body=read.get("inspecting_body") or "",
            starts_on=read.get("starts_on"),
            ends_on=read.get("ends_on"),
        )
        if not valid:
            # Also what the rules say of the fields the form could read: every error at once.
            unread = services.inspection_problems(request.user, data)
            apply_errors(form, {name: msgs for name, msgs in unread.items() if name not in form.errors})
        else:
            try:
                inspection = services.inspection_create(actor=request.user, data=data)
            except DomainError as exc:
                apply_errors(form, exc.field_errors() or {"__all__": [str(exc.message)]})
            else:
                messages.success(request, _("The inspection is recorded."))
                return redirect("supervision:inspection_detail", inspection.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "supervision/inspections/form.html", {"section": "supervision", "form": form}, status=status)


def _inspection(user: User, pk: int) -> Inspection:
    return get_object_or_404(Inspection.objects.visible_to(user).select_related("region", "created_by"), pk=pk)


def _inspection_page(
    request: AuthenticatedRequest, inspection: Inspection, status: int = 200, **forms: Any
) -> HttpResponse:
    user = request.user
    items = RectificationItem.objects.visible_to(user).order_by("due_on", "pk")
    findings = (
        InspectionFinding.objects.visible_to(user)
        .filter(inspection=inspection)
        .select_related("agency")
        .prefetch_related(Prefetch("items", queryset=items))
        .order_by("agency__name", "pk")
    )
    may_run = services.may_run(user, inspection.region)
    results = inspection.results.select_related("agency").filter(agency_q(user, "agency"))
    events = (
        RectificationEvent.objects.filter(item__finding__inspection=inspection, item__in=items)
        .select_related("actor", "item__agency")
        .order_by("at", "pk")
    )
    context = {
        "section": "supervision",
        "inspection": inspection,
        "findings": findings,
        "results": results,
        "events": events,
        "may_run": may_run,
        "finding_form": forms.get("finding_form") or FindingForm(region=inspection.region),
        "result_form": forms.get("result_form") or ResultForm(region=inspection.region),
        "today": timezone.localdate(),
    }
    return render(request, "supervision/inspections/detail.html", context, status=status)


@login_required
@require_GET
def inspection_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _inspection_page(request, _inspection(request.user, pk))


@login_required
@require_POST
def finding_add(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    inspection = _inspection(request.user, pk)
    form = FindingForm(request.POST, region=inspection.region)
    valid = form.is_valid()
    data = services.FindingInput(
        agency=form.cleaned_data.get("agency"),
        text=form.cleaned_data.get("text") or "",
        severity=form.cleaned_data.get("severity") or "",
        item_text=form.cleaned_data.get("item_text") or "",
        item_due_on=form.cleaned_data.get("item_due_on"),
    )
    if not valid:
        unread = services.finding_problems(inspection, data)
        apply_errors(form, {name: msgs for name, msgs in unread.items() if name not in form.errors})
    else:
        try:
            services.finding_add(actor=request.user, inspection=inspection, data=data)
        except NotAllowed as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except DomainError as exc:
            apply_errors(form, exc.field_errors() or {"__all__": [str(exc.message)]})
        else:
            messages.success(request, _("The finding is recorded."))
            return redirect("supervision:inspection_detail", inspection.pk)
    return _inspection_page(request, inspection, status=400, finding_form=form)


@login_required
@require_POST
def result_set(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    inspection = _inspection(request.user, pk)
    form = ResultForm(request.POST, region=inspection.region)
    if form.is_valid():
        try:
            services.result_set(
                actor=request.user,
                inspection=inspection,
                agency=form.cleaned_data["agency"],
                score=form.cleaned_data["score"],
                grade=form.cleaned_data["grade"],
                note=form.cleaned_data["note"],
            )
        except NotAllowed as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except DomainError as exc:
            apply_errors(form, exc.field_errors() or {"__all__": [str(exc.message)]})
        else:
            messages.success(request, _("The result is recorded."))
            return redirect("supervision:inspection_detail", inspection.pk)
    return _inspection_page(request, inspection, status=400, result_form=form)


def _item(user: User, pk: int) -> RectificationItem:
    return get_object_or_404(
        RectificationItem.objects.visible_to(user)
        .select_related("agency", "finding__inspection__region", "candidate_record")
        .prefetch_related(Prefetch("evidence", queryset=RectificationEvidence.objects.order_by("pk"))),
        pk=pk,
    )


def _item_page(request: AuthenticatedRequest, item: RectificationItem, status: int = 200, **forms: Any) -> HttpResponse:
    user = request.user
    may_run = services.may_run(user, item.finding.inspection.region)
    context = {
        "section": "supervision",
        "item": item,
        "finding": item.finding,
        "inspection": item.finding.inspection,
        "events": item.events.select_related("actor"),
        "overdue": item.is_overdue(),
        "may_submit": item.status in (RectificationStatus.OPEN, RectificationStatus.RETURNED)
        and services.may_answer(user, item),
        "may_verify": item.status == RectificationStatus.SUBMITTED and may_run,
        "may_refuse": item.status in services.TRANSITIONS.move("refuse").sources and may_run,
        "may_propose": services.may_propose(user, item),
        "may_add_item": may_run,
        "submit_form": forms.get("submit_form") or SubmitForm(initial={"report": item.report}),
        "reason_form": forms.get("reason_form") or ReasonForm(),
        "item_form": forms.get("item_form") or ItemForm(),
    }
    return render(request, "supervision/inspections/item.html", context, status=status)


@login_required
@require_GET
def rectification_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _item_page(request, _item(request.user, pk))


@login_required
@require_POST
def rectification_submit(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    item = _item(request.user, pk)
    form = SubmitForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.item_submit(
                actor=request.user, item=item, report=form.cleaned_data["report"], files=[upload] if upload else []
            )
        except NotAllowed as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except DomainError as exc:
            apply_errors(form, exc.field_errors() or {"__all__": [str(exc.message)]})
        else:
            messages.success(request, _("The rectification report is submitted."))
            return redirect("supervision:rectification_detail", item.pk)
    return _item_page(request, item, status=400, submit_form=form)


@login_required
@require_POST
def rectification_decide(request: AuthenticatedRequest, pk: int, decision: str) -> HttpResponseBase:
    item = _item(request.user, pk)
    if decision not in ("accept", "return", "refuse", "propose"):
        raise Http404
    form = ReasonForm(request.POST)
    form.is_valid()
    reason = form.cleaned_data.get("reason") or ""
    try:
        if decision in ("accept", "return"):
            services.item_verify(actor=request.user, item=item, accepted=decision == "accept", reason=reason)
        elif decision == "refuse":
            services.item_refuse(actor=request.user, item=item, reason=reason)
        else:
            services.item_propose_record(actor=request.user, item=item, reason=reason)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.message)) from exc
    except DomainError as exc:
        apply_errors(form, exc.field_errors() or {"__all__": [str(exc.message)]})
        return _item_page(request, item, status=400, reason_form=form)
    messages.success(request, _("Done."))
    return redirect("supervision:rectification_detail", item.pk)


@login_required
@require_POST
def rectification_add(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """Another rectification item for the same finding (from an item's page)."""
    item = _item(request.user, pk)
    form = ItemForm(request.POST)
    if form.is_valid():
        try:
            added = services.item_add(
                actor=request.user,
                finding=item.finding,
                text=form.cleaned_data["text"],
                due_on=form.cleaned_data["due_on"],
            )
        except NotAllowed as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except DomainError as exc:
            apply_errors(form, exc.field_errors() or {"__all__": [str(exc.message)]})
        else:
            messages.success(request, _("The rectification item is added."))
            return redirect("supervision:rectification_detail", added.pk)
    return _item_page(request, item, status=400, item_form=form)


@login_required
@require_GET
def rectification_evidence(request: AuthenticatedRequest, pk: int, evidence_pk: int) -> FileResponse:
    item = _item(request.user, pk)
    evidence = get_object_or_404(RectificationEvidence, pk=evidence_pk, item=item)
    return FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )


urlpatterns: list[URLPattern] = [
    path("inspections/", inspection_list, name="inspection_list"),
    path("inspections/new/", inspection_create, name="inspection_create"),
    path("inspections/<int:pk>/", inspection_detail, name="inspection_detail"),
    path("inspections/<int:pk>/findings/", finding_add, name="inspection_finding_add"),
    path("inspections/<int:pk>/results/", result_set, name="inspection_result_set"),
    path("inspections/items/<int:pk>/", rectification_detail, name="rectification_detail"),
    path("inspections/items/<int:pk>/submit/", rectification_submit, name="rectification_submit"),
    path("inspections/items/<int:pk>/more/", rectification_add, name="rectification_add"),
    path("inspections/items/<int:pk>/decide/<str:decision>/", rectification_decide, name="rectification_decide"),
    path(
        "inspections/items/<int:pk>/evidence/<int:evidence_pk>/", rectification_evidence, name="rectification_evidence"
    ),
]
