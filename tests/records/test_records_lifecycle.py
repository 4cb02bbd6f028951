"""draft → submitted → published → corrected / revoked → expired, each step with its event row and its refusals."""

import datetime
import threading

import pytest
from django.db import connection

from kernel.errors import DomainError, NotAllowed
from records.models import (
    AppliedMeasure,
    DishonestyRecord,
    MeasureState,
    RecordEvent,
    RecordStatus,
    Rectification,
    ResponsibilityKind,
)
from records.services import (
    record_correct,
    record_publish,
    record_return,
    record_revoke,
    record_submit,
    record_update,
    records_expire_due,
)
from subjects.models import AnnualAssessment
from subjects.services import assessment_record
from tests.conftest import City
from tests.factories import make_person, make_record, record_input

D = datetime.date


@pytest.fixture
def calendar(db: None) -> None:
    from workcalendar.services import calendar_year_seed

    calendar_year_seed(year=2026)


def events(record: DishonestyRecord) -> list[tuple[str, str, str]]:
    return [(e.kind, e.from_status, e.to_status) for e in RecordEvent.objects.filter(record=record)]


def published(world: City, **overrides: object) -> DishonestyRecord:
    record = make_record(world.clerk_a, world.agency_a, **overrides)
    record_submit(actor=world.reviewer_a, record=record)
    return record_publish(actor=world.office_a, record=record, today=D(2026, 11, 2))


def test_a_clerk_drafts_with_a_computed_window_and_a_created_event(world: City) -> None:
    record = make_record(world.clerk_a, world.agency_a, decision_date=D(2026, 6, 1), severity="general")
    assert record.status == RecordStatus.DRAFT
    assert (record.earliest_repair_on, record.disclosure_ends_on) == (D(2026, 9, 1), D(2027, 6, 1))
    assert record.subject_name == "东城区财政局"
    assert events(record) == [("created", "", "draft")]


def test_the_principal_responsible_person_is_held_liable_automatically(world: City) -> None:
    chief = make_person(world.agency_a, "刘局长", is_principal=True)
    record = make_record(world.clerk_a, world.agency_a)
    assert [(r.person, r.kind) for r in record.responsibilities.all()] == [(chief, ResponsibilityKind.PRINCIPAL)]


def test_the_whole_happy_path_writes_one_event_per_step(world: City, calendar: None) -> None:
    record = make_record(world.clerk_a, world.agency_a)
    record_submit(actor=world.reviewer_a, record=record)
    record_publish(actor=world.office_a, record=record, today=D(2026, 11, 2))
    record_correct(actor=world.office_a, record=record, changes={"facts": "更正后的事实。"}, reason="文书笔误")
    record_revoke(actor=world.office_a, record=record, reason="判决被撤销")
    record.refresh_from_db()
    assert record.status == RecordStatus.REVOKED
    assert events(record) == [
        ("created", "", "draft"),
        ("submitted", "draft", "submitted"),
        ("published", "submitted", "published"),
        ("corrected", "published", "corrected"),
        ("revoked", "corrected", "revoked"),
    ]
    corrected = RecordEvent.objects.get(record=record, kind="corrected")
    assert corrected.changes == {"facts": ["拖欠中小企业货款逾期未支付。", "更正后的事实。"]}
    assert corrected.actor == world.office_a and corrected.reason == "文书笔误"
    assert record.version == 4  # created 1, published, corrected, revoked


def test_a_returned_record_is_edited_and_submitted_again(world: City) -> None:
    record = make_record(world.clerk_a, world.agency_a)
    record_submit(actor=world.reviewer_a, record=record)
    with pytest.raises(DomainError) as caught:
        record_return(actor=world.office_a, record=record, reason=" ")
    assert caught.value.field == "reason"
    record_return(actor=world.office_a, record=record, reason="缺少文书号附件")
    data = record_input(world.agency_a, document_number=record.document_number, facts="补充后的事实。")
    record_update(actor=world.clerk_a, record=record, data=data)
    record_submit(actor=world.reviewer_a, record=record)
    record.refresh_from_db()
    assert (record.status, record.facts) == (RecordStatus.SUBMITTED, "补充后的事实。")
    assert RecordEvent.objects.get(record=record, kind="returned").reason == "缺少文书号附件"


@pytest.mark.parametrize(
    ("persona", "action"),
    [
        ("clerk_a", "submit"),  # a clerk enters; the reviewer submits
        ("outsider", "submit"),
        ("reviewer_a", "publish"),
        ("sector_a", "publish"),
        ("inspector_a", "publish"),
        ("office_b", "publish"),  # another district's credit office
        ("clerk_a", "revoke"),
    ],
)
def test_the_wrong_role_or_region_is_refused(world: City, calendar: None, persona: str, action: str) -> None:
    record = make_record(world.clerk_a, world.agency_a)
    if action != "submit":
        record_submit(actor=world.reviewer_a, record=record)
    if action == "revoke":
        record_publish(actor=world.office_a, record=record, today=D(2026, 11, 2))
    before = record.status if action == "submit" else DishonestyRecord.objects.get(pk=record.pk).status
    user = getattr(world, persona)
    with pytest.raises(NotAllowed):
        if action == "submit":
            record_submit(actor=user, record=record)
        elif action == "publish":
            record_publish(actor=user, record=record)
        else:
            record_revoke(actor=user, record=record, reason="x")
    assert DishonestyRecord.objects.get(pk=record.pk).status == before


@pytest.mark.parametrize(
    ("status", "move"),
    [
        ("draft", "publish"),
        ("draft", "revoke"),
        ("submitted", "submit"),
        ("published", "publish"),
        ("published", "edit"),
        ("revoked", "correct"),
    ],
)
def test_illegal_moves_are_refused_and_change_nothing(world: City, calendar: None, status: str, move: str) -> None:
    record = make_record(world.clerk_a, world.agency_a)
    if status != "draft":
        record_submit(actor=world.reviewer_a, record=record)
    if status in {"published", "revoked"}:
        record_publish(actor=world.office_a, record=record, today=D(2026, 11, 2))
    if status == "revoked":
        record_revoke(actor=world.office_a, record=record, reason="撤销")
    event_count = RecordEvent.objects.filter(record=record).count()
    with pytest.raises(DomainError) as caught:
        if move == "publish":
            record_publish(actor=world.office_a, record=record, today=D(2026, 11, 2))
        elif move == "revoke":
            record_revoke(actor=world.office_a, record=record, reason="x")
        elif move == "submit":
            record_submit(actor=world.reviewer_a, record=record)
        elif move == "edit":
            record_update(actor=world.clerk_a, record=record, data=record_input(world.agency_a))
        else:
            record_correct(actor=world.office_a, record=record, changes={"facts": "x"}, reason="x")
    assert caught.value.code == "illegal_transition"
    assert DishonestyRecord.objects.get(pk=record.pk).status == status
    assert RecordEvent.objects.filter(record=record).count() == event_count


def test_a_document_number_is_unique_per_deciding_body(world: City) -> None:
    first = make_record(world.clerk_a, world.agency_a, document_number="东法执〔2026〕1号")
    with pytest.raises(DomainError) as caught:
        make_record(world.clerk_a, world.agency_a, document_number="东法执〔2026〕1号")
    assert caught.value.field == "document_number"
    # Another body may use the same number.
    make_record(world.clerk_a, world.agency_a, document_number="东法执〔2026〕1号", deciding_agency=world.district_a)
    assert DishonestyRecord.objects.filter(document_number="东法执〔2026〕1号").count() == 2
    assert first.pk


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"decision_date": D(2099, 1, 1)}, "decision_date"),  # in the future whenever the suite runs
        ({"deciding_body_uscc": "11100000000013127E"}, "deciding_body_uscc"),
        ({"facts": "  "}, "facts"),
        ({"severity": "fatal"}, "severity"),
        ({"decision_date": D(1999, 1, 1)}, "decision_date"),
    ],
)
def test_bad_input_names_its_field_and_writes_nothing(world: City, override: dict[str, object], field: str) -> None:
    with pytest.raises(DomainError) as caught:
        make_record(world.clerk_a, world.agency_a, **override)
    assert caught.value.field == field
    assert not DishonestyRecord.objects.exists()


def test_a_clerk_cannot_enter_records_for_another_agency(world: City) -> None:
    with pytest.raises(NotAllowed):
        make_record(world.outsider, world.agency_a)
    with pytest.raises(NotAllowed):
        make_record(world.clerk_a, world.agency_b)


def test_correcting_the_tier_recomputes_the_window(world: City, calendar: None) -> None:
    record = published(world, decision_date=D(2026, 6, 1), severity="general")
    record_correct(actor=world.office_a, record=record, changes={"severity": "serious"}, reason="定性错误")
    record.refresh_from_db()
    assert (record.earliest_repair_on, record.disclosure_ends_on) == (D(2027, 6, 1), D(2029, 6, 1))
    with pytest.raises(DomainError) as caught:
        record_correct(actor=world.office_a, record=record, changes={"subject_agency": world.agency_b}, reason="x")
    assert caught.value.field == "subject_agency"


def test_a_record_whose_window_closed_cannot_be_published(world: City) -> None:
    record = make_record(world.clerk_a, world.agency_a, decision_date=D(2024, 1, 10))
    record_submit(actor=world.reviewer_a, record=record)
    with pytest.raises(DomainError) as caught:
        record_publish(actor=world.office_a, record=record, today=D(2027, 2, 1))
    assert caught.value.code == "window_closed"


def test_expiry_closes_the_window_once_and_catches_up(world: City, calendar: None) -> None:
    due = published(world, decision_date=D(2026, 6, 1))  # ends 2027-06-01
    later = published(world, decision_date=D(2026, 7, 1))  # ends 2027-07-01
    assert records_expire_due(on=D(2027, 5, 31)) == 0
    # The job did not run for weeks: the first run after downtime expires both; the second does nothing.
    assert records_expire_due(on=D(2027, 7, 15)) == 2
    assert records_expire_due(on=D(2027, 7, 15)) == 0
    for record in (due, later):
        record.refresh_from_db()
        assert record.status == RecordStatus.EXPIRED
        assert RecordEvent.objects.filter(record=record, kind="expired").count() == 1
    assert not AppliedMeasure.objects.filter(state=MeasureState.ACTIVE).exists()
    assert AppliedMeasure.objects.filter(state=MeasureState.COMPLETED).exists()


def test_a_record_is_public_on_its_last_day_and_gone_the_next_even_before_the_job_runs(
    world: City, calendar: None
) -> None:
    record = published(world, decision_date=D(2026, 6, 1))
    assert record.disclosed_until == D(2027, 6, 1)  # a year from 1 June 2026 ends on 1 June 2027 (Civil Code art. 202)
    assert record in DishonestyRecord.objects.disclosed(on=D(2027, 5, 31))
    assert record in DishonestyRecord.objects.disclosed(on=D(2027, 6, 1))
    assert record not in DishonestyRecord.objects.disclosed(on=D(2027, 6, 2))
    assert (record.is_disclosed_on(D(2027, 6, 1)), record.is_disclosed_on(D(2027, 6, 2))) == (True, False)


def test_the_expiry_job_leaves_a_record_on_its_last_day_and_expires_it_the_day_after(
    world: City, calendar: None
) -> None:
    record = published(world, decision_date=D(2026, 6, 1))

    assert records_expire_due(on=D(2027, 6, 1)) == 0
    record.refresh_from_db()
    assert record.status == RecordStatus.PUBLISHED
    assert records_expire_due(on=D(2027, 6, 2)) == 1
    record.refresh_from_db()
    assert record.status == RecordStatus.EXPIRED
    assert record.events.get(kind="expired").reason == "公示期已于2027-06-01届满。"


def test_a_minor_record_is_never_public(world: City, calendar: None) -> None:
    record = published(world, severity="minor", decision_date=D(2026, 10, 1))
    assert record.status == RecordStatus.PUBLISHED
    assert record not in DishonestyRecord.objects.disclosed(on=D(2026, 11, 2))


# serialized_rollback: a transactional test starts from the migrations' seed data (disclosure rules, measures).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_credit_officers_publishing_at_once_cannot_both_win(world: City) -> None:
    from workcalendar.services import calendar_year_seed

    calendar_year_seed(year=2026)
    record = make_record(world.clerk_a, world.agency_a)
    record_submit(actor=world.reviewer_a, record=record)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def press(action: str) -> None:
        try:
            barrier.wait()
            if action == "publish":
                record_publish(actor=world.office_a, record=record, today=D(2026, 11, 2))
            else:
                record_return(actor=world.office_a, record=record, reason="退回")
            outcomes.append("won")
        except DomainError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=press, args=(a,)) for a in ("publish", "return")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "won"]
    assert RecordEvent.objects.filter(record=record, kind__in=["published", "returned"]).count() == 1


def test_publishing_applies_the_measures_of_the_tier_and_a_rectification_deadline(world: City, calendar: None) -> None:
    chief = make_person(world.agency_a, "刘局长", is_principal=True)
    record = published(world, severity="serious", decision_date=D(2026, 10, 9))
    codes = sorted(m.measure_type.code for m in record.measures.all())
    assert codes == sorted(
        [
            "written_explanation",
            "rectification",
            "performance_assessment",
            "honours_ineligible",
            "public_criticism",
            "principal_liability",
        ]
    )
    liability = record.measures.get(measure_type__code="principal_liability")
    assert liability.target_person == chief
    assert all(m.state == MeasureState.ACTIVE and m.starts_on == D(2026, 11, 2) for m in record.measures.all())
    rectification = Rectification.objects.get(measure__record=record)
    # 20 working days from Monday 2 November 2026: no holidays in between.
    assert rectification.deadline == D(2026, 11, 30)
    assert not rectification.is_overdue_on(D(2026, 11, 30))
    assert rectification.is_overdue_on(D(2026, 12, 1))
    assert list(Rectification.objects.overdue(on=D(2026, 12, 1))) == [rectification]


def test_a_person_record_applies_the_personal_measures(world: City, calendar: None) -> None:
    record = published(world, subject_person=world.person_a, severity="general")
    assert sorted(m.measure_type.code for m in record.measures.all()) == [
        "credit_review",
        "no_excellent_rating",
        "no_honours",
    ]
    assert {m.target_person for m in record.measures.all()} == {world.person_a}
    assert record.subject_name == "张伟"


def test_revoking_lifts_every_open_measure(world: City, calendar: None) -> None:
    record = published(world, severity="serious")
    record_revoke(actor=world.office_a, record=record, reason="判决被撤销")
    assert set(record.measures.values_list("state", flat=True)) == {MeasureState.LIFTED}


def test_a_civil_servant_with_a_record_that_year_cannot_be_rated_excellent(world: City, calendar: None) -> None:
    published(world, subject_person=world.person_a, decision_date=D(2026, 3, 5))
    with pytest.raises(DomainError) as caught:
        assessment_record(actor=world.clerk_a, person=world.person_a, year=2026, result="excellent")
    assert caught.value.code == "excellent_blocked"
    assessment_record(actor=world.clerk_a, person=world.person_a, year=2025, result="excellent")
    assessment_record(actor=world.clerk_a, person=world.person_a, year=2026, result="competent")
    assert AnnualAssessment.objects.filter(person=world.person_a).count() == 2


def test_a_draft_record_does_not_block_an_excellent_rating(world: City) -> None:
    make_record(world.clerk_a, world.agency_a, subject_person=world.person_a, decision_date=D(2026, 3, 5))
    assessment_record(actor=world.clerk_a, person=world.person_a, year=2026, result="excellent")


def test_a_measure_change_counts_as_a_change_of_its_record(world: City, calendar: None) -> None:
    from records.services import measure_set_state

    record = published(world, severity="serious")
    before = DishonestyRecord.objects.get(pk=record.pk).updated_at
    measure = record.measures.first()
    assert measure is not None
    measure_set_state(actor=world.office_a, measure=measure, to_state=MeasureState.SUSPENDED, reason="复核中")
    assert DishonestyRecord.objects.get(pk=record.pk).updated_at > before
