"""Punishment measures (失信惩戒措施): the catalogue, the rules that apply them, and each applied measure.
docs/domain.md §5."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import AnyUser
from accounts.scope import record_q
from kernel.models import UndeletableModel, UndeletableQuerySet
from records.models.dishonesty import DishonestyRecord, Severity
from subjects.models import Agency, CivilServant
from workcalendar.deadlines import DeadlineFields


class MeasureTarget(models.TextChoices):
    UNIT = "unit", _("The agency")
    PERSON = "person", _("The civil servant")
    PRINCIPAL = "principal", _("The principal responsible person")


class MeasureType(models.Model):
    """A measure in the catalogue, with its legal basis."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    measure_class = models.CharField(_("class"), max_length=50)
    target = models.CharField(_("applies to"), max_length=16, choices=MeasureTarget.choices)
    legal_basis = models.TextField(_("legal basis"))
    duration_months = models.PositiveSmallIntegerField(
        _("duration (months)"), null=True, blank=True, help_text=_("Empty: until the record leaves force.")
    )
    rectification_working_days = models.PositiveSmallIntegerField(
        _("rectification deadline (working days)"),
        null=True,
        blank=True,
        help_text=_("Set for 限期整改: the unit must explain and rectify within this many working days."),
    )
    active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("measure type")
        verbose_name_plural = _("measure catalogue")
        ordering = ["target", "code"]

    def __str__(self) -> str:
        return self.name


class MeasureRule(models.Model):
    """Which measures publishing a record applies, by tier and subject (configurable, docs/domain.md §5)."""

    measure_type = models.ForeignKey(
        MeasureType, verbose_name=_("measure"), on_delete=models.PROTECT, related_name="rules"
    )
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    for_person_records = models.BooleanField(
        _("for records about a civil servant"), help_text=_("Otherwise for records about an agency.")
    )
    active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("measure rule")
        verbose_name_plural = _("measure rules")
        constraints = [
            models.UniqueConstraint(
                fields=["measure_type", "severity", "for_person_records"], name="measure_rule_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_severity_display()} → {self.measure_type}"


class MeasureState(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    LIFTED = "lifted", _("Lifted")
    COMPLETED = "completed", _("Completed")


class AppliedMeasureQuerySet(UndeletableQuerySet):
    def visible_to(self, user: AnyUser) -> "AppliedMeasureQuerySet":

        return self.filter(record_q(user, "record__"))

    def in_force(self) -> "AppliedMeasureQuerySet":
        """Active, or suspended while an objection is verified (it resumes unless the objection is upheld)."""
        return self.filter(state__in=[MeasureState.ACTIVE, MeasureState.SUSPENDED])


class AppliedMeasure(UndeletableModel):
    record = models.ForeignKey(
        DishonestyRecord, verbose_name=_("dishonesty record"), on_delete=models.PROTECT, related_name="measures"
    )
    measure_type = models.ForeignKey(MeasureType, verbose_name=_("measure"), on_delete=models.PROTECT, related_name="+")
    target_agency = models.ForeignKey(
        Agency, verbose_name=_("target agency"), on_delete=models.PROTECT, related_name="measures"
    )
    target_person = models.ForeignKey(
        CivilServant,
        verbose_name=_("target civil servant"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measures",
    )
    executing_agency = models.ForeignKey(
        Agency, verbose_name=_("executing agency"), on_delete=models.PROTECT, related_name="executed_measures"
    )
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=MeasureState.choices, default=MeasureState.ACTIVE)
    state_reason = models.TextField(_("reason for the state"), blank=True)
    # Set when a measure is lifted because it should never have applied (an upheld objection): the subject's
    # reputation is restored on the public site and the platform.
    wrongful = models.BooleanField(_("applied wrongfully"), default=False)

    objects = AppliedMeasureQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("applied measure")
        verbose_name_plural = _("applied measures")
        ordering = ["record_id", "pk"]
        constraints = [
            models.CheckConstraint(
                name="measure_dates_ordered", condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on"))
            ),
            models.CheckConstraint(name="measure_state_valid", condition=Q(state__in=[s.value for s in MeasureState])),
        ]

    def __str__(self) -> str:
        return f"{self.measure_type} · {self.target_person or self.target_agency}"


class MeasureEvent(UndeletableModel):
    measure = models.ForeignKey(
        AppliedMeasure, verbose_name=_("applied measure"), on_delete=models.PROTECT, related_name="events"
    )
    from_state = models.CharField(_("previous state"), max_length=16, choices=MeasureState.choices, blank=True)
    to_state = models.CharField(_("new state"), max_length=16, choices=MeasureState.choices)
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, verbose_name=_("done by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("time"), default=timezone.now)

    objects = UndeletableQuerySet.as_manager()

    class Meta:
        verbose_name = _("measure event")
        verbose_name_plural = _("measure events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.measure_id} {self.get_from_state_display()}→{self.get_to_state_display()}"


class RectificationQuerySet(UndeletableQuerySet):
    def visible_to(self, user: AnyUser) -> "RectificationQuerySet":

        return self.filter(record_q(user, "measure__record__"))

    def overdue(self, on: datetime.date | None = None) -> "RectificationQuerySet":
        on = on or timezone.localdate()
        return self.filter(submitted_at__isnull=True, deadline__lt=on, measure__state=MeasureState.ACTIVE)


class Rectification(UndeletableModel):
    """限期整改: the unit explains and rectifies by a deadline in working days."""

    measure = models.OneToOneField(
        AppliedMeasure, verbose_name=_("applied measure"), on_delete=models.PROTECT, related_name="rectification"
    )
    deadline = models.DateField(_("deadline"))
    # What the deadline was counted from, so that it can be counted again once a provisional year is configured.
    deadline_counted_from = models.DateField(_("deadline counted from"), null=True, blank=True)
    deadline_working_days = models.PositiveSmallIntegerField(_("deadline (working days)"), null=True, blank=True)
    deadline_provisional = models.BooleanField(
        _("provisional deadline"),
        default=False,
        help_text=_("Counted on a year whose official holiday arrangement was not configured yet."),
    )
    explanation = models.TextField(_("explanation"), blank=True)
    evidence = models.FileField(_("evidence"), upload_to="rectification/%Y/%m/", blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = RectificationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        ordering = ["deadline", "pk"]
        indexes = [
            # The "rectification overdue" work queue.
            models.Index(fields=["deadline"], condition=Q(submitted_at__isnull=True), name="rectification_open_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.measure} · {self.deadline}"

    DEADLINE = DeadlineFields(
        due="deadline",
        start="deadline_counted_from",
        working_days="deadline_working_days",
        provisional="deadline_provisional",
    )

    def is_overdue_on(self, on: datetime.date) -> bool:
        return self.submitted_at is None and on > self.deadline and self.measure.state == MeasureState.ACTIVE
