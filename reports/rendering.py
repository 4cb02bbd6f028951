"""One set of templates for the printable page and the PDF (templates/reports/report.html); WeasyPrint turns the
page into PDF with the Noto CJK fonts installed from Debian (fonts-noto-cjk; .ci/run and the Dockerfile install
them). WeasyPrint is imported only when a PDF is made, so the site starts without its system libraries.

WeasyPrint reads resources through `StaticOnlyFetcher`: only our own static files (the report's stylesheet) are
read, from the static finders; any other address (the network, the file system, data the report text could carry)
is refused. The QR code and the charts are inline SVG in the page itself.
"""

import functools
import logging
import mimetypes
from typing import Any

import segno
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from reports.models import IssuedReport

# The page's base address inside WeasyPrint: relative and /static/ links resolve under it, nothing else exists.
PDF_BASE = "https://report.invalid/"


class PdfUnavailable(RuntimeError):
    """WeasyPrint or its system libraries (Pango) are not installed."""


@functools.cache
def _weasyprint() -> Any:
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: the Python package is there, libpango is not
        raise PdfUnavailable(str(exc)) from exc
    # Its progress lines ("Step 2 - Fetching and parsing CSS") are noise in the site's log.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    return weasyprint


def pdf_available() -> bool:
    try:
        _weasyprint()
    except PdfUnavailable:
        return False
    return True


def static_path_of(url: str) -> str | None:
    """The static file an address inside the PDF names, if it names one of ours."""
    prefix = PDF_BASE.rstrip("/") + settings.STATIC_URL
    if not url.startswith(prefix):
        return None
    relative = url[len(prefix) :].split("?")[0].split("#")[0]
    if not relative or ".." in relative.split("/"):
        return None
    found = finders.find(relative)
    return found if isinstance(found, str) else None


@functools.cache
def _fetcher_class() -> Any:
    urls = _weasyprint().urls

    class StaticOnlyFetcher(urls.URLFetcher):  # type: ignore[misc,name-defined]
        def fetch(self, url: str, headers: Any = None) -> Any:
            path = static_path_of(url)
            if path is None:
                raise ValueError(f"Not one of the site's static files: {url[:80]}")
            with open(path, "rb") as handle:
                body = handle.read()
            mime = mimetypes.guess_type(path)[0] or "application/octet-stream"
            return urls.URLFetcherResponse(url, body, {"Content-Type": mime}, 200)

    return StaticOnlyFetcher


def qr_svg(url: str) -> str:
    """The verification address as an inline SVG QR code (error correction M)."""
    return str(segno.make(url, error="m", micro=False).svg_inline(scale=3, border=2, omitsize=False))


def verify_path(report: IssuedReport) -> str:
    from django.urls import reverse

    return reverse("reports:verify", args=[report.verification_code])


def render_html(
    report: IssuedReport, *, site_url: str, watermark: str = "", printable: bool = True, for_pdf: bool = False
) -> str:
    """The report page from its snapshot alone (what the hash covers), with the cover, a watermark on every page
    for a full version or a review, and the QR code to the verification page."""
    verify_url = site_url.rstrip("/") + verify_path(report)
    context = {
        "report": report,
        "snap": report.snapshot,
        "sections": report.snapshot.get("sections", []),
        "verify_url": verify_url,
        "qr": qr_svg(verify_url),
        "watermark": watermark,
        "printable": printable,
        "for_pdf": for_pdf,
        # Inside the PDF the stylesheet is read by StaticOnlyFetcher from the static finders (its unhashed name).
        "pdf_css": PDF_BASE.rstrip("/") + settings.STATIC_URL + "reports/report.css" if for_pdf else "",
    }
    return render_to_string("reports/report.html", context)


def html_to_pdf(html: str) -> bytes:
    weasyprint = _weasyprint()
    document = weasyprint.HTML(string=html, base_url=PDF_BASE, url_fetcher=_fetcher_class()())
    pdf: bytes = document.write_pdf()
    return pdf


def render_pdf(report: IssuedReport, *, site_url: str, watermark: str = "") -> bytes:
    return html_to_pdf(render_html(report, site_url=site_url, watermark=watermark, for_pdf=True))


def watermark_text(who: str, purpose: str) -> str:
    when = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    return _("%(who)s · downloaded %(when)s · for %(purpose)s") % {"who": who, "when": when, "purpose": purpose}
