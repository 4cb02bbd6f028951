"""Shared by the reports' tests: PDF text, a skip when WeasyPrint's system libraries are truly absent."""

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from reports.rendering import pdf_available

needs_pdf = pytest.mark.skipif(
    not pdf_available(), reason="WeasyPrint's system libraries (Pango) are absent: .ci/run installs them"
)
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts" / "reports"


def pdf_text(pdf: bytes) -> str:
    """The PDF's text, as Poppler's pdftotext reads it (pypdf where Poppler is absent), spaces and line breaks
    removed (a line may break inside a phrase)."""
    assert pdf.startswith(b"%PDF-")
    if shutil.which("pdftotext"):
        with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
            handle.write(pdf)
            handle.flush()
            text = subprocess.run(  # noqa: S603 - a fixed program on our own file
                [str(shutil.which("pdftotext")), "-enc", "UTF-8", handle.name, "-"], capture_output=True, check=True
            ).stdout.decode()
    else:
        from pypdf import PdfReader

        text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)
    return "".join(text.split())


def pdf_pages_as_png(pdf: bytes, name: str) -> list[Path]:
    """Pages of a PDF as PNG files under test-artifacts/reports/ (kept, like the browser tests' screenshots)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    source = ARTIFACTS / f"{name}.pdf"
    source.write_bytes(pdf)
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(  # noqa: S603 - a fixed program on our own file
        [str(shutil.which("pdftoppm")), "-png", "-r", "60", str(source), str(ARTIFACTS / name)],
        check=True,
    )
    return sorted(ARTIFACTS.glob(f"{name}-*.png"))
