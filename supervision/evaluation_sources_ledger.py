"""Evaluation sources of the inspections and the work ledger (kernel/sources.py), registered from
SupervisionConfig.ready:

- `supervision.rectification_on_time` (RATE): a unit's rectification items due in the period; good = accepted, with
  the report handed in by the deadline.
- `supervision.ledger_tasks_done` (RATE): a unit's ledger tasks of the period's years (a dated task counts in the
  period of its deadline, a continuous one in every period of its year); good = done (by the deadline if it has one).

Each answers every unit at once in one aggregate query; the services call kernel.sources.unit_changed when what these
count changes.
"""

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kernel.sources import RATE, Item, Measure, Source, source_register
from supervision.models.inspections import RectificationItem, RectificationStatus
from supervision.models.ledger import LedgerAssignment, LedgerStatus

ON_TIME = Q(status=RectificationStatus.ACCEPTED, submitted_on__isnull=False, submitted_on__lte=F("due_on"))
DONE = Q(status=LedgerStatus.DONE) & (
    Q(task__due_on__isnull=True) | Q(done_on__isnull=False, done_on__lte=F("task__due_on"))
)


def _items_in(start: datetime.date, end: datetime.date) -> QuerySet[RectificationItem]:
    return RectificationItem.objects.filter(due_on__gte=start, due_on__lte=end)


def _tasks_in(start: datetime.date, end: datetime.date) -> QuerySet[LedgerAssignment]:
    dated = Q(task__due_on__gte=start, task__due_on__lte=end)
    continuous = Q(task__due_on__isnull=True, task__year__gte=start.year, task__year__lte=end.year)
    return LedgerAssignment.objects.filter(dated | continuous)


def _measures(rows: QuerySet[Any], good: Q) -> dict[int, Measure]:
    counted = rows.values("agency_id").annotate(total=Count("pk"), good=Count("pk", filter=good))
    return {row["agency_id"]: Measure(total=row["total"], good=row["good"]) for row in counted}


def rectification_fetch(
    start: datetime.date, end: datetime.date, agency_ids: Sequence[int] | None
) -> Mapping[int, Measure]:
    rows = _items_in(start, end)
    if agency_ids is not None:
        rows = rows.filter(agency_id__in=list(agency_ids))
    return _measures(rows, ON_TIME)


def rectification_items(agency_id: int, start: datetime.date, end: datetime.date) -> Sequence[Item]:
    rows = _items_in(start, end).filter(agency_id=agency_id).annotate(good=Count("pk", filter=ON_TIME))
    return [
        Item(
            label=item.text[:80],
            url=reverse("supervision:rectification_detail", args=[item.pk]),
            good=bool(item.good),
            on=item.due_on,
        )
        for item in rows.order_by("due_on", "pk")
    ]


def ledger_fetch(start: datetime.date, end: datetime.date, agency_ids: Sequence[int] | None) -> Mapping[int, Measure]:
    rows = _tasks_in(start, end)
    if agency_ids is not None:
        rows = rows.filter(agency_id__in=list(agency_ids))
    return _measures(rows, DONE)


def ledger_items(agency_id: int, start: datetime.date, end: datetime.date) -> Sequence[Item]:
    rows = (
        _tasks_in(start, end)
        .filter(agency_id=agency_id)
        .select_related("task")
        .annotate(good=Count("pk", filter=DONE))
        .order_by("task__year", "task__number")
    )
    return [
        Item(
            label=f"{row.task.year} #{row.task.number} {row.task.content[:60]}",
            url=reverse("supervision:ledger_task_detail", args=[row.task_id]),
            good=bool(row.good),
            on=row.task.due_on,
        )
        for row in rows
    ]


RECTIFICATION_SOURCE = Source(
    code="supervision.rectification_on_time",
    label=_("Inspection rectifications done on time"),
    kind=RATE,
    fetch=rectification_fetch,
    items=rectification_items,
    description=_("Rectification items due in the period; good: accepted, with the report handed in by the deadline."),
)
LEDGER_SOURCE = Source(
    code="supervision.ledger_tasks_done",
    label=_("Work ledger tasks done"),
    kind=RATE,
    fetch=ledger_fetch,
    items=ledger_items,
    description=_("The unit's ledger tasks of the period; good: done (by the deadline when the task has one)."),
)


def tasks_fetch(start: datetime.date, end: datetime.date, ids: Sequence[int] | None) -> Mapping[int, Measure]:
    """Inspection rectifications and ledger tasks together: what the higher government checks (seed 004's annex)."""
    both: dict[int, Measure] = {}
    for part in (rectification_fetch(start, end, ids), ledger_fetch(start, end, ids)):
        for unit, measure in part.items():
            known = both.get(unit, Measure())
            both[unit] = Measure(total=known.total + measure.total, good=known.good + measure.good)
    return both


def tasks_items(agency_id: int, start: datetime.date, end: datetime.date) -> list[Item]:
    return [*rectification_items(agency_id, start, end), *ledger_items(agency_id, start, end)]


TASKS_SOURCE = Source(
    code="supervision.tasks_done",
    label=_("Inspection rectifications and ledger tasks done"),
    kind=RATE,
    fetch=tasks_fetch,
    items=tasks_items,
    description=_("Rectification items due and ledger tasks of the period together; good: done on time."),
)


def register() -> None:
    source_register(RECTIFICATION_SOURCE)
    source_register(LEDGER_SOURCE)
    source_register(TASKS_SOURCE)
