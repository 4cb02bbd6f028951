"""Staff pages of the work ledger (工作台账): the tasks sorted by deadline with filters and status counts, a task's
page (each unit's status, evidence, note and results, the timeline), a unit's bulk status update, and the Excel
template, import and export. Rows are fetched through their `visible_to(user)` querysets: outside them, 404. The
services judge every write."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.http import FileResponse, HttpResponse, HttpResponseBadRequest, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedRequest
from accounts.models import User
from accounts.scope import may_enter_records_for
from kernel.errors import DomainError, NotAllowed
from records.excel.export import XLSX_CONTENT_TYPE
from subjects.models import Agency
from supervision.excel.ledger import ledger_export, ledger_import, ledger_template
from supervision.forms.inspections import apply_errors, regions_run_by
from supervision.forms.ledger import BulkStatusForm, ImportForm, LedgerFilterForm, ResultForm, StatusForm, TaskForm
from supervision.models.ledger import LedgerAssignment, LedgerEvent, LedgerEvidence, LedgerStatus, LedgerTask
from supervision.services import ledger as services

PAGE_SIZE = 50


def filtered_assignments(user: User, params: Any) -> tuple[LedgerFilterForm, QuerySet[LedgerAssignment]]:
    form = LedgerFilterForm(params)
    rows = LedgerAssignment.objects.visible_to(user)
    if not form.is_valid():
        return form, rows.none()
    data = form.cleaned_data
    if data["q"]:
        rows = rows.filter(agency__name__contains=data["q"].strip())
    if data["year"]:
        rows = rows.filter(task__year=data["year"])
    if data["group"]:
        rows = rows.filter(task__group__contains=data["group"].strip())
    if data["status"]:
        rows = rows.filter(status=data["status"])
    return form, rows


@login_required
@require_GET
def ledger_list(request: AuthenticatedRequest) -> HttpResponse:
    """Each unit's part in a task, soonest deadline first (continuous tasks after the dated ones)."""
    form, rows = filtered_assignments(request.user, request.GET)
    counts = rows.aggregate(
        total=Count("pk"), **{status: Count("pk", filter=Q(status=status)) for status in LedgerStatus.values}
    )
    ordered = rows.select_related("agency", "task").order_by(
        F("task__due_on").asc(nulls_last=True), "task__year", "task__number", "agency__name", "pk"
    )
    page = Paginator(ordered, PAGE_SIZE)
    params = request.GET.copy()
    params.pop("page", None)
    user = request.user
    context = {
        "section": "supervision",
        "form": form,
        "page": page.get_page(request.GET.get("page")),
        "counts": counts,
        "status_choices": LedgerStatus.choices,
        "may_import": regions_run_by(user).exists(),
        "own_unit": user.agency if user.agency is not None and may_enter_records_for(user, user.agency) else None,
        "query": params.urlencode(),
    }
    return render(request, "supervision/ledger/list.html", context)


def _task(user: User, pk: int) -> LedgerTask:
    return get_object_or_404(LedgerTask.objects.visible_to(user).select_related("region"), pk=pk)


def _task_page(request: AuthenticatedRequest, task: LedgerTask, status: int = 200, **forms: Any) -> HttpResponse:
    user = request.user
    assignments = list(
        LedgerAssignment.objects.visible_to(user)
        .filter(task=task)
        .select_related("agency")
        .prefetch_related(Prefetch("evidence", queryset=LedgerEvidence.objects.order_by("pk")))
        .order_by("role", "agency__name")
    )
    may_run = services.may_run(user, task.region)
    for row in assignments:
        row.may_update = services.may_update(user, row)  # type: ignore[attr-defined]
        row.status_form = (  # type: ignore[attr-defined]
            forms["status_form"]
            if forms.get("status_for") == row.pk
            else StatusForm(prefix=f"a{row.pk}", initial={"status": row.status, "note": row.note})
        )
        row.result_form = (  # type: ignore[attr-defined]
            forms["result_form"]
            if forms.get("result_for") == row.pk
            else ResultForm(
                prefix=f"r{row.pk}",
                initial={"mid_year_result": row.mid_year_result, "year_end_result": row.year_end_result},
            )
        )
    events = (
        LedgerEvent.objects.filter(assignment__in=[row.pk for row in assignments])
        .select_related("actor", "assignment__agency")
        .order_by("at", "pk")
    )
    context = {
        "section": "supervision",
        "task": task,
        "assignments": assignments,
        "events": events,
        "may_run": may_run,
    }
    return render(request, "supervision/ledger/task.html", context, status=status)


@login_required
@require_GET
def ledger_task_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _task_page(request, _task(request.user, pk))


def _assignment(user: User, pk: int) -> LedgerAssignment:
    return get_object_or_404(LedgerAssignment.objects.visible_to(user).select_related("agency", "task__region"), pk=pk)


@login_required
@require_POST
def ledger_status(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    assignment = _assignment(request.user, pk)
    form = StatusForm(request.POST, request.FILES, prefix=f"a{pk}")
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.status_set(
                actor=request.user,
                assignment=assignment,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                files=[upload] if upload else [],
                done_on=form.cleaned_data["done_on"],
            )
        except NotAllowed as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except DomainError as exc:
            apply_errors(form, exc.field_errors() or {"__all__": [str(exc.message)]})
        else:
            messages.success(request, _("The status is saved."))
            return redirect("supervision:ledger_task_detail", assignment.task_id)
    return _task_page(request, assignment.task, status=400, status_form=form, status_for=pk)


@login_required
@require_POST
def ledger_result(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    assignment = _assignment(request.user, pk)
    form = ResultForm(request.POST, prefix=f"r{pk}")
    if form.is_valid():
        try:
            services.result_set(
                actor=request.user,
                assignment=assignment,
                mid_year_result=form.cleaned_data["mid_year_result"],
                year_end_result=form.cleaned_data["year_end_result"],
            )
        except NotAllowed as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except DomainError as exc:
            apply_errors(form, exc.field_errors() or {"__all__": [str(exc.message)]})
        else:
            messages.success(request, _("The result is saved."))
            return redirect("supervision:ledger_task_detail", assignment.task_id)
    return _task_page(request, assignment.task, status=400, result_form=form, result_for=pk)


@login_required
@require_GET
def ledger_evidence(request: AuthenticatedRequest, pk: int, evidence_pk: int) -> FileResponse:
    assignment = _assignment(request.user, pk)
    evidence = get_object_or_404(LedgerEvidence, pk=evidence_pk, assignment=assignment)
    return FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )


@login_required
@require_http_methods(["GET", "POST"])
def ledger_bulk(request: AuthenticatedRequest, agency_pk: int) -> HttpResponse:
    """One unit's open tasks, several set to one status at once."""
    agency = get_object_or_404(Agency.objects.visible_to(request.user), pk=agency_pk)
    if not may_enter_records_for(request.user, agency):
        raise PermissionDenied(_("Only the unit's own staff update its ledger tasks."))
    rows = (
        LedgerAssignment.objects.visible_to(request.user)
        .filter(agency=agency)
        .exclude(status=LedgerStatus.DONE)
        .select_related("task", "agency")
        .order_by(F("task__due_on").asc(nulls_last=True), "task__year", "task__number")
    )
    form = BulkStatusForm(request.POST or None, rows=rows)
    if request.method == "POST" and form.is_valid():
        try:
            count = services.status_bulk_set(
                actor=request.user,
                agency=agency,
                assignment_ids=[row.pk for row in form.cleaned_data["assignments"]],
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
        except NotAllowed as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except DomainError as exc:
            apply_errors(form, exc.field_errors() or {"__all__": [str(exc.message)]})
        else:
            messages.success(request, _("%(count)d tasks updated.") % {"count": count})
            return redirect("supervision:ledger_bulk", agency.pk)
    chosen = {str(v) for v in form["assignments"].value() or []}
    status = 400 if request.method == "POST" else 200
    context = {"section": "supervision", "agency": agency, "form": form, "rows": rows, "chosen": chosen}
    return render(request, "supervision/ledger/bulk.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def ledger_import_view(request: AuthenticatedRequest) -> HttpResponse:
    if not regions_run_by(request.user).exists():
        raise PermissionDenied(_("Only the credit office keeps a region's ledger."))
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        errors: dict[str, list[str]] = {}
        if data["region"] is None:
            errors["region"] = [_("Choose the region.")]
        if data["year"] is None or not 2000 <= data["year"] <= 2100:
            errors["year"] = [_("Give a year between 2000 and 2100.")]
        if data["file"] is None:
            errors["file"] = [_("Choose a file.")]
        if errors:
            apply_errors(form, errors)
        else:
            try:
                outcome = ledger_import(
                    actor=request.user, region=data["region"], year=data["year"], upload=data["file"]
                )
            except NotAllowed as exc:
                raise PermissionDenied(str(exc.message)) from exc
            except DomainError as exc:
                apply_errors(form, exc.field_errors() or {"__all__": [str(exc.message)]})
            else:
                if not outcome.errors:
                    messages.success(
                        request,
                        _("%(tasks)d tasks imported with %(units)d unit assignments.")
                        % {"tasks": outcome.created, "units": outcome.assignments},
                    )
                    return redirect("supervision:ledger_list")
    status = 400 if request.method == "POST" else 200
    context = {"section": "supervision", "form": form, "outcome": outcome}
    return render(request, "supervision/ledger/import.html", context, status=status)


@login_required
def ledger_task_new(request: AuthenticatedRequest) -> HttpResponse:
    """One task typed in (the import's rules): every error at once, what was typed kept, nothing written on any."""
    if not regions_run_by(request.user).exists():
        raise PermissionDenied(_("Only the credit office keeps a region's ledger."))
    form = TaskForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["region"] is None:
            apply_errors(form, {"region": [_("Choose the region.")]})
        else:
            task_input = services.TaskInput(
                number=data["number"],
                group=data["group"],
                content=data["content"],
                responsibility=data["responsibility"],
                schedule_text=data["schedule_text"],
                check_plan=data["check_plan"],
            )
            try:
                task = services.task_create(
                    actor=request.user, region=data["region"], year=data["year"], data=task_input
                )
            except NotAllowed as exc:
                raise PermissionDenied(str(exc.message)) from exc
            except DomainError as exc:
                apply_errors(form, exc.field_errors() or {"__all__": [str(exc.message)]})
            else:
                messages.success(request, _("The task was added to the ledger."))
                return redirect("supervision:ledger_task_detail", pk=task.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "supervision/ledger/task_form.html", {"section": "supervision", "form": form}, status=status)


@login_required
@require_GET
def ledger_template_view(request: AuthenticatedRequest) -> HttpResponse:
    response = HttpResponse(ledger_template(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="work-ledger-template.xlsx"'
    return response


@login_required
@require_GET
def ledger_export_view(request: AuthenticatedRequest) -> HttpResponseBase:
    form, rows = filtered_assignments(request.user, request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(_("The filter cannot be read."))
    tasks = LedgerTask.objects.visible_to(request.user).filter(pk__in=rows.values("task_id"))
    handle, name = ledger_export(tasks=tasks, assignments=rows)
    return FileResponse(handle, as_attachment=True, filename=name, content_type=XLSX_CONTENT_TYPE)


urlpatterns: list[URLPattern] = [
    path("ledger/", ledger_list, name="ledger_list"),
    path("ledger/import/", ledger_import_view, name="ledger_import"),
    path("ledger/tasks/new/", ledger_task_new, name="ledger_task_new"),
    path("ledger/template/", ledger_template_view, name="ledger_template"),
    path("ledger/export/", ledger_export_view, name="ledger_export"),
    path("ledger/tasks/<int:pk>/", ledger_task_detail, name="ledger_task_detail"),
    path("ledger/units/<int:agency_pk>/", ledger_bulk, name="ledger_bulk"),
    path("ledger/assignments/<int:pk>/status/", ledger_status, name="ledger_status"),
    path("ledger/assignments/<int:pk>/result/", ledger_result, name="ledger_result"),
    path("ledger/assignments/<int:pk>/evidence/<int:evidence_pk>/", ledger_evidence, name="ledger_evidence"),
]
