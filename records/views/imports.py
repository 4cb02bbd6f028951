"""Excel in and out on the staff site: the template, the upload, the import job's progress and errors, and the export
of any filtered record list. The work itself is records.services.imports (import_job_create, records_export)."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts.http import AuthenticatedRequest
from accounts.models import User
from kernel.errors import DomainError, NotAllowed
from records import services
from records.excel import build_template
from records.excel.export import XLSX_CONTENT_TYPE
from records.forms import ImportUploadForm
from records.models import ImportJob, ImportStatus
from records.views.dishonesty import EXPORT_FORMATS, filtered_records
from subjects.forms import entering_agencies
from subjects.personal_data import mask_id_numbers_in_text

TEMPLATE_NAME = "失信记录导入模板.xlsx"
JOB_ERRORS_SHOWN = 100
RUNNING = frozenset({ImportStatus.PENDING, ImportStatus.VALIDATING, ImportStatus.IMPORTING})


def _require_entering(user: User) -> None:
    if not entering_agencies(user).exists():
        raise PermissionDenied(_("Your role does not enter records."))


@login_required
@require_GET
def import_template(request: AuthenticatedRequest) -> HttpResponse:
    _require_entering(request.user)
    response = HttpResponse(build_template(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, TEMPLATE_NAME)  # type: ignore[assignment]  # never None for an attachment
    return response


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    _require_entering(user)
    initial = {"agency": user.agency_id} if user.agency_id else {}
    form = ImportUploadForm(
        request.POST if request.method == "POST" else None, request.FILES or None, user=user, initial=initial
    )
    if form.is_bound and form.is_valid():
        try:
            job = services.import_job_create(
                actor=user, agency=form.cleaned_data["agency"], upload=form.cleaned_data["file"]
            )
        except NotAllowed as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except DomainError as exc:
            form.add_error("file" if exc.field not in form.fields else exc.field, str(exc.message))
        else:
            # No flash message: the job page says itself whether the rows are still being checked (a message would
            # stay on the page after the job finished, as it often has by the time the page is shown).
            return redirect("records:import_job", pk=job.pk)
    jobs = ImportJob.objects.visible_to(user).select_related("agency", "uploaded_by")[:20]
    context = {"section": "records", "form": form, "jobs": jobs}
    return render(request, "records/import_upload.html", context)


def _visible_job(request: HttpRequest, pk: int) -> ImportJob:
    return get_object_or_404(ImportJob.objects.visible_to(request.user).select_related("agency", "uploaded_by"), pk=pk)


def _progress(job: ImportJob) -> dict[str, Any]:
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "running": job.status in RUNNING,
        "progress_percent": job.progress_percent,
        "processed_rows": job.processed_rows,
        "total_rows": job.total_rows,
        "error_count": job.error_count,
        "created_records": job.created_records,
    }


@login_required
@never_cache
@require_GET
def import_job(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    job = _visible_job(request, pk)
    context = {
        "section": "records",
        "job": job,
        "progress": _progress(job),
        # The checker never quotes a whole ID number; masking here keeps it so whatever a message says.
        "errors": [
            {**error, "message": mask_id_numbers_in_text(str(error.get("message", "")))}
            for error in job.errors[:JOB_ERRORS_SHOWN]
        ],
        "errors_shown": min(len(job.errors), JOB_ERRORS_SHOWN),
    }
    return render(request, "records/import_job.html", context)


@login_required
@never_cache
@require_GET
def import_job_progress(request: AuthenticatedRequest, pk: int) -> JsonResponse:
    """Polled by the job page while the job runs."""
    return JsonResponse(_progress(_visible_job(request, pk)))


@login_required
@never_cache
@require_GET
def import_job_errors(request: AuthenticatedRequest, pk: int) -> FileResponse:
    """Every error of a refused workbook, with its row and column (CSV, UTF-8 with BOM for Excel)."""
    job = _visible_job(request, pk)
    if not job.error_report:
        raise Http404
    try:
        stored = job.error_report.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        stored, as_attachment=True, filename=f"导入错误清单-{job.pk}.csv", content_type="text/csv; charset=utf-8"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@never_cache
@require_GET
def record_export(request: AuthenticatedRequest, fmt: str) -> HttpResponseBase:
    """The record list's current filter as xlsx or csv, scoped like the list."""
    if fmt not in EXPORT_FORMATS:
        raise Http404
    filterset, queryset = filtered_records(request)
    if not filterset.is_valid():
        return HttpResponseBadRequest(_("The filters could not be read; correct them on the list page."))
    try:
        content, content_type, filename = services.records_export(
            queryset=queryset, user=request.user, fmt=fmt, channel="web"
        )
    except DomainError as exc:
        return HttpResponseBadRequest(str(exc.message))
    if isinstance(content, bytes):
        response: HttpResponseBase = HttpResponse(content, content_type=content_type)
    else:
        response = StreamingHttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)  # type: ignore[assignment]  # never None for an attachment
    response["X-Content-Type-Options"] = "nosniff"
    return response
