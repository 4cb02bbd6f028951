"""Inspections: the rectification workflow (submit, return, submit again, accept; refuse), the deadline job (a notice
once, on a fixed clock), the candidate record a person proposes, the evaluation source and the warnings."""

import datetime

import pytest

from kernel.errors import DomainError, NotAllowed
from kernel.sources import source
from notices.models import Notification
from records.models import RecordStatus
from supervision.models import RectificationEvent, RectificationItem
from supervision.models.inspections import RectificationStatus as S
from supervision.services.inspections import (
    FindingInput,
    inspection_create,
    item_propose_record,
    item_refuse,
    item_submit,
    item_verify,
    rectification_overdue_run,
    result_set,
)
from supervision.warnings_ledger import supervision_warnings
from tests.supervision.inspections_support import DUE, TODAY, D, at, evidence, inspection_input, make_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(world):
    with at(TODAY):
        yield make_item(world)


def test_submit_return_submit_accept_with_every_event(world, item):
    with at(D(2026, 11, 10)):
        item = item_submit(actor=world.clerk_a, item=item, report="已在门户网站公开。", files=[evidence()])
        assert item.status == S.SUBMITTED and item.submitted_on == D(2026, 11, 10) and item.evidence.count() == 1
        item = item_verify(actor=world.office_a, item=item, accepted=False, reason="缺少更新机制文件。")
        assert item.status == S.RETURNED
        item = item_submit(actor=world.clerk_a, item=item, report="已印发更新机制。", files=[])
        item = item_verify(actor=world.office_a, item=item, accepted=True)
    assert item.status == S.ACCEPTED and item.accepted_on == D(2026, 11, 10)
    kinds = list(RectificationEvent.objects.filter(item=item).values_list("kind", flat=True))
    assert kinds == ["created", "submitted", "returned", "submitted", "accepted"]
    # Done on time: the evaluation source counts it good.
    fetched = source("supervision.rectification_on_time").fetch(D(2026, 1, 1), D(2026, 12, 31), None)
    assert fetched[world.agency_a.pk].total == 1 and fetched[world.agency_a.pk].good == 1


def test_the_steps_are_refused_out_of_turn_and_by_the_wrong_side(world, item):
    with at(TODAY):
        with pytest.raises(DomainError) as early:
            item_verify(actor=world.office_a, item=item, accepted=True)
        assert "待整改" in str(early.value.message)
        with pytest.raises(NotAllowed):
            item_submit(actor=world.outsider, item=item, report="x", files=[])
        with pytest.raises(NotAllowed):
            item_verify(actor=world.clerk_a, item=item, accepted=True)
        with pytest.raises(DomainError) as empty:
            item_submit(actor=world.clerk_a, item=item, report=" ", files=[])
        assert empty.value.field_errors() == {"report": ["请填写整改报告。"]}
        with pytest.raises(DomainError) as no_reason:
            item_refuse(actor=world.office_a, item=item, reason="")
        assert no_reason.value.field == "reason"
    assert RectificationItem.objects.get(pk=item.pk).status == S.OPEN


def test_the_deadline_job_tells_once_and_a_person_proposes_the_candidate(world, item):
    with at(DUE):
        assert rectification_overdue_run().notified == 0  # due today: not late yet
    before = Notification.objects.count()
    with at(DUE + datetime.timedelta(days=1)):
        first = rectification_overdue_run()
        again = rectification_overdue_run()
        assert (first.overdue, first.notified) == (1, 1) and (again.overdue, again.notified) == (1, 0)
        assert Notification.objects.count() == before + 2  # the unit and the credit office, once
        warnings = supervision_warnings([world.agency_a.pk])
        assert warnings[0]["kind"] == "rectification" and warnings[0]["overdue"] is True
        assert warnings[0]["url"] == f"/staff/supervision/inspections/items/{item.pk}/"
        # Nothing is proposed by the job: a person decides.
        assert RectificationItem.objects.get(pk=item.pk).candidate_record_id is None
        with pytest.raises(DomainError):
            item_propose_record(actor=world.office_a, item=item, reason="")
        record = item_propose_record(actor=world.office_a, item=item, reason="逾期未整改。")
        assert record.status == RecordStatus.CANDIDATE and record.subject_agency == world.agency_a
        assert item_propose_record(actor=world.office_a, item=RectificationItem.objects.get(pk=item.pk), reason="再次")
    item = RectificationItem.objects.get(pk=item.pk)
    assert item.candidate_record == record
    assert list(item.events.values_list("kind", flat=True)) == ["created", "overdue", "candidate"]
    fetched = source("supervision.rectification_on_time").fetch(D(2026, 1, 1), D(2026, 12, 31), [world.agency_a.pk])
    assert fetched[world.agency_a.pk].good == 0


def test_a_refused_item_may_be_proposed_before_its_deadline(world, item):
    with at(TODAY):
        with pytest.raises(DomainError) as not_yet:
            item_propose_record(actor=world.office_a, item=item, reason="拒不整改。")
        assert not_yet.value.code == "not_proposable"
        item = item_refuse(actor=world.office_a, item=item, reason="单位书面表示不予整改。")
        record = item_propose_record(actor=world.office_a, item=item, reason="拒不整改。")
    assert record.status == RecordStatus.CANDIDATE


def test_bad_inspection_input_names_every_field_and_writes_nothing(world):
    with at(TODAY), pytest.raises(DomainError) as refused:
        inspection_create(
            actor=world.office_a,
            data=inspection_input(world, kind="", year=1999, title=" ", inspecting_body="", ends_on=D(2026, 10, 1)),
        )
    errors = refused.value.field_errors()
    assert set(errors) == {"kind", "year", "title", "inspecting_body", "ends_on"}
    assert errors["ends_on"] == ["最后一天不能早于第一天。"]
    with at(TODAY), pytest.raises(DomainError) as outside:
        inspection_create(actor=world.office_b, data=inspection_input(world))
    assert "region" in outside.value.field_errors()


def test_a_finding_outside_the_region_and_results(world, item):
    inspection = item.finding.inspection
    from supervision.services.inspections import finding_add

    with at(TODAY):
        with pytest.raises(DomainError) as refused:
            finding_add(
                actor=world.office_a,
                inspection=inspection,
                data=FindingInput(agency=world.agency_b, text="", severity="", item_text="x"),
            )
        assert set(refused.value.field_errors()) == {"agency", "text", "severity", "item_due_on"}
        with pytest.raises(DomainError) as no_result:
            result_set(actor=world.office_a, inspection=inspection, agency=world.agency_a, score=None, grade="")
        assert no_result.value.field == "score"
        result = result_set(actor=world.office_a, inspection=inspection, agency=world.agency_a, score=92, grade="良好")
        again = result_set(actor=world.office_a, inspection=inspection, agency=world.agency_a, score=95, grade="优秀")
    assert result.pk == again.pk and again.grade == "优秀"
