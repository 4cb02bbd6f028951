"""Breach complaints (违约失信投诉, N1103; seeds 000 §(十七), 002 §三(一)4): a company or a citizen complains that a
government body broke a contract or a promise. Filed on the public site or entered by staff from another channel;
received → accepted (or not) → transferred to the credit office over the respondent → verified: untrue (reasons to
the complainant) or true → rectification by a deadline → rectified, or confirmed breach → a candidate record.
docs/supervision.md § 违约失信投诉."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import AnyUser
from accounts.scope import agency_q
from kernel.models import UndeletableModel, UndeletableQuerySet
from subjects.models import Agency
from workcalendar.deadlines import DeadlineFields


class ComplaintChannel(models.TextChoices):
    SITE = "site", _("Public site")
    HOTLINE_12345 = "12345", _("12345 hotline")
    HOTLINE_12350 = "12350", _("12350 hotline")
    LETTER = "letter", _("Letter")
    INTERNET_SUPERVISION = "internet_plus", _("Internet plus supervision")
    MIIT_ARREARS = "miit_arrears", _("MIIT arrears complaint platform")


class ComplainantKind(models.TextChoices):
    COMPANY = "company", _("Company")
    PERSON = "person", _("Person")


class BreachCategory(models.TextChoices):
    CONTRACT = "contract", _("Breach of contract")
    PROMISE = "promise", _("Broken promise")
    ARREARS = "arrears", _("Arrears of payment")
    OTHER = "other", _("Other")


class BreachComplaintStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACCEPTED = "accepted", _("Accepted")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    TRANSFERRED = "transferred", _("Transferred for verification")
    NOT_TRUE = "not_true", _("Not true")
    RECTIFYING = "rectifying", _("Rectification ordered")
    RECTIFIED = "rectified", _("Rectified")
    CONFIRMED = "confirmed", _("Confirmed breach")


class ComplaintAction(models.TextChoices):
    """What an event row records: the filing, each move of the state machine, a stage found late."""

    FILED = "filed", _("Filed")
    ACCEPT = "accept", _("Accepted")
    REFUSE = "refuse", _("Not accepted")
    TRANSFER = "transfer", _("Transferred to the credit office for verification")
    VERIFY_UNTRUE = "verify_untrue", _("Verified: not true")
    ORDER_RECTIFICATION = "order_rectification", _("Verified: true, rectification ordered")
    RECTIFIED = "rectified", _("Rectified")
    CONFIRM_BREACH = "confirm_breach", _("Confirmed as a breach of trust")
    OVERDUE = "overdue", _("Stage overdue")


class AttachmentPurpose(models.TextChoices):
    FILING = "filing", _("Filed with the complaint")
    RECTIFICATION = "rectification", _("Evidence of rectification")


CLOSED_STATUSES = (
    BreachComplaintStatus.NOT_ACCEPTED,
    BreachComplaintStatus.NOT_TRUE,
    BreachComplaintStatus.RECTIFIED,
    BreachComplaintStatus.CONFIRMED,
)
# The stages whose deadline counts in working days (settings SUPERVISION_COMPLAINT_*_WORKING_DAYS).
TIMED_STATUSES = (BreachComplaintStatus.RECEIVED, BreachComplaintStatus.ACCEPTED, BreachComplaintStatus.TRANSFERRED)


class BreachComplaintQuerySet(UndeletableQuerySet["BreachComplaint"]):
    def visible_to(self, user: AnyUser) -> "BreachComplaintQuerySet":
        """The respondent agency's staff, the credit offices and inspectors above it or above the office handling
        it; nobody else."""
        return self.filter(agency_q(user, "respondent") | agency_q(user, "handling_agency"))

    def open(self) -> "BreachComplaintQuerySet":
        return self.exclude(status__in=CLOSED_STATUSES)

    def overdue_on(self, day: datetime.date) -> "BreachComplaintQuerySet":
        """Open complaints whose current stage (or rectification) is past its deadline on `day`."""
        return self.open().filter(
            Q(status__in=TIMED_STATUSES, stage_due_on__lt=day)
            | Q(status=BreachComplaintStatus.RECTIFYING, rectification_due_on__lt=day)
        )


class BreachComplaint(UndeletableModel):
    tracking_number = models.CharField(_("tracking number"), max_length=20, unique=True)
    # A keyed digest of the query code (repair.query_codes): the code itself is never stored.
    query_code_digest = models.CharField(_("query code digest"), max_length=64, db_index=True)
    channel = models.CharField(_("channel"), max_length=16, choices=ComplaintChannel.choices)
    channel_reference = models.CharField(_("reference in the channel"), max_length=64, blank=True)
    complainant_kind = models.CharField(_("complainant"), max_length=8, choices=ComplainantKind.choices)
    complainant_name = models.CharField(_("complainant's name"), max_length=200)
    complainant_uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    complainant_contact = models.CharField(_("phone"), max_length=100)
    complainant_email = models.EmailField(_("e-mail"), blank=True)
    respondent = models.ForeignKey(
        Agency, verbose_name=_("respondent agency"), on_delete=models.PROTECT, related_name="breach_complaints"
    )
    # The credit office over the respondent, once the complaint is transferred to it for verification.
    handling_agency = models.ForeignKey(
        Agency,
        verbose_name=_("verifying office"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="breach_complaints_handled",
    )
    category = models.CharField(_("category"), max_length=16, choices=BreachCategory.choices)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=16, decimal_places=2, null=True, blank=True)
    facts = models.TextField(_("facts"))
    status = models.CharField(
        _("status"), max_length=16, choices=BreachComplaintStatus.choices, default=BreachComplaintStatus.RECEIVED
    )
    received_on = models.DateField(_("received on"))
    stage_due_on = models.DateField(_("current stage due"), null=True, blank=True)
    stage_due_counted_from = models.DateField(_("stage deadline counted from"), null=True, blank=True)
    stage_due_working_days = models.PositiveSmallIntegerField(_("stage deadline (working days)"), null=True, blank=True)
    stage_due_provisional = models.BooleanField(_("deadline counted on a provisional calendar"), default=False)
    rectification_due_on = models.DateField(_("rectification due"), null=True, blank=True)
    # The stage (status) whose lateness was last announced: the daily job tells each late stage once.
    overdue_notified = models.CharField(_("lateness announced for"), max_length=16, blank=True)
    late_stages = models.PositiveSmallIntegerField(_("stages handled late"), default=0)
    public_reasons = models.TextField(_("reasons given to the complainant"), blank=True)
    record = models.ForeignKey(
        "records.DishonestyRecord",
        verbose_name=_("candidate record"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = BreachComplaintQuerySet.as_manager()

    STAGE_DEADLINE = DeadlineFields(
        due="stage_due_on",
        start="stage_due_counted_from",
        working_days="stage_due_working_days",
        provisional="stage_due_provisional",
    )

    class Meta:
        verbose_name = _("breach complaint")
        verbose_name_plural = _("breach complaints")
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="breach_complaint_status_valid", condition=Q(status__in=BreachComplaintStatus.values)
            ),
            models.CheckConstraint(
                name="breach_complaint_amount_not_negative", condition=Q(amount__isnull=True) | Q(amount__gte=0)
            ),
            models.CheckConstraint(
                name="breach_complaint_company_has_uscc",
                condition=~Q(complainant_kind=ComplainantKind.COMPANY) | ~Q(complainant_uscc=""),
            ),
            models.CheckConstraint(
                name="breach_complaint_closed_on_after_received",
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("received_on")),
            ),
        ]
        indexes = [
            # The staff queue and the daily overdue job: open complaints by their stage deadline.
            models.Index(fields=["status", "stage_due_on"], name="breach_complaint_stage_due"),
        ]

    def __str__(self) -> str:
        return self.tracking_number

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @property
    def due_on(self) -> datetime.date | None:
        """What the current stage waits for: the stage deadline, or the rectification deadline."""
        if self.status == BreachComplaintStatus.RECTIFYING:
            return self.rectification_due_on
        return self.stage_due_on if self.status in TIMED_STATUSES else None

    def is_overdue_on(self, day: datetime.date) -> bool:
        due = self.due_on
        return due is not None and not self.is_closed and due < day


class BreachComplaintEvent(UndeletableModel):
    """One move of a complaint: who, when, from, to, why. `public` events (and their reasons) are shown on the
    public tracking page, without the actor."""

    complaint = models.ForeignKey(
        BreachComplaint, verbose_name=_("complaint"), on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("action"), max_length=24, choices=ComplaintAction.choices)
    from_status = models.CharField(
        _("previous status"), max_length=16, choices=BreachComplaintStatus.choices, blank=True
    )
    to_status = models.CharField(_("new status"), max_length=16, choices=BreachComplaintStatus.choices)
    reason = models.TextField(_("reason"), blank=True)
    public = models.BooleanField(_("shown to the complainant"), default=True)
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
        verbose_name = _("breach complaint event")
        verbose_name_plural = _("breach complaint events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.complaint} {self.get_action_display()}"


class BreachComplaintAttachment(UndeletableModel):
    """Evidence filed with a complaint (or with its rectification): type- and size-checked as a record's evidence,
    stored under a name of our own."""

    complaint = models.ForeignKey(
        BreachComplaint, verbose_name=_("complaint"), on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to="supervision/complaints/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    purpose = models.CharField(
        _("purpose"), max_length=16, choices=AttachmentPurpose.choices, default=AttachmentPurpose.FILING
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    objects = UndeletableQuerySet.as_manager()

    class Meta:
        verbose_name = _("breach complaint attachment")
        verbose_name_plural = _("breach complaint attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name
