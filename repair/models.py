"""The subject's rights (docs/domain.md §5): objections (异议), complaints (投诉) and credit repair (信用修复).

Each case is filed from the public site (with a query code, 查询码, that only its filer has) or by staff on a
subject's behalf, moves through stages with working-day deadlines, and writes an event row per step. Query codes are
stored as digests: a database leak does not let anyone follow someone else's case.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import AnyUser
from accounts.scope import agency_q, record_q
from kernel.models import UndeletableModel, UndeletableQuerySet
from records.models import AppliedMeasure, DishonestyRecord
from subjects.models import Agency
from workcalendar.deadlines import DeadlineFields


class ObjectionGrounds(models.TextChoices):
    WRONG = "wrong", _("The information is wrong")
    MISSING = "missing", _("Information is missing")
    DUPLICATED = "duplicated", _("The record is duplicated")
    SHOULD_NOT_DISCLOSE = "should_not_disclose", _("It should not be disclosed")
    PAST_PERIOD = "past_period", _("It is disclosed past its period")
    MISMATCH = "mismatch", _("It does not match the deciding body's decision")


class ObjectionStatus(models.TextChoices):
    FILED = "filed", _("Filed, awaiting acceptance")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    CHECKING = "checking", _("Accepted, being checked")
    VERIFYING = "verifying", _("Being verified by the data-providing unit")
    UPHELD = "upheld", _("Upheld")
    REJECTED = "rejected", _("Rejected")


OPEN_OBJECTION_STATUSES = (ObjectionStatus.FILED, ObjectionStatus.CHECKING, ObjectionStatus.VERIFYING)
# While accepted and not yet decided, the record is "under objection" (DishonestyRecord.under_objection, kept by
# repair.services.objections; repair migration 0003 copies these statuses) and its measures are suspended.
UNDER_OBJECTION_STATUSES = (ObjectionStatus.CHECKING, ObjectionStatus.VERIFYING)


class ObjectionOutcome(models.TextChoices):
    NONE = "", _("None")
    CORRECTED = "corrected", _("Record corrected")
    REVOKED = "revoked", _("Record revoked")


class CaseQuerySet(UndeletableQuerySet):
    """Staff see the cases about records they can see (accounts.scope.record_q through `record`)."""

    def visible_to(self, user: AnyUser) -> "CaseQuerySet":

        return self.filter(record_q(user, "record__"))

    def overdue(self, on: datetime.date | None = None) -> "CaseQuerySet":
        on = on or timezone.localdate()
        return self.filter(stage_due_on__lt=on, closed_at__isnull=True)


class FiledCase(UndeletableModel):
    """What objections, complaints and repair applications share: who filed, how to follow it, when it is due."""

    filer_name = models.CharField(_("name"), max_length=100)
    filer_contact = models.CharField(_("phone or e-mail"), max_length=100)
    filer_email = models.EmailField(_("e-mail for notices"), blank=True)
    statement = models.TextField(_("statement"))
    commitment_signed = models.BooleanField(_("I promise the material is true"))
    # sha256 of the query code; the code itself is shown once to the filer.
    query_code_digest = models.CharField(_("query code digest"), max_length=64, unique=True, editable=False)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        verbose_name=_("filed by"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Staff who filed on the subject's behalf; empty when filed by the public."),
    )
    stage_due_on = models.DateField(_("current stage due"), null=True, blank=True)
    # What the stage's deadline was counted from, so that it can be counted again once a provisional year is set.
    stage_due_counted_from = models.DateField(_("stage deadline counted from"), null=True, blank=True)
    stage_due_working_days = models.PositiveSmallIntegerField(_("stage deadline (working days)"), null=True, blank=True)
    stage_due_provisional = models.BooleanField(
        _("provisional deadline"),
        default=False,
        help_text=_("Counted on a year whose official holiday arrangement was not configured yet."),
    )
    decision_reason = models.TextField(_("reasons"), blank=True)
    created_at = models.DateTimeField(_("filed"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        abstract = True

    STAGE_DEADLINE = DeadlineFields(
        due="stage_due_on",
        start="stage_due_counted_from",
        working_days="stage_due_working_days",
        provisional="stage_due_provisional",
    )

    def is_overdue_on(self, on: datetime.date) -> bool:
        return self.closed_at is None and self.stage_due_on is not None and on > self.stage_due_on


class Objection(FiledCase):
    record = models.ForeignKey(
        DishonestyRecord, verbose_name=_("dishonesty record"), on_delete=models.PROTECT, related_name="objections"
    )
    grounds = models.CharField(_("grounds"), max_length=24, choices=ObjectionGrounds.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=ObjectionStatus.choices, default=ObjectionStatus.FILED
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=ObjectionOutcome.choices, blank=True)

    objects = CaseQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["query_code_digest"])

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # The same record cannot carry two open objections on the same grounds.
            models.UniqueConstraint(
                fields=["record", "grounds"],
                condition=Q(status__in=["filed", "checking", "verifying"]),
                name="objection_one_open_per_record_and_grounds",
            ),
            models.CheckConstraint(name="objection_commitment_signed", condition=Q(commitment_signed=True)),
        ]

    def __str__(self) -> str:
        return f"{self.record} · {self.get_grounds_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_OBJECTION_STATUSES


class ComplaintStatus(models.TextChoices):
    FILED = "filed", _("Filed, awaiting acceptance")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    HANDLING = "handling", _("Being handled")
    RESOLVED = "resolved", _("Resolved")
    DISMISSED = "dismissed", _("Dismissed")


class ComplaintQuerySet(UndeletableQuerySet):
    def visible_to(self, user: AnyUser) -> "ComplaintQuerySet":

        # The credit office it was routed to, and whoever can see the record it concerns.
        return self.filter(agency_q(user, "handling_agency") | record_q(user, "record__"))

    def overdue(self, on: datetime.date | None = None) -> "ComplaintQuerySet":
        on = on or timezone.localdate()
        return self.filter(stage_due_on__lt=on, closed_at__isnull=True)


class Complaint(FiledCase):
    """About how a record or an objection was handled; routed to the credit office above the agency."""

    record = models.ForeignKey(
        DishonestyRecord, verbose_name=_("dishonesty record"), on_delete=models.PROTECT, related_name="complaints"
    )
    objection = models.ForeignKey(
        Objection,
        null=True,
        blank=True,
        verbose_name=_("objection"),
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    handling_agency = models.ForeignKey(
        Agency,
        verbose_name=_("handling agency"),
        on_delete=models.PROTECT,
        related_name="complaints_to_handle",
        help_text=_("Where it was routed."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ComplaintStatus.choices, default=ComplaintStatus.FILED
    )

    objects = ComplaintQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["query_code_digest"])

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(name="complaint_commitment_signed", condition=Q(commitment_signed=True)),
        ]

    def __str__(self) -> str:
        return f"{self.record} · {self.filer_name}"


class RepairStatus(models.TextChoices):
    FILED = "filed", _("Filed, awaiting acceptance")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    ACCEPTED = "accepted", _("Accepted, being decided")
    MATERIAL_REQUESTED = "material_requested", _("Missing material requested")
    GRANTED = "granted", _("Repair granted")
    REFUSED = "refused", _("Repair refused")


OPEN_REPAIR_STATUSES = (RepairStatus.FILED, RepairStatus.ACCEPTED, RepairStatus.MATERIAL_REQUESTED)


class RepairApplication(FiledCase):
    """信用修复: proof of fulfilment and a signed credit commitment (信用承诺书), after the minimum period."""

    record = models.ForeignKey(
        DishonestyRecord, verbose_name=_("dishonesty record"), on_delete=models.PROTECT, related_name="repairs"
    )
    status = models.CharField(_("status"), max_length=24, choices=RepairStatus.choices, default=RepairStatus.FILED)
    material_requested_at = models.DateTimeField(_("material asked for on"), null=True, blank=True)
    material_request = models.TextField(_("material requested"), blank=True)
    material_due_on = models.DateField(_("material due"), null=True, blank=True)
    material_due_counted_from = models.DateField(_("material deadline counted from"), null=True, blank=True)
    material_due_working_days = models.PositiveSmallIntegerField(
        _("material deadline (working days)"), null=True, blank=True
    )
    material_due_provisional = models.BooleanField(_("material deadline provisional"), default=False)
    # Printed on the repair decision; anyone holding the document can check it at /repair/verify/<code>/.
    verification_code = models.CharField(_("verification code"), max_length=32, blank=True, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    objects = CaseQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["query_code_digest"])

    class Meta:
        verbose_name = _("repair application")
        verbose_name_plural = _("repair applications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["record"],
                condition=Q(status__in=["filed", "accepted", "material_requested"]),
                name="repair_one_open_per_record",
            ),
            models.CheckConstraint(name="repair_commitment_signed", condition=Q(commitment_signed=True)),
        ]

    MATERIAL_DEADLINE = DeadlineFields(
        due="material_due_on",
        start="material_due_counted_from",
        working_days="material_due_working_days",
        provisional="material_due_provisional",
    )

    def __str__(self) -> str:
        return f"{self.record} · {self.get_status_display()}"


class CaseEvent(UndeletableModel):
    """One row per step of any case: who (staff, or the filer), when, from, to, why."""

    objection = models.ForeignKey(
        Objection, null=True, blank=True, verbose_name=_("objection"), on_delete=models.PROTECT, related_name="events"
    )
    complaint = models.ForeignKey(
        Complaint, null=True, blank=True, verbose_name=_("complaint"), on_delete=models.PROTECT, related_name="events"
    )
    repair = models.ForeignKey(
        RepairApplication,
        null=True,
        blank=True,
        verbose_name=_("credit repair application"),
        on_delete=models.PROTECT,
        related_name="events",
    )
    from_status = models.CharField(_("previous status"), max_length=24, blank=True)
    to_status = models.CharField(_("new status"), max_length=24)
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, verbose_name=_("done by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("time"), default=timezone.now)

    objects = UndeletableQuerySet.as_manager()

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="case_event_exactly_one_case",
                condition=(
                    Q(objection__isnull=False, complaint__isnull=True, repair__isnull=True)
                    | Q(objection__isnull=True, complaint__isnull=False, repair__isnull=True)
                    | Q(objection__isnull=True, complaint__isnull=True, repair__isnull=False)
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_status_label}→{self.to_status_label}"

    def _status_label(self, value: str) -> str:
        """A status in words: the codes are those of whichever kind of case this event belongs to."""
        if not value:
            return ""
        if self.objection_id is not None:
            statuses: type[models.TextChoices] = ObjectionStatus
        elif self.complaint_id is not None:
            statuses = ComplaintStatus
        else:
            statuses = RepairStatus
        try:
            return str(statuses(value).label)
        except ValueError:
            return value

    @property
    def from_status_label(self) -> str:
        return self._status_label(self.from_status)

    @property
    def to_status_label(self) -> str:
        return self._status_label(self.to_status)


class CaseAttachment(UndeletableModel):
    """Evidence filed with a case: type- and size-checked, stored outside the web root."""

    objection = models.ForeignKey(
        Objection,
        null=True,
        blank=True,
        verbose_name=_("objection"),
        on_delete=models.PROTECT,
        related_name="attachments",
    )
    complaint = models.ForeignKey(
        Complaint,
        null=True,
        blank=True,
        verbose_name=_("complaint"),
        on_delete=models.PROTECT,
        related_name="attachments",
    )
    repair = models.ForeignKey(
        RepairApplication,
        null=True,
        blank=True,
        verbose_name=_("credit repair application"),
        on_delete=models.PROTECT,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to="cases/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    objects = UndeletableQuerySet.as_manager()

    class Meta:
        verbose_name = _("case attachment")
        verbose_name_plural = _("case attachments")
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="case_attachment_exactly_one_case",
                condition=(
                    Q(objection__isnull=False, complaint__isnull=True, repair__isnull=True)
                    | Q(objection__isnull=True, complaint__isnull=False, repair__isnull=True)
                    | Q(objection__isnull=True, complaint__isnull=True, repair__isnull=False)
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.original_name


class MitigationKind(models.TextChoices):
    MITIGATED = "mitigated", _("Mitigated")
    EXEMPTED = "exempted", _("Exempted")


class Mitigation(UndeletableModel):
    """主动自新 (docs/domain.md §5): a civil servant who recovered the loss or stopped the harm is spared a personal
    measure."""

    measure = models.OneToOneField(
        AppliedMeasure, verbose_name=_("applied measure"), on_delete=models.PROTECT, related_name="mitigation"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=MitigationKind.choices)
    reason = models.TextField(_("reason"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approved by"), on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), auto_now_add=True)

    objects = UndeletableQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mitigation")
        verbose_name_plural = _("mitigations")

    def __str__(self) -> str:
        return f"{self.measure} · {self.get_kind_display()}"
