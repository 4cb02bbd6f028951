"""The reports' API: request a report (public, full or review), get its PDF (a full version or a review with the
purpose, logged and watermarked), and verify one by its code (anyone)."""

from typing import Any

from django.http import Http404, HttpResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from accounts.models import ApiScope, User
from kernel.errors import DomainError
from reports.models import IssuedReport, ReportVersion
from reports.models.reports import DownloadFormat
from reports.numbers import normalize_code
from reports.rendering import PdfUnavailable, render_pdf, watermark_text
from reports.services import (
    download_log,
    may_read_full_report,
    may_read_review,
    public_report,
    report_issue,
    report_pdf_keep,
    report_verify,
)
from subjects.models import AccessChannel, Agency, CivilServant

NOT_FOUND = OpenApiResponse(description="No such report, unit or person, or not in your reach.")


class ReportRequestSerializer(serializers.Serializer):  # type: ignore[type-arg]
    version = serializers.ChoiceField(choices=ReportVersion.choices)
    agency = serializers.IntegerField(required=False, help_text=_("The unit (public and full versions)."))
    person = serializers.IntegerField(required=False, help_text=_("The civil servant (credit review)."))
    purpose = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text=_("Required for a full version and a review.")
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        errors: dict[str, list[str]] = {}
        version = attrs.get("version")
        if version == ReportVersion.REVIEW and attrs.get("person") is None:
            errors["person"] = [str(_("Name the civil servant."))]
        if version in (ReportVersion.PUBLIC, ReportVersion.FULL) and attrs.get("agency") is None:
            errors["agency"] = [str(_("Name the unit."))]
        if version != ReportVersion.PUBLIC and not (attrs.get("purpose") or "").strip():
            errors["purpose"] = [str(_("Say what the report is for."))]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class IssuedReportSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    pdf_url = serializers.SerializerMethodField()
    verify_url = serializers.SerializerMethodField()

    class Meta:
        model = IssuedReport
        fields = [
            "number",
            "verification_code",
            "version",
            "subject_label",
            "issuer_name",
            "issued_at",
            "sha256",
            "pdf_url",
            "verify_url",
        ]
        read_only_fields = fields

    def get_pdf_url(self, obj: IssuedReport) -> str:
        return reverse("api:report-pdf", args=[obj.verification_code])

    def get_verify_url(self, obj: IssuedReport) -> str:
        return reverse("reports:verify", args=[obj.verification_code])


class VerificationSerializer(serializers.Serializer):  # type: ignore[type-arg]
    number = serializers.CharField()
    version = serializers.CharField()
    subject = serializers.CharField()
    issuer = serializers.CharField()
    issued_at = serializers.DateTimeField()
    sha256 = serializers.CharField()
    intact = serializers.BooleanField(help_text=_("The stored content still matches its digest."))
    changes_since = serializers.IntegerField(help_text=_("Changes about the subject since the report was issued."))


def _site_url(request: Request) -> str:
    from reports.views.public import site_url

    return site_url(request._request)


class ReportRequestApi(APIView):
    """Issue a credit report: the public version of any unit, the full version of a unit in reach (purpose
    required), or a civil servant's credit review (inspectors, purpose required; noted in the access log)."""

    client_read_scopes = frozenset({ApiScope.PUBLIC_READ})
    client_write_scopes = frozenset({ApiScope.PUBLIC_READ})

    @extend_schema(
        operation_id="reports_create",
        request=ReportRequestSerializer,
        responses={201: IssuedReportSerializer, 404: NOT_FOUND},
    )
    def post(self, request: Request) -> Response:
        data = ReportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        version = values["version"]
        if version == ReportVersion.PUBLIC:
            agency = Agency.objects.filter(pk=values["agency"]).first()
            if agency is None:
                raise Http404
            report = public_report(agency)
        elif version == ReportVersion.FULL:
            agency = Agency.objects.filter(pk=values["agency"]).first()
            if agency is None or not may_read_full_report(request.user, agency):
                raise Http404
            report = report_issue(
                version=version, actor=request.user, agency=agency, purpose=values["purpose"], channel=AccessChannel.API
            )
        else:
            person = CivilServant.objects.filter(pk=values["person"]).first()
            if person is None or not may_read_review(request.user, person):
                raise Http404
            report = report_issue(
                version=version, actor=request.user, person=person, purpose=values["purpose"], channel=AccessChannel.API
            )
        return Response(IssuedReportSerializer(report).data, status=status.HTTP_201_CREATED)


def _may_download(user: Any, report: IssuedReport) -> bool:
    if report.version == ReportVersion.PUBLIC:
        return True
    if report.version == ReportVersion.FULL:
        return may_read_full_report(user, report.agency)
    return report.person is not None and may_read_review(user, report.person)


class ReportPdfApi(APIView):
    """A report's PDF. A full version or a review: only for whoever may read it, with `purpose`; each download is
    logged and watermarked with who and when."""

    client_read_scopes = frozenset({ApiScope.PUBLIC_READ})

    @extend_schema(
        operation_id="reports_pdf",
        parameters=[OpenApiParameter("purpose", str, required=False, description=str(_("Required unless public.")))],
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            400: OpenApiResponse(description="No purpose given for a full version or a review."),
            404: NOT_FOUND,
            503: OpenApiResponse(description="The PDF engine (WeasyPrint's system libraries) is not installed."),
        },
    )
    def get(self, request: Request, code: str) -> HttpResponse:
        report = (
            IssuedReport.objects.select_related("agency", "person")
            .filter(verification_code=normalize_code(code))
            .first()
        )
        if report is None or not _may_download(request.user, report):
            raise Http404
        try:
            if report.is_public:
                if not report.pdf:
                    report_pdf_keep(report, render_pdf(report, site_url=_site_url(request)))
                return HttpResponse(report.pdf.open("rb").read(), content_type="application/pdf")
            purpose = str(request.query_params.get("purpose", "")).strip()
            if not purpose:
                raise DomainError(_("Say what the report is for."), field="purpose")
            user = request.user
            assert isinstance(user, User)
            download_log(
                report=report, actor=user, purpose=purpose, format=DownloadFormat.PDF, channel=AccessChannel.API
            )
            watermark = watermark_text(user.get_full_name() or user.username, purpose)
            pdf = render_pdf(report, site_url=_site_url(request), watermark=watermark)
        except PdfUnavailable:
            return HttpResponse(status=503)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Cache-Control"] = "private, no-store"
        return response


class ReportVerifyApi(APIView):
    """Anyone: whether a report with this verification code was issued, by whom, when, its digest, and how many
    changes about its subject since. No content."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]

    @extend_schema(operation_id="reports_verify", responses={200: VerificationSerializer, 404: NOT_FOUND})
    def get(self, request: Request, code: str) -> Response:
        found = report_verify(normalize_code(code))
        if found is None:
            raise Http404
        r = found.report
        data = {
            "number": r.number,
            "version": r.version,
            "subject": r.subject_label,
            "issuer": r.issuer_name,
            "issued_at": r.issued_at,
            "sha256": r.sha256,
            "intact": found.intact,
            "changes_since": found.changes_since,
        }
        return Response(VerificationSerializer(data).data)


urlpatterns: list[URLPattern] = [
    path("reports/", ReportRequestApi.as_view(), name="reports"),
    path("reports/<str:code>/pdf/", ReportPdfApi.as_view(), name="report-pdf"),
    path("reports/verify/<str:code>/", ReportVerifyApi.as_view(), name="report-verify"),
]
