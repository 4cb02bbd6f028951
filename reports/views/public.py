"""Public pages of the reports: a unit's public credit report (printable page and PDF, rate-limited and cached), the
verification page, and open data with its dictionary."""

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.urls import URLPattern, path
from django.views.decorators.http import require_safe

from disclosure.views import not_found, page
from repair.throttle import Limit, counted_refusal, lookup_refusal
from repair.views.public import throttled
from reports import opendata
from reports.numbers import normalize_code
from reports.rendering import PdfUnavailable, render_html, render_pdf
from reports.services import public_report, report_pdf_keep, report_verify
from subjects.models import Agency

# Public report downloads per client address (page and PDF alike): a flood guard, not a quota.
DOWNLOADS = Limit("report", "REPORT_DOWNLOAD_LIMIT", 30, "REPORT_DOWNLOAD_WINDOW", 3600)


def site_url(request: HttpRequest) -> str:
    """Where the QR code points: REPORTS_SITE_URL in a deployment behind a proxy, else the address asked."""
    return str(getattr(settings, "REPORTS_SITE_URL", "") or request.build_absolute_uri("/"))


def pdf_unavailable(request: HttpRequest) -> HttpResponse:
    return page(request, "reports/pdf_unavailable.html", status=503)


@require_safe
def public_report_page(request: HttpRequest, pk: int) -> HttpResponse:
    agency = Agency.objects.filter(pk=pk).first()
    if agency is None:
        return not_found(request)
    refusal = counted_refusal(DOWNLOADS, request)
    if refusal is not None:
        return throttled(request, refusal)
    report = public_report(agency)
    return HttpResponse(render_html(report, site_url=site_url(request)))


@require_safe
def public_report_pdf(request: HttpRequest, pk: int) -> HttpResponseBase:
    agency = Agency.objects.filter(pk=pk).first()
    if agency is None:
        return not_found(request)
    refusal = counted_refusal(DOWNLOADS, request)
    if refusal is not None:
        return throttled(request, refusal)
    report = public_report(agency)
    if not report.pdf:
        try:
            report_pdf_keep(report, render_pdf(report, site_url=site_url(request)))
        except PdfUnavailable:
            return pdf_unavailable(request)
    response = FileResponse(report.pdf.open("rb"), content_type="application/pdf", filename=f"{report.number}.pdf")
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_safe
def verify(request: HttpRequest, code: str) -> HttpResponse:
    refusal = lookup_refusal(request)
    if refusal is not None:
        return throttled(request, refusal)
    found = report_verify(normalize_code(code))
    if found is None:
        return page(request, "reports/verify_unknown.html", {"code": code}, status=404)
    return page(request, "reports/verify.html", {"v": found, "report": found.report})


@require_safe
def verify_content(request: HttpRequest, code: str) -> HttpResponse:
    """A public report's content as issued (from its snapshot); a full version or a review shows none."""
    refusal = lookup_refusal(request)
    if refusal is not None:
        return throttled(request, refusal)
    found = report_verify(normalize_code(code))
    if found is None or not found.report.is_public:
        return not_found(request)
    return HttpResponse(render_html(found.report, site_url=site_url(request)))


@require_safe
def open_data(request: HttpRequest) -> HttpResponse:
    return page(request, "reports/open_data.html", {"manifest": opendata.manifest_read()})


@require_safe
def data_dictionary(request: HttpRequest) -> HttpResponse:
    return page(request, "reports/data_dictionary.html", {"datasets": opendata.dictionary()})


@require_safe
def open_data_file(request: HttpRequest, name: str) -> HttpResponseBase:
    found = opendata.file_path(name)
    if found is None:
        raise Http404
    content_type = "text/csv; charset=utf-8" if name.endswith(".csv") else "application/json"
    return FileResponse(found.open("rb"), content_type=content_type, filename=name)


urlpatterns: list[URLPattern] = [
    path("reports/units/<int:pk>/", public_report_page, name="public_page"),
    path("reports/units/<int:pk>/pdf/", public_report_pdf, name="public_pdf"),
    path("reports/verify/<str:code>/", verify, name="verify"),
    path("reports/verify/<str:code>/content/", verify_content, name="verify_content"),
    path("open-data/", open_data, name="open_data"),
    path("open-data/dictionary/", data_dictionary, name="data_dictionary"),
    path("open-data/files/<str:name>", open_data_file, name="open_data_file"),
]
