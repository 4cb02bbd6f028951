"""What the evaluation reads from objections, complaints and repairs (kernel/sources.py): GROUP BYs over all units."""

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kernel.sources import RATE, Item, Measure, Source, day_bounds, source_register
from records.evaluation_sources import published_in
from repair.models import Complaint, Objection, ObjectionStatus, RepairApplication


def _upheld(start: datetime.date, end: datetime.date) -> QuerySet[Objection]:
    low, high = day_bounds(start, end)
    return Objection.objects.filter(status=ObjectionStatus.UPHELD, closed_at__gte=low, closed_at__lt=high)


def upheld_fetch(start: datetime.date, end: datetime.date, ids: Sequence[int] | None) -> Mapping[int, Measure]:
    """B4, 1 − upheld objections ÷ records published: the unit supplying the records (data-source agency) is rated
    on the records it had published in the period (the records' shared count, records.evaluation_sources) and the
    objections to its records upheld in the period."""
    totals = published_in(start, end, ids).by_data_source
    upheld = _upheld(start, end)
    if ids is not None:
        upheld = upheld.filter(record__data_source_agency_id__in=list(ids))
    lost = dict(upheld.order_by().values_list("record__data_source_agency_id").annotate(n=Count("pk")))
    return {
        a: Measure(total=max(totals.get(a, 0), lost.get(a, 0)), good=max(0, totals.get(a, 0) - lost.get(a, 0)))
        for a in set(totals) | set(lost)
    }


def upheld_items(agency_id: int, start: datetime.date, end: datetime.date) -> Sequence[Item]:
    rows = _upheld(start, end).filter(record__data_source_agency_id=agency_id).select_related("record")[:200]
    return [
        Item(
            label=f"{o.record.document_number} · 异议成立",
            url=reverse("repair:objection_detail", args=[o.pk]),
            good=False,
            on=o.closed_at.date() if o.closed_at else None,
        )
        for o in rows
    ]


CASES: tuple[tuple[type[Objection] | type[Complaint] | type[RepairApplication], str, str], ...] = (
    (Objection, "record__data_source_agency_id", "repair:objection_detail"),
    (Complaint, "handling_agency_id", "repair:complaint_detail"),
    (RepairApplication, "record__data_source_agency_id", "repair:repair_detail"),
)


def _cases(model: Any, start: datetime.date, end: datetime.date) -> Any:
    """Cases closed in the period (handled) and cases still open past their stage deadline at the period end."""
    low, high = day_bounds(start, end)
    as_of = min(end, timezone.localdate())
    return model.objects.filter(
        Q(closed_at__gte=low, closed_at__lt=high)
        | Q(closed_at__isnull=True, stage_due_on__lt=as_of, created_at__lt=high)
    )


def cases_fetch(start: datetime.date, end: datetime.date, ids: Sequence[int] | None) -> Mapping[int, Measure]:
    """D3: repair-app cases handled within their stage deadlines — the cases closed in the period against those
    closed or still open past their deadline at the period end."""
    totals: dict[int, list[int]] = {}
    for model, field, _url in CASES:
        qs = _cases(model, start, end)
        if ids is not None:
            qs = qs.filter(**{f"{field}__in": list(ids)})
        rows = (
            qs.order_by()
            .values_list(field)
            .annotate(n=Count("pk"), good=Count("pk", filter=Q(closed_at__isnull=False)))
        )
        for agency_id, n, good in rows:
            pair = totals.setdefault(agency_id, [0, 0])
            pair[0] += n
            pair[1] += good
    return {a: Measure(total=n, good=good) for a, (n, good) in totals.items()}


def cases_items(agency_id: int, start: datetime.date, end: datetime.date) -> Sequence[Item]:
    items: list[Item] = []
    for model, field, url in CASES:
        for case in _cases(model, start, end).filter(**{field: agency_id}).select_related("record")[:100]:
            items.append(
                Item(
                    label=f"{case._meta.verbose_name} · {case.record.document_number}",
                    url=reverse(url, args=[case.pk]),
                    good=case.closed_at is not None,
                    on=case.closed_at.date() if case.closed_at else case.stage_due_on,
                )
            )
    return items


def register() -> None:
    source_register(
        Source(
            code="repair.objections_upheld",
            label=_("Records published without an upheld objection"),
            kind=RATE,
            fetch=upheld_fetch,
            items=upheld_items,
        )
    )
    source_register(
        Source(
            code="repair.cases_on_time",
            label=_("Objections, complaints and repairs handled on time"),
            kind=RATE,
            fetch=cases_fetch,
            items=cases_items,
        )
    )
