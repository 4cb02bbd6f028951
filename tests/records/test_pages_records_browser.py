"""A record's life in a real browser: the credit office enters it (choosing the agency brings its people), submits,
publishes and adds a PDF; then an Excel import whose page follows the job's progress by itself.

Headless Chromium from Debian driven by pip's playwright (see tests/test_browser.py). Screenshots land in
test-artifacts/ (gitignored).
"""

import datetime
import io
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from records import excel
from records.models import DishonestyRecord, EvidenceFile, ImportJob
from records.services import import_job_run
from subjects.codes import make_uscc
from tests.browser_support import ARTIFACTS, BROWSER_MARKS
from tests.conftest import PASSWORD, City

FULL_ID = "33010219850312148X"

pytestmark = BROWSER_MARKS


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def seed_calendars() -> None:
    from workcalendar.services import calendar_seed_supported_years

    # Whatever day the suite runs on: years the library does not cover yet are counted provisionally.
    calendar_seed_supported_years()


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/staff/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#login-form button[type=submit]").click()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_credit_office_enters_submits_publishes_and_adds_evidence(
    live_server: Any, world: City, page: Any, media: Path, tmp_path: Path, settings: Any
) -> None:
    from playwright.sync_api import expect

    seed_calendars()
    base = str(live_server.url)
    ARTIFACTS.mkdir(exist_ok=True)
    decided = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
    sign_in(page, base, "office-a")

    page.locator("#nav-records").click()
    page.locator("#new-record-link").click()
    expect(page.locator("#id_subject_person option")).to_have_count(1)  # the district government has no one yet
    # The agency is picked by typing: the suggestions come from the office's scope.
    page.locator("#id_subject_agency").fill("")
    page.locator("#id_subject_agency").press_sequentially("东城 财政")
    suggestion = page.locator("#id_subject_agency-suggestions li", has_text=world.agency_a.uscc)
    expect(suggestion).to_be_visible()
    suggestion.click()  # the page reloads with A's people
    expect(page.locator(f"#id_subject_person option[value='{world.person_a.pk}']")).to_have_count(1)
    page.locator("#id_data_source_agency").fill(world.agency_a.uscc)
    page.locator("#id_subject_person").select_option(str(world.person_a.pk))
    page.locator("#id_source").select_option("administrative_penalty")
    page.locator("#id_sector").select_option("procurement")
    page.locator("#id_severity").select_option("general")
    page.locator("#id_decision_date").fill(decided)
    page.locator("#id_deciding_body_name").fill("临江市市场监督管理局")
    page.locator("#id_deciding_body_uscc").fill(make_uscc("11330100000000003"))
    page.locator("#id_facts").fill("拖欠中小企业货款逾期未支付。")
    page.locator("#id_legal_basis").fill("《保障中小企业款项支付条例》第八条")
    page.screenshot(path=str(ARTIFACTS / "staff-record-form.png"), full_page=True)
    page.locator("#id_document_number").fill("东财罚〔2026〕88号")
    page.locator("#id_document_number").press("Enter")  # Enter saves; it does not reload the people

    expect(page.locator("#record-status [data-status]")).to_have_attribute("data-status", "draft")
    record = DishonestyRecord.objects.get(document_number="东财罚〔2026〕88号")
    assert record.subject_person == world.person_a
    assert FULL_ID not in page.content()

    page.locator("#submit-form button").click()
    expect(page.locator("#record-status [data-status]")).to_have_attribute("data-status", "submitted")
    # Four eyes: who submitted a record does not publish it, unless the office is one person and says so.
    page.locator("#publish-link").click()
    page.locator("#publish-confirm").check()
    page.locator("#confirm-button").click()
    expect(page.locator("#action-error")).to_have_attribute("data-code", "submitter_may_not_publish")
    assert DishonestyRecord.objects.get(document_number="东财罚〔2026〕88号").status == "submitted"
    settings.RECORD_ALLOW_SELF_PUBLISH = True
    page.locator("#publish-confirm").check()
    page.locator("#confirm-button").click()
    expect(page.locator("#record-status [data-status]")).to_have_attribute("data-status", "published")
    expect(page.locator("article.measure").first).to_be_visible()

    pdf = tmp_path / "判决书.pdf"
    pdf.write_bytes(b"%PDF-1.7\n%%EOF\n")
    page.locator("#evidence-file").set_input_files(str(pdf))
    page.locator("#evidence-form button[type=submit]").click()
    expect(page.locator("#evidence-table tbody tr")).to_have_count(1)
    page.screenshot(path=str(ARTIFACTS / "staff-record-detail.png"), full_page=True)
    assert EvidenceFile.objects.get().record == record
    assert FULL_ID not in page.content()

    page.locator("#nav-queue").click()
    expect(page.locator("#rectification_due")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "staff-queue.png"), full_page=True)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_import_page_follows_the_job_until_it_is_done(
    live_server: Any, world: City, page: Any, media: Path, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    base = str(live_server.url)
    book = load_workbook(io.BytesIO(excel.build_template()))
    headers = [column.header for column in excel.COLUMNS]
    values = {
        "被记录单位统一社会信用代码": world.agency_a.uscc,
        "被记录单位名称": world.agency_a.name,
        "失信来源": "违约毁约",
        "行业领域": "政府采购",
        "严重程度": "一般",
        "文书号": "临中法决〔2026〕501号",
        "决定机关名称": "临江市中级人民法院",
        "决定机关统一社会信用代码": make_uscc("11330100000000003"),
        "决定日期": timezone.localdate() - datetime.timedelta(days=30),
        "失信事实": "拖欠中小企业货款逾期未支付。",
        "法律依据": "《保障中小企业款项支付条例》第八条",
    }
    for column, header in enumerate(headers, start=1):  # row 2, as a person fills it
        book[excel.DATA_SHEET].cell(row=2, column=column, value=values.get(header))
    workbook = tmp_path / "records.xlsx"
    book.save(workbook)
    sign_in(page, base, "clerk-a")

    page.goto(f"{base}/staff/records/import/")
    page.locator("#id_file").set_input_files(str(workbook))
    page.locator("#import-form button[type=submit]").click()
    expect(page.locator("#job-progress")).to_have_attribute("data-running", "true")
    expect(page.locator("#job-running")).to_be_visible()
    job = ImportJob.objects.get()

    import_job_run(job_id=job.pk)  # a worker picks the job up; the open page notices by itself

    expect(page.locator("#job-done")).to_be_visible(timeout=15_000)
    expect(page.locator("#job-progress")).to_have_attribute("data-running", "false")
    # Done: no "rows are being checked" left on the page, and the full bar fills its card.
    expect(page.locator("#job-running")).to_have_count(0)
    assert "正在逐行校验" not in page.content()
    bar, card = page.locator("#job-progress-bar").bounding_box(), page.locator("#job-progress").bounding_box()
    assert bar["width"] >= 0.9 * card["width"]
    page.screenshot(path=str(ARTIFACTS / "staff-import-done.png"), full_page=True)
    assert DishonestyRecord.objects.filter(document_number="临中法决〔2026〕501号").exists()
