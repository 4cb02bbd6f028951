"""A company files a breach complaint on the public site in a real browser (headless Chromium), is shown every error
at once with its text kept, files, copies its tracking number and query code, and follows the complaint with them
(typed in small letters) once the credit office has accepted it."""

import pytest

from supervision.models import BreachComplaint
from supervision.services.complaints import complaint_accept
from tests.browser_support import ARTIFACTS, BROWSER_MARKS
from tests.conftest import City
from tests.supervision.complaints_support import COMPANY_USCC

pytestmark = BROWSER_MARKS


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_company_files_a_breach_complaint_and_follows_it(live_server: object, world: City, page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    base = str(live_server.url)  # type: ignore[attr-defined]
    ARTIFACTS.mkdir(exist_ok=True)
    facts = "信息化项目2025年验收合格，合同约定验收后30日内支付尾款38万元，至今未付。"

    page.goto(f"{base}/supervision/complaints/new/")
    page.locator("#id_complainant_kind_0").check()
    page.locator("#id_complainant_uscc").fill(COMPANY_USCC)
    page.locator("#id_category").select_option("arrears")
    page.locator("#id_facts").fill(facts)
    page.locator("#file-complaint").click()
    # Every error at once; what was typed is still there.
    expect(page.locator(".errorlist")).to_have_count(4)
    expect(page.locator("#id_facts")).to_have_value(facts)
    expect(page.locator("#id_complainant_uscc")).to_have_value(COMPANY_USCC)
    page.screenshot(path=str(ARTIFACTS / "breach-complaint-errors.png"), full_page=True)

    page.locator("#id_complainant_name").fill("临江市启明科技有限公司")
    page.locator("#id_complainant_contact").fill("13912345678")
    page.locator("#id_respondent").select_option(str(world.agency_a.pk))
    page.locator("#id_amount").fill("380000")
    page.locator("#file-complaint").click()
    expect(page.locator("#filed-heading")).to_be_visible()
    code = page.locator("#query-code").input_value()
    number = page.locator("#tracking-number").input_value()
    assert len(code) == 14 and number.startswith("WY")
    page.screenshot(path=str(ARTIFACTS / "breach-complaint-filed.png"), full_page=True)

    complaint_accept(actor=world.office_a, complaint=BreachComplaint.objects.get(tracking_number=number))

    page.locator("#track-link").click()
    page.locator("#track-tracking_number").fill(number.lower())
    page.locator("#track-code").fill(code.lower().replace("-", " "))
    page.locator("#track-submit").click()
    expect(page.locator("#complaint-status")).to_have_attribute("data-status", "accepted")
    expect(page.locator("#complaint-stages li")).to_have_count(2)
    page.screenshot(path=str(ARTIFACTS / "breach-complaint-tracked.png"), full_page=True)
