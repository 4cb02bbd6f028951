"""Credit reports (reports/): public and full versions, the civil-servant review, verification, logging, refusal."""

import re
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client

from records.models import DishonestyRecord
from records.services import record_revoke
from reports.models import IssuedReport, ReportDownload, ReportVersion
from reports.numbers import report_number_valid
from reports.rendering import render_html, render_pdf
from reports.sections import PUBLIC, REPORT_SECTIONS, ReportSection, register_report_section, report_sections
from reports.services import report_issue
from subjects.models import AccessAction, PersonalDataAccess
from subjects.services import assessment_record
from tests.conftest import City
from tests.public_support import fixed_today, published
from tests.reports.support import needs_pdf, pdf_pages_as_png, pdf_text


@pytest.fixture(autouse=True)
def _today(db: None) -> Iterator[time_machine.Traveller]:
    yield from fixed_today()


def _records(world: City) -> dict[str, DishonestyRecord]:
    """One record of agency A in each state the report must tell apart."""
    shown = published(world, facts="拖欠中小企业货款公开事实甲。")
    minor = published(world, severity="minor", facts="轻微失信事实乙。")
    revoked = record_revoke(
        actor=world.office_a, record=published(world, facts="已撤销事实丙。"), reason="判决被上级法院撤销丁"
    )
    person = published(world, subject_person=world.person_a, facts="张伟违规收受礼金戊。", severity="general")
    return {"shown": shown, "minor": minor, "revoked": revoked, "person": person}


def _login(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


@needs_pdf
def test_the_public_version_shows_only_what_the_disclosure_site_shows(client: Client, world: City) -> None:
    records = _records(world)

    response = client.get(f"/reports/units/{world.agency_a.pk}/pdf/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(b"".join(response.streaming_content))  # type: ignore[attr-defined]
    # Checked against the disclosure rules themselves: every record of the unit shows iff disclosed() has it.
    disclosed = set(DishonestyRecord.objects.disclosed().values_list("pk", flat=True))
    for record in DishonestyRecord.objects.filter(subject_agency=world.agency_a):
        fact = "".join(record.facts.replace("张伟", "张某").split())
        assert (fact in text) == (record.pk in disclosed), record.facts
    assert records["shown"].pk in disclosed and records["minor"].pk not in disclosed
    assert "判决被上级法院撤销丁" not in text
    # Persons as 张某, never the full name.
    assert "张伟" not in text
    assert "张某违规收受礼金戊" in text
    # The cover: the unit, its report number with a valid check character, the verification code.
    report = IssuedReport.objects.get(version=ReportVersion.PUBLIC)
    assert world.agency_a.name in text
    assert report.number in text and report_number_valid(report.number)
    assert report.verification_code in text


@needs_pdf
def test_the_public_version_is_cached_until_the_public_data_changes(
    client: Client, world: City, django_capture_on_commit_callbacks: Any
) -> None:
    published(world)
    client.get(f"/reports/units/{world.agency_a.pk}/pdf/")
    client.get(f"/reports/units/{world.agency_a.pk}/")
    assert IssuedReport.objects.count() == 1

    with django_capture_on_commit_callbacks(execute=True):  # the public version is renewed after the commit
        published(world, facts="新公开的一条记录。")
    response = client.get(f"/reports/units/{world.agency_a.pk}/")

    assert IssuedReport.objects.count() == 2
    assert "新公开的一条记录" in response.content.decode()


def test_public_downloads_are_rate_limited(client: Client, world: City, settings: Any) -> None:
    settings.REPORT_DOWNLOAD_LIMIT = 2
    for _ in range(2):
        assert client.get(f"/reports/units/{world.agency_a.pk}/").status_code == 200

    refused = client.get(f"/reports/units/{world.agency_a.pk}/")

    assert refused.status_code == 429
    assert "Retry-After" in refused


@needs_pdf
def test_the_full_version_adds_what_the_public_may_not_see_and_logs_the_download(client: Client, world: City) -> None:
    _records(world)
    _login(client, world.office_a)

    response = client.post(
        f"/staff/reports/agencies/{world.agency_a.pk}/",
        {"version": "full", "purpose": "年度信用审查", "format": "pdf"},
    )

    assert response.status_code == 200, response.content[:500]
    text = pdf_text(response.content)
    for fact in (
        "拖欠中小企业货款公开事实甲",
        "轻微失信事实乙",
        "已撤销事实丙",
        "判决被上级法院撤销丁",
        "张伟违规收受礼金戊",
    ):
        assert fact in text
    # The watermark: who and when, on every page.
    assert "office-a" in text
    download = ReportDownload.objects.get()
    assert (download.actor, download.purpose, download.report.version) == (world.office_a, "年度信用审查", "full")


def test_the_full_version_needs_a_purpose(client: Client, world: City) -> None:
    _login(client, world.clerk_a)

    response = client.post(
        f"/staff/reports/agencies/{world.agency_a.pk}/", {"version": "full", "purpose": " ", "format": "html"}
    )

    assert response.status_code == 400
    assert 'data-field="purpose"' in response.content.decode()
    assert not IssuedReport.objects.exists() and not ReportDownload.objects.exists()


@pytest.mark.parametrize("who", ["outsider", "office_b", "sector_a"])
def test_outsiders_get_not_found(client: Client, world: City, who: str) -> None:
    _login(client, getattr(world, who))

    form = client.get(f"/staff/reports/agencies/{world.agency_a.pk}/")
    full = client.post(
        f"/staff/reports/agencies/{world.agency_a.pk}/", {"version": "full", "purpose": "看看", "format": "html"}
    )
    review = client.post(f"/staff/reports/people/{world.person_a.pk}/", {"purpose": "看看", "format": "html"})

    assert full.status_code == 404 and review.status_code == 404
    # A sector authority sees the agency (its page offers the public version) but never the full one.
    assert form.status_code == (200 if who == "sector_a" else 404)
    assert not IssuedReport.objects.exclude(version=ReportVersion.PUBLIC).exists()


def test_the_review_is_for_inspectors_only(client: Client, world: City) -> None:
    for user in (world.office_a, world.clerk_a, world.admin):
        _login(client, user)
        assert client.get(f"/staff/reports/people/{world.person_a.pk}/").status_code == 404


@needs_pdf
def test_the_review_shows_the_persons_records_file_and_assessments_and_is_logged(client: Client, world: City) -> None:
    records = _records(world)
    assessment_record(actor=world.office_a, person=world.person_a, year=2025, result="excellent", note="年度考核备注己")
    _login(client, world.inspector_a)

    response = client.post(
        f"/staff/reports/people/{world.person_a.pk}/", {"purpose": "2027年晋升信用审查", "format": "pdf"}
    )

    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "张伟违规收受礼金戊" in text and "年度考核备注己" in text
    assert "拖欠中小企业货款公开事实甲" not in text  # the unit's records are not the person's
    access = PersonalDataAccess.objects.get(person=world.person_a)
    assert (access.actor, access.action, access.purpose) == (
        world.inspector_a,
        AccessAction.VIEW_FILE,
        "2027年晋升信用审查",
    )
    assert ReportDownload.objects.get().report.person == world.person_a
    assert records["person"].pk


def test_verification_of_a_genuine_and_of_a_tampered_report(client: Client, world: City) -> None:
    published(world)
    report = report_issue(version=ReportVersion.FULL, actor=world.office_a, agency=world.agency_a, purpose="核查")

    page = client.get(f"/reports/verify/{report.verification_code.lower().replace('-', '')}/").content.decode()
    assert 'id="verify-genuine"' in page and report.sha256 in page and report.number in page
    assert 'data-changes="0"' in page
    # A full version's content is not shown.
    assert "拖欠中小企业货款" not in page and 'id="verify-content"' not in page

    published(world)  # something happened to the subject since
    page = client.get(f"/reports/verify/{report.verification_code}/").content.decode()
    assert re.search(r'data-changes="[1-9]', page)

    snapshot = dict(report.snapshot, subject="篡改后的单位")
    IssuedReport.objects.filter(pk=report.pk).update(snapshot=snapshot)
    page = client.get(f"/reports/verify/{report.verification_code}/").content.decode()
    assert 'id="verify-tampered"' in page and 'id="verify-genuine"' not in page

    assert client.get("/reports/verify/ZZZZ-ZZZZ/").status_code == 404


def test_report_numbers_carry_a_check_character(world: City) -> None:
    report = report_issue(version=ReportVersion.PUBLIC, actor=None, agency=world.agency_a)  # type: ignore[arg-type]

    assert report_number_valid(report.number)
    digits = report.number[2:-1]
    for i in range(len(digits)):
        changed = digits[:i] + str((int(digits[i]) + 1) % 10) + digits[i + 1 :]
        assert not report_number_valid(f"XY{changed}{report.number[-1]}")


def test_the_section_registry_adds_a_later_apps_section(world: City) -> None:
    section = ReportSection(
        "later",
        "稍后加入的章节",
        "reports/sections/assessments.html",
        frozenset({PUBLIC}),
        lambda ctx: {"assessments": [{"year": 2026, "result": "示例", "note": ""}]},
        order=95,
    )
    register_report_section(section)
    try:
        report = report_issue(version=ReportVersion.PUBLIC, actor=None, agency=world.agency_a)  # type: ignore[arg-type]
        keys = [s["key"] for s in report.snapshot["sections"]]
        assert keys[-1] == "later" and "records" in keys
        assert "稍后加入的章节" in render_html(report, site_url="http://testserver/")
    finally:
        REPORT_SECTIONS.pop("later")
        register_report_section(next(iter(report_sections("full"))))  # clears the version cache


@needs_pdf
@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="Poppler's pdftoppm is absent: .ci/run installs it")
def test_a_demo_report_renders_chinese_and_its_pages_are_kept_as_png(world: City) -> None:
    for i in range(12):
        published(world, facts=f"演示记录第{i}条：拖欠中小企业货款逾期未支付。")
    report = report_issue(version=ReportVersion.FULL, actor=world.office_a, agency=world.agency_a, purpose="演示")

    pdf = render_pdf(report, site_url="https://credit.example.gov.cn/", watermark="演示水印 office-a 2026-11-20")

    text = pdf_text(pdf)
    assert "信用报告" in text and "东城区财政局" in text and "演示记录第11条" in text
    pages = pdf_pages_as_png(pdf, "demo-full-report")
    assert len(pages) >= 2 and all(p.stat().st_size > 2000 for p in pages)


def test_the_pdf_reads_only_the_sites_own_static_files() -> None:
    from reports.rendering import PDF_BASE, static_path_of

    assert static_path_of(
        f"{PDF_BASE}static/reports/report.css",
    ).endswith("reports/report.css")  # type: ignore[union-attr]
    for url in (
        "file:///etc/passwd",
        "https://example.com/static/reports/report.css",
        f"{PDF_BASE}static/../config/settings.py",
        f"{PDF_BASE}static/",
        f"{PDF_BASE}media/reports/x.pdf",
    ):
        assert static_path_of(url) is None, url


@needs_pdf
def test_the_fetcher_refuses_anything_else() -> None:
    from reports.rendering import _fetcher_class

    fetcher = _fetcher_class()()
    with pytest.raises(ValueError, match="static"):
        fetcher.fetch("file:///etc/passwd")
    response = fetcher.fetch("https://report.invalid/static/reports/report.css")
    assert b"@page" in response.read() and response.content_type == "text/css"
