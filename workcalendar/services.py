"""Configuring a year's official arrangement (from the holiday library or typed in from the State Council's notice),
and counting again the deadlines that were computed on it provisionally."""

import datetime
import re
from typing import TYPE_CHECKING

import chinese_calendar
from django.db import transaction
from django.utils.translation import gettext as _

from kernel.errors import DomainError
from workcalendar.deadlines import deadline_recount, registered_open_deadlines
from workcalendar.models import CalendarDay, CalendarYear, DayKind

if TYPE_CHECKING:
    from accounts.models import User


LIBRARY_SOURCE = f"chinesecalendar {getattr(chinese_calendar, '__version__', '')}".strip()
ONE_DAY = datetime.timedelta(days=1)
# Administrators and credit offices are told from this month on that next year is still provisional.
NEXT_YEAR_NOTICE_FROM_MONTH = 11
# The library names holidays in English; a Chinese calendar shows the official Chinese names (春节, 国庆节…).
HOLIDAY_NAMES = {holiday.value: holiday.chinese for holiday in chinese_calendar.Holiday}


def _holiday_name(day: datetime.date) -> str:
    _on_holiday, name = chinese_calendar.get_holiday_detail(day)
    return HOLIDAY_NAMES.get(name, name) if name else ""


def calendar_year_seed(*, year: int, actor: "User | None" = None) -> CalendarYear:
    """Configures `year` from the chinese-calendar library (State Council holiday notices). Idempotent.

    A year the library does not cover is refused: an administrator enters it by hand from the year's notice.
    """
    try:
        chinese_calendar.is_holiday(datetime.date(year, 1, 1))
    except NotImplementedError as exc:
        raise DomainError(
            _("The holiday library has no data for %(year)d; enter that year's holidays by hand.") % {"year": year},
            field="year",
        ) from exc
    if existing := CalendarYear.objects.filter(year=year).first():
        return existing
    holidays: list[tuple[datetime.date, str]] = []
    workdays: list[tuple[datetime.date, str]] = []
    day = datetime.date(year, 1, 1)
    while day.year == year:
        weekend = day.weekday() >= 5
        if not weekend and chinese_calendar.is_holiday(day):
            holidays.append((day, _holiday_name(day)))
        elif weekend and chinese_calendar.is_workday(day):
            workdays.append((day, _holiday_name(day)))
        day += ONE_DAY
    return calendar_year_configure(year=year, source=LIBRARY_SOURCE, holidays=holidays, workdays=workdays, actor=actor)


def calendar_seed_supported_years(*, first_year: int = 2019) -> list[int]:
    """Every year from `first_year` that the library covers (older records still need their deadlines). Run after
    pinning a newer library release: the years it adds are configured and their provisional deadlines recounted."""
    seeded = []
    year = first_year
    while True:
        try:
            calendar_year_seed(year=year)
        except DomainError:
            break
        seeded.append(year)
        year += 1
    return seeded


def calendar_year_configure(
    *,
    year: int,
    source: str,
    holidays: list[tuple[datetime.date, str]],
    workdays: list[tuple[datetime.date, str]],
    actor: "User | None",
    notes: str = "",
) -> CalendarYear:
    """Enters a year's official arrangement in one go: the weekdays off and the weekends worked. Weekend days in
    `holidays` are already days off and are skipped, so a holiday period can be given whole (2月6日至13日).
    Every open deadline counted provisionally on this year is counted again (never earlier than shown)."""
    if not source.strip():
        raise DomainError(_("Name the notice the holidays come from."), field="source")
    if problems := calendar_arrangement_problems(year=year, holidays=holidays, workdays=workdays):
        raise DomainError(" ".join(problems), field="holidays")
    with transaction.atomic():
        calendar_year, created = CalendarYear.objects.get_or_create(
            year=year, defaults={"source": source.strip(), "notes": notes.strip(), "configured_by": actor}
        )
        if not created:
            raise DomainError(
                _("%(year)d is already configured; change its days on its own page.") % {"year": year}, field="year"
            )
        # A year's few dozen exceptions: row-by-row saves keep the history trail complete.
        for day, name in sorted(holidays):
            if day.weekday() < 5:
                CalendarDay.objects.create(calendar_year=calendar_year, date=day, kind=DayKind.HOLIDAY, name=name)
        for day, name in sorted(workdays):
            CalendarDay.objects.create(calendar_year=calendar_year, date=day, kind=DayKind.WORKDAY, name=name)
        calendar_deadlines_recount(year=year)
    return calendar_year


def calendar_arrangement_problems(
    *, year: int, holidays: list[tuple[datetime.date, str]], workdays: list[tuple[datetime.date, str]]
) -> list[str]:
    """Everything wrong with a typed-in arrangement, all at once."""
    problems = [
        _("%(date)s is not in %(year)d.") % {"date": day.isoformat(), "year": year}
        for day, _name in [*holidays, *workdays]
        if day.year != year
    ]
    off = {day for day, _name in holidays if day.weekday() < 5}
    worked = {day for day, _name in workdays}
    problems += [
        _("%(date)s is a weekday; only a weekend day can be a make-up workday.") % {"date": day.isoformat()}
        for day in sorted(worked)
        if day.weekday() < 5
    ]
    problems += [
        _("%(date)s is given both as a holiday and as a workday.") % {"date": day.isoformat()}
        for day in sorted(off & worked)
    ]
    return problems


def calendar_deadlines_recount(*, year: int) -> int:
    """Counts again every open deadline that was computed provisionally and may reach into `year`."""
    changed = 0
    with transaction.atomic():
        for entry in registered_open_deadlines():
            fields = entry.fields
            rows = (
                entry.model._default_manager.select_for_update()
                .filter(entry.open)
                .filter(**{fields.provisional: True, f"{fields.due}__year__gte": year})
                .order_by("pk")
            )
            for row in rows:
                if update_fields := deadline_recount(row, fields):
                    row.save(update_fields=update_fields)
                    changed += 1
    return changed


def calendar_next_year_pending(today: datetime.date) -> int | None:
    """Next year, when it is November or December and nobody has configured it yet."""
    if today.month < NEXT_YEAR_NOTICE_FROM_MONTH:
        return None
    year = today.year + 1
    return None if CalendarYear.objects.filter(year=year).exists() else year


def provisional_year_message(year: int) -> str:
    return _(
        "The working-day calendar for %(year)d is provisional (weekends and statutory holidays, no make-up "
        "workdays) until an administrator enters the State Council's arrangement; deadlines reaching into it are "
        "marked provisional."
    ) % {"year": year}


DATE_PATTERN = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
RANGE_SEPARATOR = re.compile(r"\s*(?:至|到|~|～|—|–|\bto\b)\s*")


def calendar_days_read(text: str) -> tuple[list[tuple[datetime.date, str]], list[str]]:
    """The days of the lines that could be read, and a sentence for each line that could not."""
    days: list[tuple[datetime.date, str]] = []
    problems = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        parts = RANGE_SEPARATOR.split(line, maxsplit=1)
        first = DATE_PATTERN.match(parts[0])
        try:
            if first is None:
                raise ValueError
            start = datetime.date(*map(int, first.groups()))
            rest = parts[0][first.end() :]
            end = start
            if len(parts) == 2:
                second = DATE_PATTERN.match(parts[1])
                if second is None:
                    raise ValueError
                end = datetime.date(*map(int, second.groups()))
                rest = parts[1][second.end() :]
        except ValueError:
            problems.append(
                _("Line %(number)d is not a date or a range of dates: %(line)s") % {"number": number, "line": line}
            )
            continue
        if end < start or (end - start).days > 31:
            problems.append(
                _("Line %(number)d: the range must run forward and last at most a month.") % {"number": number}
            )
            continue
        name = rest.strip(" \t,，;；:：")[:50]
        day = start
        while day <= end:
            days.append((day, name))
            day += ONE_DAY
    return days, problems
