"""Warnings of breach complaints, as plain dicts for the dashboards (which register them): complaint stages due
within a few working days or overdue, and units with three or more breach complaints in 90 days.

Each warning: {"unit": the agency's name, "unit_id", "what": a sentence, "due": a date or None, "url": where to act,
"level": "due" | "overdue" | "repeated"}.
"""

import datetime
from typing import Any

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AnyUser
from subjects.models import Agency
from supervision.models.complaints import BreachComplaint
from supervision.models.complaints import BreachComplaintStatus as S
from workcalendar.workdays import add_working_days

DUE_SOON_WORKING_DAYS = 2
REPEATED_WINDOW_DAYS = 90
REPEATED_THRESHOLD = 3


def complaint_warnings(user: AnyUser | None = None, *, today: datetime.date | None = None) -> list[dict[str, Any]]:
    """The warnings `user` may see (None: every unit, for a job), most urgent first. A fixed number of queries."""
    today = today or timezone.localdate()
    soon = add_working_days(today, DUE_SOON_WORKING_DAYS)
    complaints = BreachComplaint.objects.open().select_related("respondent")
    if user is not None:
        complaints = complaints.visible_to(user)
    warnings: list[dict[str, Any]] = []
    for complaint in complaints.order_by("stage_due_on", "pk"):
        due = complaint.due_on
        if due is None or due > soon:
            continue
        overdue = due < today
        what = (
            _("Breach complaint %(number)s: %(status)s overdue since %(due)s")
            if overdue
            else _("Breach complaint %(number)s: %(status)s due on %(due)s")
        ) % {"number": complaint.tracking_number, "status": S(complaint.status).label, "due": due.isoformat()}
        warnings.append(
            {
                "unit": complaint.respondent.name,
                "unit_id": complaint.respondent_id,
                "what": what,
                "due": due,
                "url": reverse("supervision:complaint_detail", args=[complaint.pk]),
                "level": "overdue" if overdue else "due",
            }
        )
    since = today - datetime.timedelta(days=REPEATED_WINDOW_DAYS)
    recent = BreachComplaint.objects.filter(received_on__gt=since, received_on__lte=today)
    if user is not None:
        recent = recent.visible_to(user)
    counts = {
        row["respondent_id"]: row["n"]
        for row in recent.values("respondent_id").annotate(n=Count("pk")).filter(n__gte=REPEATED_THRESHOLD)
    }
    names = dict(Agency.objects.filter(pk__in=counts).values_list("pk", "name"))
    for agency_id, count in sorted(counts.items(), key=lambda pair: -pair[1]):
        warnings.append(
            {
                "unit": names.get(agency_id, ""),
                "unit_id": agency_id,
                "what": _("%(count)d breach complaints in the last %(days)d days")
                % {"count": count, "days": REPEATED_WINDOW_DAYS},
                "due": None,
                "url": f"{reverse('supervision:complaint_list')}?respondent={agency_id}",
                "level": "repeated",
            }
        )
    order = {"overdue": 0, "due": 1, "repeated": 2}
    warnings.sort(key=lambda w: (order[w["level"]], w["due"] or datetime.date.max))
    return warnings
