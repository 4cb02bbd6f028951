"""The staff pages a first day brings, in a real browser: the inspector's integrity file (records, measures, the 优秀
consequence, the reveal that needs a purpose and hides without asking again), the confirmation before publishing
(with and without JavaScript), the agency type-ahead, and the record list on a phone.

Headless Chromium from Debian driven by pip's playwright (tests/browser_support.py). Screenshots land in
test-artifacts/ (gitignored).
"""

import contextlib
import datetime
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from records.models import DishonestyRecord, RecordStatus, ResponsibilityKind
from records.services import record_create, record_publish, record_submit
from subjects.models import AccessAction, PersonalDataAccess
from tests.browser_support import ARTIFACTS, BROWSER_MARKS, CHROMIUM, CHROMIUM_ARGS
from tests.conftest import PASSWORD, City
from tests.factories import make_record, record_input

FULL_ID = "33010219850312148X"
MASKED_ID = "3301**********148X"

pytestmark = BROWSER_MARKS
# Publishing counts rectification deadlines in working days; a day whose deadlines stay inside the configured year
# keeps the test independent of when it runs. The live server runs in this process, so it sees this clock too.
TODAY = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _fixed_day() -> Iterator[None]:
    with time_machine.travel(TODAY, tick=True):
        yield


def seed_calendars() -> None:
    from workcalendar.services import calendar_year_seed

    year = timezone.localdate().year
    calendar_year_seed(year=year)
    with contextlib.suppress(Exception):  # next year's holidays may not be published yet
        calendar_year_seed(year=year + 1)


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/staff/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#login-form button[type=submit]").click()
    page.wait_for_url(f"{base}/staff/")


def recent() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=30)


def submitted(world: City, **overrides: Any) -> DishonestyRecord:
    data = record_input(world.agency_a, decision_date=recent(), **overrides)
    return record_submit(actor=world.reviewer_a, record=record_create(actor=world.clerk_a, data=data))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_inspector_reads_the_integrity_file_and_reveals_the_number_once(
    live_server: Any, world: City, page: Any
) -> None:
    from playwright.sync_api import expect

    seed_calendars()
    about = record_publish(actor=world.office_a, record=submitted(world, subject_person=world.person_a))
    liable = record_publish(
        actor=world.office_a, record=submitted(world, responsible=[(world.person_a, ResponsibilityKind.PRINCIPAL)])
    )
    base = str(live_server.url)
    ARTIFACTS.mkdir(exist_ok=True)
    sign_in(page, base, "inspector-a")

    page.goto(f"{base}/staff/people/{world.person_a.pk}/")
    expect(page.locator(f"#person-records-table tr[data-record-id='{about.pk}']")).to_have_attribute(
        "data-as", "subject"
    )
    expect(page.locator(f"#person-records-table tr[data-record-id='{liable.pk}']")).to_have_attribute(
        "data-as", "principal"
    )
    expect(page.locator("#person-measures-table tbody tr").first).to_be_visible()
    expect(page.locator("#excellent-barred")).to_contain_text(f"{recent().year}年度不得评为“优秀”等次")
    page.screenshot(path=str(ARTIFACTS / "staff-integrity-file.png"), full_page=True)

    # No purpose, no number: the browser asks for one (the server refuses too), and nothing is logged as a reveal.
    page.locator("#reveal-form button[type=submit]").click()
    assert page.locator("#id_purpose").evaluate("input => input.validity.valueMissing")
    assert FULL_ID not in page.content()
    assert not PersonalDataAccess.objects.filter(action=AccessAction.REVEAL_ID).exists()

    page.locator("#id_purpose").fill("2026年处级干部提拔考察")
    page.locator("#reveal-form button[type=submit]").click()
    expect(page.locator("#id-number-full")).to_have_text(FULL_ID)
    assert PersonalDataAccess.objects.filter(action=AccessAction.REVEAL_ID).count() == 1

    # Hiding asks the server nothing: no request leaves the page, no second reveal is logged.
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.locator("#id-number-hide").click()
    expect(page.locator("#id-number-full")).to_have_count(0)
    expect(page.locator("#id-number")).to_have_text(MASKED_ID)
    assert FULL_ID not in page.content()
    assert requests == []
    assert PersonalDataAccess.objects.filter(action=AccessAction.REVEAL_ID).count() == 1

    # From the record back to the person.
    page.goto(f"{base}/staff/records/{about.pk}/")
    page.locator("#subject-person-link").click()
    expect(page.locator("#person-name")).to_contain_text("张伟")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_publishing_is_confirmed_after_reading_what_will_happen(live_server: Any, world: City, page: Any) -> None:
    from playwright.sync_api import expect

    seed_calendars()
    record = submitted(world)
    base = str(live_server.url)
    sign_in(page, base, "office-a")

    page.goto(f"{base}/staff/records/{record.pk}/")
    # The step sits below the record's data.
    facts_top = page.locator("#record-facts").bounding_box()["y"]
    assert page.locator("#publish-link").bounding_box()["y"] > facts_top
    page.locator("#publish-link").click()

    expect(page.locator("#consequence-disclosure")).to_have_attribute("data-starts", recent().isoformat())
    expect(page.locator("#consequence-platform")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "staff-publish-confirm.png"), full_page=True)
    page.locator("#confirm-button").click()  # the box is not ticked: the browser asks for it, nothing is sent
    expect(page.locator("#confirm-publish")).to_be_visible()
    record.refresh_from_db()
    assert record.status == RecordStatus.SUBMITTED

    page.locator("#publish-confirm").check()
    page.locator("#confirm-button").click()
    expect(page.locator("#record-status [data-status]")).to_have_attribute("data-status", "published")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_revoking_is_confirmed_without_javascript_too(live_server: Any, world: City) -> None:
    from playwright.sync_api import expect, sync_playwright

    seed_calendars()
    record = record_publish(actor=world.office_a, record=submitted(world))
    base = str(live_server.url)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(java_script_enabled=False, locale="zh-CN")
        page = context.new_page()
        try:
            sign_in(page, base, "office-a")
            page.goto(f"{base}/staff/records/{record.pk}/")
            page.locator("#revoke-link").click()
            expect(page.locator("#consequence-platform")).to_be_visible()
            page.locator("#revoke-reason").fill("判决已被上级法院撤销")
            page.locator("#revoke-confirm").check()
            page.locator("#confirm-button").click()
            expect(page.locator("#record-status [data-status]")).to_have_attribute("data-status", "revoked")
        finally:
            context.close()
            browser.close()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_agency_type_ahead_offers_only_the_users_scope(live_server: Any, world: City, page: Any) -> None:
    from playwright.sync_api import expect

    base = str(live_server.url)
    sign_in(page, base, "office-a")

    page.goto(f"{base}/staff/people/{world.person_a.pk}/move/")
    picker = page.locator("#id_to_agency")
    picker.press_sequentially("财政")
    options = page.locator("#id_to_agency-suggestions li")
    expect(options).to_have_count(2)  # 东城区财政局 and its payment centre; 西城区财政局 is another district's
    expect(page.locator("#id_to_agency-suggestions")).not_to_contain_text(world.agency_b.name)
    picker.press("ArrowDown")
    picker.press("ArrowDown")
    picker.press("Enter")
    expect(picker).to_have_value(f"{world.unit_a.name}（{world.unit_a.uscc}）")
    page.screenshot(path=str(ARTIFACTS / "staff-agency-type-ahead.png"), full_page=True)
    page.locator("#id_moved_on").fill(timezone.localdate().isoformat())
    page.locator("form.form button[type=submit]").first.click()
    expect(page.locator("#person-agency")).to_have_text(world.unit_a.name)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_record_list_is_readable_on_a_phone(live_server: Any, world: City, page: Any) -> None:
    from playwright.sync_api import expect

    for _ in range(3):
        make_record(world.clerk_a, world.agency_a, decision_date=recent())
    base = str(live_server.url)
    sign_in(page, base, "office-a")
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"{base}/staff/records/")
    subject = page.locator("#record-table tbody tr td.subject-cell a").first
    expect(subject).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "staff-record-list-phone.png"), full_page=True)
    box = subject.bounding_box()
    # "东城区财政局" on one line, not one character a line (the table scrolls sideways instead).
    assert box["width"] >= 70
    assert box["height"] <= 30
