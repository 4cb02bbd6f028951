"""The work ledger (工作台账, seed 004's annex): a region's tasks for a year with their group, content, lead and
participating units, schedule (持续实施 or a deadline) and check plan; each unit's status with its evidence and note,
and its mid-year and year-end results. docs/supervision.md § 工作台账."""

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


class ScheduleKind(models.TextChoices):
    CONTINUOUS = "continuous", _("Continuous")
    DATED = "dated", _("By a deadline")


class LedgerTaskQuerySet(UndeletableQuerySet["LedgerTask"]):
    def visible_to(self, user: AnyUser) -> "LedgerTaskQuerySet":
        """The region's overseers, and every unit the task names."""
        units = LedgerAssignment.objects.filter(agency_q(user, "agency")).values("task_id")
        return self.filter(agency_q(user, "region") | Q(pk__in=units))


class LedgerTask(UndeletableModel):
    region = models.ForeignKey(Agency, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(_("number"))
    group = models.CharField(_("measure group"), max_length=200)
    content = models.TextField(_("task"))
    # The responsibility as the ledger words it (区发展改革委、…、各功能区牵头); the units it names are the assignments.
    responsibility = models.TextField(_("responsible units (as written)"))
    schedule_kind = models.CharField(_("schedule"), max_length=10, choices=ScheduleKind.choices)
    schedule_text = models.CharField(_("schedule (as written)"), max_length=200)
    due_on = models.DateField(_("deadline"), null=True, blank=True)
    check_plan = models.CharField(_("check plan"), max_length=200)
    check_mid_year = models.BooleanField(_("mid-year check"), default=False)
    check_year_end = models.BooleanField(_("year-end assessment"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = LedgerTaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("ledger task")
        verbose_name_plural = _("ledger tasks")
        ordering = ["region", "-year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "number"], name="ledger_task_number_unique"),
            models.CheckConstraint(name="ledger_year_plausible", condition=Q(year__gte=2000, year__lte=2100)),
            models.CheckConstraint(
                name="ledger_schedule_matches_deadline",
                condition=(Q(schedule_kind=ScheduleKind.CONTINUOUS) & Q(due_on__isnull=True))
                | (Q(schedule_kind=ScheduleKind.DATED) & Q(due_on__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} #{self.number} {self.content[:30]}"


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    PARTICIPANT = "participant", _("Participating")


class LedgerStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    OVERDUE = "overdue", _("Overdue")


class LedgerAssignmentQuerySet(UndeletableQuerySet["LedgerAssignment"]):
    def visible_to(self, user: AnyUser) -> "LedgerAssignmentQuerySet":
        return self.filter(agency_q(user, "agency"))

    def due_passed(self, on: datetime.date | None = None) -> "LedgerAssignmentQuerySet":
        """Not done, with the task's deadline passed (the daily job marks them overdue)."""
        on = on or timezone.localdate()
        return self.filter(status__in=[LedgerStatus.NOT_STARTED, LedgerStatus.IN_PROGRESS], task__due_on__lt=on)


class LedgerAssignment(UndeletableModel):
    """One unit's part in a task: its status, evidence and note, and its results."""

    task = models.ForeignKey(LedgerTask, verbose_name=_("task"), on_delete=models.PROTECT, related_name="assignments")
    agency = models.ForeignKey(Agency, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=12, choices=AssignmentRole.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=LedgerStatus.choices, default=LedgerStatus.NOT_STARTED
    )
    note = models.TextField(_("note"), blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    mid_year_result = models.CharField(_("mid-year result"), max_length=100, blank=True)
    year_end_result = models.CharField(_("year-end result"), max_length=100, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = LedgerAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("ledger assignment")
        verbose_name_plural = _("ledger assignments")
        ordering = ["task__number", "role", "agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["task", "agency"], name="ledger_assignment_once_per_unit"),
            models.CheckConstraint(name="ledger_status_valid", condition=Q(status__in=LedgerStatus.values)),
            models.CheckConstraint(
                name="ledger_done_has_date",
                condition=~Q(status=LedgerStatus.DONE) | Q(done_on__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["agency", "status"], name="ledger_assignment_unit_idx")]

    def __str__(self) -> str:
        return f"{self.task} {self.agency.name}"


class LedgerEvidence(UndeletableModel):
    assignment = models.ForeignKey(
        LedgerAssignment, verbose_name=_("ledger assignment"), on_delete=models.PROTECT, related_name="evidence"
    )
    file = models.FileField(_("file"), upload_to="supervision/ledger/%Y/%m/")
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
        verbose_name = _("ledger evidence")
        verbose_name_plural = _("ledger evidence")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class LedgerUnitAliasQuerySet(UndeletableQuerySet["LedgerUnitAlias"]):
    def visible_to(self, user: AnyUser) -> "LedgerUnitAliasQuerySet":
        return self.filter(agency_q(user, "region"))


class LedgerUnitAlias(UndeletableModel):
    """A name the ledger uses for a unit of the region (区发改委 → the agency): the import reads names through it."""

    region = models.ForeignKey(Agency, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    alias = models.CharField(_("name in the ledger"), max_length=100)
    agency = models.ForeignKey(Agency, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")

    objects = LedgerUnitAliasQuerySet.as_manager()

    class Meta:
        verbose_name = _("ledger unit name")
        verbose_name_plural = _("ledger unit names")
        ordering = ["region", "alias"]
        constraints = [models.UniqueConstraint(fields=["region", "alias"], name="ledger_alias_unique")]

    def __str__(self) -> str:
        return self.alias


class LedgerEventKind(models.TextChoices):
    IMPORTED = "imported", _("Imported")
    STATUS = "status", _("Status changed")
    OVERDUE = "overdue", _("Deadline passed")
    RESULT = "result", _("Result recorded")
    EVIDENCE = "evidence", _("Evidence added")


class LedgerEvent(UndeletableModel):
    assignment = models.ForeignKey(
        LedgerAssignment, verbose_name=_("ledger assignment"), on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=10, choices=LedgerEventKind.choices)
    from_status = models.CharField(_("previous status"), max_length=12, choices=LedgerStatus.choices, blank=True)
    to_status = models.CharField(_("new status"), max_length=12, choices=LedgerStatus.choices)
    reason = models.TextField(_("note"), blank=True)
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
        verbose_name = _("ledger event")
        verbose_name_plural = _("ledger events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.assignment} {self.get_kind_display()}"
