"""The work ledger's statuses: a unit sets in progress or done with a note and evidence, several tasks at once (all
or none), the deadline job marks the late ones overdue once, the results, the evaluation source and the warnings."""

import pytest

from kernel.errors import DomainError, NotAllowed
from kernel.sources import source
from supervision.models import LedgerAssignment, LedgerEvent, LedgerTask
from supervision.models.ledger import LedgerStatus as S
from supervision.models.ledger import ScheduleKind
from supervision.services.ledger import (
    TaskInput,
    ledger_overdue_run,
    result_set,
    schedule_read,
    status_bulk_set,
    status_set,
    task_create,
)
from supervision.warnings_ledger import supervision_warnings
from tests.supervision.inspections_support import TODAY, D, at, evidence, lead_of, make_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(world):
    with at(TODAY):
        yield make_task(world)


def test_schedules_are_read_as_the_ledger_words_them():
    assert schedule_read("持续实施") == (ScheduleKind.CONTINUOUS, None)
    assert schedule_read("2017年底完成并逐年实施") == (ScheduleKind.DATED, D(2017, 12, 31))
    assert schedule_read("2018年1月底前完成") == (ScheduleKind.DATED, D(2018, 1, 31))
    assert schedule_read("2018-06-30") == (ScheduleKind.DATED, D(2018, 6, 30))
    assert schedule_read("2018年13月底前完成") is None and schedule_read("尽快") is None


def test_the_unit_moves_its_task_with_note_and_evidence(world, task):
    row = lead_of(task)
    assert row.agency == world.agency_a and task.assignments.get(role="participant").agency == world.unit_a
    with at(D(2026, 11, 20)):
        row = status_set(actor=world.clerk_a, assignment=row, status=S.IN_PROGRESS, note="已起草制度。")
        with pytest.raises(DomainError) as bare:
            status_set(actor=world.clerk_a, assignment=row, status=S.DONE)
        assert bare.value.field_errors() == {"note": ["任务完成须填写说明或上传佐证材料。"]}
        row = status_set(actor=world.clerk_a, assignment=row, status=S.DONE, files=[evidence()])
        with pytest.raises(NotAllowed):
            status_set(actor=world.outsider, assignment=row, status=S.IN_PROGRESS)
    assert row.status == S.DONE and row.done_on == D(2026, 11, 20) and row.evidence.count() == 1
    kinds = list(LedgerEvent.objects.filter(assignment=row).values_list("kind", "to_status"))
    assert kinds == [("imported", "not_started"), ("status", "in_progress"), ("status", "done"), ("evidence", "done")]
    measures = source("supervision.ledger_tasks_done").fetch(D(2026, 1, 1), D(2026, 12, 31), None)
    assert (measures[world.agency_a.pk].total, measures[world.agency_a.pk].good) == (1, 1)
    assert (measures[world.unit_a.pk].total, measures[world.unit_a.pk].good) == (1, 0)


def test_the_deadline_job_marks_overdue_once_and_a_unit_may_still_finish(world, task):
    with at(D(2026, 11, 30)):
        assert ledger_overdue_run().marked == 0
        assert supervision_warnings()[0]["overdue"] is False
    with at(D(2026, 12, 1)):
        assert ledger_overdue_run().marked == 2
        assert ledger_overdue_run().marked == 0
        row = status_set(actor=world.clerk_a, assignment=lead_of(task), status=S.DONE, note="已补办。")
    assert row.status == S.DONE
    assert LedgerAssignment.objects.get(agency=world.unit_a).status == S.OVERDUE
    # Done after the deadline is not done on time.
    measures = source("supervision.ledger_tasks_done").fetch(D(2026, 1, 1), D(2026, 12, 31), [world.agency_a.pk])
    assert measures[world.agency_a.pk].good == 0


def test_bulk_update_is_all_or_nothing(world):
    with at(TODAY):
        tasks = [make_task(world, number=n, schedule="持续实施") for n in (1, 2, 3)]
        rows = [lead_of(t) for t in tasks]
        status_set(actor=world.clerk_a, assignment=rows[0], status=S.DONE, note="完成。")
        status_bulk_set(
            actor=world.clerk_a, agency=world.agency_a, assignment_ids=[rows[1].pk], status=S.DONE, note="x"
        )
        with pytest.raises(DomainError) as refused:
            status_bulk_set(
                actor=world.clerk_a, agency=world.agency_a, assignment_ids=[r.pk for r in rows], status="overdue"
            )
        assert refused.value.field_errors() == {"status": ["请选择“推进中”或“已完成”。"]}
        count = status_bulk_set(
            actor=world.clerk_a, agency=world.agency_a, assignment_ids=[r.pk for r in rows], status=S.IN_PROGRESS
        )
        with pytest.raises(DomainError):
            status_bulk_set(actor=world.clerk_a, agency=world.agency_a, assignment_ids=[], status=S.DONE)
        with pytest.raises(NotAllowed):
            status_bulk_set(actor=world.outsider, agency=world.agency_a, assignment_ids=[rows[2].pk], status=S.DONE)
        other = lead_of(make_task(world, number=4))
        with pytest.raises(DomainError) as foreign:
            status_bulk_set(
                actor=world.clerk_a,
                agency=world.agency_a,
                assignment_ids=[rows[2].pk, other.pk + 1000],
                status=S.IN_PROGRESS,
            )
        assert "assignments" in foreign.value.field_errors()
    assert count == 3
    assert set(LedgerAssignment.objects.filter(pk__in=[r.pk for r in rows]).values_list("status", flat=True)) == {
        S.IN_PROGRESS
    }


def test_results_and_bad_task_input(world, task):
    with at(TODAY):
        with pytest.raises(NotAllowed):
            result_set(actor=world.clerk_a, assignment=lead_of(task), mid_year_result="合格", year_end_result="")
        with pytest.raises(DomainError):
            result_set(actor=world.office_a, assignment=lead_of(task), mid_year_result="", year_end_result="")
        row = result_set(actor=world.office_a, assignment=lead_of(task), mid_year_result="合格", year_end_result="")
        assert LedgerAssignment.objects.get(pk=row.pk).mid_year_result == "合格"
        with pytest.raises(DomainError) as refused:
            task_create(
                actor=world.office_a,
                region=world.district_a,
                year=2026,
                data=TaskInput(
                    number=1,
                    group="",
                    content="",
                    responsibility="区不存在局牵头",
                    schedule_text="尽快",
                    check_plan="",
                ),
            )
    errors = refused.value.field_errors()
    assert set(errors) == {"number", "group", "content", "responsibility", "schedule_text", "check_plan"}
    assert "区不存在局" in errors["responsibility"][0]
    assert LedgerTask.objects.count() == 1
