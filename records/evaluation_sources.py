"""What the evaluation reads from records (kernel/sources.py): one GROUP BY over every unit per figure."""

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Count, F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kernel.sources import COUNT, RATE, Item, Measure, Source, count_by, day_bounds, shared, source_register
from records.models import AppliedMeasure, DishonestyRecord, RecordStatus, Rectification, Severity
from records.models.dishonesty import DEBTOR_SOURCES, VERIFIED_STATUSES

# Published at some point and not revoked as wrongly published (a record later repaired or expired still counts
# for the period it was published in). The same tuples as the partial indexes' conditions (record_eval_*_idx), so
# the planner matches them.
COUNTED = VERIFIED_STATUSES
IN_FORCE = (RecordStatus.PUBLISHED, RecordStatus.CORRECTED)
MANY_UNITS = 200  # past this many units asked for, one scan of the period's records beats the per-unit index lookups


def _units(qs: QuerySet[DishonestyRecord], field: str, ids: Sequence[int] | None) -> QuerySet[DishonestyRecord]:
    return qs if ids is None else qs.filter(**{f"{field}__in": list(ids)})


def _published(start: datetime.date, end: datetime.date) -> QuerySet[DishonestyRecord]:
    low, high = day_bounds(start, end)
    return DishonestyRecord.objects.filter(
        subject_agency__isnull=False, status__in=COUNTED, published_at__gte=low, published_at__lt=high
    )


@dataclass(frozen=True)
class Published:
    """The records published in a period (COUNTED), counted by subject and severity and by data-source agency."""

    by_subject: Mapping[int, Mapping[str, int]]
    by_data_source: Mapping[int, int]


def published_in(start: datetime.date, end: datetime.date, ids: Sequence[int] | None) -> Published:
    """One scan of the period's published records for every source that counts them (records by severity here,
    objections upheld per record published in repair): shared within one evaluation computation. With `ids`, the
    records whose subject or data source is one of them (both indexed), each count kept for those units only."""
    key = ("records.published_in", start, end, None if ids is None else tuple(sorted(set(ids))))
    return shared(key, lambda: _published_in(start, end, ids))


def _published_in(start: datetime.date, end: datetime.date, ids: Sequence[int] | None) -> Published:
    low, high = day_bounds(start, end)
    table = DishonestyRecord._meta.db_table
    where = f"FROM {table} WHERE status IN %s AND published_at >= %s AND published_at < %s"
    params: list[Any] = [tuple(str(s) for s in COUNTED), low, high]
    if ids is None or len(ids) > MANY_UNITS:
        # Every unit (or many): an index-only scan of record_eval_published_idx filling two hash tables in one pass.
        sql = (
            "SELECT GROUPING(data_source_agency_id), subject_agency_id, severity, data_source_agency_id, count(*) "
            f"{where} GROUP BY GROUPING SETS ((subject_agency_id, severity), (data_source_agency_id))"
        )
    else:
        # Some units (the incremental recompute): each half through its own index on the agency column.
        sql = (
            f"SELECT 1, subject_agency_id, severity, NULL, count(*) {where} AND subject_agency_id = ANY(%s) "
            "GROUP BY 2, 3 UNION ALL "
            f"SELECT 0, NULL, NULL, data_source_agency_id, count(*) {where} AND data_source_agency_id = ANY(%s) "
            "GROUP BY 4"
        )
        params = [*params, list(ids), *params, list(ids)]
    wanted = None if ids is None else set(ids)
    by_subject: dict[int, dict[str, int]] = {}
    by_data_source: dict[int, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for by_severity, subject_id, severity, data_source_id, n in cursor.fetchall():
            if by_severity:
                if wanted is None or subject_id in wanted:
                    by_subject.setdefault(subject_id, {})[severity] = n
            elif wanted is None or data_source_id in wanted:
                by_data_source[data_source_id] = n
    return Published(by_subject=by_subject, by_data_source=by_data_source)


def published_fetch(start: datetime.date, end: datetime.date, ids: Sequence[int] | None) -> Mapping[int, Measure]:
    found = published_in(start, end, ids).by_subject
    return {a: Measure(total=sum(levels.values()), by_level=dict(levels)) for a, levels in found.items()}


def _record_item(record: DishonestyRecord, level: str) -> Item:
    return Item(
        label=f"{record.document_number} · {record.get_severity_display()}",
        url=reverse("records:record_detail", args=[record.pk]),
        level=level,
        on=record.published_at.date() if record.published_at else None,
    )


def published_items(agency_id: int, start: datetime.date, end: datetime.date) -> Sequence[Item]:
    rows = _published(start, end).filter(subject_agency_id=agency_id).order_by("published_at")[:200]
    return [_record_item(r, r.severity) for r in rows]


def _debtors(end: datetime.date) -> QuerySet[DishonestyRecord]:
    _, high = day_bounds(end, end)
    return DishonestyRecord.objects.filter(
        subject_agency__isnull=False, source__in=DEBTOR_SOURCES, status__in=COUNTED, published_at__lt=high
    )


def debtor_fetch(start: datetime.date, end: datetime.date, ids: Sequence[int] | None) -> Mapping[int, Measure]:
    """ "listed": a debtor or utility-arrears record in force at the period end; "delisted": one that left force
    since the period started (status as it stands now — the history of past periods is not replayed)."""
    low, _ = day_bounds(start, start)
    rows = (
        _units(_debtors(end), "subject_agency_id", ids)
        .filter(Q(status__in=IN_FORCE) | Q(updated_at__gte=low))
        .order_by()
        .values_list("subject_agency_id", "status")
        .annotate(n=Count("*"))  # count(*), not count(id): an index-only scan of record_eval_debtor_idx
    )
    return count_by((a, "listed" if status in IN_FORCE else "delisted", n) for a, status, n in rows)


def debtor_items(agency_id: int, start: datetime.date, end: datetime.date) -> Sequence[Item]:
    rows = _debtors(end).filter(subject_agency_id=agency_id, status__in=IN_FORCE)[:200]
    return [_record_item(r, "listed") for r in rows]


def _rectifications(start: datetime.date, end: datetime.date) -> QuerySet[Rectification]:
    return Rectification.objects.filter(
        measure__record__subject_agency__isnull=False, deadline__gte=start, deadline__lte=end
    )


def rectification_fetch(start: datetime.date, end: datetime.date, ids: Sequence[int] | None) -> Mapping[int, Measure]:
    """Rectifications due in the period: on time when submitted by the deadline; "overdue": still not submitted at
    the period end, or today for a period still running (the veto's level)."""
    as_of = min(end, timezone.localdate())
    qs = _rectifications(start, end)
    if ids is not None:
        qs = qs.filter(measure__record__subject_agency_id__in=list(ids))
    rows = (
        qs.order_by()
        .values_list("measure__record__subject_agency_id")
        .annotate(
            total=Count("pk"),
            good=Count("pk", filter=Q(submitted_at__isnull=False, submitted_at__date__lte=F("deadline"))),
            overdue=Count("pk", filter=Q(submitted_at__isnull=True, deadline__lt=as_of, measure__state="active")),
        )
    )
    return {
        a: Measure(total=total, good=good, by_level={"overdue": overdue} if overdue else {})
        for a, total, good, overdue in rows
    }


def rectification_items(agency_id: int, start: datetime.date, end: datetime.date) -> Sequence[Item]:
    rows = (
        _rectifications(start, end)
        .filter(measure__record__subject_agency_id=agency_id)
        .select_related("measure__record")[:200]
    )
    return [
        Item(
            label=f"{r.measure.record.document_number} · 整改期限 {r.deadline:%Y-%m-%d}",
            url=reverse("records:record_detail", args=[r.measure.record_id]),
            good=r.submitted_at is not None and r.submitted_at.date() <= r.deadline,
            level="" if r.submitted_at else "overdue",
            on=r.deadline,
        )
        for r in rows
    ]


def _measures(start: datetime.date, end: datetime.date) -> QuerySet[AppliedMeasure]:
    return AppliedMeasure.objects.filter(executing_agency__isnull=False, starts_on__gte=start, starts_on__lte=end)


def measures_fetch(start: datetime.date, end: datetime.date, ids: Sequence[int] | None) -> Mapping[int, Measure]:
    """Measures the unit had to execute starting in the period: executed unless applied wrongfully."""
    qs = _measures(start, end)
    if ids is not None:
        qs = qs.filter(executing_agency_id__in=list(ids))
    rows = (
        qs.order_by()
        .values_list("executing_agency_id")
        .annotate(total=Count("pk"), good=Count("pk", filter=Q(wrongful=False)))
    )
    return {a: Measure(total=total, good=good) for a, total, good in rows}


def measures_items(agency_id: int, start: datetime.date, end: datetime.date) -> Sequence[Item]:
    rows = _measures(start, end).filter(executing_agency_id=agency_id).select_related("record", "measure_type")[:200]
    return [
        Item(
            label=f"{m.record.document_number} · {m.measure_type.name}",
            url=reverse("records:record_detail", args=[m.record_id]),
            good=not m.wrongful,
            on=m.starts_on,
        )
        for m in rows
    ]


def register() -> None:
    source_register(
        Source(
            code="records.published_by_severity",
            label=_("Records published in the period, by severity"),
            kind=COUNT,
            fetch=published_fetch,
            items=published_items,
            levels=tuple(Severity.values),
        )
    )
    source_register(
        Source(
            code="records.dishonest_debtor",
            label=_("Listed as a dishonest judgment debtor or for unpaid utility fees"),
            kind=COUNT,
            fetch=debtor_fetch,
            items=debtor_items,
            levels=("listed", "delisted"),
        )
    )
    source_register(
        Source(
            code="records.rectifications_on_time",
            label=_("Rectifications submitted by their deadline"),
            kind=RATE,
            fetch=rectification_fetch,
            items=rectification_items,
            levels=("overdue",),
        )
    )
    source_register(
        Source(
            code="records.measures_executed",
            label=_("Measures executed by the unit"),
            kind=RATE,
            fetch=measures_fetch,
            items=measures_items,
        )
    )
