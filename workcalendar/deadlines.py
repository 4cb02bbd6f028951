"""Working-day deadlines kept on business rows, and their recomputation once a provisional year is configured.

A model that keeps a deadline names its four columns with a `DeadlineFields` (due date, start, working days, the
provisional flag) and registers, from its app's `ready()`, which of its rows are still open. When an administrator
configures a year (workcalendar.services), every open deadline computed provisionally is counted again on the new
calendar. The calendar sits below the apps that keep deadlines: they register here, it never imports them.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _

from workcalendar.workdays import Deadline, working_day_deadline


@dataclass(frozen=True)
class DeadlineFields:
    due: str
    start: str
    working_days: str
    provisional: str

    def values(self, deadline: Deadline | None) -> dict[str, Any]:
        """The columns for `deadline`, to create a row with."""
        return {
            self.due: deadline.due if deadline else None,
            self.start: deadline.start if deadline else None,
            self.working_days: deadline.working_days if deadline else None,
            self.provisional: bool(deadline and deadline.provisional),
        }

    def assign(self, row: models.Model, deadline: Deadline | None) -> list[str]:
        """Writes `deadline` (or clears it) on `row`; returns the fields to save."""
        values = self.values(deadline)
        for name, value in values.items():
            setattr(row, name, value)
        return list(values)


@dataclass(frozen=True)
class OpenDeadlines:
    model: type[models.Model]
    fields: DeadlineFields
    # The rows whose deadline still matters (an open case, an unanswered rectification).
    open: Q


_REGISTERED: list[OpenDeadlines] = []


def open_deadlines_register(model: type[models.Model], fields: DeadlineFields, *, open: Q) -> None:
    entry = OpenDeadlines(model=model, fields=fields, open=open)
    if entry not in _REGISTERED:
        _REGISTERED.append(entry)


def registered_open_deadlines() -> Iterator[OpenDeadlines]:
    yield from _REGISTERED


def deadline_recount(row: models.Model, fields: DeadlineFields) -> list[str]:
    """Counts a provisional deadline again on today's calendar. Never earlier than before: the filer, the office or
    the agency was already shown the old date and may have planned on it."""
    start = getattr(row, fields.start)
    working_days = getattr(row, fields.working_days)
    shown = getattr(row, fields.due)
    if start is None or working_days is None or shown is None:
        return []
    counted = working_day_deadline(start, working_days)
    setattr(row, fields.due, max(shown, counted.due))
    setattr(row, fields.provisional, counted.provisional)
    return [fields.due, fields.provisional]


def due_text(due: Any, provisional: bool) -> str:
    """A deadline in a sentence (a notice, an e-mail): its date, marked when it was counted provisionally."""
    if due is None:
        return ""
    text = due.isoformat()
    return _("%(date)s (provisional)") % {"date": text} if provisional else text
