"""The evaluation sources of supervision (kernel/sources.py), registered from SupervisionConfig.ready. Each answers
for all units at once in one aggregate query; the services that change what they count call
kernel.sources.unit_changed.

| code                                   | counts (per unit, in the period)                                        |
| supervision.suggestion_replies_on_time | suggestions and proposals led, due in the period; good: replied by then |
| supervision.suggestion_satisfaction    | last opinions received in the period; good: satisfied or basically      |
| supervision.judgments_performed        | judgments with a performance deadline in the period; good: on time      |
| supervision.heads_in_court             | hearings held in the period; good: the agency head appeared             |
| supervision.litigation_won             | judgments given in the period; good: the agency did not lose the case   |
"""

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kernel.sources import RATE, Item, Measure, Source, source_register
from supervision.models.courts import CourtCase, CourtHearing, JudgmentResult
from supervision.models.suggestions import SATISFIED_VALUES, Suggestion


def _measures(rows: QuerySet[Any], unit: str, good: Q, ids: Sequence[int] | None) -> dict[int, Measure]:
    if ids is not None:
        rows = rows.filter(**{f"{unit}__in": list(ids)})
    counted = rows.order_by().values(unit).annotate(total=Count("pk"), good=Count("pk", filter=good))
    return {row[unit]: Measure(total=row["total"], good=row["good"]) for row in counted}


# Replies on time ----------------------------------------------------------------------------------------------------

REPLIED_ON_TIME = Q(replied_on__isnull=False, replied_on__lte=F("due_on"))


def _due_in(start: datetime.date, end: datetime.date) -> QuerySet[Suggestion]:
    return Suggestion.objects.filter(due_on__gte=start, due_on__lte=end)


def replies_fetch(start: datetime.date, end: datetime.date, ids: Sequence[int] | None) -> Mapping[int, Measure]:
    return _measures(_due_in(start, end), "lead_unit_id", REPLIED_ON_TIME, ids)


def replies_items(agency_id: int, start: datetime.date, end: datetime.date) -> list[Item]:
    rows = _due_in(start, end).filter(lead_unit_id=agency_id).order_by("due_on", "pk")
    return [
        Item(
            label=f"{s.number} {s.title}",
            url=reverse("supervision:suggestion_detail", args=[s.pk]),
            good=bool(s.replied_on_time),
            on=s.due_on,
        )
        for s in rows
    ]


# Satisfaction -------------------------------------------------------------------------------------------------------


def _opinions_in(start: datetime.date, end: datetime.date) -> QuerySet[Suggestion]:
    return Suggestion.objects.annotate(
        last_on=Coalesce("final_feedback_on", "feedback_on"),
    ).filter(last_on__gte=start, last_on__lte=end)


SATISFIED = Q(final_satisfaction__in=SATISFIED_VALUES) | Q(final_satisfaction="", satisfaction__in=SATISFIED_VALUES)


def satisfaction_fetch(start: datetime.date, end: datetime.date, ids: Sequence[int] | None) -> Mapping[int, Measure]:
    return _measures(_opinions_in(start, end), "lead_unit_id", SATISFIED, ids)


def satisfaction_items(agency_id: int, start: datetime.date, end: datetime.date) -> list[Item]:
    rows = _opinions_in(start, end).filter(lead_unit_id=agency_id).order_by("last_on", "pk")
    return [
        Item(
            label=f"{s.number} {s.title} · {s.get_last_satisfaction_display()}",
            url=reverse("supervision:suggestion_detail", args=[s.pk]),
            good=s.last_satisfaction in SATISFIED_VALUES,
            on=getattr(s, "last_on", None),
        )
        for s in rows
    ]


# Judgments performed on time ----------------------------------------------------------------------------------------

PERFORMED_ON_TIME = Q(performed_on__isnull=False, performed_on__lte=F("performance_due_on"))


def _judgments_due_in(start: datetime.date, end: datetime.date) -> QuerySet[CourtCase]:
    return CourtCase.objects.filter(performance_due_on__gte=start, performance_due_on__lte=end)


def judgments_fetch(start: datetime.date, end: datetime.date, ids: Sequence[int] | None) -> Mapping[int, Measure]:
    return _measures(_judgments_due_in(start, end), "agency_id", PERFORMED_ON_TIME, ids)


def judgments_items(agency_id: int, start: datetime.date, end: datetime.date) -> list[Item]:
    rows = _judgments_due_in(start, end).filter(agency_id=agency_id).order_by("performance_due_on", "pk")
    return [
        Item(
            label=f"{c.case_number} {c.cause}",
            url=reverse("supervision:court_case_detail", args=[c.pk]),
            good=bool(c.performed_on_time),
            on=c.performance_due_on,
        )
        for c in rows
    ]


# Heads in court -----------------------------------------------------------------------------------------------------


def _hearings_in(start: datetime.date, end: datetime.date) -> QuerySet[CourtHearing]:
    return CourtHearing.objects.filter(held_on__gte=start, held_on__lte=end)


def heads_fetch(start: datetime.date, end: datetime.date, ids: Sequence[int] | None) -> Mapping[int, Measure]:
    return _measures(_hearings_in(start, end), "case__agency_id", Q(head_appeared=True), ids)


def heads_items(agency_id: int, start: datetime.date, end: datetime.date) -> list[Item]:
    rows = _hearings_in(start, end).filter(case__agency_id=agency_id).select_related("case").order_by("held_on", "pk")
    return [
        Item(
            label=f"{h.case.case_number} {h.held_on.isoformat()}",
            url=reverse("supervision:court_case_detail", args=[h.case_id]),
            good=h.head_appeared,
            on=h.held_on,
        )
        for h in rows
    ]


# Cases not lost ---------------------------------------------------------------------------------------------------

NOT_LOST = Q(result=JudgmentResult.WON)


def _judged_in(start: datetime.date, end: datetime.date) -> QuerySet[CourtCase]:
    return CourtCase.objects.filter(judged_on__gte=start, judged_on__lte=end).exclude(result="")


def won_fetch(start: datetime.date, end: datetime.date, ids: Sequence[int] | None) -> Mapping[int, Measure]:
    return _measures(_judged_in(start, end), "agency_id", NOT_LOST, ids)


def won_items(agency_id: int, start: datetime.date, end: datetime.date) -> list[Item]:
    rows = _judged_in(start, end).filter(agency_id=agency_id).order_by("judged_on", "pk")
    return [
        Item(
            label=f"{c.case_number} {c.get_result_display()}",
            url=reverse("supervision:court_case_detail", args=[c.pk]),
            good=c.result == JudgmentResult.WON,
            on=c.judged_on,
        )
        for c in rows
    ]


SOURCES = (
    Source(
        code="supervision.suggestion_replies_on_time",
        label=_("NPC suggestions and CPPCC proposals replied on time"),
        kind=RATE,
        fetch=replies_fetch,
        items=replies_items,
        description=_("Suggestions and proposals the unit leads that fell due in the period; good: replied by then."),
    ),
    Source(
        code="supervision.suggestion_satisfaction",
        label=_("Deputies satisfied with the replies"),
        kind=RATE,
        fetch=satisfaction_fetch,
        items=satisfaction_items,
        description=_("Last opinions received in the period; good: satisfied or basically satisfied."),
    ),
    Source(
        code="supervision.judgments_performed",
        label=_("Court judgments performed on time"),
        kind=RATE,
        fetch=judgments_fetch,
        items=judgments_items,
        description=_("Judgments whose performance deadline fell in the period; good: performed by then."),
    ),
    Source(
        code="supervision.heads_in_court",
        label=_("Agency heads appearing in court"),
        kind=RATE,
        fetch=heads_fetch,
        items=heads_items,
        description=_("Hearings held in the period; good: the agency head appeared in court."),
    ),
    Source(
        code="supervision.litigation_won",
        label=_("Court cases not lost"),
        kind=RATE,
        fetch=won_fetch,
        items=won_items,
        description=_("Judgments given in the period; good: the agency won (a case lost in part counts as lost)."),
    ),
)


def register() -> None:
    for source in SOURCES:
        source_register(source)
