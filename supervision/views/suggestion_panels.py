"""What NPC suggestions and court cases show on other apps' staff pages: the work queue's sections
(records/views/queue.py) and the agency page's section (subjects/agency_sections.py). Registered in
SupervisionConfig.ready.

- the lead unit's staff: suggestions and proposals to reply to, soonest due first;
- the credit office (and administrators): overdue or unsatisfied suggestions, and judgments not performed.
"""

from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import AnyUser, Role, User
from accounts.scope import may_enter_records_for
from records.views.queue import QueueSection
from subjects.models import Agency
from supervision.models.courts import CourtCase
from supervision.models.suggestions import OPEN_SUGGESTION_STATUSES, UNSATISFIED_Q, Suggestion, overdue_q

SUGGESTION_ROWS = "supervision/suggestions/_queue_rows.html"
CASE_ROWS = "supervision/courts/_queue_rows.html"
AGENCY_ROWS_SHOWN = 10


def _list_url(name: str, **params: Any) -> str:
    return f"{reverse(name)}?{urlencode(params, doseq=True)}"


def suggestion_queue_sections(user: User) -> list[QueueSection]:
    """Shown only when they hold something (one count each, which the queue reads anyway)."""
    return [section for section in _suggestion_queue_sections(user) if section.count]


def _suggestion_queue_sections(user: User) -> list[QueueSection]:
    visible = Suggestion.objects.visible_to(user).select_related("lead_unit")
    sections: list[QueueSection] = []
    if user.role in (Role.CLERK, Role.REVIEWER) and user.agency_id is not None:
        to_reply = (
            visible.filter(lead_unit_id=user.agency_id, status__in=OPEN_SUGGESTION_STATUSES)
            .with_current_due()
            .order_by("current_due", "pk")
        )
        sections.append(
            QueueSection(
                "suggestions_to_reply",
                _("NPC suggestions and CPPCC proposals to reply to"),
                "suggestions",
                to_reply,
                _list_url("supervision:suggestion_list", state="open"),
                row_template=SUGGESTION_ROWS,
            )
        )
    if user.is_administrator or (user.role == Role.CREDIT_OFFICE and user.agency_id is not None):
        today = timezone.localdate()
        attention = visible.filter(overdue_q(today) | UNSATISFIED_Q).with_current_due().order_by("current_due", "pk")
        sections.append(
            QueueSection(
                "suggestions_attention",
                _("Suggestions and proposals overdue or unsatisfied"),
                "suggestions",
                attention,
                _list_url("supervision:suggestion_list", state="attention"),
                row_template=SUGGESTION_ROWS,
            )
        )
        not_performed = (
            CourtCase.objects.visible_to(user)
            .not_performed(today)
            .select_related("agency")
            .order_by("performance_due_on", "pk")
        )
        sections.append(
            QueueSection(
                "judgments_not_performed",
                _("Court judgments not performed by their deadline"),
                "court_cases",
                not_performed,
                _list_url("supervision:court_case_list", state="overdue"),
                row_template=CASE_ROWS,
            )
        )
    return sections


def agency_suggestions_section(user: AnyUser, agency: Agency) -> dict[str, Any] | None:
    """The agency's suggestions and proposals in course and those needing attention, and its cases with a judgment
    to perform, for those who see them."""
    if not isinstance(user, User):
        return None
    today = timezone.localdate()
    led = Suggestion.objects.visible_to(user).filter(lead_unit=agency)
    counts = led.aggregate(
        open=Count("pk", filter=Q(status__in=OPEN_SUGGESTION_STATUSES)),
        attention=Count("pk", filter=overdue_q(today) | UNSATISFIED_Q),
        total=Count("pk"),
    )
    cases = CourtCase.objects.visible_to(user).filter(agency=agency)
    overdue_cases = list(cases.not_performed(today).order_by("performance_due_on", "pk")[:AGENCY_ROWS_SHOWN])
    if not counts["total"] and not overdue_cases and not may_enter_records_for(user, agency):
        return None
    attention = list(
        led.filter(overdue_q(today) | UNSATISFIED_Q)
        .select_related("lead_unit")
        .with_current_due()
        .order_by("current_due", "pk")[:AGENCY_ROWS_SHOWN]
    )
    return {
        "agency": agency,
        "counts": counts,
        "attention": attention,
        "overdue_cases": overdue_cases,
        "list_url": _list_url("supervision:suggestion_list", unit=agency.pk),
        "cases_url": _list_url("supervision:court_case_list", unit=agency.pk),
    }


def register() -> None:
    from outbox.kinds import kind_register
    from records.views.queue import register_queue_sections
    from subjects.agency_sections import AgencySection, register_agency_section
    from supervision.services.suggestions import SUGGESTION_RESULT_KIND, suggestion_public_payload

    # A published reply's result is seen by whoever sees the lead unit (the outbox's default scope); the public reads
    # it whole in the change feed (it holds no personal data).
    kind_register(SUGGESTION_RESULT_KIND, model=Suggestion, public=suggestion_public_payload)
    register_queue_sections(suggestion_queue_sections)
    register_agency_section(AgencySection("supervision/suggestions/_agency_section.html", agency_suggestions_section))
