"""What the evaluation reads from public commitments (kernel/sources.py): one GROUP BY over every unit."""

import datetime
from collections.abc import Mapping, Sequence

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commitments.models import Commitment, CommitmentStatus
from kernel.sources import RATE, Item, Measure, Source, day_bounds, source_register

S = CommitmentStatus
OPEN = (S.PUBLISHED, S.IN_PROGRESS, S.STALLED)


def _rated(start: datetime.date, end: datetime.date, streets: bool) -> QuerySet[Commitment]:
    """Decided in the period (kept, partly kept, broken), or still open past its due date at the period end (today,
    for a period still running)."""
    low, high = day_bounds(start, end)
    as_of = min(end, timezone.localdate())
    qs = Commitment.objects.filter(
        Q(status__in=(S.KEPT, S.PARTLY_KEPT, S.BROKEN), outcome_decided_at__gte=low, outcome_decided_at__lt=high)
        | Q(status__in=OPEN, due_on__gte=start, due_on__lt=as_of)
    )
    return qs.exclude(service_area="") if streets else qs


def _fetch(streets: bool, start: datetime.date, end: datetime.date, ids: Sequence[int] | None) -> Mapping[int, Measure]:
    qs = _rated(start, end, streets)
    if ids is not None:
        qs = qs.filter(agency_id__in=list(ids))
    rows = (
        qs.order_by()
        .values_list("agency_id")
        .annotate(
            total=Count("pk"),
            good=Count("pk", filter=Q(status=S.KEPT)),
            partial=Count("pk", filter=Q(status=S.PARTLY_KEPT)),
        )
    )
    return {a: Measure(total=total, good=good, partial=partial) for a, total, good, partial in rows}


def _items(streets: bool, agency_id: int, start: datetime.date, end: datetime.date) -> Sequence[Item]:
    return [
        Item(
            label=f"{c.code} {c.title} · {c.get_status_display()}",
            url=c.get_absolute_url(),
            good=True if c.status == S.KEPT else None if c.status == S.PARTLY_KEPT else False,
            on=c.due_on,
        )
        for c in _rated(start, end, streets).filter(agency_id=agency_id).order_by("due_on")[:200]
    ]


def kept_fetch(start: datetime.date, end: datetime.date, ids: Sequence[int] | None) -> Mapping[int, Measure]:
    return _fetch(False, start, end, ids)


def kept_items(agency_id: int, start: datetime.date, end: datetime.date) -> Sequence[Item]:
    return _items(False, agency_id, start, end)


def street_kept_fetch(start: datetime.date, end: datetime.date, ids: Sequence[int] | None) -> Mapping[int, Measure]:
    return _fetch(True, start, end, ids)


def street_kept_items(agency_id: int, start: datetime.date, end: datetime.date) -> Sequence[Item]:
    return _items(True, agency_id, start, end)


def register() -> None:
    source_register(
        Source(
            code="commitments.kept",
            label=_("Public commitments kept (partly kept counts half)"),
            kind=RATE,
            fetch=kept_fetch,
            items=kept_items,
        )
    )
    source_register(
        Source(
            code="commitments.street_service_kept",
            label=_("Street and town service commitments kept"),
            kind=RATE,
            fetch=street_kept_fetch,
            items=street_kept_items,
        )
    )
