"""Excel in and out for public commitments on the staff site: the template, the upload (checked and imported in the
request, with every problem listed by row and column) and the export of the commitments the user sees, filtered as
the list is. The work itself is commitments.excel."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse, HttpResponseBadRequest, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts.http import AuthenticatedRequest
from accounts.models import AnyUser
from commitments.excel import TEMPLATE_NAME, build_template, commitments_export, commitments_import
from commitments.excel.columns import import_max_rows
from commitments.views import filtered_commitments
from kernel.errors import DomainError, NotAllowed
from records.excel.export import XLSX_CONTENT_TYPE
from subjects.forms import entering_agencies
from subjects.personal_data import mask_id_numbers_in_text

ERRORS_SHOWN = 500


def may_import_commitments(user: AnyUser) -> bool:
    return entering_agencies(user).exists()


def _require_entering(user: AnyUser) -> None:
    if not may_import_commitments(user):
        raise PermissionDenied(_("Your role does not enter commitments."))


class CommitmentImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Workbook"),
        max_length=255,
        allow_empty_file=True,  # the import says why
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
        help_text=gettext_lazy("An .xlsx workbook made from the template."),
    )


class CommitmentExportFilter(forms.Form):
    """An exact agency, beside the list's filters; a value it cannot read is a 400, never ignored."""

    agency = forms.IntegerField(required=False, min_value=1)


@login_required
@require_GET
def commitment_import_template(request: AuthenticatedRequest) -> HttpResponse:
    _require_entering(request.user)
    response = HttpResponse(build_template(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, TEMPLATE_NAME)  # type: ignore[assignment]  # never None for an attachment
    return response


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def commitment_import(request: AuthenticatedRequest) -> HttpResponse:
    """The upload form; a refused workbook comes back with every problem by row and column, and nothing written."""
    user = request.user
    _require_entering(user)
    form = CommitmentImportForm(request.POST if request.method == "POST" else None, request.FILES or None)
    errors: list[dict[str, object]] = []
    error_count = 0
    if form.is_bound and form.is_valid():
        try:
            outcome = commitments_import(actor=user, upload=form.cleaned_data["file"])
        except NotAllowed as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except DomainError as exc:
            form.add_error("file", str(exc.message))
        else:
            if not outcome.errors:
                created = len(outcome.created)
                messages.success(
                    request,
                    ngettext(
                        "%(count)d commitment was imported as a draft.",
                        "%(count)d commitments were imported as drafts.",
                        created,
                    )
                    % {"count": created},
                )
                return redirect("commitments:excel_import")
            error_count = len(outcome.errors)
            # The check never quotes a whole ID number; masking here keeps it so whatever a message says.
            errors = [
                {**error.as_dict(), "message": mask_id_numbers_in_text(error.message)}
                for error in outcome.errors[:ERRORS_SHOWN]
            ]
    context = {
        "section": "commitments",
        "form": form,
        "errors": errors,
        "error_count": error_count,
        "errors_shown": len(errors),
        "max_rows": import_max_rows(),
    }
    return render(request, "commitments/excel_import.html", context)


@login_required
@never_cache
@require_GET
def commitment_export(request: AuthenticatedRequest) -> HttpResponseBase:
    """The commitments the user sees, through the list's own filters (commitments.views.filtered_commitments: text,
    year, kind, status, due, agency subtree) and an exact `agency`, as xlsx."""
    form, queryset = filtered_commitments(request)
    extra = CommitmentExportFilter(request.GET)
    if form.errors or not extra.is_valid():
        return HttpResponseBadRequest(_("The filters could not be read; correct them on the list page."))
    if extra.cleaned_data["agency"] is not None:
        queryset = queryset.filter(agency_id=extra.cleaned_data["agency"])
    stored, filename = commitments_export(queryset=queryset, user=request.user, channel="web")
    response = FileResponse(stored, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)
    response["X-Content-Type-Options"] = "nosniff"
    return response
