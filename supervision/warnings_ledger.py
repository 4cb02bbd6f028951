"""Warnings of the inspections and the work ledger, as plain dicts for the dashboards (which register them): the
rectification items and the units' ledger tasks due within `within_days` or already overdue, soonest first.

    {"kind": "rectification" | "ledger", "unit": name, "unit_id": id, "what": text, "due": date, "overdue": bool,
     "url": the staff page}

`agency_ids` limits them to those units (None: every unit); the caller scopes. Two queries whatever the number.
"""

import datetime
from collections.abc import Sequence
from typing import Any

from django.urls import reverse
from django.utils import timezone

from supervision.models.inspections import RectificationItem, RectificationStatus
from supervision.models.ledger import LedgerAssignment, LedgerStatus

WITHIN_DAYS = 14


def supervision_warnings(
    agency_ids: Sequence[int] | None = None,
    on: datetime.date | None = None,
    within_days: int = WITHIN_DAYS,
    limit: int = 200,
) -> list[dict[str, Any]]:
    on = on or timezone.localdate()
    horizon = on + datetime.timedelta(days=within_days)
    items = RectificationItem.objects.filter(
        status__in=[RectificationStatus.OPEN, RectificationStatus.RETURNED], due_on__lte=horizon
    ).select_related("agency")
    tasks = LedgerAssignment.objects.filter(
        status__in=[LedgerStatus.NOT_STARTED, LedgerStatus.IN_PROGRESS, LedgerStatus.OVERDUE],
        task__due_on__isnull=False,
        task__due_on__lte=horizon,
    ).select_related("agency", "task")
    if agency_ids is not None:
        items = items.filter(agency_id__in=list(agency_ids))
        tasks = tasks.filter(agency_id__in=list(agency_ids))
    found: list[dict[str, Any]] = [
        {
            "kind": "rectification",
            "unit": item.agency.name,
            "unit_id": item.agency_id,
            "what": item.text[:120],
            "due": item.due_on,
            "overdue": item.due_on < on,
            "url": reverse("supervision:rectification_detail", args=[item.pk]),
        }
        for item in items.order_by("due_on", "pk")[:limit]
    ]
    found += [
        {
            "kind": "ledger",
            "unit": row.agency.name,
            "unit_id": row.agency_id,
            "what": f"#{row.task.number} {row.task.content[:110]}",
            "due": row.task.due_on,
            "overdue": row.task.due_on is not None and row.task.due_on < on,
            "url": reverse("supervision:ledger_task_detail", args=[row.task_id]),
        }
        for row in tasks.order_by("task__due_on", "pk")[:limit]
    ]
    found.sort(key=lambda warning: (warning["due"], warning["kind"], warning["unit"]))
    return found[:limit]
