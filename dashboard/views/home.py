"""The staff home page: what lies in the user's scope and where to go from here. It reads every floor below it;
nothing imports it."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.http import AuthenticatedRequest
from accounts.models import Role
from accounts.scope import may_operate_platform_delivery, may_read_people
from commitments.models import CommitmentWarning
from dashboard.figures import may_see_city_page, may_see_leader_dashboard
from dashboard.views.warnings import READERS as WARNING_READERS
from dashboard.warnings import recent_warnings
from delivery.services import delivery_status
from outbox.models import PlatformChange
from records.views.queue import queue_sections
from subjects.forms import entering_agencies
from subjects.models import Agency, CivilServant
from workcalendar.services import calendar_next_year_pending, provisional_year_message

HOME_DEADLINES = 8


@login_required
@require_GET
def home(request: AuthenticatedRequest) -> HttpResponse:
    """The dashboard: what lies in the user's scope, and where to go from here."""
    user = request.user
    reads_people = may_read_people(user)
    people = CivilServant.objects.visible_to(user)
    context = {
        "section": "home",
        "agency_count": Agency.objects.visible_to(user).count(),
        "may_read_people": reads_people,
        "people_count": people.filter(active=True).count() if reads_people else None,
        "principal_count": people.filter(active=True, is_principal=True).count() if reads_people else None,
        # One count per section of the work queue (records/views/queue.py), rows stay on the queue page.
        "queue": [section for section in queue_sections(user) if section.for_user],
        "may_enter_records": entering_agencies(user).exists(),
        "commitment_warnings": CommitmentWarning.objects.active().visible_to(user).count(),
        # Operators are warned when delivery to the platform lags (PLATFORM_LAG_WARNING_SECONDS).
        "delivery": (
            delivery_status(changes=PlatformChange.objects.visible_to(user))
            if may_operate_platform_delivery(user)
            else None
        ),
    }
    # Each role's nearest deadlines: the early warnings in its own scope (a clerk's agency, an office's region, a
    # sector authority's sector), the overdue first, then the soonest due.
    if user.is_administrator or user.role in WARNING_READERS:
        dated = [w for w in recent_warnings(user, timezone.localdate()) if w.days_left is not None]
        dated.sort(key=lambda w: (w.days_left, w.key))
        context["deadlines"] = dated[:HOME_DEADLINES]
        context["deadlines_total"] = len(dated)
        context["may_read_warnings"] = True
    context["may_see_leader_dashboard"] = may_see_leader_dashboard(user)
    context["may_see_city_page"] = may_see_city_page(user)
    # From November, those who publish and those who configure hear that next year's deadlines are provisional.
    if user.role in (Role.CREDIT_OFFICE, Role.ADMINISTRATOR):
        pending_year = calendar_next_year_pending(timezone.localdate())
        if pending_year is not None:
            context["calendar_notice"] = provisional_year_message(pending_year)
            context["calendar_admin"] = user.role == Role.ADMINISTRATOR
    return render(request, "dashboard/home.html", context)
