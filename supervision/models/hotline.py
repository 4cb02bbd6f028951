"""12345 hotline tickets (12345 工单, 国办发〔2020〕53号): imported from the hotline platform's Excel export, they feed
the indicators (closed on time, satisfied) and are not handled here. docs/supervision.md § 12345 hotline tickets."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import AnyUser
from accounts.scope import agency_q
from kernel.models import UndeletableModel, UndeletableQuerySet
from subjects.models import Agency


class TicketType(models.TextChoices):
    CONSULTATION = "consultation", _("Consultation")
    HELP = "help", _("Request for help")
    COMPLAINT = "complaint", _("Complaint")
    REPORT = "report", _("Report")
    SUGGESTION = "suggestion", _("Suggestion")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY = "basically", _("Basically satisfied")
    UNSATISFIED = "unsatisfied", _("Unsatisfied")
    NONE = "none", _("Not rated")


SATISFIED = (Satisfaction.SATISFIED, Satisfaction.BASICALLY)


class HotlineTicketQuerySet(UndeletableQuerySet["HotlineTicket"]):
    def visible_to(self, user: AnyUser) -> "HotlineTicketQuerySet":
        return self.filter(agency_q(user, "unit"))

    def closed_on_time(self) -> "HotlineTicketQuerySet":
        return self.filter(closed_on__isnull=False, closed_on__lte=F("due_on"))

    def good(self) -> "HotlineTicketQuerySet":
        """Closed by the due date, never reopened, and the caller satisfied (or basically)."""
        return self.closed_on_time().filter(reopened_count=0, satisfaction__in=SATISFIED)


class HotlineTicket(UndeletableModel):
    number = models.CharField(_("ticket number"), max_length=40, unique=True)
    type = models.CharField(_("type"), max_length=16, choices=TicketType.choices)
    unit = models.ForeignKey(
        Agency, verbose_name=_("handling unit"), on_delete=models.PROTECT, related_name="hotline_tickets"
    )
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    received_on = models.DateField(_("received on"))
    due_on = models.DateField(_("due"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    satisfaction = models.CharField(
        _("satisfaction"), max_length=16, choices=Satisfaction.choices, default=Satisfaction.NONE
    )
    reopened_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("imported by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    imported_at = models.DateTimeField(_("imported"), auto_now=True)

    objects = HotlineTicketQuerySet.as_manager()

    class Meta:
        verbose_name = _("12345 ticket")
        verbose_name_plural = _("12345 tickets")
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(name="hotline_ticket_type_valid", condition=Q(type__in=TicketType.values)),
            models.CheckConstraint(
                name="hotline_ticket_satisfaction_valid", condition=Q(satisfaction__in=Satisfaction.values)
            ),
            models.CheckConstraint(name="hotline_ticket_due_after_received", condition=Q(due_on__gte=F("received_on"))),
            models.CheckConstraint(
                name="hotline_ticket_closed_after_received",
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("received_on")),
            ),
        ]
        indexes = [
            # The evaluation source: a period's tickets by unit.
            models.Index(fields=["unit", "received_on"], name="hotline_ticket_unit_received"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def closed_on_time(self) -> bool:
        return self.closed_on is not None and self.closed_on <= self.due_on

    @property
    def is_good(self) -> bool:
        return self.closed_on_time and self.reopened_count == 0 and self.satisfaction in SATISFIED
