"""Warnings of supervision for the dashboards (which register them): plain dicts, one per item, each
{"unit", "unit_id", "what", "due", "url", "level"} with level "due" (falls due within the warning days) or "overdue".
Scoped by the user's reach; a few queries whatever the number of items.

- `suggestion_warnings(user)`: NPC suggestions and CPPCC proposals whose reply is due soon or overdue;
- `judgment_warnings(user)`: court judgments not performed by their deadline (or due soon).
"""

import datetime
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AnyUser
from supervision.models.courts import CaseStatus, CourtCase
from supervision.models.suggestions import Suggestion, SuggestionStatus

Warning = dict[str, Any]


def _window(today: datetime.date | None) -> tuple[datetime.date, datetime.date]:
    today = today or timezone.localdate()
    return today, today + datetime.timedelta(days=int(settings.SUPERVISION_SUGGESTION_WARN_DAYS))


def suggestion_warnings(user: AnyUser | None, today: datetime.date | None = None, limit: int = 200) -> list[Warning]:
    """In `user`'s scope (None: every unit, for the notice job)."""
    today, horizon = _window(today)
    suggestions = Suggestion.objects.all() if user is None else Suggestion.objects.visible_to(user)
    rows = (
        suggestions.with_current_due()
        .filter(
            Q(status=SuggestionStatus.ASSIGNED, due_on__lte=horizon)
            | Q(status=SuggestionStatus.REHANDLING, rehandle_due_on__lte=horizon)
        )
        .select_related("lead_unit")
        .order_by("current_due", "pk")[:limit]
    )
    return [
        {
            "unit": s.lead_unit.name,
            "unit_id": s.lead_unit_id,
            "what": _("Reply to %(kind)s %(number)s: %(title)s")
            % {"kind": s.get_kind_display(), "number": s.number, "title": s.title},
            "due": s.current_due_on,
            "url": reverse("supervision:suggestion_detail", args=[s.pk]),
            "level": "overdue" if s.current_due_on < today else "due",
        }
        for s in rows
    ]


def judgment_warnings(user: AnyUser | None, today: datetime.date | None = None, limit: int = 200) -> list[Warning]:
    """In `user`'s scope (None: every unit, for the notice job)."""
    today, horizon = _window(today)
    cases = CourtCase.objects.all() if user is None else CourtCase.objects.visible_to(user)
    rows = (
        cases.filter(Q(status=CaseStatus.TO_PERFORM, performance_due_on__lte=horizon))
        .select_related("agency")
        .order_by("performance_due_on", "pk")[:limit]
    )
    return [
        {
            "unit": c.agency.name,
            "unit_id": c.agency_id,
            "what": _("Perform the judgment of case %(number)s: %(obligation)s")
            % {"number": c.case_number, "obligation": c.obligation[:100]},
            "due": c.performance_due_on,
            "url": reverse("supervision:court_case_detail", args=[c.pk]),
            "level": "overdue" if c.performance_due_on is not None and c.performance_due_on < today else "due",
        }
        for c in rows
    ]
