import datetime
from typing import Any

import chinese_calendar
from django.db import transaction
from django.utils.translation import gettext as _

from records.errors import DomainError
from workcalendar.models import CalendarDay, CalendarYear, DayKind

LIBRARY_SOURCE = f"chinesecalendar {getattr(chinese_calendar, '__version__', '')}".strip()
# The library names holidays in English; a Chinese calendar shows the official Chinese names (春节, 国庆节…).
HOLIDAY_NAMES = {holiday.value: holiday.chinese for holiday in chinese_calendar.Holiday}


def _holiday_name(day: datetime.date) -> str:
    _on_holiday, name = chinese_calendar.get_holiday_detail(day)
    return HOLIDAY_NAMES.get(name, name) if name else ""


def calendar_year_seed(*, year: int, actor: Any = None) -> CalendarYear:
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
    with transaction.atomic():
        calendar_year, created = CalendarYear.objects.get_or_create(
            year=year, defaults={"source": LIBRARY_SOURCE, "configured_by": actor}
        )
        if not created:
            return calendar_year
        day = datetime.date(year, 1, 1)
        rows = []
        while day.year == year:
            weekend = day.weekday() >= 5
            if not weekend and chinese_calendar.is_holiday(day):
                rows.append(
                    CalendarDay(calendar_year=calendar_year, date=day, kind=DayKind.HOLIDAY, name=_holiday_name(day))
                )
            elif weekend and chinese_calendar.is_workday(day):
                rows.append(
                    CalendarDay(calendar_year=calendar_year, date=day, kind=DayKind.WORKDAY, name=_holiday_name(day))
                )
            day += datetime.timedelta(days=1)
        # A year's few dozen exceptions: row-by-row saves keep the history trail complete.
        for row in rows:
            row.save()
    return calendar_year


def calendar_seed_supported_years(*, first_year: int = 2019) -> list[int]:
    """Every year from `first_year` that the library covers (older records still need their deadlines)."""
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
