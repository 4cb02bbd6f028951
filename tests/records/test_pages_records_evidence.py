"""Evidence files: only documents and images whose content matches their name, at most 20 MB, stored under
MEDIA_ROOT with a name of our own, downloadable as an attachment by those who see the record and nobody else."""

import datetime
import hashlib
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kernel.errors import DomainError, NotAllowed
from records.models import DishonestyRecord, EvidenceFile
from records.services import evidence_attach, record_publish, record_submit
from records.services.evidence import EVIDENCE_MAX_BYTES, sanitize_file_name
from tests.conftest import City
from tests.factories import make_record

NOW = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
EXE = b"MZ\x90\x00" + b"\x00" * 64
HTML = b"<!doctype html><script>alert(document.cookie)</script>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def ofd_package(*, with_main_file: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        if with_main_file:
            package.writestr("OFD.xml", "<ofd:OFD xmlns:ofd='http://www.ofdspec.org/2016'/>")
        package.writestr("Doc_0/Document.xml", "<ofd:Document/>")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _media_and_time(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def calendar(db: None) -> None:
    from workcalendar.services import calendar_year_seed

    calendar_year_seed(year=2026)


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def draft(world: City) -> DishonestyRecord:
    return make_record(world.clerk_a, world.agency_a)


def published(world: City) -> DishonestyRecord:
    record = make_record(world.clerk_a, world.agency_a)
    record_submit(actor=world.reviewer_a, record=record)
    return record_publish(actor=world.office_a, record=record)


# The service -------------------------------------------------------------------------------------------------------


def test_a_good_pdf_is_stored_with_its_digest_under_a_name_of_our_own(world: City, settings: Any) -> None:
    record = draft(world)

    evidence = evidence_attach(actor=world.clerk_a, record=record, upload=upload("判决书.pdf", PDF))

    assert evidence.record == record
    assert evidence.original_name == "判决书.pdf"
    assert evidence.content_type == "application/pdf"
    assert evidence.size == len(PDF)
    assert evidence.sha256 == hashlib.sha256(PDF).hexdigest()
    assert evidence.uploaded_by == world.clerk_a
    assert evidence.file.name.startswith("evidence/2026/11/")
    assert "判决书" not in evidence.file.name
    stored = Path(settings.MEDIA_ROOT) / evidence.file.name
    assert stored.read_bytes() == PDF
    assert str(stored.resolve()).startswith(str(Path(settings.MEDIA_ROOT).resolve()))


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("scan.png", PNG, "image/png"),
        ("photo.JPG", JPEG, "image/jpeg"),
        ("photo.jpeg", JPEG, "image/jpeg"),
        ("decision.ofd", ofd_package(), "application/ofd"),
    ],
)
def test_images_and_ofd_documents_are_accepted(world: City, name: str, content: bytes, content_type: str) -> None:
    evidence = evidence_attach(actor=world.clerk_a, record=draft(world), upload=upload(name, content))

    assert evidence.content_type == content_type


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("page.html", HTML, "file_type"),
        ("page.pdf", HTML, "content_mismatch"),
        ("drawing.svg", SVG, "file_type"),
        ("drawing.png", SVG, "content_mismatch"),
        ("setup.exe", EXE, "file_type"),
        ("invoice.pdf", EXE, "content_mismatch"),
        ("photo.jpg", PNG, "content_mismatch"),
        ("archive.ofd", ofd_package(with_main_file=False), "content_mismatch"),
        ("archive.zip", ofd_package(), "file_type"),
        ("no-extension", PDF, "file_type"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_everything_else_is_refused_and_nothing_is_stored(
    world: City, settings: Any, name: str, content: bytes, code: str
) -> None:
    record = draft(world)

    with pytest.raises(DomainError) as refused:
        evidence_attach(actor=world.clerk_a, record=record, upload=upload(name, content, "application/pdf"))

    assert (refused.value.code, refused.value.field) == (code, "file")
    assert not EvidenceFile.objects.exists()
    assert not (Path(settings.MEDIA_ROOT) / "evidence").exists()


def test_a_file_over_20_mb_is_refused(world: City) -> None:
    record = draft(world)
    too_large = PDF + b"\x00" * (EVIDENCE_MAX_BYTES + 1 - len(PDF))

    with pytest.raises(DomainError) as refused:
        evidence_attach(actor=world.clerk_a, record=record, upload=upload("big.pdf", too_large))

    assert refused.value.code == "too_large"
    assert not EvidenceFile.objects.exists()


def test_a_file_of_exactly_the_limit_is_accepted(world: City, settings: Any) -> None:
    settings.RECORD_EVIDENCE_MAX_BYTES = 1024
    content = PDF + b"\x00" * (1024 - len(PDF))

    evidence = evidence_attach(actor=world.clerk_a, record=draft(world), upload=upload("edge.pdf", content))

    assert evidence.size == 1024
    with pytest.raises(DomainError):
        evidence_attach(actor=world.clerk_a, record=draft(world), upload=upload("over.pdf", content + b"\x00"))


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\张三\\判决书.PDF", "判决书.pdf"),
        ('a<b>c:"d"|e?.pdf', "a_b_c_d_e_.pdf"),
        ("line\nbreak\x00.pdf", "line_break_.pdf"),
        (".pdf", "pdf"),  # a dot-file has no extension: refused as a type afterwards
        ("...", "evidence"),
        ("很长" * 150 + ".pdf", "很长" * 98 + ".pdf"),
    ],
)
def test_the_original_name_is_sanitised(given: str, kept: str) -> None:
    assert sanitize_file_name(given) == kept
    assert len(sanitize_file_name(given)) <= 200


def test_the_agency_adds_evidence_only_while_the_record_is_its_draft(world: City, calendar: None) -> None:
    record = draft(world)
    evidence_attach(actor=world.reviewer_a, record=record, upload=upload("a.pdf", PDF))
    record = record_submit(actor=world.reviewer_a, record=record)

    with pytest.raises(NotAllowed):
        evidence_attach(actor=world.clerk_a, record=record, upload=upload("b.pdf", PDF))
    evidence_attach(actor=world.office_a, record=record, upload=upload("c.pdf", PDF))
    record = record_publish(actor=world.office_a, record=record)
    evidence_attach(actor=world.office_a, record=record, upload=upload("d.pdf", PDF))

    assert list(EvidenceFile.objects.values_list("original_name", flat=True)) == ["a.pdf", "c.pdf", "d.pdf"]


def test_a_stale_draft_does_not_let_the_agency_add_evidence_after_submission(world: City) -> None:
    stale = draft(world)
    record_submit(actor=world.reviewer_a, record=stale)  # the page was opened before this

    with pytest.raises(DomainError) as refused:
        evidence_attach(actor=world.clerk_a, record=stale, upload=upload("late.pdf", PDF))

    assert refused.value.code == "illegal_transition"
    assert not EvidenceFile.objects.exists()


@pytest.mark.parametrize("name", ["inspector_a", "sector_a", "outsider", "office_b"])
def test_readers_and_outsiders_may_not_add_evidence(world: City, name: str) -> None:
    with pytest.raises(NotAllowed):
        evidence_attach(actor=getattr(world, name), record=draft(world), upload=upload("a.pdf", PDF))
    assert not EvidenceFile.objects.exists()


# The pages ---------------------------------------------------------------------------------------------------------


def test_a_clerk_uploads_a_pdf_from_the_record_page(client: Client, world: City) -> None:
    record = draft(world)
    client.force_login(world.clerk_a)

    response = client.post(f"/staff/records/{record.pk}/evidence/", {"file": upload("判决书.pdf", PDF)})

    assert response.status_code == 302
    assert response["Location"] == f"/staff/records/{record.pk}/#evidence"
    evidence = EvidenceFile.objects.get()
    page = client.get(f"/staff/records/{record.pk}/").content.decode()
    assert f'href="/staff/records/evidence/{evidence.pk}/"' in page
    assert "判决书.pdf" in page


@pytest.mark.parametrize(("name", "content"), [("page.html", HTML), ("page.pdf", HTML), ("x.svg", SVG)])
def test_a_refused_upload_is_a_field_error_on_the_page(client: Client, world: City, name: str, content: bytes) -> None:
    record = draft(world)
    client.force_login(world.clerk_a)

    response = client.post(f"/staff/records/{record.pk}/evidence/", {"file": upload(name, content, "text/html")})

    assert response.status_code == 200
    assert "file" in response.context["evidence_form"].errors
    assert 'id="evidence-file_error"' in response.content.decode()
    assert not EvidenceFile.objects.exists()


def test_an_upload_without_a_file_is_a_field_error(client: Client, world: City) -> None:
    record = draft(world)
    client.force_login(world.clerk_a)

    response = client.post(f"/staff/records/{record.pk}/evidence/", {})

    assert response.status_code == 200
    assert "file" in response.context["evidence_form"].errors


def test_a_too_large_upload_through_the_page_is_refused(client: Client, world: City, settings: Any) -> None:
    settings.RECORD_EVIDENCE_MAX_BYTES = 100
    record = draft(world)
    client.force_login(world.clerk_a)

    response = client.post(f"/staff/records/{record.pk}/evidence/", {"file": upload("big.pdf", PDF * 10)})

    assert response.status_code == 200
    assert "file" in response.context["evidence_form"].errors
    assert not EvidenceFile.objects.exists()


@pytest.mark.parametrize(("name", "status"), [("inspector_a", 403), ("sector_a", 403), ("outsider", 404)])
def test_others_may_not_upload(client: Client, world: City, name: str, status: int) -> None:
    record = draft(world)
    client.force_login(getattr(world, name))

    response = client.post(f"/staff/records/{record.pk}/evidence/", {"file": upload("a.pdf", PDF)})

    assert response.status_code == status
    assert not EvidenceFile.objects.exists()


@pytest.mark.parametrize("name", ["clerk_a", "reviewer_a", "office_a", "inspector_a", "sector_a", "admin"])
def test_those_who_see_the_record_download_its_evidence_as_an_attachment(
    client: Client, world: City, name: str
) -> None:
    evidence = evidence_attach(actor=world.clerk_a, record=draft(world), upload=upload("判决书.pdf", PDF))
    client.force_login(getattr(world, name))

    response = client.get(f"/staff/records/evidence/{evidence.pk}/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E5%88%A4%E5%86%B3%E4%B9%A6.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


@pytest.mark.parametrize("name", ["outsider", "office_b"])
def test_outsiders_cannot_download(client: Client, world: City, name: str) -> None:
    evidence = evidence_attach(actor=world.clerk_a, record=draft(world), upload=upload("a.pdf", PDF))
    client.force_login(getattr(world, name))

    assert client.get(f"/staff/records/evidence/{evidence.pk}/").status_code == 404


def test_the_sector_authority_cannot_download_evidence_of_another_sector(client: Client, world: City) -> None:
    record = make_record(world.clerk_a, world.agency_a, sector="debt")
    evidence = evidence_attach(actor=world.clerk_a, record=record, upload=upload("a.pdf", PDF))
    client.force_login(world.sector_a)

    assert client.get(f"/staff/records/evidence/{evidence.pk}/").status_code == 404


def test_downloads_need_a_login(client: Client, world: City) -> None:
    evidence = evidence_attach(actor=world.clerk_a, record=draft(world), upload=upload("a.pdf", PDF))

    response = client.get(f"/staff/records/evidence/{evidence.pk}/")

    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")


def test_stored_files_are_not_reachable_by_their_path(client: Client, world: City) -> None:
    evidence = evidence_attach(actor=world.clerk_a, record=draft(world), upload=upload("a.pdf", PDF))
    client.force_login(world.admin)

    for url in (f"/{evidence.file.name}", f"/media/{evidence.file.name}", f"/static/{evidence.file.name}"):
        assert client.get(url).status_code == 404, url


def test_a_file_missing_from_storage_is_404(client: Client, world: City) -> None:
    evidence = evidence_attach(actor=world.clerk_a, record=draft(world), upload=upload("a.pdf", PDF))
    evidence.file.storage.delete(evidence.file.name)
    client.force_login(world.clerk_a)

    assert client.get(f"/staff/records/evidence/{evidence.pk}/").status_code == 404
