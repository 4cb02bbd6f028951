"""Warnings before and after a commitment's due date, and the candidate record of a breach (docs/domain.md §6, §3)."""

import datetime

import pytest
import time_machine

from commitments.models import CommitmentEvent, CommitmentStatus, CommitmentWarning
from commitments.services import (
    commitment_decide,
    commitment_report_progress,
    commitment_warning_queue,
    commitment_warnings_raise,
)
from kernel.errors import DomainError, NotAllowed
from notices.models import Notification
from outbox.models import PlatformChange
from records.models import DishonestyRecord, RecordEvent, RecordStatus
from records.services import record_publish, record_submit
from records.services.candidates import record_candidate_dismiss, record_candidate_explain
from tests.conftest import City
from tests.factories import published_commitment

D = datetime.date
pytestmark = pytest.mark.django_db


def at(day: datetime.date) -> time_machine.travel:
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(6, 30), tzinfo=datetime.UTC), tick=False)


@pytest.fixture
def calendar(db: None) -> None:
    from workcalendar.services import calendar_year_seed

    calendar_year_seed(year=2026)  # 2027 is computed provisionally


def kinds(commitment: object) -> list[str]:
    return sorted(CommitmentWarning.objects.filter(commitment=commitment).values_list("kind", flat=True))


def test_warnings_come_once_each_as_the_due_date_nears_and_passes(world: City, calendar: None) -> None:
    with at(D(2026, 11, 2)):
        commitment = published_commitment(world, due_on=D(2026, 12, 20), year=2026)
        assert commitment_warnings_raise().raised == 0
    with at(D(2026, 11, 25)):
        first = commitment_warnings_raise()
        again = commitment_warnings_raise()
    assert (first.raised, again.raised) == (1, 0)
    assert kinds(commitment) == ["due_30"]
    notices = Notification.objects.filter(subject="30天内到期")
    assert {n.agency_id for n in notices} == {world.agency_a.pk, world.district_a.pk}
    with at(D(2026, 12, 15)):
        commitment_warnings_raise()
    with at(D(2026, 12, 21)):
        commitment_warnings_raise()
        commitment_warnings_raise()
    assert kinds(commitment) == ["due_30", "due_7", "overdue"]
    assert Notification.objects.count() == 6  # three warnings, each to the agency and its credit office


def test_no_progress_for_ninety_days_suggests_stalled_and_a_report_answers_it(world: City, calendar: None) -> None:
    with at(D(2026, 3, 2)):
        commitment = published_commitment(world, due_on=D(2027, 6, 30), year=2027)
        commitment_report_progress(
            actor=world.clerk_a, commitment=commitment, reported_on=D(2026, 3, 2), percent=10, narrative="已启动"
        )
    with at(D(2026, 6, 15)):
        commitment_warnings_raise()
        assert kinds(commitment) == ["no_progress"]
        assert [w.kind for w in commitment_warning_queue(world.office_a)] == ["no_progress"]
        assert list(commitment_warning_queue(world.outsider)) == []
        commitment_report_progress(
            actor=world.clerk_a, commitment=commitment, reported_on=D(2026, 6, 15), percent=30, narrative="已过半"
        )
        assert list(commitment_warning_queue(world.office_a)) == []


def test_deciding_broken_proposes_a_candidate_record_never_published(world: City, calendar: None) -> None:
    with at(D(2026, 11, 2)):
        commitment = published_commitment(world, responsible_person=world.person_a)
        commitment = commitment_decide(
            actor=world.office_a, commitment=commitment, outcome="broken", reason="逾期未兑现，企业投诉属实"
        )
    assert commitment.status == CommitmentStatus.BROKEN
    record = DishonestyRecord.objects.get()
    assert (record.status, record.source, record.subject_agency_id) == (
        "candidate",
        "broken_commitment",
        world.agency_a.pk,
    )
    assert record.origin == commitment and commitment.breach_record_id == record.pk
    assert [r.person_id for r in record.responsibilities.all()] == [world.person_a.pk]
    assert record.deciding_agency_id == world.district_a.pk
    assert not DishonestyRecord.objects.disclosed().exists()
    assert not PlatformChange.objects.filter(kind="record").exists()
    assert CommitmentEvent.objects.filter(commitment=commitment, kind="breach_proposed").exists()
    assert Notification.objects.filter(agency=world.agency_a, link__contains=f"/{record.pk}/").exists()


def test_the_candidate_round_trip_explained_submitted_and_published_by_the_office(world: City, calendar: None) -> None:
    with at(D(2026, 11, 2)):
        commitment = published_commitment(world)
        commitment_decide(actor=world.office_a, commitment=commitment, outcome="broken", reason="逾期未兑现")
        record = DishonestyRecord.objects.get()
        with pytest.raises(DomainError) as unexplained:
            record_submit(actor=world.reviewer_a, record=record)
        assert unexplained.value.field == "explanation"
        with pytest.raises(NotAllowed):
            record_candidate_explain(actor=world.outsider, record=record, explanation="与我无关")
        record = record_candidate_explain(
            actor=world.clerk_a, record=record, explanation="因资金拨付延迟未能按期完成。"
        )
        record = record_submit(actor=world.reviewer_a, record=record)
        record = record_publish(actor=world.office_a, record=record)
    assert record.status == RecordStatus.PUBLISHED
    assert [e.kind for e in RecordEvent.objects.filter(record=record)] == [
        "proposed",
        "explained",
        "submitted",
        "published",
    ]


def test_the_credit_office_dismisses_a_candidate_with_a_reason(world: City, calendar: None) -> None:
    with at(D(2026, 11, 2)):
        commitment = published_commitment(world)
        commitment_decide(actor=world.office_a, commitment=commitment, outcome="broken", reason="逾期未兑现")
        record = DishonestyRecord.objects.get()
        with pytest.raises(NotAllowed):
            record_candidate_dismiss(actor=world.office_b, record=record, reason="x")
        with pytest.raises(DomainError):
            record_candidate_dismiss(actor=world.office_a, record=record, reason=" ")
        record = record_candidate_dismiss(actor=world.office_a, record=record, reason="系不可抗力所致，不予认定")
    assert record.status == RecordStatus.DISMISSED
    assert RecordEvent.objects.filter(record=record).last().kind == "dismissed"  # type: ignore[union-attr]


def test_an_entered_record_cannot_be_dismissed(world: City, calendar: None) -> None:
    from tests.factories import make_record

    record = make_record(world.clerk_a, world.agency_a)
    record = record_submit(actor=world.reviewer_a, record=record)
    with pytest.raises(DomainError):
        record_candidate_dismiss(actor=world.office_a, record=record, reason="不成立")
    record.refresh_from_db()
    assert record.status == RecordStatus.SUBMITTED


def test_long_overdue_proposes_one_candidate_after_the_working_days_even_if_the_job_runs_twice(
    world: City, calendar: None, settings: object
) -> None:
    settings.COMMITMENT_BREACH_AFTER_WORKING_DAYS = 5  # type: ignore[attr-defined]
    with at(D(2026, 11, 2)):
        commitment = published_commitment(world, due_on=D(2026, 11, 20), year=2026)
    with at(D(2026, 11, 23)):  # a Monday: overdue since the 21st
        commitment_warnings_raise()
    with at(D(2026, 11, 27)):  # four working days later: not yet
        assert commitment_warnings_raise().breaches == 0
    with at(D(2026, 11, 30)):  # five
        assert commitment_warnings_raise().breaches == 1
        assert commitment_warnings_raise().breaches == 0
    record = DishonestyRecord.objects.get()
    assert record.status == RecordStatus.CANDIDATE and record.origin == commitment
    assert record.created_by.username == "system" and not record.created_by.is_active
    assert RecordEvent.objects.get(record=record).actor is None


def test_a_decided_commitment_leaves_the_warning_queue(world: City, calendar: None) -> None:
    with at(D(2026, 11, 2)):
        commitment = published_commitment(world, due_on=D(2026, 11, 20), year=2026)
    with at(D(2026, 11, 25)):
        commitment_warnings_raise()
        assert len(commitment_warning_queue(world.office_a)) == 1
        commitment_decide(actor=world.office_a, commitment=commitment, outcome="kept", reason="已于11月19日完成")
        assert list(commitment_warning_queue(world.office_a)) == []
