"""The one transition helper (kernel.transitions): a table of allowed moves; lock, check, save, one event row, side
effects after commit. Exercised here on a small table of its own over a record's status."""

from collections.abc import Callable, Mapping
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from kernel.errors import DomainError
from kernel.errors import DomainError as RecordsDomainError
from kernel.transitions import Move, StateMachine, Step, transition
from records.models import DishonestyRecord, RecordEvent, RecordEventKind, RecordStatus
from tests.conftest import City
from tests.factories import make_record

S = RecordStatus
TABLE = StateMachine[DishonestyRecord](
    field="status",
    moves={
        "send": ({S.DRAFT, S.RETURNED}, S.AWAITING_REVIEW),
        "send_back": ({S.AWAITING_REVIEW}, S.RETURNED),
    },
    refusal=lambda record, move: f"A {record.status} record cannot be {move.action}.",
)
KINDS = {"send": RecordEventKind.REVIEW_REQUESTED, "send_back": RecordEventKind.RETURNED}
CaptureOnCommit = Callable[..., Any]


def write_event(record: DishonestyRecord, step: Step) -> RecordEvent:
    return RecordEvent.objects.create(
        record=record,
        kind=KINDS[step.action],
        from_status=step.from_state,
        to_status=step.to_state,
        reason=step.reason,
        actor=step.actor,
        at=step.at,
    )


def moves_of(record: DishonestyRecord) -> list[tuple[str, str, str, str]]:
    """The record's event rows other than its creation: kind, from, to, why."""
    return [(e.kind, e.from_status, e.to_status, e.reason) for e in record.events.exclude(kind=RecordEventKind.CREATED)]


@pytest.fixture
def draft(world: City) -> DishonestyRecord:
    return make_record(world.clerk_a, world.agency_a)


def test_it_refuses_a_move_the_table_does_not_allow_with_the_domain_error_and_writes_nothing(
    world: City, draft: DishonestyRecord, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    prepared: list[int] = []

    def prepare(record: DishonestyRecord) -> Mapping[str, Any]:
        prepared.append(record.pk)
        return {}

    with django_capture_on_commit_callbacks() as effects, pytest.raises(DomainError) as refused:
        transition(
            draft,
            TABLE,
            "send_back",
            actor=world.reviewer_a,
            reason="补充材料",
            fields={"categories": "不应保存"},
            prepare=prepare,
            event=write_event,
            on_commit=[lambda: None],
        )

    assert (refused.value.code, str(refused.value.message)) == (
        "illegal_transition",
        "A draft record cannot be send_back.",
    )
    assert isinstance(refused.value, RecordsDomainError)  # the records app's imports name the same class
    draft.refresh_from_db()
    assert (draft.status, draft.categories) == (S.DRAFT, "")
    assert moves_of(draft) == []
    assert (prepared, effects) == ([], [])


def test_a_legal_move_saves_the_state_and_its_fields_and_writes_exactly_one_event_row(
    world: City, draft: DishonestyRecord, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    before = draft.updated_at
    told: list[str] = []

    with django_capture_on_commit_callbacks(execute=True):
        moved = transition(
            draft,
            TABLE,
            "send",
            actor=world.clerk_a,
            reason="请审核",
            fields={"categories": "合同违约"},
            prepare=lambda record: {"social_impact": f"第{record.version}版"},
            event=write_event,
            on_commit=[lambda: told.append("after commit")],
        )

    stored = DishonestyRecord.objects.get(pk=draft.pk)
    assert (stored.status, stored.categories, stored.social_impact) == (S.AWAITING_REVIEW, "合同违约", "第1版")
    assert stored.updated_at > before  # the auto_now stamp is saved with the move
    assert moved.status == S.AWAITING_REVIEW
    assert moves_of(draft) == [("review_requested", "draft", "awaiting_review", "请审核")]
    assert draft.events.get(kind="review_requested").actor == world.clerk_a
    assert told == ["after commit"]


def test_a_check_of_the_callers_own_refuses_after_the_table_allowed_and_nothing_is_written(
    world: City, draft: DishonestyRecord
) -> None:
    def prepare(record: DishonestyRecord) -> Mapping[str, Any]:
        raise DomainError("Not today.", code="not_today")

    with pytest.raises(DomainError) as refused:
        transition(draft, TABLE, "send", actor=world.clerk_a, prepare=prepare, event=write_event)

    assert refused.value.code == "not_today"
    draft.refresh_from_db()
    assert draft.status == S.DRAFT and moves_of(draft) == []


def test_a_stale_object_is_read_again_under_the_lock(world: City, draft: DishonestyRecord) -> None:
    stale = DishonestyRecord.objects.get(pk=draft.pk)
    transition(draft, TABLE, "send", actor=world.clerk_a, event=write_event)  # someone else moved it meanwhile
    assert stale.status == S.DRAFT

    with pytest.raises(DomainError):  # the stale object says draft; the row says awaiting review
        transition(stale, TABLE, "send", actor=world.clerk_a, event=write_event)
    with CaptureQueriesContext(connection) as queries:
        moved = transition(stale, TABLE, "send_back", actor=world.reviewer_a, reason="退回", event=write_event)

    assert moved.status == S.RETURNED and stale.status == S.DRAFT  # a fresh instance comes back
    assert any("FOR UPDATE" in query["sql"] for query in queries.captured_queries)
    assert [(kind, old, new) for kind, old, new, _why in moves_of(draft)] == [
        ("review_requested", "draft", "awaiting_review"),
        ("returned", "awaiting_review", "returned"),
    ]


def test_rows_a_batch_locked_are_moved_without_being_read_again(world: City, draft: DishonestyRecord) -> None:
    other = make_record(world.clerk_a, world.agency_a)
    with transaction.atomic():
        batch = list(DishonestyRecord.objects.filter(pk__in=[draft.pk, other.pk]).select_for_update().order_by("pk"))
        with CaptureQueriesContext(connection) as queries:
            for record in batch:
                transition(record, TABLE, "send", actor=None, event=write_event, locked=True)

    assert not any(query["sql"].startswith("SELECT") for query in queries.captured_queries)
    assert set(DishonestyRecord.objects.filter(pk__in=[draft.pk, other.pk]).values_list("status", flat=True)) == {
        S.AWAITING_REVIEW
    }
    assert len(moves_of(draft)) == len(moves_of(other)) == 1


def test_a_row_said_to_be_locked_outside_a_transaction_is_refused() -> None:
    # No database here, so no transaction: no lock can have outlived the query that took it.
    with pytest.raises(RuntimeError):
        transition(DishonestyRecord(status=S.DRAFT), TABLE, "send", actor=None, event=write_event, locked=True)


def test_the_table_answers_what_a_state_allows() -> None:
    assert TABLE.allows(S.RETURNED, "send") and not TABLE.allows(S.AWAITING_REVIEW, "send")
    assert TABLE.targets_from(S.AWAITING_REVIEW) == {S.RETURNED}
    assert TABLE.action_to(S.RETURNED) == "send_back"
    assert TABLE.move("send") == Move("send", frozenset({S.DRAFT, S.RETURNED}), S.AWAITING_REVIEW)


def test_every_state_machine_of_the_product_is_a_table_of_the_helper() -> None:
    from records.services.dishonesty import TRANSITIONS
    from records.services.measures import MEASURE_MOVES
    from repair.services import complaints, objections, repairs

    machines = [TRANSITIONS, MEASURE_MOVES, objections.MOVES, complaints.MOVES, repairs.MOVES]
    assert all(isinstance(machine, StateMachine) for machine in machines)
    assert TRANSITIONS.move("expire").sources == {S.PUBLISHED, S.CORRECTED}
