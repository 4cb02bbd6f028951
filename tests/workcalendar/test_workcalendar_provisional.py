"""A year nobody configured never stops work: its deadlines are counted provisionally, marked so wherever they are
shown, and counted again — never earlier — once an administrator enters the year's official arrangement."""

import datetime
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from records.models import DishonestyRecord, RecordStatus, Rectification
from records.services import record_publish, record_submit
from repair.models import Objection, ObjectionStatus
from repair.services import objection_file, objection_not_accept
from tests.conftest import City
from tests.factories import make_record
from workcalendar.models import CalendarDay, CalendarYear, DayKind
from workcalendar.services import calendar_year_configure, calendar_year_seed

D = datetime.date
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


@pytest.fixture
def calendar_2026(db: None) -> CalendarYear:
    return calendar_year_seed(year=2026)


def publish_on(world: City, day: datetime.date) -> DishonestyRecord:
    record = make_record(world.clerk_a, world.agency_a, severity="general")
    record = record_submit(actor=world.reviewer_a, record=record)
    return record_publish(actor=world.office_a, record=record, today=day)


def object_to(record: DishonestyRecord, *, name: str = "王律师") -> Objection:
    objection, _code = objection_file(
        record=record,
        grounds="wrong",
        statement="文书号有误。",
        filer_name=name,
        filer_contact="13800000001",
        commitment_signed=True,
    )
    return objection


def configure_2027(
    admin: Any, *, holidays: list[tuple[datetime.date, str]], workdays: list[tuple[datetime.date, str]]
) -> None:
    calendar_year_configure(
        year=2027,
        source="国务院办公厅关于2027年部分节假日安排的通知",
        holidays=holidays,
        workdays=workdays,
        actor=admin,
    )


# Counting and marking ----------------------------------------------------------------------------------------------


@time_machine.travel(at(D(2026, 12, 21)))
def test_a_record_published_in_december_gets_a_provisional_rectification_deadline(
    world: City, calendar_2026: CalendarYear
) -> None:
    record = publish_on(world, D(2026, 12, 21))

    assert record.status == RecordStatus.PUBLISHED
    rectification = Rectification.objects.get(measure__record=record)
    # 20 working days from Monday 21 December: 8 in December, New Year's Day off, the 20th is Tuesday 19 January.
    assert rectification.deadline == D(2027, 1, 19)
    assert rectification.deadline_provisional


@time_machine.travel(at(D(2026, 6, 15)))
def test_a_deadline_inside_configured_years_is_not_marked(world: City, calendar_2026: CalendarYear) -> None:
    record = publish_on(world, D(2026, 6, 15))

    rectification = Rectification.objects.get(measure__record=record)
    assert not rectification.deadline_provisional
    client = Client()
    client.force_login(world.office_a)
    html = client.get(f"/staff/records/{record.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "deadline-provisional" not in html


@time_machine.travel(at(D(2026, 12, 30)))
def test_every_surface_marks_a_provisional_deadline(world: City, calendar_2026: CalendarYear) -> None:
    record = publish_on(world, D(2026, 12, 30))
    objection, code = objection_file(
        record=record,
        grounds="wrong",
        statement="文书号有误。",
        filer_name="王律师",
        filer_contact="13800000001",
        commitment_signed=True,
    )
    # Accept within 2 working days of Wednesday 30 December: Thursday 31, then (New Year's Day off) Monday 4 January.
    assert objection.stage_due_on == D(2027, 1, 4)
    assert objection.stage_due_provisional

    office = Client()
    office.force_login(world.office_a)
    record_page = office.get(f"/staff/records/{record.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    case_page = office.get(
        reverse("repair:objection_detail", args=[objection.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    for html in (record_page, case_page):
        assert '<span class="deadline-provisional"' in html
        assert "暂定" in html

    api = office.get(f"/api/v1/records/{record.pk}/").json()
    assert {m["rectification"]["deadline_provisional"] for m in api["measures"] if m["rectification"]} == {True}
    cases = office.get("/api/v1/objections/").json()["results"]
    assert [c["stage_due_provisional"] for c in cases] == [True]

    public = Client()
    tracked = public.post("/api/v1/public/track/", {"query_code": code}, content_type="application/json")
    assert tracked.status_code == 200
    assert tracked.json()["stage_due_on"] == "2027-01-04"
    assert tracked.json()["stage_due_provisional"] is True


# Recounting when the year is configured ----------------------------------------------------------------------------


@time_machine.travel(at(D(2026, 12, 21)))
def test_configuring_the_year_recounts_but_never_shortens_a_deadline_already_shown(
    world: City, calendar_2026: CalendarYear
) -> None:
    record = publish_on(world, D(2026, 12, 21))
    shown = Rectification.objects.get(measure__record=record).deadline
    assert shown == D(2027, 1, 19)

    # The notice makes Saturday 9 January a workday: counted again, the 20th working day would be Monday 18 January.
    configure_2027(world.admin, holidays=[(D(2027, 1, 1), "元旦")], workdays=[(D(2027, 1, 9), "调休上班")])

    rectification = Rectification.objects.get(measure__record=record)
    assert rectification.deadline == shown
    assert not rectification.deadline_provisional
    assert rectification.history.count() >= 2  # the recount is in the audit trail


@time_machine.travel(at(D(2026, 12, 21)))
def test_configuring_the_year_extends_a_deadline_the_arrangement_lengthens(
    world: City, calendar_2026: CalendarYear
) -> None:
    record = publish_on(world, D(2026, 12, 21))

    configure_2027(world.admin, holidays=[(D(2027, 1, 1), "元旦"), (D(2027, 1, 4), "元旦")], workdays=[])

    rectification = Rectification.objects.get(measure__record=record)
    assert rectification.deadline == D(2027, 1, 20)
    assert not rectification.deadline_provisional


@time_machine.travel(at(D(2026, 12, 30)))
def test_only_open_cases_are_recounted(world: City, calendar_2026: CalendarYear) -> None:
    record = publish_on(world, D(2026, 12, 21))
    open_case = object_to(record)
    other = object_to(publish_on(world, D(2026, 12, 22)), name="李会计")
    closed = objection_not_accept(actor=world.office_a, objection=other, reason="不属于受理范围")
    assert closed.status == ObjectionStatus.NOT_ACCEPTED

    configure_2027(world.admin, holidays=[(D(2027, 1, 1), "元旦"), (D(2027, 1, 4), "元旦")], workdays=[])

    open_case.refresh_from_db()
    assert open_case.stage_due_on == D(2027, 1, 5)
    assert not open_case.stage_due_provisional
    closed.refresh_from_db()
    assert closed.stage_due_on is None


# The administrator pastes the year's arrangement ---------------------------------------------------------------------

ADD_URL = "/admin/workcalendar/calendaryear/add/"


def test_an_administrator_pastes_the_year_in_one_go(world: City, calendar_2026: CalendarYear) -> None:
    client = Client()
    client.force_login(world.admin)

    response = client.post(
        ADD_URL,
        {
            "year": "2027",
            "source": "国办发明电〔2026〕7号",
            "holidays": "2027-01-01 元旦\n2027年2月5日 至 2027年2月11日 春节\n2027-10-01~2027-10-07 国庆节",
            "workdays": "2027-02-20 春节调休\n2027-10-09",
            "notes": "",
        },
    )

    assert response.status_code == 302
    year = CalendarYear.objects.get(year=2027)
    assert year.configured_by == world.admin
    days = dict(CalendarDay.objects.filter(calendar_year=year).values_list("date", "kind"))
    # Weekdays of the ranges become holidays; Saturday 6 and Sunday 7 February are days off anyway.
    assert [d for d, kind in sorted(days.items()) if kind == DayKind.HOLIDAY and d.month == 2] == [
        D(2027, 2, 5),
        D(2027, 2, 8),
        D(2027, 2, 9),
        D(2027, 2, 10),
        D(2027, 2, 11),
    ]
    assert days[D(2027, 2, 20)] == DayKind.WORKDAY
    assert days[D(2027, 10, 9)] == DayKind.WORKDAY
    assert CalendarDay.objects.get(date=D(2027, 2, 9)).name == "春节"


def test_every_mistake_in_the_pasted_year_is_shown_at_once_and_nothing_is_written(
    world: City, calendar_2026: CalendarYear
) -> None:
    client = Client()
    client.force_login(world.admin)
    typed = "2027-01-01 元旦\n二月五日 春节\n2028-01-03"

    response = client.post(
        ADD_URL,
        {"year": "2027", "source": "", "holidays": typed, "workdays": "2027-02-22"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "第2行不是日期或日期区间" in html
    assert 'id="id_source"' in html and "errorlist" in html
    assert "2027-02-22 是工作日" in html
    assert "二月五日 春节" in html  # what was typed is kept
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_a_credit_office_reads_the_calendar_but_cannot_configure_it(world: City) -> None:
    client = Client()
    client.force_login(world.office_a)

    assert client.get("/admin/workcalendar/calendaryear/").status_code == 200
    response = client.post(ADD_URL, {"year": "2027", "source": "x", "holidays": "2027-01-01", "workdays": ""})

    assert response.status_code == 403
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_a_clerk_has_no_calendar_console(world: City) -> None:
    client = Client()
    client.force_login(world.clerk_a)

    response = client.get("/admin/workcalendar/calendaryear/")

    assert response.status_code in (302, 403, 404)
    assert not CalendarYear.objects.filter(year=2027).exists()


# The notice from 1 November ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "expected"),
    [(at(D(2026, 10, 31)), False), (at(D(2026, 11, 1)), True), (at(D(2026, 12, 31), 23), True)],
)
def test_from_november_the_office_and_the_administrators_hear_next_year_is_provisional(
    world: City, calendar_2026: CalendarYear, moment: datetime.datetime, expected: bool
) -> None:
    with time_machine.travel(moment):
        for user, sees in ((world.office_a, expected), (world.admin, expected), (world.clerk_a, False)):
            client = Client()
            client.force_login(user)
            html = client.get("/staff/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
            assert ('id="calendar-provisional"' in html) is sees, user.username
            if sees:
                assert "2027年的工作日日历为暂定" in html


@time_machine.travel(at(D(2026, 11, 20)))
def test_the_notice_goes_once_next_year_is_configured(world: City, calendar_2026: CalendarYear) -> None:
    configure_2027(world.admin, holidays=[(D(2027, 1, 1), "元旦")], workdays=[])
    client = Client()
    client.force_login(world.office_a)

    assert 'id="calendar-provisional"' not in client.get("/staff/").content.decode()
