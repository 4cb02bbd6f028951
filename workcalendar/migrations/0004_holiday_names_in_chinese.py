"""Days seeded from the holiday library before its names were translated: 'Spring Festival' becomes 春节."""

from typing import Any

import chinese_calendar
from django.db import migrations

ENGLISH_TO_CHINESE = {holiday.value: holiday.chinese for holiday in chinese_calendar.Holiday}


def _rename(apps: Any, names: dict[str, str]) -> None:
    CalendarDay = apps.get_model("workcalendar", "CalendarDay")
    for old, new in names.items():
        CalendarDay.objects.filter(name=old).update(name=new)


def to_chinese(apps: Any, schema_editor: Any) -> None:
    _rename(apps, ENGLISH_TO_CHINESE)


def to_english(apps: Any, schema_editor: Any) -> None:
    _rename(apps, {chinese: english for english, chinese in ENGLISH_TO_CHINESE.items()})


class Migration(migrations.Migration):
    dependencies = [("workcalendar", "0003_field_names_in_chinese")]

    operations = [migrations.RunPython(to_chinese, to_english)]
