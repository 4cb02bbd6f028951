"""A commitment's first weeks in a real browser: the clerk enters it (every error at once, what was typed kept), the
reviewer submits it, the credit office publishes it from the list, and the clerk reports progress with a PDF that
downloads from the commitment's page.

Headless Chromium from Debian driven by pip's playwright (tests/browser_support.py). Screenshots land in
test-artifacts/ (gitignored).
"""

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from commitments.models import Commitment, CommitmentStatus, ProgressEvidence
from tests.browser_support import ARTIFACTS, BROWSER_MARKS
from tests.conftest import PASSWORD, City

pytestmark = BROWSER_MARKS
# The live server runs in this process, so it sees this clock too.
NOW = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _fixed_day() -> Iterator[None]:
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def sign_in(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/staff/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#login-form button[type=submit]").click()
    page.wait_for_url(f"{base}/staff/")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_clerk_enters_a_commitment_and_reports_progress_with_a_file(
    live_server: Any, world: City, page: Any, media: Path, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    base = str(live_server.url)
    ARTIFACTS.mkdir(exist_ok=True)
    sign_in(page, base, "clerk-a")

    page.locator("#nav-commitments").click()
    expect(page.locator("#empty-state")).to_be_visible()
    page.locator("#new-commitment-link").click()
    # The clerk's own agency is chosen, so its people are offered.
    expect(page.locator(f"#id_responsible_person option[value='{world.person_a.pk}']")).to_have_count(1)
    page.locator("#id_responsible_person").select_option(str(world.person_a.pk))
    page.locator("#id_kind").select_option("time_limit")
    page.locator("#id_title").fill("不动产登记三个工作日办结")
    page.locator("#id_content").fill("一般不动产登记申请材料齐全的，三个工作日内办结。")
    page.locator("#id_promised_on").fill("2026-03-01")
    page.locator("#id_due_on").fill("2026-02-01")  # before the promise: refused with the others
    page.locator("#id_year").fill("2026")
    page.locator("#save-draft").click()

    # Every problem at once; what was typed is still there.
    expect(page.locator("[data-field=due_on] .errorlist")).to_be_visible()
    expect(page.locator("[data-field=target_value] .errorlist")).to_be_visible()
    expect(page.locator("[data-field=liability] .errorlist")).to_be_visible()
    expect(page.locator("[data-field=source_document_number] .errorlist")).to_be_visible()
    expect(page.locator("#id_title")).to_have_value("不动产登记三个工作日办结")
    assert Commitment.objects.count() == 0
    page.screenshot(path=str(ARTIFACTS / "staff-commitment-form-errors.png"), full_page=True)

    page.locator("#id_due_on").fill("2026-12-31")
    page.locator("#id_recurring_standard").fill("每件不超过3个工作日")
    page.locator("#id_liability").fill("未按期兑现的，依照有关规定追究责任。")
    page.locator("#id_source_document_number").fill("东政办〔2026〕5号")
    page.locator("#id_source_date").fill("2026-03-01")
    page.locator("#save-draft").click()
    expect(page.locator("#commitment-status [data-status]")).to_have_attribute("data-status", "draft")
    commitment = Commitment.objects.get()
    expect(page.locator("#commitment-events li")).to_have_count(1)

    # The reviewer submits it; the credit office publishes it from the list.
    sign_in(page, base, "reviewer-a")
    page.goto(f"{base}/staff/commitments/{commitment.pk}/")
    page.locator("#submit-form button").click()
    expect(page.locator("#commitment-status [data-status]")).to_have_attribute("data-status", "submitted")
    sign_in(page, base, "office-a")
    page.locator("#nav-commitments").click()
    page.locator(f"input.select-record[value='{commitment.pk}']").check()
    page.locator("#bulk-action").select_option("publish")
    page.locator("#bulk-button").click()
    page.locator("#id_confirm").check()
    page.locator("#bulk-confirm-button").click()
    expect(page.locator("#bulk-summary")).to_have_attribute("data-done", "1")
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.PUBLISHED

    # The clerk reports progress with a PDF.
    sign_in(page, base, "clerk-a")
    page.goto(f"{base}/staff/commitments/{commitment.pk}/")
    page.locator("#progress-link").click()
    page.locator("#id_percent").fill("50")
    page.locator("#id_narrative").fill("窗口已合并，系统已上线。")
    evidence = tmp_path / "进度报告.pdf"
    evidence.write_bytes(PDF)
    page.locator("#id_evidence").set_input_files(str(evidence))
    page.locator("#progress-button").click()

    expect(page.locator("#commitment-status [data-status]")).to_have_attribute("data-status", "in_progress")
    expect(page.locator(".progress-report")).to_have_count(1)
    link = page.locator(".evidence-list a", has_text="进度报告.pdf")
    expect(link).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "staff-commitment-detail.png"), full_page=True)
    with page.expect_download() as download:
        link.click()
    assert Path(download.value.path()).read_bytes() == PDF
    assert ProgressEvidence.objects.get().report.commitment == commitment
