"""Inspections (督导检查) by the higher government (seeds 001 §5, 004 §三(三)): the mid-year check and the year-end
assessment of a region, the findings per unit, the rectification items of each finding with their deadlines, the
unit's report and evidence, the inspecting side's verification and each unit's result. docs/supervision.md § 督导检查.
"""

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


class InspectionKind(models.TextChoices):
    MID_YEAR = "mid_year", _("Mid-year check")
    YEAR_END = "year_end", _("Year-end assessment")


class FindingSeverity(models.TextChoices):
    MINOR = "minor", _("Minor")
    GENERAL = "general", _("General")
    SERIOUS = "serious", _("Serious")


class InspectionQuerySet(UndeletableQuerySet["Inspection"]):
    def visible_to(self, user: AnyUser) -> "InspectionQuerySet":
        """The inspected region's overseers, and every unit with a finding in it."""
        units = InspectionFinding.objects.filter(agency_q(user, "agency")).values("inspection_id")
        return self.filter(agency_q(user, "region") | Q(pk__in=units))


class Inspection(UndeletableModel):
    region = models.ForeignKey(
        Agency, verbose_name=_("inspected region"), on_delete=models.PROTECT, related_name="inspections"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=InspectionKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    inspecting_body = models.CharField(_("inspecting body"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-year", "-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(name="inspection_kind_valid", condition=Q(kind__in=InspectionKind.values)),
            models.CheckConstraint(name="inspection_year_plausible", condition=Q(year__gte=2000, year__lte=2100)),
            models.CheckConstraint(name="inspection_dates_in_order", condition=Q(ends_on__gte=models.F("starts_on"))),
        ]

    def __str__(self) -> str:
        return self.title


class InspectionFindingQuerySet(UndeletableQuerySet["InspectionFinding"]):
    def visible_to(self, user: AnyUser) -> "InspectionFindingQuerySet":
        return self.filter(agency_q(user, "agency"))


class InspectionFinding(UndeletableModel):
    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.PROTECT, related_name="findings"
    )
    agency = models.ForeignKey(Agency, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("finding"))
    severity = models.CharField(_("severity"), max_length=10, choices=FindingSeverity.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = InspectionFindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection finding")
        verbose_name_plural = _("inspection findings")
        ordering = ["inspection", "agency__name", "pk"]
        constraints = [
            models.CheckConstraint(name="finding_severity_valid", condition=Q(severity__in=FindingSeverity.values)),
        ]

    def __str__(self) -> str:
        return f"{self.agency.name}: {self.text[:40]}"


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("To rectify")
    SUBMITTED = "submitted", _("Awaiting verification")
    RETURNED = "returned", _("Returned for more rectification")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused or not done")


# The item still waits for the unit (or its verification): it may fall overdue.
RECTIFICATION_OPEN = (RectificationStatus.OPEN, RectificationStatus.RETURNED, RectificationStatus.SUBMITTED)


class RectificationItemQuerySet(UndeletableQuerySet["RectificationItem"]):
    def visible_to(self, user: AnyUser) -> "RectificationItemQuerySet":
        return self.filter(agency_q(user, "agency"))

    def overdue(self, on: datetime.date | None = None) -> "RectificationItemQuerySet":
        """Past its deadline with the unit's work not handed in (a submitted one waits on the inspecting side)."""
        on = on or timezone.localdate()
        return self.filter(status__in=[RectificationStatus.OPEN, RectificationStatus.RETURNED], due_on__lt=on)


class RectificationItem(UndeletableModel):
    finding = models.ForeignKey(
        InspectionFinding, verbose_name=_("finding"), on_delete=models.PROTECT, related_name="items"
    )
    # The finding's unit, kept on the item for scope and the lists.
    agency = models.ForeignKey(Agency, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("rectification required"))
    due_on = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=10, choices=RectificationStatus.choices, default=RectificationStatus.OPEN
    )
    report = models.TextField(_("rectification report"), blank=True)
    submitted_on = models.DateField(_("report submitted on"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    # The day the deadline notice went out (the daily job sends it once).
    overdue_notified_on = models.DateField(_("overdue notice sent on"), null=True, blank=True)
    candidate_record = models.ForeignKey(
        "records.DishonestyRecord",
        verbose_name=_("candidate record"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = RectificationItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("rectification item")
        verbose_name_plural = _("rectification items")
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                name="rectification_status_valid", condition=Q(status__in=RectificationStatus.values)
            ),
            models.CheckConstraint(
                name="rectification_accepted_has_date",
                condition=~Q(status=RectificationStatus.ACCEPTED) | Q(accepted_on__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="rectification_status_due_idx")]

    def __str__(self) -> str:
        return f"{self.agency.name}: {self.text[:40]}"

    def is_overdue(self, on: datetime.date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.status in (RectificationStatus.OPEN, RectificationStatus.RETURNED) and self.due_on < on

    @property
    def on_time(self) -> bool:
        return self.status == RectificationStatus.ACCEPTED and (
            self.submitted_on is not None and self.submitted_on <= self.due_on
        )


class RectificationEvidence(UndeletableModel):
    item = models.ForeignKey(
        RectificationItem, verbose_name=_("rectification item"), on_delete=models.PROTECT, related_name="evidence"
    )
    file = models.FileField(_("file"), upload_to="supervision/inspections/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    objects = UndeletableQuerySet.as_manager()

    class Meta:
        verbose_name = _("rectification evidence")
        verbose_name_plural = _("rectification evidence")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class InspectionResultQuerySet(UndeletableQuerySet["InspectionResult"]):
    def visible_to(self, user: AnyUser) -> "InspectionResultQuerySet":
        return self.filter(agency_q(user, "agency"))


class InspectionResult(UndeletableModel):
    """A unit's result in one inspection: a score, a grade text, or both."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.PROTECT, related_name="results"
    )
    agency = models.ForeignKey(Agency, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=50, blank=True)
    note = models.TextField(_("note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now=True)

    objects = InspectionResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection result")
        verbose_name_plural = _("inspection results")
        ordering = ["agency__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "agency"], name="inspection_result_once_per_unit"),
            models.CheckConstraint(
                name="inspection_result_score_or_grade", condition=Q(score__isnull=False) | ~Q(grade="")
            ),
            models.CheckConstraint(
                name="inspection_result_score_range",
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.inspection} {self.agency.name}"


class RectificationEventKind(models.TextChoices):
    CREATED = "created", _("Rectification required")
    SUBMITTED = "submitted", _("Report submitted")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")
    REFUSED = "refused", _("Refused or not done")
    OVERDUE = "overdue", _("Deadline passed")
    CANDIDATE = "candidate", _("Candidate record proposed")


class RectificationEvent(UndeletableModel):
    item = models.ForeignKey(
        RectificationItem, verbose_name=_("rectification item"), on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=10, choices=RectificationEventKind.choices)
    from_status = models.CharField(_("previous status"), max_length=10, choices=RectificationStatus.choices, blank=True)
    to_status = models.CharField(_("new status"), max_length=10, choices=RectificationStatus.choices)
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
        verbose_name = _("rectification event")
        verbose_name_plural = _("rectification events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.item} {self.get_kind_display()}"
