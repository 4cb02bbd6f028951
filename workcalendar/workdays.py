"""Counting working days: Monday to Friday, less public holidays, plus make-up workdays (调休).

`add_working_days(start, n)` is the n-th working day after `start` (start itself not counted): a deadline of
"2 working days" for a thing filed on `start`. `working_days_between(start, end)` counts the working days after
`start` up to and including `end`, so `add_working_days(s, working_days_between(s, e)) <= e`.
Both raise CalendarNotConfigured for a year an administrator has not configured: a guess would be a wrong deadline.
"""

import datetime

from django.utils.translation import gettext as _

from workcalendar.models import CalendarDay, CalendarYear, DayKind

ONE_DAY = datetime.timedelta(days=1)


class CalendarNotConfigured(Exception):
    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(
            _("The working-day calendar for %(year)d has not been configured; an administrator must add it.")
            % {"year": year}
        )


class _Calendar:
    """The exceptions of the years touched by one computation, one query per year."""

    def __init__(self) -> None:
        self._years: dict[int, dict[datetime.date, str]] = {}

    def _exceptions(self, year: int) -> dict[datetime.date, str]:
        if year not in self._years:
            if not CalendarYear.objects.filter(year=year).exists():
                raise CalendarNotConfigured(year)
            self._years[year] = dict(CalendarDay.objects.filter(date__year=year).values_list("date", "kind"))
        return self._years[year]

    def is_working_day(self, day: datetime.date) -> bool:
        kind = self._exceptions(day.year).get(day)
        if kind == DayKind.HOLIDAY:
            return False
        if kind == DayKind.WORKDAY:
            return True
        return day.weekday() < 5


def is_working_day(day: datetime.date) -> bool:
    return _Calendar().is_working_day(day)


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    if days < 0:
        raise ValueError("days must not be negative")
    calendar = _Calendar()
    day = start
    remaining = days
    while remaining:
        day += ONE_DAY
        if calendar.is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    if end < start:
        return -working_days_between(end, start)
    calendar = _Calendar()
    count = 0
    day = start
    while day < end:
        day += ONE_DAY
        if calendar.is_working_day(day):
            count += 1
    return count
