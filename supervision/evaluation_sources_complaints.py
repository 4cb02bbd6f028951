"""Evaluation sources of breach complaints and 12345 tickets (kernel.sources), registered from SupervisionConfig.ready:

- `supervision.breach_complaints_on_time` (RATE): complaints about a unit closed in the period; good when no stage was
  late;
- `supervision.hotline_on_time_satisfied` (RATE): tickets a unit received in the period; good when closed by the due
  date, never reopened and the caller (basically) satisfied.

Each answers every unit in one aggregate query.
"""

import datetime
from collections.abc import Mapping, Sequence

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kernel.sources import RATE, Item, Measure, Source, source_register
from supervision.models.complaints import CLOSED_STATUSES, BreachComplaint
from supervision.models.hotline import SATISFIED, HotlineTicket

COMPLAINTS_ON_TIME = "supervision.breach_complaints_on_time"
HOTLINE_ON_TIME_SATISFIED = "supervision.hotline_on_time_satisfied"


def _closed_complaints(start: datetime.date, end: datetime.date) -> Q:
    return Q(status__in=CLOSED_STATUSES, closed_on__gte=start, closed_on__lte=end)


def complaints_fetch(
    start: datetime.date, end: datetime.date, agency_ids: Sequence[int] | None
) -> Mapping[int, Measure]:
    rows = BreachComplaint.objects.filter(_closed_complaints(start, end))
    if agency_ids is not None:
        rows = rows.filter(respondent_id__in=agency_ids)
    counted = rows.values("respondent_id").annotate(total=Count("pk"), good=Count("pk", filter=Q(late_stages=0)))
    return {row["respondent_id"]: Measure(total=row["total"], good=row["good"]) for row in counted}


def complaints_items(agency_id: int, start: datetime.date, end: datetime.date) -> Sequence[Item]:
    rows = BreachComplaint.objects.filter(_closed_complaints(start, end), respondent_id=agency_id).order_by(
        "closed_on", "pk"
    )
    return [
        Item(
            label=complaint.tracking_number,
            url=reverse("supervision:complaint_detail", args=[complaint.pk]),
            good=complaint.late_stages == 0,
            on=complaint.closed_on,
        )
        for complaint in rows.only("pk", "tracking_number", "late_stages", "closed_on")
    ]


def _good_ticket() -> Q:
    return Q(closed_on__isnull=False, closed_on__lte=F("due_on"), reopened_count=0, satisfaction__in=SATISFIED)


def hotline_fetch(start: datetime.date, end: datetime.date, agency_ids: Sequence[int] | None) -> Mapping[int, Measure]:
    rows = HotlineTicket.objects.filter(received_on__gte=start, received_on__lte=end)
    if agency_ids is not None:
        rows = rows.filter(unit_id__in=agency_ids)
    counted = rows.values("unit_id").annotate(total=Count("pk"), good=Count("pk", filter=_good_ticket()))
    return {row["unit_id"]: Measure(total=row["total"], good=row["good"]) for row in counted}


def hotline_items(agency_id: int, start: datetime.date, end: datetime.date) -> Sequence[Item]:
    rows = HotlineTicket.objects.filter(unit_id=agency_id, received_on__gte=start, received_on__lte=end).order_by(
        "received_on", "pk"
    )
    return [
        Item(
            label=ticket.number,
            url=reverse("supervision:hotline_detail", args=[ticket.pk]),
            good=ticket.is_good,
            on=ticket.received_on,
        )
        for ticket in rows
    ]


def register() -> None:
    source_register(
        Source(
            code=COMPLAINTS_ON_TIME,
            label=_("Breach complaints handled on time"),
            kind=RATE,
            fetch=complaints_fetch,
            items=complaints_items,
            description=_("Breach complaints about the unit closed in the period, and how many had no stage late."),
        )
    )
    source_register(
        Source(
            code=HOTLINE_ON_TIME_SATISFIED,
            label=_("12345 tickets closed on time and satisfied"),
            kind=RATE,
            fetch=hotline_fetch,
            items=hotline_items,
            description=_(
                "12345 tickets the unit received in the period, and how many were closed by the due date, never "
                "reopened, with the caller satisfied or basically satisfied."
            ),
        )
    )
