import datetime

import time_machine

from records.models import RecordStatus
from records.services import record_publish, record_submit
from records.tasks import expire_due_records
from tests.conftest import City
from tests.factories import make_record


def test_the_scheduled_job_expires_what_is_due_and_is_scheduled(world: City, settings: object) -> None:
    from workcalendar.services import calendar_year_seed

    calendar_year_seed(year=2026)
    record = make_record(world.clerk_a, world.agency_a, decision_date=datetime.date(2026, 6, 1))
    record_submit(actor=world.reviewer_a, record=record)
    record_publish(actor=world.office_a, record=record, today=datetime.date(2026, 11, 2))
    with time_machine.travel(datetime.datetime(2027, 6, 1, 15, 30, tzinfo=datetime.UTC)):  # its last day is shown
        assert expire_due_records.apply().get() == 0
    with time_machine.travel(datetime.datetime(2027, 6, 2, 0, 30, tzinfo=datetime.UTC)):  # 08:30 the day after
        assert expire_due_records.apply().get() == 1
    record.refresh_from_db()
    assert record.status == RecordStatus.EXPIRED
    schedule = settings.CELERY_BEAT_SCHEDULE  # type: ignore[attr-defined]
    assert schedule["expire-due-records"]["task"] == "records.tasks.expire_due_records"
