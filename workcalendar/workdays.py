"""Counting working days: Monday to Friday, less public holidays, plus make-up workdays (调休).

`add_working_days(start, n)` is the n-th working day after `start` (start itself not counted): a deadline of
"2 working days" for a thing filed on `start`. `working_days_between(start, end)` counts the working days after
`start` up to and including `end`, so `add_working_days(s, working_days_between(s, e)) <= e`.

A year with a CalendarYear row follows the official arrangement an administrator configured (the State Council's
notice: holidays and make-up workdays). A year nobody configured yet — every December the next one, until the notice
is out and typed in — is counted **provisionally** rather than refused: weekends plus the statutory holidays of the
national holiday rules (全国年节及纪念日放假办法 as revised in 2024: New Year, Spring Festival with its eve, Qingming,
Labour Day, Dragon Boat, Mid-Autumn, National Day, and the weekday given in lieu when one falls on a weekend), taken
from the `holidays` library, which computes the lunar dates; no make-up workdays, since only the notice sets them.
`working_day_deadline` says whether a deadline touched such a year; callers store that flag and show it, and
`workcalendar.services.calendar_deadlines_recompute` revisits those deadlines once the year is configured.
"""

import datetime
from dataclasses import dataclass
from functools import lru_cache

import holidays

from workcalendar.models import CalendarDay, CalendarYear, DayKind

ONE_DAY = datetime.timedelta(days=1)
# Holiday names the library gives a year whose official arrangement it already knows: a day off moved from a
# weekend (调休). Its make-up workday is not in the library, so a provisional year leaves both out.
_MOVED_DAY_OFF = "Day off (substituted"


@dataclass(frozen=True)
class Deadline:
    """`working_days` working days after `start`: due on `due`."""

    start: datetime.date
    working_days: int
    due: datetime.date
    # True when a day between the start and the due date lies in a year counted provisionally.
    provisional: bool


@lru_cache(maxsize=64)
def statutory_holidays(year: int) -> dict[datetime.date, str]:
    """The weekdays off by the national holiday rules in `year`, as the holiday library computes them, named in
    Chinese."""
    english = holidays.country_holidays("CN", years=year, language="en_US")
    chinese = holidays.country_holidays("CN", years=year, language="zh_CN")
    return {
        day: chinese.get(day, "")
        for day, name in sorted(english.items())
        if day.weekday() < 5 and not name.startswith(_MOVED_DAY_OFF)
    }


class _Calendar:
    """The exceptions of the years touched by one computation, one query per year."""

    def __init__(self) -> None:
        self._years: dict[int, dict[datetime.date, str]] = {}
        self._provisional_years: set[int] = set()
        self.touched_provisional = False

    def _exceptions(self, year: int) -> dict[datetime.date, str]:
        if year not in self._years:
            if CalendarYear.objects.filter(year=year).exists():
                self._years[year] = dict(CalendarDay.objects.filter(date__year=year).values_list("date", "kind"))
            else:
                self._years[year] = dict.fromkeys(statutory_holidays(year), DayKind.HOLIDAY)
                self._provisional_years.add(year)
        if year in self._provisional_years:
            self.touched_provisional = True
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


def working_day_deadline(start: datetime.date, days: int) -> Deadline:
    """The n-th working day after `start`, and whether it was counted on a provisional year."""
    if days < 0:
        raise ValueError("days must not be negative")
    calendar = _Calendar()
    day = start
    remaining = days
    while remaining:
        day += ONE_DAY
        if calendar.is_working_day(day):
            remaining -= 1
    return Deadline(start=start, working_days=days, due=day, provisional=calendar.touched_provisional)


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    return working_day_deadline(start, days).due


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


def is_provisional_year(year: int) -> bool:
    return not CalendarYear.objects.filter(year=year).exists()
