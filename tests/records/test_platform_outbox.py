"""Every change the platform must see is queued in the same transaction as the change (transactional outbox)."""

import datetime

import pytest

from outbox.models import PlatformChange
from records.models import RecordStatus
from records.services import (
    record_correct,
    record_publish,
    record_repair,
    record_revoke,
    record_submit,
    records_expire_due,
)
from tests.conftest import City
from tests.factories import make_record

D = datetime.date


@pytest.fixture
def calendar(db: None) -> None:
    from workcalendar.services import calendar_year_seed

    calendar_year_seed(year=2026)


def changes(record: object) -> list[tuple[str, int]]:
    return list(PlatformChange.objects.filter(record=record).values_list("change_type", "version"))


def test_each_disclosure_change_queues_the_record_as_it_then_stood(world: City, calendar: None) -> None:
    record = make_record(world.clerk_a, world.agency_a, document_number="东财罚〔2026〕8号")
    record_submit(actor=world.reviewer_a, record=record)
    assert changes(record) == []  # drafts and submissions are internal
    record_publish(actor=world.office_a, record=record, today=D(2026, 11, 2))
    record_correct(actor=world.office_a, record=record, changes={"facts": "更正后的事实。"}, reason="笔误")
    record_revoke(actor=world.office_a, record=record, reason="撤销")
    assert changes(record) == [("published", 2), ("corrected", 3), ("revoked", 4)]
    published, corrected, _revoked = PlatformChange.objects.filter(record=record)
    assert published.payload["cf_sy"] == "拖欠中小企业货款逾期未支付。"
    assert corrected.payload["cf_sy"] == "更正后的事实。"
    assert corrected.payload["cf_wsh"] == "东财罚〔2026〕8号"
    assert corrected.payload["cf_xdr_shxym"] == world.agency_a.uscc
    assert corrected.payload["cf_gsjzq"] == "2027-06-01"


def test_expiry_and_repair_are_queued_too(world: City, calendar: None) -> None:
    first = make_record(world.clerk_a, world.agency_a, decision_date=D(2026, 6, 1))
    second = make_record(world.clerk_a, world.agency_a, decision_date=D(2026, 6, 2))
    for record in (first, second):
        record_submit(actor=world.reviewer_a, record=record)
        record_publish(actor=world.office_a, record=record, today=D(2026, 11, 2))
    record_repair(actor=world.office_a, record=second, reason="已履行")
    records_expire_due(on=D(2027, 6, 2))  # the day after the last day shown
    assert changes(first)[-1] == ("expired", 3)
    assert changes(second)[-1] == ("repaired", 3)
    second.refresh_from_db()
    assert second.status == RecordStatus.REPAIRED


def test_a_person_record_reaches_the_platform_without_personal_data(world: City, calendar: None) -> None:
    record = make_record(world.clerk_a, world.agency_a, subject_person=world.person_a)
    record_submit(actor=world.reviewer_a, record=record)
    record_publish(actor=world.office_a, record=record, today=D(2026, 11, 2))
    payload = PlatformChange.objects.get(record=record).payload
    text = str(payload)
    assert "张伟" not in text and "33010219850312148X" not in text and "148X" not in text
    assert payload["cf_xdr_mc"] == world.agency_a.name
    assert "张某" in payload["bz"]


def test_a_failed_transition_queues_nothing(world: City, calendar: None) -> None:
    from kernel.errors import DomainError

    record = make_record(world.clerk_a, world.agency_a)
    with pytest.raises(DomainError):
        record_publish(actor=world.office_a, record=record, today=D(2026, 11, 2))  # still a draft
    assert changes(record) == []
