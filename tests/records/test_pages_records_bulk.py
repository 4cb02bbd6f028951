"""Bulk submit and publish from the staff record list: tick rows, one action, a result per row, each row through the
same service as its own button, nothing outside the user's scope touched."""

import datetime
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from outbox.models import PlatformChange
from records.models import AppliedMeasure, DishonestyRecord, RecordEvent, RecordStatus
from records.services import record_request_review, record_submit
from tests.conftest import City
from tests.factories import make_record

NOW = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
BULK = "/staff/records/bulk/"


@pytest.fixture(autouse=True)
def _frozen_time() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def calendar(db: None) -> None:
    from workcalendar.services import calendar_year_seed

    calendar_year_seed(year=2026)


def outcomes(response: object) -> dict[int, str]:
    return {row.pk: row.outcome for row in response.context["rows"]}  # type: ignore[attr-defined]


def statuses(*records: DishonestyRecord) -> list[str]:
    return [DishonestyRecord.objects.get(pk=record.pk).status for record in records]


def test_the_list_offers_the_reviewer_ticks_and_a_bulk_submit(client: Client, world: City) -> None:
    record = make_record(world.clerk_a, world.agency_a)
    client.force_login(world.reviewer_a)

    html = client.get("/staff/records/").content.decode()

    assert f'name="ids" value="{record.pk}" form="bulk-form"' in html
    assert '<option value="submit">' in html
    assert '<option value="publish">' not in html


def test_the_clerk_is_offered_no_bulk_action_and_may_not_post_one(client: Client, world: City) -> None:
    record = make_record(world.clerk_a, world.agency_a)
    client.force_login(world.clerk_a)

    html = client.get("/staff/records/").content.decode()
    response = client.post(BULK, {"action": "submit", "ids": [record.pk]})

    assert 'id="bulk-form"' not in html
    assert response.status_code == 403
    assert statuses(record) == [RecordStatus.DRAFT]


def test_the_reviewer_submits_several_records_and_reads_a_result_for_each(client: Client, world: City) -> None:
    draft = make_record(world.clerk_a, world.agency_a)
    sent = record_request_review(actor=world.clerk_a, record=make_record(world.clerk_a, world.agency_a))
    already = record_submit(actor=world.reviewer_a, record=make_record(world.clerk_a, world.agency_a))
    client.force_login(world.reviewer_a)

    response = client.post(BULK, {"action": "submit", "ids": [draft.pk, sent.pk, already.pk]})

    assert response.status_code == 200
    assert outcomes(response) == {draft.pk: "done", sent.pk: "done", already.pk: "refused"}
    assert statuses(draft, sent, already) == [RecordStatus.SUBMITTED] * 3
    # Each went through the service: its own event row, by the reviewer.
    assert RecordEvent.objects.filter(kind="submitted", actor=world.reviewer_a).count() == 3
    html = response.content.decode()
    assert 'id="bulk-summary" data-done="2" data-total="3"' in html
    assert f'data-record-id="{already.pk}" data-outcome="refused"' in html


def test_records_outside_the_scope_are_not_found_and_untouched(client: Client, world: City) -> None:
    mine = make_record(world.clerk_a, world.agency_a)
    theirs = make_record(world.outsider, world.agency_b)
    client.force_login(world.reviewer_a)

    response = client.post(BULK, {"action": "submit", "ids": [mine.pk, theirs.pk, 999999]})

    assert outcomes(response) == {mine.pk: "done", theirs.pk: "not_found", 999999: "not_found"}
    assert statuses(theirs) == [RecordStatus.DRAFT]
    assert theirs.subject_name not in response.content.decode()


def test_bulk_publishing_shows_what_will_happen_and_publishes_nothing_yet(client: Client, world: City) -> None:
    first = record_submit(actor=world.reviewer_a, record=make_record(world.clerk_a, world.agency_a))
    draft = make_record(world.clerk_a, world.agency_a)
    client.force_login(world.office_a)

    response = client.post(BULK, {"action": "publish", "ids": [first.pk, draft.pk]})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="bulk-confirm-form"' in html
    assert "2026-06-01" in html and "2027-06-01" in html  # the first record's disclosure window
    assert outcomes(response) == {first.pk: "", draft.pk: "refused"}
    assert statuses(first, draft) == [RecordStatus.SUBMITTED, RecordStatus.DRAFT]
    assert not PlatformChange.objects.exists()


def test_bulk_publishing_needs_the_box_ticked(client: Client, world: City) -> None:
    first = record_submit(actor=world.reviewer_a, record=make_record(world.clerk_a, world.agency_a))
    client.force_login(world.office_a)

    response = client.post(BULK, {"action": "publish", "ids": [first.pk], "step": "confirm"})

    assert response.status_code == 400
    assert 'id="id_confirm_error"' in response.content.decode()
    assert statuses(first) == [RecordStatus.SUBMITTED]


def test_the_office_publishes_the_ticked_records_after_confirming(client: Client, world: City) -> None:
    first = record_submit(actor=world.reviewer_a, record=make_record(world.clerk_a, world.agency_a))
    second = record_submit(
        actor=world.reviewer_a, record=make_record(world.clerk_a, world.unit_a, source_agency=world.agency_a)
    )
    draft = make_record(world.clerk_a, world.agency_a)
    client.force_login(world.office_a)

    response = client.post(
        BULK, {"action": "publish", "ids": [first.pk, second.pk, draft.pk], "step": "confirm", "confirm": "on"}
    )

    assert outcomes(response) == {first.pk: "done", second.pk: "done", draft.pk: "refused"}
    assert statuses(first, second, draft) == [RecordStatus.PUBLISHED, RecordStatus.PUBLISHED, RecordStatus.DRAFT]
    assert AppliedMeasure.objects.filter(record__in=[first, second]).exists()
    assert set(PlatformChange.objects.values_list("record_id", flat=True)) == {first.pk, second.pk}


def test_another_districts_office_publishes_nothing_of_district_a(client: Client, world: City) -> None:
    record = record_submit(actor=world.reviewer_a, record=make_record(world.clerk_a, world.agency_a))
    client.force_login(world.office_b)

    response = client.post(BULK, {"action": "publish", "ids": [record.pk], "step": "confirm", "confirm": "on"})

    assert outcomes(response) == {record.pk: "not_found"}
    assert statuses(record) == [RecordStatus.SUBMITTED]


@pytest.mark.parametrize(
    "data",
    [{"action": "submit"}, {"action": "submit", "ids": ["x"]}, {"action": "destroy", "ids": ["1"]}],
    ids=["nothing ticked", "unreadable id", "unknown action"],
)
def test_a_bad_bulk_request_is_a_clear_400(client: Client, world: City, data: dict[str, object]) -> None:
    record = make_record(world.clerk_a, world.agency_a)
    client.force_login(world.reviewer_a)

    response = client.post(BULK, data)

    assert response.status_code == 400
    assert 'id="bulk-errors"' in response.content.decode()
    assert statuses(record) == [RecordStatus.DRAFT]


def test_at_most_a_hundred_records_at_a_time(client: Client, world: City) -> None:
    client.force_login(world.reviewer_a)

    response = client.post(BULK, {"action": "submit", "ids": [str(n) for n in range(1, 102)]})

    assert response.status_code == 400
    assert "100" in response.content.decode()
