"""Moving a row from one state to another, the same way for every state machine.

A state machine is a table: for each action, the states it may start from and the state it reaches. `transition`
makes one move in full, in one transaction: the row is read again under a lock, the action is checked against the
table (a move the current state does not allow raises the one domain error and writes nothing), the new state and
any other values are saved with `update_fields`, the caller's event row is written (who, when, from, to, why), and
side effects are scheduled for after the commit.

Two people pressing the same button at once: the second waits for the first one's lock, reads the state the first
left behind and is refused, whatever the object it holds in memory says.
"""

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise

from kernel.errors import DomainError

# The DomainError code of a move the row's current state does not allow; the API answers it with 409 Conflict.
ILLEGAL_TRANSITION = "illegal_transition"

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Move:
    """One line of a table: `action` takes a row in one of `sources` to `target`."""

    action: str
    sources: frozenset[str]
    target: str


@dataclass(frozen=True)
class Step:
    """One move as it happened, for the event row: who, when, from, to, why."""

    action: str
    from_state: str
    to_state: str
    actor: Any
    reason: str
    at: datetime.datetime


class StateMachine(Generic[M]):
    """The allowed moves of one model's state field.

    `moves` maps each action to (the states it may start from, the state it reaches). `refusal` words the error for
    a move the row's state does not allow; it is given the row, in its current state, and the move refused.
    """

    def __init__(
        self,
        *,
        field: str,
        moves: Mapping[str, tuple[Iterable[str], str]],
        refusal: Callable[[M, Move], str | Promise],
    ) -> None:
        self.field = field
        self.moves = {action: Move(action, frozenset(sources), target) for action, (sources, target) in moves.items()}
        self.refusal = refusal

    def move(self, action: str) -> Move:
        return self.moves[action]

    def allows(self, state: str, action: str) -> bool:
        return state in self.moves[action].sources

    def targets_from(self, state: str) -> frozenset[str]:
        """Every state a row in `state` may move to."""
        return frozenset(move.target for move in self.moves.values() if state in move.sources)

    def action_to(self, target: str) -> str:
        """The one action that reaches `target`, for callers that name the state rather than the action."""
        (action,) = (move.action for move in self.moves.values() if move.target == target)
        return action

    def check(self, row: M, action: str) -> Move:
        """The move `action` makes from the row's current state; DomainError if the table does not allow it."""
        move = self.moves[action]
        if getattr(row, self.field) not in move.sources:
            raise DomainError(self.refusal(row, move), code=ILLEGAL_TRANSITION)
        return move


def transition(
    row: M,
    machine: StateMachine[M],
    action: str,
    *,
    actor: Any,
    event: Callable[[M, Step], object],
    reason: str = "",
    fields: Mapping[str, Any] | None = None,
    prepare: Callable[[M], Mapping[str, Any]] | None = None,
    on_commit: Iterable[Callable[[], object]] = (),
    queryset: QuerySet[M] | None = None,
    locked: bool = False,
) -> M:
    """Moves `row` by `action` and returns it as saved: a fresh instance read under the lock (from `queryset`, for
    its select_related, when given), or `row` itself when `locked`.

    `fields` are further values saved with the new state. `prepare` is given the locked row once the table allows
    the move; it may refuse for reasons of its own (raising DomainError) and returns more values to save. The row's
    auto_now timestamps are saved with them. `event` writes the event row from the Step; each of `on_commit` runs
    once the transaction has committed.

    `locked`: the caller read `row` with select_for_update in the transaction it is in (a batch of rows locked at
    once), so it is not read again.
    """
    if locked and not transaction.get_connection().in_atomic_block:
        raise RuntimeError("A row passed as locked must have been read with select_for_update in this transaction.")
    with transaction.atomic():
        if not locked:
            rows = queryset if queryset is not None else type(row)._default_manager.all()
            # Read again under the lock: the state the caller saw may be stale by now.
            row = rows.select_for_update().get(pk=row.pk)
        move = machine.check(row, action)
        from_state = getattr(row, machine.field)
        values = {**(fields or {}), **(prepare(row) if prepare is not None else {})}
        values[machine.field] = move.target
        for name, value in values.items():
            setattr(row, name, value)
        stamps = [f.name for f in row._meta.concrete_fields if getattr(f, "auto_now", False) and f.name not in values]
        row.save(update_fields=[*values, *stamps])
        event(
            row,
            Step(
                action=action,
                from_state=from_state,
                to_state=move.target,
                actor=actor,
                reason=reason,
                at=timezone.now(),
            ),
        )
        for effect in on_commit:
            transaction.on_commit(effect, robust=True)
    return row
