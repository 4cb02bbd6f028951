import datetime

import pytest
from django.core.management import call_command

from kernel.errors import DomainError
from workcalendar.models import CalendarDay, CalendarYear, DayKind
from workcalendar.services import calendar_year_seed
from workcalendar.workdays import (
    add_working_days,
    is_working_day,
    working_day_deadline,
    working_days_between,
)

D = datetime.date


@pytest.fixture
def calendar_2026(db: None) -> CalendarYear:
    return calendar_year_seed(year=2026)


def test_it_seeds_the_2026_national_day_holidays_and_make_up_day(calendar_2026: CalendarYear) -> None:
    days = dict(CalendarDay.objects.filter(date__month=10).values_list("date", "kind"))
    # 国务院办公厅 2026 notice: 1–7 October off, Saturday 10 October worked; weekend days off are not exceptions.
    assert days[D(2026, 10, 1)] == DayKind.HOLIDAY
    assert days[D(2026, 10, 7)] == DayKind.HOLIDAY
    assert days[D(2026, 10, 10)] == DayKind.WORKDAY
    assert D(2026, 10, 3) not in days


def test_the_holidays_have_their_chinese_names(calendar_2026: CalendarYear) -> None:
    names = dict(CalendarDay.objects.values_list("date", "name"))

    assert names[D(2026, 10, 1)] == "国庆节"
    assert names[D(2026, 2, 17)] == "春节"
    assert names[D(2026, 10, 10)] == "国庆节"  # the make-up day is named after the holiday it pays for


def test_a_deadline_skips_the_golden_week(calendar_2026: CalendarYear) -> None:
    assert add_working_days(D(2026, 9, 30), 2) == D(2026, 10, 9)
    # Saturday 10 October is a make-up workday.
    assert add_working_days(D(2026, 9, 30), 3) == D(2026, 10, 10)
    assert add_working_days(D(2026, 9, 30), 10) == D(2026, 10, 20)


def test_a_deadline_skips_the_spring_festival(calendar_2026: CalendarYear) -> None:
    # Filed Friday 13 February; Saturday 14 February is worked, 15–23 February are off.
    assert add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert add_working_days(D(2026, 2, 13), 2) == D(2026, 2, 24)


def test_counting_working_days_agrees_with_adding_them(calendar_2026: CalendarYear) -> None:
    start = D(2026, 9, 20)
    for days in range(0, 25):
        end = add_working_days(start, days)
        assert working_days_between(start, end) == days
    assert working_days_between(D(2026, 10, 1), D(2026, 10, 7)) == 0
    assert working_days_between(D(2026, 10, 9), D(2026, 9, 30)) == -2


def test_weekends_and_holidays_are_not_working_days(calendar_2026: CalendarYear) -> None:
    assert is_working_day(D(2026, 10, 10))  # make-up Saturday
    assert not is_working_day(D(2026, 10, 11))  # Sunday
    assert not is_working_day(D(2026, 10, 5))  # holiday Monday
    assert is_working_day(D(2026, 11, 23))


def test_a_year_nobody_configured_is_counted_provisionally_on_the_statutory_holidays(
    calendar_2026: CalendarYear,
) -> None:
    # 2027 is not configured. Chinese New Year 2027 is Saturday 6 February: the eve (Friday 5 February) and the
    # first three days are statutory holidays (2024 revision), the two falling on the weekend are given back on
    # Tuesday 9 and Wednesday 10 February; no make-up Saturday is guessed.
    deadline = working_day_deadline(D(2027, 2, 4), 1)
    assert deadline.due == D(2027, 2, 11)
    assert deadline.provisional
    # New Year's Day 2027 is a Friday.
    assert add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)
    assert working_days_between(D(2026, 12, 1), D(2027, 1, 5)) == 24
    assert not is_working_day(D(2027, 10, 5))  # National Day falls on a weekend twice in 2027


def test_a_deadline_inside_a_configured_year_is_not_provisional(calendar_2026: CalendarYear) -> None:
    deadline = working_day_deadline(D(2026, 9, 30), 10)
    assert deadline == working_day_deadline(D(2026, 9, 30), 10)
    assert deadline.due == D(2026, 10, 20)
    assert not deadline.provisional
    # One day reaching into the unconfigured year is enough to make it provisional.
    assert working_day_deadline(D(2026, 12, 30), 2).provisional


def test_an_administrator_configures_a_year_by_hand(calendar_2026: CalendarYear) -> None:
    year = CalendarYear.objects.create(year=2027, source="国办发明电〔2026〕×号")
    CalendarDay.objects.create(calendar_year=year, date=D(2027, 1, 1), kind=DayKind.HOLIDAY, name="元旦")
    # Thursday 31 December 2026 + 1 working day: Friday 1 January 2027 is a holiday.
    assert add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)


def test_the_library_cannot_seed_a_year_it_does_not_know(db: None) -> None:
    with pytest.raises(DomainError):
        calendar_year_seed(year=2031)
    assert not CalendarYear.objects.filter(year=2031).exists()


def test_seeding_twice_changes_nothing(db: None) -> None:
    call_command("seed_calendar", "--from-year", "2025")
    count = CalendarDay.objects.count()
    call_command("seed_calendar", "--from-year", "2025")
    assert CalendarDay.objects.count() == count > 0
    assert set(CalendarYear.objects.values_list("year", flat=True)) == {2025, 2026}


def test_a_calendar_exception_must_be_consistent(calendar_2026: CalendarYear) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        CalendarDay(calendar_year=calendar_2026, date=D(2026, 11, 21), kind=DayKind.HOLIDAY).full_clean()
    assert "kind" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        CalendarDay(calendar_year=calendar_2026, date=D(2025, 11, 20), kind=DayKind.HOLIDAY).full_clean()
    assert "date" in caught.value.message_dict
