"""Four eyes on publishing: whoever submitted a record may not publish it, on the page, through the API or the
service (the console's bulk action is in test_admin_records.py), unless RECORD_ALLOW_SELF_PUBLISH lets a one-person
office do both."""

import datetime
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from outbox.models import PlatformChange
from records.errors import SubmitterMayNotPublish
from records.models import AppliedMeasure, DishonestyRecord, RecordEvent, RecordStatus
from records.services import record_publish, record_return, record_submit, record_update
from records.services.dishonesty import _input_from_record
from tests.conftest import City
from tests.factories import make_record
from workcalendar.services import calendar_year_seed

MESSAGE = "您提交了该记录，不能由您本人发布；须由信用办的其他工作人员核实发布。"


@pytest.fixture(autouse=True)
def _frozen_time() -> Iterator[None]:
    with time_machine.travel(datetime.datetime(2026, 11, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        yield


@pytest.fixture(autouse=True)
def calendar(db: None) -> None:
    calendar_year_seed(year=2026)


def submitted_by(world: City, submitter: Any) -> DishonestyRecord:
    return record_submit(actor=submitter, record=make_record(world.clerk_a, world.agency_a))


def written() -> tuple[int, int, int]:
    return (RecordEvent.objects.count(), AppliedMeasure.objects.count(), PlatformChange.objects.count())


def test_the_service_refuses_the_submitter_and_writes_nothing(world: City) -> None:
    record = submitted_by(world, world.office_a)
    before = written()

    with pytest.raises(SubmitterMayNotPublish) as refused:
        record_publish(actor=world.office_a, record=record)

    assert (refused.value.code, refused.value.status) == ("submitter_may_not_publish", 403)
    record.refresh_from_db()
    assert (record.status, record.version, record.published_at) == (RecordStatus.SUBMITTED, 1, None)
    assert written() == before


def test_another_member_of_the_office_publishes_what_a_colleague_submitted(world: City) -> None:
    record = submitted_by(world, world.office_a)

    published = record_publish(actor=world.admin, record=record)

    assert published.status == RecordStatus.PUBLISHED
    assert list(RecordEvent.objects.filter(record=record).values_list("kind", "actor")) == [
        ("created", world.clerk_a.pk),
        ("submitted", world.office_a.pk),
        ("published", world.admin.pk),
    ]


def test_the_latest_submission_counts(world: City) -> None:
    # The office submitted it, returned it after another look, and the agency's reviewer submitted it again.
    record = submitted_by(world, world.office_a)
    record = record_return(actor=world.admin, record=record, reason="补充证据")
    record = record_update(actor=world.clerk_a, record=record, data=_input_from_record(record))
    record = record_submit(actor=world.reviewer_a, record=record)

    assert record_publish(actor=world.office_a, record=record).status == RecordStatus.PUBLISHED

    # And the other way round: submitted again by the office, it may no longer publish it.
    other = submitted_by(world, world.reviewer_a)
    other = record_return(actor=world.office_a, record=other, reason="补充证据")
    other = record_submit(actor=world.office_a, record=other)
    with pytest.raises(SubmitterMayNotPublish):
        record_publish(actor=world.office_a, record=other)


def test_a_one_person_office_may_be_allowed_to_do_both(world: City, settings: Any) -> None:
    settings.RECORD_ALLOW_SELF_PUBLISH = True
    record = submitted_by(world, world.office_a)

    assert record_publish(actor=world.office_a, record=record).status == RecordStatus.PUBLISHED


def test_the_page_tells_the_submitter_why_and_leaves_the_record_as_it_was(client: Client, world: City) -> None:
    record = submitted_by(world, world.office_a)
    before = written()
    client.force_login(world.office_a)

    response = client.post(f"/staff/records/{record.pk}/publish/", {"confirm": "on"})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="action-error" data-code="submitter_may_not_publish"' in html
    assert MESSAGE in html
    record.refresh_from_db()
    assert record.status == RecordStatus.SUBMITTED
    assert written() == before


def test_the_page_publishes_for_a_colleague(client: Client, world: City) -> None:
    record = submitted_by(world, world.reviewer_a)
    client.force_login(world.office_a)

    assert client.post(f"/staff/records/{record.pk}/publish/", {"confirm": "on"}).status_code == 302
    record.refresh_from_db()
    assert record.status == RecordStatus.PUBLISHED


def test_the_outsider_still_gets_not_found_before_any_four_eyes_question(client: Client, world: City) -> None:
    record = submitted_by(world, world.office_a)
    client.force_login(world.office_b)

    assert client.post(f"/staff/records/{record.pk}/publish/").status_code == 404


def api_for(user: Any) -> APIClient:
    api = APIClient()
    api.force_login(user)
    return api


def test_the_api_answers_403_in_the_error_shape_and_writes_nothing(world: City) -> None:
    record = submitted_by(world, world.office_a)
    before = written()

    response = api_for(world.office_a).post(f"/api/v1/records/{record.pk}/publish/")

    assert response.status_code == 403, response.content
    assert response.json() == {"error": {"code": "submitter_may_not_publish", "message": MESSAGE}}
    record.refresh_from_db()
    assert record.status == RecordStatus.SUBMITTED
    assert written() == before


def test_the_api_publishes_for_a_colleague_and_refuses_the_outsider(world: City) -> None:
    record = submitted_by(world, world.office_a)

    assert api_for(world.office_b).post(f"/api/v1/records/{record.pk}/publish/").status_code == 404
    response = api_for(world.admin).post(f"/api/v1/records/{record.pk}/publish/")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == RecordStatus.PUBLISHED
