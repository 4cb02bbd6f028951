"""Supervision's early warnings in the dashboard's list (kernel/warnings.py): NPC suggestions and CPPCC proposals to
reply to, judgments to perform, breach complaint stages due and repeated complaints, inspection rectifications and
ledger tasks due. Each adapts one of the kind's own warning functions (plain dicts) to `EarlyWarning`, in the user's
scope (None: every unit, for the notice job)."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _

from accounts.models import AnyUser
from accounts.scope import agency_q
from kernel.warnings import ORANGE, RED, YELLOW, EarlyWarning, register_warning_source
from subjects.models import Agency
from supervision.warnings import judgment_warnings, suggestion_warnings
from supervision.warnings_complaints import complaint_warnings
from supervision.warnings_ledger import supervision_warnings


def _paths(rows: list[dict[str, Any]]) -> dict[int, str]:
    ids = {row["unit_id"] for row in rows}
    return dict(Agency.objects.filter(pk__in=ids).values_list("pk", "path")) if ids else {}


def _adapt(kind: str, rows: list[dict[str, Any]], today: datetime.date, key: Any) -> list[EarlyWarning]:
    paths = _paths(rows)
    found = []
    for row in rows:
        due: datetime.date | None = row.get("due")
        days_left = (due - today).days if due is not None else None
        overdue = row.get("level") == "overdue" or row.get("overdue") is True
        severity = RED if overdue else (ORANGE if days_left is not None and days_left <= 7 else YELLOW)
        if row.get("level") == "repeated":
            severity = ORANGE
        found.append(
            EarlyWarning(
                kind=kind,
                key=key(row),
                agency_id=row["unit_id"],
                agency_name=row["unit"],
                agency_path=paths.get(row["unit_id"], ""),
                what=str(row["what"]),
                severity=severity,
                link=row["url"],
                due_on=due,
                days_left=days_left,
            )
        )
    return found


def suggestions(user: AnyUser | None, today: datetime.date) -> Iterable[EarlyWarning]:
    return _adapt("suggestion", suggestion_warnings(user, today), today, lambda row: row["url"])


def judgments(user: AnyUser | None, today: datetime.date) -> Iterable[EarlyWarning]:
    return _adapt("judgment", judgment_warnings(user, today), today, lambda row: row["url"])


def complaints(user: AnyUser | None, today: datetime.date) -> Iterable[EarlyWarning]:
    rows = complaint_warnings(user, today=today)
    return _adapt("breach_complaint", rows, today, lambda row: f"{row['level']}:{row['url']}")


def inspections_and_ledger(user: AnyUser | None, today: datetime.date) -> Iterable[EarlyWarning]:
    rows = supervision_warnings(on=today)
    if user is not None:
        reach = set(Agency.objects.filter(agency_q(user)).values_list("pk", flat=True))
        rows = [row for row in rows if row["unit_id"] in reach]
    return _adapt("supervision_task", rows, today, lambda row: f"{row['url']}:{row['unit_id']}")


def register() -> None:
    register_warning_source("suggestion", _("NPC suggestion or CPPCC proposal to reply to"), suggestions)
    register_warning_source("judgment", _("Judgment to perform"), judgments)
    register_warning_source("breach_complaint", _("Breach complaint stage due, or repeated complaints"), complaints)
    register_warning_source(
        "supervision_task", _("Inspection rectification or ledger task due"), inspections_and_ledger
    )
