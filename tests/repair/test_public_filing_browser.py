"""A first objection filed from a phone, in a real browser: the record's public page, a form sent with mistakes that
come back all at once with what was typed, the readable query code in a box to copy, and the case found again with
the code typed in lower case with spaces.

Headless Chromium from Debian driven by pip's playwright (tests/browser_support.py). Screenshots land in
test-artifacts/ (gitignored).
"""

import datetime
import re
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from records.models import DishonestyRecord
from records.services import record_publish, record_submit
from repair.models import Objection
from repair.query_codes import query_code_digest
from tests.browser_support import ARTIFACTS, BROWSER_MARKS
from tests.conftest import City
from tests.factories import make_record

pytestmark = BROWSER_MARKS
# A day whose working-day deadlines stay inside the configured year; the live server runs in this process, so it sees
# this clock too.
TODAY = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
PHONE = {"width": 390, "height": 844}
CODE = re.compile(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}")


@pytest.fixture(autouse=True)
def _fixed_day() -> Iterator[None]:
    with time_machine.travel(TODAY, tick=True):
        yield


def disclosed(world: City) -> DishonestyRecord:
    from workcalendar.services import calendar_year_seed

    calendar_year_seed(year=timezone.localdate().year)
    record = make_record(
        world.clerk_a, world.agency_a, decision_date=timezone.localdate() - datetime.timedelta(days=30)
    )
    record_submit(actor=world.reviewer_a, record=record)
    return record_publish(actor=world.office_a, record=record)


def fits_the_screen(page: Any) -> bool:
    # Measure the page as the filer sees it: after its stylesheets have loaded, not while a busy machine is still
    # fetching them.
    page.wait_for_load_state("load")
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_filer_on_a_phone_fixes_every_mistake_at_once_and_tracks_with_a_sloppily_typed_code(
    live_server: Any, world: City, page: Any, settings: Any
) -> None:
    from playwright.sync_api import expect

    record = disclosed(world)
    base = str(live_server.url)
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size(PHONE)

    page.goto(f"{base}/records/{record.pk}/")
    page.locator("#record-object").click()
    expect(page.locator("#objection-form")).to_be_visible()
    assert page.locator("fieldset[data-field=grounds] legend").inner_text().startswith("异议理由")

    # Name forgotten, e-mail mistyped, no grounds chosen, the promise not ticked: four mistakes in one go.
    statement = "文书号与法院判决不一致，应为（2026）临01行终8号。"
    page.locator("#id_filer_contact").fill("13800000000")
    page.locator("#id_filer_email").fill("wang@")
    page.locator("#id_statement").fill(statement)
    page.locator("#objection-form button[type=submit]").click()

    for field in ("filer_name", "filer_email", "grounds", "commitment_signed"):
        expect(page.locator(f"[data-field={field}] .errorlist")).to_be_visible()
    expect(page.locator("#id_statement")).to_have_value(statement)
    expect(page.locator("#id_filer_contact")).to_have_value("13800000000")
    assert fits_the_screen(page)
    page.screenshot(path=str(ARTIFACTS / "public-objection-errors-phone.png"), full_page=True)

    page.locator("#id_filer_name").fill("王律师")
    page.locator("#id_filer_email").fill("wang@example.com")
    page.locator("input[name=grounds][value=wrong]").check()
    page.locator("#id_commitment_signed").check()
    page.locator("#objection-form button[type=submit]").click()

    box = page.locator("#query-code")
    expect(box).to_be_visible()
    assert box.get_attribute("type") == "text" and box.get_attribute("readonly") is not None
    code = box.input_value()
    assert CODE.fullmatch(code), code
    assert Objection.objects.get().query_code_digest == query_code_digest(code)
    expect(page.locator("#query-code-sent")).to_contain_text("w***@example.com")
    assert [message.to for message in mail.outbox] == [["wang@example.com"]]
    assert code in mail.outbox[0].body
    assert fits_the_screen(page)
    page.screenshot(path=str(ARTIFACTS / "public-objection-filed-phone.png"), full_page=True)

    page.locator("#track-link").click()
    code_input = page.locator("#track-code")
    assert code_input.get_attribute("type") == "text"
    code_input.fill(" " + code.lower().replace("-", " ") + " ")
    page.locator("#track-form button[type=submit]").click()

    expect(page.locator("#tracked-case")).to_be_visible()
    assert code not in page.content()
    assert fits_the_screen(page)
    page.screenshot(path=str(ARTIFACTS / "public-objection-tracked-phone.png"), full_page=True)

    # A second objection once the address has filed its allowance: refused, and nothing typed is lost.
    settings.REPAIR_FILING_LIMIT = 1
    page.goto(f"{base}/objections/new/{record.pk}/")
    page.locator("#id_filer_name").fill("李明")
    page.locator("#id_filer_contact").fill("13912345678")
    page.locator("input[name=grounds][value=missing]").check()
    page.locator("#id_statement").fill("处罚决定已被法院撤销。")
    page.locator("#id_commitment_signed").check()
    page.locator("#objection-form button[type=submit]").click()

    expect(page.locator("#throttled")).to_be_visible()
    expect(page.locator("#typed-text")).to_have_value(re.compile("处罚决定已被法院撤销。"))
    expect(page.locator("#office-phone")).to_have_text(settings.CREDIT_OFFICE_PHONE)
    expect(page.locator("#retry-when")).to_contain_text("请于今天")
    assert fits_the_screen(page)
    page.screenshot(path=str(ARTIFACTS / "public-objection-refused-phone.png"), full_page=True)
