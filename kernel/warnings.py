"""Early warnings (监测预警, DOMAIN-ROUND2 §3): the registry of the sources that find them.

Each app that owns dated duties registers a **warning source** from its `AppConfig.ready()` (the dashboard registers
the sources of the apps below it; supervision and evaluation register theirs the same way, without importing the
dashboard). A source answers, for a user's scope (None: everything, for the notice job) and a day, the warnings it
finds, in a few set-based queries — never one query per unit. The dashboard lists them, counts them and notifies the
unit and its credit office once per warning and level. Nothing here knows what an agency is: ids, names and paths.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise

RED = "red"
ORANGE = "orange"
YELLOW = "yellow"
# Worst first: the list is sorted by this order, then by days left.
SEVERITY_ORDER = (RED, ORANGE, YELLOW)


@dataclass(frozen=True)
class EarlyWarning:
    kind: str  # the source's code, e.g. "commitment_due"
    key: str  # what the warning is about, stable across runs: "commitment:12" (a notice goes once per key and level)
    agency_id: int
    agency_name: str
    agency_path: str  # the unit's tree path ("/1/5/23/"), for the region filter and the roll-up by district
    what: str
    severity: str  # RED, ORANGE or YELLOW
    link: str = ""
    due_on: datetime.date | None = None
    days_left: int | None = None  # negative: days overdue; None when the warning has no due date

    @property
    def days_overdue(self) -> int:
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0


# fetch(user or None, today) -> the warnings in the user's scope.
WarningFetch = Callable[[Any, datetime.date], Iterable[EarlyWarning]]


@dataclass(frozen=True)
class WarningSource:
    code: str
    label: str | Promise
    fetch: WarningFetch


_SOURCES: dict[str, WarningSource] = {}


def register_warning_source(code: str, label: str | Promise, fetch: WarningFetch) -> None:
    """Register (or replace, on a second ready()) the source `code`."""
    _SOURCES[code] = WarningSource(code=code, label=label, fetch=fetch)


def warning_sources() -> list[WarningSource]:
    return list(_SOURCES.values())


def severity_for_days(days_left: int, *, soon: int = 30, near: int = 7) -> str | None:
    """Overdue is red, due within `near` days orange, within `soon` days yellow; later: no warning."""
    if days_left < 0:
        return RED
    if days_left <= near:
        return ORANGE
    if days_left <= soon:
        return YELLOW
    return None
