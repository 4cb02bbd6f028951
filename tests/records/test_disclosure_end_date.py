"""One 公示截止日期 everywhere: the last day a record is shown, the same on staff pages, public pages, both APIs, the
export and the platform's cf_gsjzq; shown on that day and gone the day after. A record that is not publicly
disclosed has none (docs/disclosure-periods.md)."""

import datetime
import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client
from openpyxl import load_workbook
from rest_framework.test import APIClient

from outbox.models import PlatformChange
from records.excel import COLUMNS, DATA_SHEET
from records.models import DishonestyRecord
from records.services import record_publish, record_submit, records_expire_due, records_export
from tests.conftest import City
from tests.factories import make_record
from tests.public_support import at
from workcalendar.services import calendar_year_seed

D = datetime.date
pytestmark = pytest.mark.django_db
PUBLIC_API = "/api/v1/public/records/"
STAFF_API = "/api/v1/records/"
UNTIL_COLUMN = len(COLUMNS) + 4  # 公示截止日期, after 公务人员姓名, 状态, 公示开始日期, 可申请修复日期


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(at(D(2026, 11, 25)), tick=False) as traveller:
        yield traveller


@pytest.fixture
def record(world: City, clock: time_machine.Traveller) -> DishonestyRecord:
    """The issue's example: a general record decided on 20 November 2026, one year's maximum (the 2026 rule)."""
    calendar_year_seed(year=2026)
    record = make_record(world.clerk_a, world.agency_a, decision_date=D(2026, 11, 20), severity="general")
    record = record_submit(actor=world.reviewer_a, record=record)
    return record_publish(actor=world.office_a, record=record)


def staff_page_date(client: Client, record: DishonestyRecord) -> str:
    page = client.get(f"/staff/records/{record.pk}/").content.decode()
    match = re.search(r'id="window-ends">(.*?)</dd>', page)
    assert match is not None
    return match.group(1)


def staff_list_date(client: Client, record: DishonestyRecord) -> str:
    page = client.get("/staff/records/").content.decode()
    match = re.search(
        rf'data-record-id="{record.pk}".*?<td>([^<]*(?:<span[^>]*>[^<]*</span>)?)</td>\s*</tr>', page, re.S
    )
    assert match is not None
    return match.group(1)


def public_page_date(record: DishonestyRecord) -> str | None:
    response = Client().get(f"/records/{record.pk}/")
    if response.status_code == 404:
        return None
    match = re.search(r'id="record-disclosed-until">([\d-]+)<', response.content.decode())
    assert match is not None
    return match.group(1)


def public_list_date(record: DishonestyRecord) -> str | None:
    page = Client().get("/records/").content.decode()
    match = re.search(rf'<tr data-record="{record.pk}">.*?<time>([\d-]+)</time></td>\n</tr>', page, re.S)
    return None if match is None else match.group(1)


def public_api_date(record: DishonestyRecord) -> str | None:
    response = APIClient().get(f"{PUBLIC_API}{record.pk}/")
    return None if response.status_code == 404 else response.json()["disclosure_ends_on"]


def staff_api_window(user: Any, record: DishonestyRecord) -> dict[str, Any]:
    api = APIClient()
    api.force_login(user)
    response = api.get(f"{STAFF_API}{record.pk}/")
    assert response.status_code == 200, response.content
    return response.json()["window"]  # type: ignore[no-any-return]


def export_date(user: Any, record: DishonestyRecord) -> Any:
    content = records_export(queryset=DishonestyRecord.objects.filter(pk=record.pk), user=user, fmt="xlsx")[0]
    sheet = load_workbook(io.BytesIO(content), read_only=True)[DATA_SHEET]  # type: ignore[arg-type]
    value = list(sheet.iter_rows(values_only=True))[1][UNTIL_COLUMN]
    return None if value is None else str(value)[:10]


def payload_date(record: DishonestyRecord) -> str:
    return PlatformChange.objects.filter(record=record).latest("pk").payload["cf_gsjzq"]  # type: ignore[no-any-return]


def test_staff_and_public_surfaces_show_the_same_last_day(
    client: Client, world: City, record: DishonestyRecord
) -> None:
    client.force_login(world.office_a)

    assert staff_page_date(client, record) == "2027-11-20"
    assert staff_list_date(client, record) == "2027-11-20"
    assert public_page_date(record) == "2027-11-20"
    assert public_list_date(record) == "2027-11-20"
    assert public_api_date(record) == "2027-11-20"
    assert staff_api_window(world.office_a, record)["disclosure_ends_on"] == "2027-11-20"
    assert export_date(world.office_a, record) == "2027-11-20"
    assert payload_date(record) == "2027-11-20"


@pytest.mark.parametrize(
    ("day", "shown"),
    [(D(2027, 11, 19), True), (D(2027, 11, 20), True), (D(2027, 11, 21), False)],
    ids=["the day before", "the last day", "the day after"],
)
def test_the_record_is_shown_on_its_last_day_and_gone_the_day_after_on_every_surface(
    client: Client,
    world: City,
    record: DishonestyRecord,
    clock: time_machine.Traveller,
    day: datetime.date,
    shown: bool,
) -> None:
    clock.move_to(at(day, hour=0))  # the first minute of the day counts as that day
    client.force_login(world.office_a)
    expired = records_expire_due()  # the hourly job, run on that day
    record.refresh_from_db()

    assert (expired, record.status) == ((0, "published") if shown else (1, "expired"))
    assert (public_page_date(record), public_list_date(record), public_api_date(record)) == (
        ("2027-11-20",) * 3 if shown else (None, None, None)
    )
    assert (record in DishonestyRecord.objects.disclosed()) is shown
    assert staff_api_window(world.office_a, record)["disclosed_now"] is shown
    # Staff surfaces keep showing the date the record was (or is) disclosed until.
    assert staff_page_date(client, record) == "2027-11-20"
    assert payload_date(record) == "2027-11-20"


def test_the_expiry_job_does_not_wait_for_the_hour_to_hide_it(world: City, record: DishonestyRecord) -> None:
    with time_machine.travel(at(D(2027, 11, 21), hour=0), tick=False):
        assert public_page_date(record) is None  # the job has not run: the date test alone hides it
        record.refresh_from_db()
        assert record.status == "published"


@pytest.fixture
def minor(world: City, clock: time_machine.Traveller) -> DishonestyRecord:
    """A minor record: not publicly disclosed under the 2026 rule, in force for its measures."""
    calendar_year_seed(year=2026)
    record = make_record(world.clerk_a, world.agency_a, decision_date=D(2026, 11, 20), severity="minor")
    record = record_submit(actor=world.reviewer_a, record=record)
    return record_publish(actor=world.office_a, record=record)


def test_a_record_that_is_not_publicly_disclosed_shows_no_end_date_anywhere(
    client: Client, world: City, minor: DishonestyRecord
) -> None:
    client.force_login(world.office_a)

    assert (minor.status, minor.publicly_disclosed, minor.disclosed_until) == ("published", False, None)
    assert "不公示" in staff_page_date(client, minor)
    assert "不公示" in staff_list_date(client, minor)
    window = staff_api_window(world.office_a, minor)
    assert (window["publicly_disclosed"], window["disclosure_ends_on"], window["disclosed_now"]) == (False, None, False)
    assert export_date(world.office_a, minor) is None
    payload = PlatformChange.objects.get(record=minor).payload
    assert (payload["gkbz"], payload["cf_gsjzq"]) == ("0", "")
    assert (public_page_date(minor), public_api_date(minor)) == (None, None)
