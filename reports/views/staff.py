"""Staff pages: 生成信用报告 from the agency page (public or full), the civil-servant credit review (inspectors), and
the download log (inspectors and administrators). An agency or person out of reach is "not found"."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _

from accounts.http import AuthenticatedRequest
from accounts.models import AnyUser, Role
from accounts.scope import agency_q
from kernel.errors import DomainError
from reports.forms import ReviewReportForm, UnitReportForm
from reports.models import IssuedReport, ReportDownload, ReportVersion
from reports.models.reports import DownloadFormat
from reports.rendering import PdfUnavailable, render_html, render_pdf, watermark_text
from reports.services import download_log, may_read_full_report, may_read_review, report_issue
from reports.views.public import pdf_unavailable, site_url
from subjects.models import AccessChannel, Agency, CivilServant


def agency_report_section(user: AnyUser, agency: Agency) -> dict[str, Any] | None:
    """The agency page's 生成信用报告 box: the public report for everyone who sees the page, the full version for
    whoever may read it."""
    return {
        "agency": agency,
        "may_full": may_read_full_report(user, agency),
        "form_url": reverse("reports:unit_report", args=[agency.pk]),
        "public_pdf": reverse("reports:public_pdf", args=[agency.pk]),
        "download_log": reverse("reports:download_log") if may_read_download_log(user) else "",
    }


def credit_review_link(user: AnyUser, person: CivilServant) -> dict[str, Any]:
    """The file page's link to the credit review, for whoever may read it (inspectors)."""
    if not may_read_review(user, person):
        return {}
    return {"credit_review_url": reverse("reports:review_report", args=[person.pk])}


def _delivered(request: AuthenticatedRequest, report: IssuedReport, *, purpose: str, fmt: str) -> HttpResponse:
    """Log the download, then answer with the report watermarked with who and when."""
    download_log(report=report, actor=request.user, purpose=purpose, format=fmt, channel=AccessChannel.WEB)
    who = f"{request.user.get_full_name() or request.user.username}（{request.user.username}）"
    watermark = watermark_text(who, purpose)
    if fmt == DownloadFormat.HTML:
        return HttpResponse(render_html(report, site_url=site_url(request), watermark=watermark))
    try:
        pdf = render_pdf(report, site_url=site_url(request), watermark=watermark)
    except PdfUnavailable:
        return pdf_unavailable(request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def unit_report(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    agency = get_object_or_404(Agency.objects.visible_to(request.user), pk=pk)
    may_full = may_read_full_report(request.user, agency)
    form = UnitReportForm(request.POST or None, initial={"version": "full" if may_full else "public"})
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data["version"]
        fmt = form.cleaned_data["format"]
        if version == ReportVersion.PUBLIC:
            name = "reports:public_pdf" if fmt == DownloadFormat.PDF else "reports:public_page"
            return HttpResponseRedirect(reverse(name, args=[agency.pk]))
        if not may_full:
            raise Http404
        purpose = form.cleaned_data["purpose"]
        try:
            report = report_issue(version=ReportVersion.FULL, actor=request.user, agency=agency, purpose=purpose)
        except DomainError as error:
            form.add_error(error.field, str(error.message))
        else:
            return _delivered(request, report, purpose=purpose, fmt=fmt)
    context = {"agency": agency, "form": form, "may_full": may_full, "title": _("Generate a credit report")}
    return render(request, "reports/unit_report_form.html", context, status=400 if form.errors else 200)


@login_required
def review_report(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(CivilServant.objects.visible_to(request.user).select_related("agency"), pk=pk)
    if not may_read_review(request.user, person):
        raise Http404
    form = ReviewReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        purpose = form.cleaned_data["purpose"]
        try:
            report = report_issue(version=ReportVersion.REVIEW, actor=request.user, person=person, purpose=purpose)
        except DomainError as error:
            form.add_error(error.field, str(error.message))
        else:
            return _delivered(request, report, purpose=purpose, fmt=form.cleaned_data["format"])
    context = {"person": person, "form": form, "title": _("Credit review report")}
    return render(request, "reports/review_report_form.html", context, status=400 if form.errors else 200)


def may_read_download_log(user: AnyUser) -> bool:
    return bool(
        user.is_authenticated
        and getattr(user, "is_active", False)
        and (getattr(user, "role", "") == Role.INSPECTOR or getattr(user, "is_administrator", False))
    )


@login_required
def download_log_page(request: AuthenticatedRequest) -> HttpResponse:
    if not may_read_download_log(request.user):
        raise Http404
    downloads = (
        ReportDownload.objects.filter(agency_q(request.user, "report__agency"))
        .select_related("report", "actor")
        .order_by("-at", "-pk")
    )
    listed = Paginator(downloads, 50).get_page(request.GET.get("page"))
    return render(request, "reports/download_log.html", {"page": listed, "title": _("Report download log")})


urlpatterns: list[URLPattern] = [
    path("staff/reports/agencies/<int:pk>/", unit_report, name="unit_report"),
    path("staff/reports/people/<int:pk>/", review_report, name="review_report"),
    path("staff/reports/downloads/", download_log_page, name="download_log"),
]
