"""The start page's cards of the NPC suggestions and CPPCC proposals, court cases, breach complaints and 12345 tickets
(inspections and the ledger register theirs in `queue_ledger`)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from supervision.models import BreachComplaint, CourtCase, HotlineTicket, Suggestion
from supervision.views.index import SupervisionSection, register_supervision_section


def register() -> None:
    register_supervision_section(
        SupervisionSection(
            key="suggestions",
            title=_("NPC suggestions and CPPCC proposals"),
            what=_("Lead and co-handling units, replies and their class, the deputies' satisfaction"),
            url_name="supervision:suggestion_list",
            unit=_("suggestions and proposals"),
            rows=lambda user: Suggestion.objects.visible_to(user),
            urgent=lambda user: Suggestion.objects.visible_to(user).attention(),
            urgent_label=_("overdue or unsatisfied"),
            order=10,
        )
    )
    register_supervision_section(
        SupervisionSection(
            key="courts",
            title=_("Court cases"),
            what=_("Hearings and the head in court, judicial suggestions, judgments and their performance"),
            url_name="supervision:court_case_list",
            unit=_("cases"),
            rows=lambda user: CourtCase.objects.visible_to(user),
            urgent=lambda user: CourtCase.objects.visible_to(user).not_performed(),
            urgent_label=_("judgments not performed"),
            order=20,
        )
    )
    register_supervision_section(
        SupervisionSection(
            key="complaints",
            title=_("Breach complaints"),
            what=_("Complaints of broken contracts and promises: acceptance, verification, rectification"),
            url_name="supervision:complaint_list",
            unit=_("complaints"),
            rows=lambda user: BreachComplaint.objects.visible_to(user),
            urgent=lambda user: BreachComplaint.objects.visible_to(user).overdue_on(timezone.localdate()),
            urgent_label=_("overdue"),
            order=30,
        )
    )
    register_supervision_section(
        SupervisionSection(
            key="hotline",
            title=_("12345 hotline tickets"),
            what=_("Imported tickets: type, unit, due and closed dates, satisfaction"),
            url_name="supervision:hotline_list",
            unit=_("tickets"),
            rows=lambda user: HotlineTicket.objects.visible_to(user),
            order=40,
        )
    )
