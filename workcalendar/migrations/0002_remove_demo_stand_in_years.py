from django.db import migrations

# Before provisional years existed, the demo city configured next year as weekends plus New Year's Day so that its
# cases could be filed in December. Such a year now hides the provisional calendar (and its marking): remove it.
DEMO_STAND_IN_SOURCE = "演示用临时日历"


def remove_demo_stand_ins(apps, schema_editor):
    CalendarYear = apps.get_model("workcalendar", "CalendarYear")
    CalendarDay = apps.get_model("workcalendar", "CalendarDay")
    stand_ins = CalendarYear.objects.filter(source__startswith=DEMO_STAND_IN_SOURCE)
    CalendarDay.objects.filter(calendar_year__in=stand_ins).delete()
    stand_ins.delete()


class Migration(migrations.Migration):
    dependencies = [("workcalendar", "0001_initial")]

    operations = [migrations.RunPython(remove_demo_stand_ins, migrations.RunPython.noop)]
