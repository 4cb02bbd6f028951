"""Evaluation sources and change marks: how the apps that own data feed the evaluation without importing it.

The evaluation (floor 5) scores every unit from indicators; each indicator reads one **source**, a selector written by
the app that owns the data and registered here from that app's `AppConfig.ready()`. A source answers, for a period
and (optionally) some units, one `Measure` per unit in a few aggregate queries over all units at once — never a loop
over units — and lists the items behind one unit's figure for the explanation of a score.

Every service that changes what a source counts calls `unit_changed(agency_id, on)` inside its transaction; the
evaluation registers a listener that marks the (unit, period) dirty in the same transaction, and a background job
recomputes the dirty ones. Nothing here knows what an agency or a period is: ids and dates only.
"""

import contextlib
import contextvars
import datetime
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from django.utils.functional import Promise

# What a source's figure means, which decides the formula types that may read it:
RATE = "rate"  # `good` (+ `partial`) of `total` items were on time / kept / met (the rate formula; ratio to the best)
COUNT = "count"  # items counted by level in `by_level` (the deduction formula: points per item by severity)
VALUE = "value"  # one figure in `value`, e.g. a debt ratio or a tier's rank (the tier-table formula)
SOURCE_KINDS = (RATE, COUNT, VALUE)


@dataclass(frozen=True)
class Measure:
    """One unit's figure from one source for one period."""

    total: int = 0
    good: int = 0
    partial: int = 0  # items that count in part (a partly kept commitment), weighted by the indicator's parameters
    by_level: Mapping[str, int] = field(default_factory=dict)
    value: Decimal | None = None


@dataclass(frozen=True)
class Item:
    """One row behind a unit's figure: what the explanation of a score links to."""

    label: str
    url: str
    level: str = ""  # for COUNT sources, the level it counted under
    good: bool | None = None  # for RATE sources, whether it counted as good
    on: datetime.date | None = None


@dataclass(frozen=True)
class Source:
    code: str  # "records.published_by_severity": the app's label, a dot, a name
    label: str | Promise
    kind: str  # one of SOURCE_KINDS
    # fetch(start, end, agency_ids or None for every unit) -> {agency_id: Measure}; units absent have no items.
    fetch: Callable[[datetime.date, datetime.date, Sequence[int] | None], Mapping[int, Measure]]
    # items(agency_id, start, end) -> the rows behind that unit's figure, for the explanation.
    items: Callable[[int, datetime.date, datetime.date], Sequence[Item]]
    # The levels a COUNT source may report (e.g. the record severities), for the indicator editor.
    levels: tuple[str, ...] = ()
    description: str | Promise = ""


def day_bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """[start 00:00, the day after end 00:00) in the current time zone: a datetime column's filter for a period."""
    from django.utils import timezone

    zone = timezone.get_current_timezone()
    return (
        datetime.datetime.combine(start, datetime.time.min, tzinfo=zone),
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone),
    )


def count_by(rows: Iterable[tuple[int, str, int]]) -> dict[int, Measure]:
    """COUNT measures from (agency id, level, n) rows of one GROUP BY."""
    found: dict[int, dict[str, int]] = {}
    for agency_id, level, n in rows:
        if agency_id is not None:
            found.setdefault(agency_id, {})[level] = found.get(agency_id, {}).get(level, 0) + n
    return {a: Measure(total=sum(levels.values()), by_level=levels) for a, levels in found.items()}


# -- one computation: sources that read the same rows share one query ---------------------------------------------

T = TypeVar("T")
_memo: contextvars.ContextVar[dict[Hashable, Any] | None] = contextvars.ContextVar("evaluation_memo", default=None)


@contextlib.contextmanager
def computation() -> Iterator[None]:
    """One computation of a period (the evaluation wraps its fetches in it): inside, `shared` answers a key once."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def shared(key: Hashable, compute: Callable[[], T]) -> T:
    """What several sources read from the same rows (e.g. the records published in a period, by subject for one and
    by data source for another): computed once per `computation()` for the key, or every time outside one."""
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]  # type: ignore[no-any-return]


_sources: dict[str, Source] = {}


def source_register(source: Source) -> None:
    """Called from an app's `ready()`. Registering the same code twice with another source is a programming error."""
    if source.kind not in SOURCE_KINDS:
        raise ValueError(f"unknown source kind {source.kind!r}")
    known = _sources.get(source.code)
    if known is not None and known != source:
        raise ValueError(f"source {source.code!r} is already registered")
    _sources[source.code] = source


def sources() -> Mapping[str, Source]:
    return dict(_sources)


def source(code: str) -> Source | None:
    return _sources.get(code)


# -- change marks -------------------------------------------------------------------------------------------------

_listeners: list[Callable[[Iterable[int], datetime.date | None], Any]] = []


def on_unit_changed(listener: Callable[[Iterable[int], datetime.date | None], Any]) -> None:
    """The evaluation registers here; the listener runs inside the caller's transaction."""
    if listener not in _listeners:
        _listeners.append(listener)


def unit_changed(agency_ids: int | Iterable[int | None] | None, on: datetime.date | None = None) -> None:
    """Something a source counts changed for these units, dated `on` (None: today). Call it inside the transaction
    that makes the change, so the mark and the change commit or roll back together."""
    if agency_ids is None:
        return
    ids = [agency_ids] if isinstance(agency_ids, int) else [i for i in agency_ids if i is not None]
    if not ids:
        return
    for listener in _listeners:
        listener(ids, on)
