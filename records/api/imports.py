"""Excel imports through the API (`/records/imports/`): the same service, checks, job, progress and row errors as the
staff page (records/views/imports.py), for an agency's own system or a clerk's script.

POST a workbook made from the template (multipart, `file` and optionally `agency`): the upload is checked at once
(type, size, zip bomb, macros, rows) and answered 202 with the job and its address; the rows are then checked in the
background and written all together or not at all. GET the job until `running` is false: `done` with
`created_records`, `invalid` with the rows at fault (`errors`, the first 100; every one in `errors.csv`), or `failed`
with the reason ("upload again"). Like the page, a caller sees the jobs of the agencies it enters records for
(ImportJob.objects.visible_to): another agency's workbook is not found, and an API client needs records:write.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, generics, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.http import acting_user
from accounts.permissions import RECORD_WRITE_SCOPES
from records.api.dishonesty import AgencyCodeSerializer, InScopeField
from records.excel import build_template
from records.excel.export import XLSX_CONTENT_TYPE
from records.models import ImportJob, ImportStatus
from records.services import import_job_create
from subjects.models import Agency
from subjects.personal_data import mask_id_numbers_in_text

ERRORS_SHOWN = 100
RUNNING = frozenset({ImportStatus.PENDING, ImportStatus.VALIDATING, ImportStatus.IMPORTING})


class ImportRowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, help_text=_("The sheet's row number; null for the whole file."))
    column = serializers.CharField(help_text=_("The column's header, or empty."))
    code = serializers.CharField(help_text=_("Stable reason, e.g. `required`, `too_long`, `duplicate`."))
    message = serializers.CharField()


class ImportJobSerializer(serializers.ModelSerializer):
    agency = AgencyCodeSerializer()
    status_label = serializers.CharField(source="get_status_display")
    running = serializers.SerializerMethodField(help_text=_("Poll while true."))
    progress_percent = serializers.IntegerField()
    # DRF's metaclass takes declared fields off the class; the stubs read this one as Serializer.errors.
    errors = serializers.SerializerMethodField(  # type: ignore[assignment]
        help_text=_("The first rows at fault of an invalid workbook.")
    )
    error_report = serializers.SerializerMethodField(help_text=_("Every row at fault as CSV, when there are any."))

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "agency",
            "original_name",
            "size",
            "status",
            "status_label",
            "running",
            "progress_percent",
            "processed_rows",
            "total_rows",
            "error_count",
            "errors",
            "error_report",
            "created_records",
            "failure",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_running(self, job: ImportJob) -> bool:
        return job.status in RUNNING

    @extend_schema_field(ImportRowErrorSerializer(many=True))
    def get_errors(self, job: ImportJob) -> list[dict[str, Any]]:
        # The checker never quotes a whole ID number; masking here keeps it so whatever a message says.
        return [
            {
                "row": error.get("row"),
                "column": str(error.get("column", "")),
                "code": str(error.get("code", "")),
                "message": mask_id_numbers_in_text(str(error.get("message", ""))),
            }
            for error in job.errors[:ERRORS_SHOWN]
        ]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_error_report(self, job: ImportJob) -> str | None:
        if not job.error_report:
            return None
        path = reverse("api:import-job-errors", args=[job.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=_("An .xlsx workbook made from the template (GET /records/imports/template/).")
    )
    agency = InScopeField(
        queryset=Agency.objects.all(),
        required=False,
        help_text=_("The agency supplying the records; by default your own (an API client's: its write agency)."),
    )


def _jobs(request: Request) -> QuerySet[ImportJob]:
    return ImportJob.objects.visible_to(request.user).select_related("agency").order_by("-pk")


class ImportJobListApi(generics.ListAPIView):
    """Import jobs of the agencies in your scope, paged by id. POST uploads a workbook (multipart) and answers 202
    with the job: its rows are checked and written in the background, all or none."""

    serializer_class = ImportJobSerializer
    parser_classes = [MultiPartParser]
    # Workbooks are the work in progress of the agencies a caller enters records for: a writer's, not a reader's.
    client_read_scopes = RECORD_WRITE_SCOPES
    client_write_scopes = RECORD_WRITE_SCOPES

    def get_queryset(self) -> QuerySet[ImportJob]:
        return _jobs(self.request)

    @extend_schema(
        operation_id="records_imports_create",
        description="Uploads a workbook made from the template. The file is checked at once; its rows in the "
        "background (GET the job until `running` is false). Nothing is written unless every row is valid.",
        request={"multipart/form-data": ImportUploadSerializer},
        responses={
            202: ImportJobSerializer,
            400: OpenApiResponse(
                description="The file was refused (`fields.file` says why), or the agency is unknown."
            ),
            403: OpenApiResponse(description="You may not enter records for this agency (`not_allowed`)."),
        },
    )
    def post(self, request: Request) -> Response:
        data = ImportUploadSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        agency = data.validated_data.get("agency") or getattr(request.user, "agency", None)
        if agency is None:
            raise exceptions.ValidationError({"agency": [_("This field is required.")]})
        job = import_job_create(actor=acting_user(request), agency=agency, upload=data.validated_data["file"])
        url = reverse("api:import-job-detail", args=[job.pk])
        return Response(
            ImportJobSerializer(_jobs(request).get(pk=job.pk), context={"request": request}).data,
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": request.build_absolute_uri(url)},
        )


class ImportJobDetailApi(generics.RetrieveAPIView):
    """One import job: its progress while it runs, then its outcome."""

    serializer_class = ImportJobSerializer
    client_read_scopes = RECORD_WRITE_SCOPES

    def get_queryset(self) -> QuerySet[ImportJob]:
        return _jobs(self.request)

    def finalize_response(self, request: Any, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "no-store"  # polled: always the current progress
        return response


class ImportJobErrorsApi(APIView):
    """Every row at fault of an invalid workbook, as CSV (UTF-8 with BOM, for Excel): row, column, problem, code."""

    client_read_scopes = RECORD_WRITE_SCOPES

    @extend_schema(
        operation_id="records_imports_errors",
        responses={(200, "text/csv"): OpenApiTypes.BINARY, 404: OpenApiResponse(description="No such job or report.")},
    )
    def get(self, request: Request, pk: int) -> FileResponse:
        job = get_object_or_404(_jobs(request), pk=pk)
        if not job.error_report:
            raise Http404
        try:
            stored = job.error_report.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        response = FileResponse(
            stored, as_attachment=True, filename=f"import-{job.pk}-errors.csv", content_type="text/csv; charset=utf-8"
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response


class ImportTemplateApi(APIView):
    """The workbook template: the columns, their formats (ID numbers and codes as text) and an explanation sheet."""

    client_read_scopes = RECORD_WRITE_SCOPES

    @extend_schema(operation_id="records_imports_template", responses={(200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY})
    def get(self, request: Request) -> HttpResponse:
        response = HttpResponse(build_template(), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition_header(True, "失信记录导入模板.xlsx")  # type: ignore[assignment]  # never None for an attachment
        return response
