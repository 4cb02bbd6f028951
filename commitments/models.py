"""Public commitments (公开承诺 / 守信践诺): what an agency, sub-district or town promised, how it is kept, what
became of it. docs/domain.md §6."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import AnyUser, Sector
from accounts.scope import commitment_q
from kernel.models import UndeletableModel, UndeletableQuerySet
from records.models import DishonestyRecord
from subjects.models import Agency, CivilServant
from subjects.search import GramsField


class CommitmentKind(models.TextChoices):
    SERVICE_QUALITY = "service_quality", _("Service quality")
    TIME_LIMIT = "time_limit", _("Time limit")
    GUARANTEE = "guarantee", _("Guarantee")
    INVESTMENT_POLICY = "investment_policy", _("Investment-promotion policy")
    ENVIRONMENT_TARGET = "environment_target", _("Environmental target")
    TOWN_SERVICE = "town_service", _("Sub-district or town public service")
    PUBLIC_INSTITUTION = "public_institution", _("Public institution")
    WORK_REPORT_TARGET = "work_report_target", _("Government work-report target")


# The sector authority that reads a kind's commitments (docs/domain.md §6): the others are read by the region's
# credit office and inspectors only.
KIND_SECTORS: dict[str, str] = {
    CommitmentKind.INVESTMENT_POLICY: Sector.INVESTMENT,
    CommitmentKind.ENVIRONMENT_TARGET: Sector.ENVIRONMENT,
    CommitmentKind.TOWN_SERVICE: Sector.STREETS_TOWNS,
}


def sector_of_kind(kind: str) -> str:
    return KIND_SECTORS.get(kind, Sector.OTHER)


class ServiceArea(models.TextChoices):
    """The public services a sub-district or town promises (seed 003 §五(八))."""

    EMPLOYMENT = "employment", _("Employment")
    PROPERTY = "property", _("Property management")
    SCHOOLING = "schooling", _("Schooling")
    HOUSEKEEPING = "housekeeping", _("Domestic services")
    FAMILY_PLANNING = "family_planning", _("Family planning")
    ELDERLY_CARE = "elderly_care", _("Elderly care")
    DISABILITY = "disability", _("Help for the disabled")
    POVERTY = "poverty", _("Poverty relief")
    MEDICAL_INSURANCE = "medical_insurance", _("Medical insurance")
    HOUSING = "housing", _("Housing")
    TRANSPORT = "transport", _("Getting around")
    PARKING = "parking", _("Parking")
    SAFETY = "safety", _("Fire and theft prevention")
    MILITARY_FAMILIES = "military_families", _("Support for military families")
    CONVENIENCE = "convenience", _("Convenience services")


class CommitmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    PUBLISHED = "published", _("Published")
    IN_PROGRESS = "in_progress", _("In progress")
    STALLED = "stalled", _("Stalled")
    KEPT = "kept", _("Kept")
    PARTLY_KEPT = "partly_kept", _("Partly kept")
    BROKEN = "broken", _("Broken")
    CHANGED = "changed", _("Lawfully changed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Published and not yet decided: the warnings watch these.
OPEN_STATUSES = (CommitmentStatus.PUBLISHED, CommitmentStatus.IN_PROGRESS, CommitmentStatus.STALLED)
# The outcome the credit office decided.
OUTCOME_STATUSES = (
    CommitmentStatus.KEPT,
    CommitmentStatus.PARTLY_KEPT,
    CommitmentStatus.BROKEN,
    CommitmentStatus.CHANGED,
)
# What the public sees.
PUBLIC_STATUSES = (*OPEN_STATUSES, *OUTCOME_STATUSES)
EDITABLE_STATUSES = (CommitmentStatus.DRAFT,)


class ChangeGround(models.TextChoices):
    """The grounds on which a commitment may lawfully be changed (seed 000 §(十一)); a change of government, of the
    responsible person or of the institution is never one."""

    NATIONAL_INTEREST = "national_interest", _("National interest")
    PUBLIC_INTEREST = "public_interest", _("Public interest")
    OTHER_LEGAL = "other_legal", _("Another legal ground")


class CommitmentQuerySet(UndeletableQuerySet["Commitment"]):
    def visible_to(self, user: AnyUser) -> "CommitmentQuerySet":
        return self.filter(commitment_q(user))

    def public(self) -> "CommitmentQuerySet":
        return self.filter(status__in=PUBLIC_STATUSES)

    def open(self) -> "CommitmentQuerySet":
        return self.filter(status__in=OPEN_STATUSES)


class Commitment(UndeletableModel):
    code = models.CharField(_("code"), max_length=40, unique=True)
    agency = models.ForeignKey(
        Agency, verbose_name=_("promising agency"), on_delete=models.PROTECT, related_name="commitments"
    )
    responsible_person = models.ForeignKey(
        CivilServant,
        verbose_name=_("responsible person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="commitments",
    )
    kind = models.CharField(_("kind"), max_length=24, choices=CommitmentKind.choices)
    # Derived from the kind (sector_of_kind): which sector authority reads it.
    sector = models.CharField(_("sector"), max_length=32, choices=Sector.choices, editable=False)
    service_area = models.CharField(_("service area"), max_length=24, choices=ServiceArea.choices, blank=True)
    title = models.CharField(_("title"), max_length=200)
    content = models.TextField(_("content"))
    baseline = models.DecimalField(_("baseline"), max_digits=16, decimal_places=4, null=True, blank=True)
    target_value = models.DecimalField(_("target value"), max_digits=16, decimal_places=4, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    recurring_standard = models.CharField(
        _("recurring standard"), max_length=200, blank=True, help_text=_("For example: at most 5 working days a case.")
    )
    source_document_number = models.CharField(_("source document number"), max_length=100)
    source_date = models.DateField(_("source document date"))
    source_url = models.URLField(_("source link"), blank=True)
    counterparty_name = models.CharField(_("counterparty"), max_length=200, blank=True)
    counterparty_uscc = models.CharField(_("counterparty's code"), max_length=18, blank=True)
    promised_on = models.DateField(_("promised on"))
    due_on = models.DateField(_("due on"))
    liability = models.TextField(_("liability for breaking it"))
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])

    status = models.CharField(
        _("status"), max_length=16, choices=CommitmentStatus.choices, default=CommitmentStatus.DRAFT
    )
    # The latest progress report, kept here for the lists and the warnings.
    progress_percent = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    last_progress_on = models.DateField(_("last progress report"), null=True, blank=True)
    # The outcome (kept, partly kept, broken, lawfully changed), decided by the credit office with evidence.
    outcome_reason = models.TextField(_("grounds of the outcome"), blank=True)
    outcome_decided_at = models.DateTimeField(_("outcome decided at"), null=True, blank=True)
    # A lawful change (seed 000 §(十一)): the ground, the authority and the steps taken, with dates.
    change_ground = models.CharField(_("ground of the change"), max_length=24, choices=ChangeGround.choices, blank=True)
    change_authority = models.CharField(_("deciding authority"), max_length=200, blank=True)
    change_description = models.TextField(_("what was changed"), blank=True)
    legality_review_on = models.DateField(_("legality review on"), null=True, blank=True)
    collective_decision_on = models.DateField(_("collective decision on"), null=True, blank=True)
    counterparty_notified_on = models.DateField(_("counterparty notified on"), null=True, blank=True)
    change_published_on = models.DateField(_("change published on"), null=True, blank=True)
    compensation_amount = models.DecimalField(
        _("compensation paid (yuan)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    # The candidate dishonesty record of a breach (records/services/candidates.py links it back by its origin).
    breach_record = models.ForeignKey(
        DishonestyRecord,
        verbose_name=_("breach record"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="broken_commitments",
    )

    version = models.PositiveIntegerField(_("version"), default=1)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    search_grams = GramsField(_("search index"), editable=False, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    objects = CommitmentQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["search_grams"])

    class Meta:
        verbose_name = _("public commitment")
        verbose_name_plural = _("public commitments")
        ordering = ["-year", "due_on", "pk"]
        constraints = [
            models.CheckConstraint(name="commitment_due_after_promise", condition=Q(due_on__gte=F("promised_on"))),
            models.CheckConstraint(
                name="commitment_has_a_target",
                condition=Q(target_value__isnull=False) | ~Q(recurring_standard=""),
            ),
            models.CheckConstraint(
                name="commitment_service_area_for_towns",
                condition=Q(kind="town_service") | Q(service_area=""),
            ),
            models.CheckConstraint(
                name="commitment_progress_percent", condition=Q(progress_percent__gte=0, progress_percent__lte=100)
            ),
            models.CheckConstraint(name="commitment_status_valid", condition=Q(status__in=CommitmentStatus.values)),
            models.CheckConstraint(
                name="commitment_change_has_ground",
                condition=~Q(status="changed") | (~Q(change_ground="") & ~Q(change_authority="")),
            ),
            models.CheckConstraint(
                name="commitment_compensation_not_negative",
                condition=Q(compensation_amount__isnull=True) | Q(compensation_amount__gte=0),
            ),
            models.CheckConstraint(name="commitment_year_plausible", condition=Q(year__gte=2000, year__lte=2100)),
        ]
        indexes = [
            # The public agency page and the report card: an agency's public commitments of a year.
            models.Index(fields=["agency", "year", "status"], name="commitment_agency_year_idx"),
            # The warning job: open commitments by due date.
            models.Index(fields=["status", "due_on"], name="commitment_status_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("commitments:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def has_outcome(self) -> bool:
        return self.status in OUTCOME_STATUSES

    def is_overdue(self, on: datetime.date | None = None) -> bool:
        return self.is_open and self.due_on < (on or timezone.localdate())

    @property
    def target_text(self) -> str:
        if self.target_value is None:
            return self.recurring_standard
        target = _plain_number(self.target_value)
        if self.baseline is not None:
            return f"{_plain_number(self.baseline)} → {target} {self.unit}".strip()
        return f"{target} {self.unit}".strip()


def _plain_number(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


class ProgressReport(UndeletableModel):
    commitment = models.ForeignKey(
        Commitment, verbose_name=_("public commitment"), on_delete=models.PROTECT, related_name="progress_reports"
    )
    reported_on = models.DateField(_("report date"))
    percent = models.PositiveSmallIntegerField(
        _("progress (%)"), validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    narrative = models.TextField(_("what was done"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reported by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = UndeletableQuerySet.as_manager()

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["-reported_on", "-pk"]
        constraints = [
            models.CheckConstraint(name="progress_percent_range", condition=Q(percent__gte=0, percent__lte=100)),
        ]

    def __str__(self) -> str:
        return f"{self.commitment.code} {self.reported_on} {self.percent}%"


class ProgressEvidence(UndeletableModel):
    """A file behind a progress report, checked as record evidence is (records/services/evidence.py) and served only
    to those who see the commitment."""

    report = models.ForeignKey(
        ProgressReport, verbose_name=_("progress report"), on_delete=models.PROTECT, related_name="evidence"
    )
    file = models.FileField(_("file"), upload_to="commitments/%Y/%m/")
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
        verbose_name = _("progress evidence")
        verbose_name_plural = _("progress evidence")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class CommitmentEventKind(models.TextChoices):
    CREATED = "created", _("Created")
    EDITED = "edited", _("Edited")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    PUBLISHED = "published", _("Published")
    PROGRESS = "progress", _("Progress reported")
    STALLED = "stalled", _("Marked stalled")
    RESUMED = "resumed", _("Resumed")
    DECIDED = "decided", _("Outcome decided")
    REVISED = "revised", _("Outcome revised")
    CHANGED = "changed", _("Lawfully changed")
    BREACH_PROPOSED = "breach_proposed", _("Breach record proposed")


class CommitmentEvent(UndeletableModel):
    commitment = models.ForeignKey(
        Commitment, verbose_name=_("public commitment"), on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=16, choices=CommitmentEventKind.choices)
    from_status = models.CharField(_("previous status"), max_length=16, choices=CommitmentStatus.choices, blank=True)
    to_status = models.CharField(_("new status"), max_length=16, choices=CommitmentStatus.choices)
    reason = models.TextField(_("reason"), blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
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
        verbose_name = _("commitment event")
        verbose_name_plural = _("commitment events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.commitment.code} {self.get_kind_display()}"


class WarningKind(models.TextChoices):
    DUE_30 = "due_30", _("Due within 30 days")
    DUE_7 = "due_7", _("Due within 7 days")
    OVERDUE = "overdue", _("Overdue")
    NO_PROGRESS = "no_progress", _("No progress reported for 90 days")


class CommitmentWarningQuerySet(UndeletableQuerySet["CommitmentWarning"]):
    def visible_to(self, user: AnyUser) -> "CommitmentWarningQuerySet":
        return self.filter(commitment_q(user, "commitment__"))

    def active(self) -> "CommitmentWarningQuerySet":
        return self.filter(cleared_at__isnull=True)


class CommitmentWarning(UndeletableModel):
    """A warning raised by the scheduled job (commitments.services.commitment_warnings_raise): once per commitment,
    kind and due date, so a job that runs twice raises nothing new; cleared when the commitment is decided."""

    commitment = models.ForeignKey(
        Commitment, verbose_name=_("public commitment"), on_delete=models.PROTECT, related_name="warnings"
    )
    kind = models.CharField(_("warning"), max_length=16, choices=WarningKind.choices)
    # The due date the warning is about (a lawful change of the date warns again), or the last report's date.
    about_date = models.DateField(_("about the date"))
    raised_on = models.DateField(_("raised on"))
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)

    objects = CommitmentWarningQuerySet.as_manager()

    class Meta:
        verbose_name = _("commitment warning")
        verbose_name_plural = _("commitment warnings")
        ordering = ["-raised_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "kind", "about_date"], name="commitment_warning_once_per_kind_and_date"
            ),
            models.CheckConstraint(name="commitment_warning_kind_valid", condition=Q(kind__in=WarningKind.values)),
        ]
        indexes = [models.Index(fields=["cleared_at", "kind"], name="commitment_warning_active_idx")]

    def __str__(self) -> str:
        return f"{self.commitment.code} {self.get_kind_display()}"
