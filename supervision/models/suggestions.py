"""NPC deputies' suggestions and CPPCC members' proposals (人大代表建议、政协提案, seeds 001 §6, 004 L3): assigned to a
lead unit (and co-handling units), replied to within 3 calendar months (6 with the assigning office's approval), with
a consultation (面商), a reply graded A/B/C/D, the deputy's satisfaction and a re-handling when unsatisfied.
docs/supervision.md § 人大建议和政协提案.

The moves (supervision.services.suggestions, every one an event row):
    assigned ─reply→ replied ─satisfied/basically→ closed
                     replied ─unsatisfied→ rehandling ─reply again→ rereplied ─feedback→ closed
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import AnyUser
from accounts.scope import agency_q
from commitments.models import Commitment
from kernel.models import UndeletableModel, UndeletableQuerySet
from subjects.models import Agency


class SuggestionKind(models.TextChoices):
    SUGGESTION = "suggestion", _("NPC deputy's suggestion")
    PROPOSAL = "proposal", _("CPPCC member's proposal")


class SuggestionStatus(models.TextChoices):
    ASSIGNED = "assigned", _("Being handled")
    REPLIED = "replied", _("Replied, awaiting the deputy's opinion")
    REHANDLING = "rehandling", _("Being handled again")
    REREPLIED = "rereplied", _("Replied again, awaiting the deputy's opinion")
    CLOSED = "closed", _("Closed")


OPEN_SUGGESTION_STATUSES = (SuggestionStatus.ASSIGNED, SuggestionStatus.REHANDLING)
REPLIED_STATUSES = (
    SuggestionStatus.REPLIED,
    SuggestionStatus.REHANDLING,
    SuggestionStatus.REREPLIED,
    SuggestionStatus.CLOSED,
)


class ReplyClass(models.TextChoices):
    A = "A", _("A: solved or adopted")
    B = "B", _("B: being solved")
    C = "C", _("C: to be solved later")
    D = "D", _("D: for reference")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY = "basically", _("Basically satisfied")
    UNSATISFIED = "unsatisfied", _("Unsatisfied")


SATISFIED_VALUES = (Satisfaction.SATISFIED, Satisfaction.BASICALLY)


def overdue_q(on: datetime.date) -> Q:
    return Q(status=SuggestionStatus.ASSIGNED, due_on__lt=on) | Q(
        status=SuggestionStatus.REHANDLING, rehandle_due_on__lt=on
    )


UNSATISFIED_Q = Q(status=SuggestionStatus.REHANDLING) | Q(
    status=SuggestionStatus.CLOSED, final_satisfaction=Satisfaction.UNSATISFIED
)


class SuggestionQuerySet(UndeletableQuerySet["Suggestion"]):
    def visible_to(self, user: AnyUser) -> "SuggestionQuerySet":
        """Those whose lead unit or one of whose co-handling units is in the user's reach (accounts.scope.agency_q)."""
        lead = agency_q(user, "lead_unit")
        if not lead:  # an administrator: everything
            return self.all()
        co = SuggestionCoUnit.objects.filter(agency_q(user, "agency")).values("suggestion_id")
        return self.filter(lead | Q(pk__in=co))

    def overdue(self, on: datetime.date | None = None) -> "SuggestionQuerySet":
        """Not replied by the due date of the handling they are in."""
        return self.filter(overdue_q(on or timezone.localdate()))

    def unsatisfied(self) -> "SuggestionQuerySet":
        """The deputy was not satisfied with the last reply (being handled again, or closed so)."""
        return self.filter(UNSATISFIED_Q)

    def attention(self, on: datetime.date | None = None) -> "SuggestionQuerySet":
        """What the credit office watches: overdue or unsatisfied."""
        return self.filter(overdue_q(on or timezone.localdate()) | UNSATISFIED_Q)

    def published(self) -> "SuggestionQuerySet":
        """The handling results the public reads: replied at least once."""
        return self.filter(status__in=REPLIED_STATUSES)

    def with_current_due(self) -> "SuggestionQuerySet":
        """Annotates `current_due` (the due date of the handling in course) for sorting by it."""
        return self.annotate(
            current_due=models.Case(
                models.When(status=SuggestionStatus.REHANDLING, then="rehandle_due_on"),
                default="due_on",
                output_field=models.DateField(),
            )
        )


class Suggestion(UndeletableModel):
    number = models.CharField(_("number"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=SuggestionKind.choices)
    session = models.CharField(_("session"), max_length=100)
    title = models.CharField(_("title"), max_length=300)
    content = models.TextField(_("content"), blank=True)
    deputy = models.CharField(_("deputy or member"), max_length=100)
    # Never public: how the unit reaches the deputy for the consultation.
    deputy_contact = models.CharField(_("deputy's contact"), max_length=100, blank=True)
    lead_unit = models.ForeignKey(
        Agency, verbose_name=_("lead unit"), on_delete=models.PROTECT, related_name="suggestions_led"
    )
    co_units: "models.ManyToManyField[Agency, SuggestionCoUnit]" = models.ManyToManyField(
        Agency,
        verbose_name=_("co-handling units"),
        through="SuggestionCoUnit",
        related_name="suggestions_co",
        blank=True,
    )
    assigned_on = models.DateField(_("assigned on"))
    due_on = models.DateField(_("reply due"))
    extended = models.BooleanField(_("extended"), default=False)
    extension_approval = models.CharField(_("extension approval"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=SuggestionStatus.choices, default=SuggestionStatus.ASSIGNED
    )
    consulted_on = models.DateField(_("consultation held on"), null=True, blank=True)
    consultation_note = models.TextField(_("consultation"), blank=True)
    # The first reply.
    reply_class = models.CharField(_("reply class"), max_length=1, choices=ReplyClass.choices, blank=True)
    replied_on = models.DateField(_("replied on"), null=True, blank=True)
    reply_text = models.TextField(_("reply"), blank=True)
    reply_summary = models.CharField(_("reply summary"), max_length=500, blank=True)
    reply_file = models.FileField(_("reply file"), upload_to="supervision/suggestions/%Y/%m/", blank=True)
    # Class B: the date by which the unit promises to solve it; the commitment it became.
    promised_due_on = models.DateField(_("promised solution date"), null=True, blank=True)
    commitment = models.OneToOneField(
        Commitment,
        verbose_name=_("commitment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="suggestion",
    )
    satisfaction = models.CharField(_("satisfaction"), max_length=12, choices=Satisfaction.choices, blank=True)
    feedback_on = models.DateField(_("opinion received on"), null=True, blank=True)
    # The re-handling after an unsatisfied opinion: its own due date and the second reply.
    rehandle_due_on = models.DateField(_("re-handling due"), null=True, blank=True)
    rereply_class = models.CharField(_("second reply class"), max_length=1, choices=ReplyClass.choices, blank=True)
    rereplied_on = models.DateField(_("replied again on"), null=True, blank=True)
    rereply_text = models.TextField(_("second reply"), blank=True)
    rereply_file = models.FileField(_("second reply file"), upload_to="supervision/suggestions/%Y/%m/", blank=True)
    final_satisfaction = models.CharField(
        _("final satisfaction"), max_length=12, choices=Satisfaction.choices, blank=True
    )
    final_feedback_on = models.DateField(_("final opinion received on"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("NPC suggestion or CPPCC proposal")
        verbose_name_plural = _("NPC suggestions and CPPCC proposals")
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(name="suggestion_kind_valid", condition=Q(kind__in=SuggestionKind.values)),
            models.CheckConstraint(name="suggestion_status_valid", condition=Q(status__in=SuggestionStatus.values)),
            models.CheckConstraint(
                name="suggestion_due_after_assignment", condition=Q(due_on__gt=models.F("assigned_on"))
            ),
            models.CheckConstraint(
                name="suggestion_replied_has_class",
                condition=Q(replied_on__isnull=True) | ~Q(reply_class=""),
            ),
            models.CheckConstraint(
                name="suggestion_class_b_has_promise",
                condition=~Q(reply_class=ReplyClass.B) | Q(promised_due_on__isnull=False),
            ),
            models.CheckConstraint(
                name="suggestion_rehandling_has_due",
                condition=~Q(status=SuggestionStatus.REHANDLING) | Q(rehandle_due_on__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_on"], name="suggestion_status_due_idx"),
            models.Index(fields=["lead_unit", "due_on"], name="suggestion_lead_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def current_due_on(self) -> datetime.date:
        if self.status == SuggestionStatus.REHANDLING and self.rehandle_due_on is not None:
            return self.rehandle_due_on
        return self.due_on

    def is_overdue(self, on: datetime.date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.status in OPEN_SUGGESTION_STATUSES and self.current_due_on < on

    @property
    def replied_on_time(self) -> bool | None:
        if self.replied_on is None:
            return None
        return self.replied_on <= self.due_on

    @property
    def last_satisfaction(self) -> str:
        return self.final_satisfaction or self.satisfaction

    def get_last_satisfaction_display(self) -> str:
        return str(Satisfaction(self.last_satisfaction).label) if self.last_satisfaction else ""

    @property
    def last_class(self) -> str:
        return self.rereply_class or self.reply_class


class SuggestionCoUnit(models.Model):
    suggestion = models.ForeignKey(Suggestion, verbose_name=_("suggestion"), on_delete=models.CASCADE)
    agency = models.ForeignKey(Agency, verbose_name=_("co-handling unit"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("co-handling unit")
        verbose_name_plural = _("co-handling units")
        constraints = [
            models.UniqueConstraint(fields=["suggestion", "agency"], name="suggestion_co_unit_once"),
        ]

    def __str__(self) -> str:
        return f"{self.suggestion_id} {self.agency_id}"


class SuggestionEventKind(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
    EXTENDED = "extended", _("Due date extended")
    CONSULTED = "consulted", _("Consultation held")
    REPLIED = "replied", _("Replied")
    SATISFIED = "satisfied", _("Opinion received; closed")
    UNSATISFIED = "unsatisfied", _("Unsatisfied; handled again")
    REREPLIED = "rereplied", _("Replied again")
    CLOSED = "closed", _("Final opinion received; closed")


class SuggestionEvent(UndeletableModel):
    suggestion = models.ForeignKey(
        Suggestion, verbose_name=_("suggestion"), on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=12, choices=SuggestionEventKind.choices)
    from_status = models.CharField(_("previous status"), max_length=12, choices=SuggestionStatus.choices, blank=True)
    to_status = models.CharField(_("new status"), max_length=12, choices=SuggestionStatus.choices)
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    objects = UndeletableQuerySet.as_manager()

    class Meta:
        verbose_name = _("suggestion event")
        verbose_name_plural = _("suggestion events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.suggestion_id} {self.get_kind_display()}"
