"""Objections, complaints and credit repair: every path, its deadlines, its events and its effects on the record."""

import datetime
import re
from typing import Any

import pytest
import time_machine

from kernel.errors import DomainError, NotAllowed
from notices.models import Notification
from outbox.models import PlatformChange
from records.models import DishonestyRecord, MeasureState, RecordStatus
from records.services import measure_mark_wrongful, record_publish, record_submit
from repair.models import (
    CaseEvent,
    Complaint,
    Mitigation,
    Objection,
    ObjectionStatus,
    RepairApplication,
    RepairStatus,
)
from repair.query_codes import query_code_digest
from repair.services import (
    complaint_accept,
    complaint_file,
    complaint_resolve,
    mitigation_grant,
    objection_accept,
    objection_file,
    objection_not_accept,
    objection_reject,
    objection_send_for_verification,
    objection_uphold,
    repair_accept,
    repair_apply,
    repair_grant,
    repair_refuse,
    repair_request_material,
    repair_supply_material,
)
from tests.conftest import City
from tests.factories import make_record

D = datetime.date
TODAY = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=datetime.UTC)  # Monday


@pytest.fixture
def record(world: City) -> DishonestyRecord:
    from workcalendar.services import calendar_year_seed

    calendar_year_seed(year=2026)
    # Published on its day: the events that tests add later must come after it whatever day the suite runs on.
    with time_machine.travel(datetime.datetime(2026, 11, 2, 10, 0, tzinfo=datetime.UTC), tick=False):
        record = make_record(world.clerk_a, world.agency_a, severity="serious", decision_date=D(2026, 6, 1))
        record_submit(actor=world.reviewer_a, record=record)
        return record_publish(actor=world.office_a, record=record, today=D(2026, 11, 2))


def file_objection(record: DishonestyRecord, grounds: str = "wrong") -> tuple[Objection, str]:
    return objection_file(
        record=record,
        grounds=grounds,
        statement="文书号与法院判决不一致。",
        filer_name="王律师",
        filer_contact="13800000000",
        filer_email="filer@example.com",
        commitment_signed=True,
    )


def measure_states(record: DishonestyRecord) -> set[str]:
    return set(record.measures.values_list("state", flat=True))


@time_machine.travel(TODAY, tick=False)
def test_an_objection_suspends_measures_and_a_rejection_resumes_them(world: City, record: DishonestyRecord) -> None:
    objection, code = file_objection(record)
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", code)
    assert objection.query_code_digest == query_code_digest(code)
    assert objection.stage_due_on == D(2026, 11, 4)  # two working days
    assert measure_states(record) == {MeasureState.ACTIVE}
    objection_accept(actor=world.office_a, objection=objection)
    assert measure_states(record) == {MeasureState.SUSPENDED}
    objection_send_for_verification(actor=world.office_a, objection=objection)
    objection.refresh_from_db()
    assert (objection.status, objection.stage_due_on) == (ObjectionStatus.VERIFYING, D(2026, 11, 16))
    objection_reject(actor=world.office_a, objection=objection, reason="经核实，信息准确。")
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.REJECTED and objection.closed_at is not None
    assert measure_states(record) == {MeasureState.ACTIVE}
    assert [e.to_status for e in CaseEvent.objects.filter(objection=objection)] == [
        "filed",
        "checking",
        "verifying",
        "rejected",
    ]
    assert Notification.objects.filter(agency=world.agency_a).exists()


@time_machine.travel(TODAY, tick=False)
def test_an_upheld_objection_corrects_the_record_and_lifts_wrongful_measures(
    world: City, record: DishonestyRecord
) -> None:
    objection, _code = file_objection(record)
    objection_accept(actor=world.office_a, objection=objection)
    criticism = record.measures.get(measure_type__code="public_criticism")
    objection_uphold(
        actor=world.office_a,
        objection=objection,
        outcome="corrected",
        changes={"severity": "general"},
        reason="应为一般失信。",
        wrongful_measures=[criticism],
    )
    record.refresh_from_db()
    criticism.refresh_from_db()
    assert record.status == RecordStatus.CORRECTED and record.severity == "general"
    assert (criticism.state, criticism.wrongful) == (MeasureState.LIFTED, True)
    others = record.measures.exclude(pk=criticism.pk)
    assert set(others.values_list("state", flat=True)) == {MeasureState.ACTIVE}
    assert not others.filter(wrongful=True).exists()
    assert PlatformChange.objects.filter(record=record).last().change_type == "corrected"


@time_machine.travel(TODAY, tick=False)
def test_an_objection_upheld_by_revocation_lifts_every_measure_as_wrongful(
    world: City, record: DishonestyRecord
) -> None:
    objection, _code = file_objection(record, grounds="should_not_disclose")
    objection_accept(actor=world.office_a, objection=objection)
    objection_uphold(actor=world.office_a, objection=objection, outcome="revoked", reason="判决已撤销。")
    record.refresh_from_db()
    assert record.status == RecordStatus.REVOKED
    assert measure_states(record) == {MeasureState.LIFTED}
    assert not record.measures.filter(wrongful=False).exists()
    assert record not in DishonestyRecord.objects.disclosed()


def trail(record: DishonestyRecord) -> dict[int, tuple[int, int]]:
    """Each measure of the record: how many event rows and how many history rows it has."""
    return {m.pk: (m.events.count(), m.history.count()) for m in record.measures.all()}


@time_machine.travel(TODAY, tick=False)
def test_measures_found_wrongful_by_a_correction_each_get_an_event_and_a_history_row(
    world: City, record: DishonestyRecord
) -> None:
    objection, _code = file_objection(record)
    objection_accept(actor=world.office_a, objection=objection)
    criticism = record.measures.get(measure_type__code="public_criticism")
    before = trail(record)
    objection_uphold(
        actor=world.office_a,
        objection=objection,
        outcome="corrected",
        changes={"severity": "general"},
        reason="应为一般失信。",
        wrongful_measures=[criticism],
    )
    events, history = before[criticism.pk]
    assert trail(record)[criticism.pk] == (events + 1, history + 1)
    event = criticism.events.last()
    assert (event.from_state, event.to_state, event.reason, event.actor) == (
        "suspended",
        "lifted",
        "应为一般失信。",
        world.office_a,
    )
    newest = criticism.history.latest()
    assert (newest.state, newest.wrongful) == (MeasureState.LIFTED, True)


@time_machine.travel(TODAY, tick=False)
def test_measures_found_wrongful_by_a_revocation_each_get_an_event_and_a_history_row(
    world: City, record: DishonestyRecord
) -> None:
    objection, _code = file_objection(record, grounds="should_not_disclose")
    objection_accept(actor=world.office_a, objection=objection)
    before = trail(record)
    objection_uphold(actor=world.office_a, objection=objection, outcome="revoked", reason="判决已撤销。")
    after = trail(record)
    assert before and after.keys() == before.keys()
    for measure in record.measures.all():
        events, history = before[measure.pk]
        # Lifted by the revocation, then marked wrongful by the objection's decision: an event row and a history
        # row for each.
        assert after[measure.pk] == (events + 2, history + 2)
        marked = measure.events.last()
        assert (marked.from_state, marked.to_state, marked.reason) == ("lifted", "lifted", "错误实施：判决已撤销。")
        assert measure.history.latest().wrongful is True


def test_a_measure_marked_wrongful_twice_is_marked_once(world: City, record: DishonestyRecord) -> None:
    measure = record.measures.first()
    measure_mark_wrongful(actor=world.office_a, measure=measure, reason="错误适用。")
    once = trail(record)[measure.pk]
    measure_mark_wrongful(actor=world.office_a, measure=measure, reason="错误适用。")
    measure.refresh_from_db()
    assert (measure.state, measure.wrongful) == (MeasureState.LIFTED, True)
    assert trail(record)[measure.pk] == once


def test_only_the_regions_credit_office_marks_a_measure_wrongful(world: City, record: DishonestyRecord) -> None:
    measure = record.measures.first()
    with pytest.raises(NotAllowed):
        measure_mark_wrongful(actor=world.office_b, measure=measure, reason="错误适用。")
    with pytest.raises(DomainError) as caught:
        measure_mark_wrongful(actor=world.office_a, measure=measure, reason=" ")
    assert caught.value.field == "reason"
    measure.refresh_from_db()
    assert (measure.state, measure.wrongful) == (MeasureState.ACTIVE, False)


@time_machine.travel(TODAY, tick=False)
def test_an_objection_not_accepted_keeps_the_measures(world: City, record: DishonestyRecord) -> None:
    objection, _code = file_objection(record)
    with pytest.raises(DomainError):
        objection_not_accept(actor=world.office_a, objection=objection, reason="")
    objection_not_accept(actor=world.office_a, objection=objection, reason="不属于受理范围。")
    assert measure_states(record) == {MeasureState.ACTIVE}


@time_machine.travel(TODAY, tick=False)
def test_two_open_objections_on_the_same_grounds_are_refused(world: City, record: DishonestyRecord) -> None:
    file_objection(record)
    with pytest.raises(DomainError) as caught:
        file_objection(record)
    assert caught.value.field == "grounds"
    file_objection(record, grounds="duplicated")
    assert Objection.objects.filter(record=record).count() == 2


@time_machine.travel(TODAY, tick=False)
def test_objections_need_a_disclosed_record_and_a_signed_commitment(world: City, record: DishonestyRecord) -> None:
    draft = make_record(world.clerk_a, world.agency_a)
    with pytest.raises(DomainError):
        file_objection(draft)
    with pytest.raises(DomainError) as caught:
        objection_file(
            record=record, grounds="wrong", statement="x", filer_name="x", filer_contact="x", commitment_signed=False
        )
    assert caught.value.field == "commitment_signed"
    assert not Objection.objects.exists()


@time_machine.travel(TODAY, tick=False)
def test_only_the_regions_credit_office_handles_an_objection(world: City, record: DishonestyRecord) -> None:
    objection, _code = file_objection(record)
    for user in (world.clerk_a, world.reviewer_a, world.office_b, world.outsider, world.inspector_a):
        with pytest.raises(NotAllowed):
            objection_accept(actor=user, objection=objection)
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.FILED


def test_a_deadline_spanning_the_golden_week_is_counted_in_working_days(world: City, record: DishonestyRecord) -> None:
    with time_machine.travel(datetime.datetime(2026, 9, 30, 10, 0, tzinfo=datetime.UTC), tick=False):
        objection, _code = file_objection(record)
    # Filed Wednesday 30 September: 1–7 October are holidays, so two working days end on Friday 9 October.
    assert objection.stage_due_on == D(2026, 10, 9)
    assert list(Objection.objects.overdue(on=D(2026, 10, 9))) == []
    assert list(Objection.objects.overdue(on=D(2026, 10, 10))) == [objection]


@time_machine.travel(TODAY, tick=False)
def test_a_repair_opens_on_the_earliest_repair_date(world: City) -> None:
    from workcalendar.services import calendar_year_seed

    calendar_year_seed(year=2026)
    record = make_record(world.clerk_a, world.agency_a, severity="general", decision_date=D(2026, 9, 1))
    record_submit(actor=world.reviewer_a, record=record)
    record = record_publish(actor=world.office_a, record=record, today=D(2026, 11, 2))
    assert record.earliest_repair_on == D(2026, 12, 1)
    with pytest.raises(DomainError) as caught:
        repair_apply(
            record=record,
            statement="已履行",
            filer_name="x",
            filer_contact="x",
            commitment_signed=True,
            filed_by=world.office_a,
        )
    assert caught.value.code == "too_early"
    repair_apply(
        record=record,
        statement="已履行",
        filer_name="x",
        filer_contact="x",
        commitment_signed=True,
        filed_by=world.office_a,
        today=D(2026, 12, 1),
    )


def apply_for_repair(world: City, record: DishonestyRecord) -> RepairApplication:
    application, _code = repair_apply(
        record=record,
        statement="已全额支付拖欠款项。",
        filer_name="东城区财政局",
        filer_contact="0571-0000000",
        commitment_signed=True,
        filed_by=world.office_a,
        today=D(2027, 7, 1),
    )
    return application


@time_machine.travel(datetime.datetime(2027, 7, 1, 10, 0, tzinfo=datetime.UTC), tick=False)
def test_granting_repair_takes_the_record_off_disclosure_and_lifts_its_measures(
    world: City, record: DishonestyRecord
) -> None:
    from workcalendar.services import calendar_year_seed

    calendar_year_seed(year=2026)
    _configure_2027()
    application = apply_for_repair(world, record)
    assert record in DishonestyRecord.objects.disclosed()
    repair_accept(actor=world.office_a, application=application)
    repair_grant(actor=world.office_a, application=application, reason="已履行义务并作出信用承诺。")
    application.refresh_from_db()
    record.refresh_from_db()
    assert application.status == RepairStatus.GRANTED and len(application.verification_code) == 16
    assert record.status == RecordStatus.REPAIRED
    assert record not in DishonestyRecord.objects.disclosed()
    assert measure_states(record) == {MeasureState.LIFTED}
    assert record.events.last().kind == "repaired"
    assert PlatformChange.objects.filter(record=record).last().change_type == "repaired"


@time_machine.travel(datetime.datetime(2027, 7, 1, 10, 0, tzinfo=datetime.UTC), tick=False)
def test_material_can_be_requested_once_and_a_refusal_keeps_the_record(world: City, record: DishonestyRecord) -> None:
    _configure_2027()
    application = apply_for_repair(world, record)
    repair_accept(actor=world.office_a, application=application)
    repair_request_material(actor=world.office_a, application=application, request="请补充付款凭证。")
    application.refresh_from_db()
    assert application.status == RepairStatus.MATERIAL_REQUESTED and application.material_due_on is not None
    repair_supply_material(application=application, statement="付款凭证见附件说明。")
    with pytest.raises(DomainError) as caught:
        repair_request_material(actor=world.office_a, application=application, request="再补充")
    assert caught.value.code == "already_requested"
    repair_refuse(actor=world.office_a, application=application, reason="仍未履行全部义务。")
    record.refresh_from_db()
    assert record.status == RecordStatus.PUBLISHED
    assert measure_states(record) == {MeasureState.ACTIVE}


@time_machine.travel(TODAY, tick=False)
def test_a_complaint_is_routed_to_the_credit_office_above_the_agency(world: City, record: DishonestyRecord) -> None:
    complaint, code = complaint_file(
        record=record,
        statement="异议超期未处理。",
        filer_name="王律师",
        filer_contact="13800000000",
        commitment_signed=True,
    )
    assert complaint.handling_agency == world.district_a
    assert Complaint.objects.get(query_code_digest=query_code_digest(code)) == complaint
    with pytest.raises(NotAllowed):
        complaint_accept(actor=world.office_b, complaint=complaint)
    complaint_accept(actor=world.office_a, complaint=complaint)
    complaint_resolve(actor=world.office_a, complaint=complaint, reason="已督促办理。")
    complaint.refresh_from_db()
    assert complaint.status == "resolved"
    assert complaint in Complaint.objects.visible_to(world.office_a)
    assert complaint not in Complaint.objects.visible_to(world.outsider)


@time_machine.travel(TODAY, tick=False)
def test_a_civil_servant_who_made_amends_can_be_exempted(world: City) -> None:
    from workcalendar.services import calendar_year_seed

    calendar_year_seed(year=2026)
    record = make_record(world.clerk_a, world.agency_a, subject_person=world.person_a)
    record_submit(actor=world.reviewer_a, record=record)
    record_publish(actor=world.office_a, record=record, today=D(2026, 11, 2))
    no_honours = record.measures.get(measure_type__code="no_honours")
    with pytest.raises(NotAllowed):
        mitigation_grant(actor=world.clerk_a, measure=no_honours, kind="exempted", reason="主动挽回损失")
    mitigation_grant(actor=world.office_a, measure=no_honours, kind="exempted", reason="主动挽回全部损失")
    no_honours.refresh_from_db()
    assert no_honours.state == MeasureState.LIFTED
    assert Mitigation.objects.get(measure=no_honours).approved_by == world.office_a


def _configure_2027() -> None:
    from workcalendar.models import CalendarYear

    CalendarYear.objects.get_or_create(year=2027, defaults={"source": "测试"})


@time_machine.travel(TODAY, tick=False)
def test_the_public_cannot_apply_to_repair_a_record_kept_off_the_site(world: City) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from workcalendar.services import calendar_year_seed

    calendar_year_seed(year=2026)
    minor = make_record(world.clerk_a, world.agency_a, severity="minor", decision_date=D(2026, 10, 1))
    record_submit(actor=world.reviewer_a, record=minor)
    record_publish(actor=world.office_a, record=minor, today=D(2026, 11, 2))
    proof = SimpleUploadedFile("proof.pdf", b"%PDF-1.4 proof", content_type="application/pdf")
    with pytest.raises(DomainError) as caught:
        repair_apply(
            record=minor,
            statement="已履行",
            filer_name="x",
            filer_contact="x",
            commitment_signed=True,
            attachments=[proof],
        )
    assert caught.value.field == "record"
    assert not RepairApplication.objects.exists()


@time_machine.travel(TODAY, tick=False)
def test_one_bad_attachment_stores_none_of_them(world: City, record: DishonestyRecord, settings: object) -> None:
    from pathlib import Path

    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = str(Path(settings.MEDIA_ROOT) / "attach-test")  # type: ignore[attr-defined]
    good = SimpleUploadedFile("a.pdf", b"%PDF-1.4 good", content_type="application/pdf")
    bad = SimpleUploadedFile("b.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    with pytest.raises(DomainError) as caught:
        objection_file(
            record=record,
            grounds="wrong",
            statement="x",
            filer_name="x",
            filer_contact="x",
            commitment_signed=True,
            attachments=[good, bad],
        )
    assert caught.value.field == "attachments"
    assert not Objection.objects.exists()
    stored = Path(settings.MEDIA_ROOT) / "cases"  # type: ignore[attr-defined]
    assert not stored.exists() or not any(stored.rglob("*.pdf"))


@time_machine.travel(TODAY, tick=False)
def test_the_platform_hears_when_a_record_goes_under_objection_and_back(world: City, record: DishonestyRecord) -> None:
    objection, _code = file_objection(record)
    objection_accept(actor=world.office_a, objection=objection)
    opened = PlatformChange.objects.filter(record=record).last()
    assert (opened.change_type, opened.payload["yybz"]) == ("objection_opened", "1")
    objection_send_for_verification(actor=world.office_a, objection=objection)
    objection_reject(actor=world.office_a, objection=objection, reason="经核实无误。")
    closed = PlatformChange.objects.filter(record=record).last()
    assert (closed.change_type, closed.payload["yybz"]) == ("objection_closed", "0")
    assert closed.version == opened.version + 1


# Notices in their reader's words -----------------------------------------------------------------------------------


@time_machine.travel(TODAY, tick=False)
def test_staff_and_filer_each_read_the_step_in_their_own_words(
    world: City, record: DishonestyRecord, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    import notices.services

    mails: list[tuple[str, list[str]]] = []
    monkeypatch.setattr(
        notices.services.send_notice_email,
        "delay",
        lambda subject, body, recipients: mails.append((subject, recipients)),
    )
    objection, _code = file_objection(record)

    with django_capture_on_commit_callbacks(execute=True):
        objection_accept(actor=world.office_a, objection=objection)
        objection_reject(actor=world.office_a, objection=objection, reason="经核实，信息准确。")

    staff = list(Notification.objects.filter(agency=world.agency_a).order_by("pk").values_list("subject", flat=True))
    assert len(staff) == 3  # filed, accepted, rejected
    for subject in staff:
        assert record.document_number in subject
        assert "您的" not in subject and "Your" not in subject
    assert [subject for subject, _to in mails] == ["您的异议已受理", "您的异议不成立"]
    assert all(to == ["filer@example.com"] for _subject, to in mails)
    # The filer's words go to the filer only: no staff notice speaks to "you" about "your objection".
    assert not Notification.objects.filter(subject__startswith="您的").exists()
