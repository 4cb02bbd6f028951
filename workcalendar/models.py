"""The working-day calendar: Chinese public holidays and make-up workdays (调休), maintained per year by an admin.

A year is configured when it has a CalendarYear row; its exceptions to the Monday–Friday week are CalendarDay rows.
Deadlines are counted with workcalendar.workdays, which refuses to guess about a year nobody configured.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class CalendarYear(models.Model):
    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(
        _("source"),
        max_length=64,
        help_text=_("Where the holidays came from: the State Council notice, a library…"),
    )
    notes = models.TextField(_("notes"), blank=True)
    configured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        verbose_name=_("configured by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    configured_at = models.DateTimeField(_("configured"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(name="calendar_year_plausible", condition=Q(year__gte=2000, year__lte=2100)),
        ]

    def __str__(self) -> str:
        return str(self.year)


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday (no work on a weekday)")
    WORKDAY = "workday", _("Make-up workday (work on a weekend)")


class CalendarDay(models.Model):
    calendar_year = models.ForeignKey(
        CalendarYear, verbose_name=_("calendar year"), on_delete=models.CASCADE, related_name="days"
    )
    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=50, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.calendar_year_id and self.date and self.date.year != self.calendar_year.year:
            raise ValidationError({"date": _("The date must fall in the calendar year it belongs to.")})
        if self.date and self.kind == DayKind.HOLIDAY and self.date.weekday() >= 5:
            raise ValidationError({"kind": _("A weekend day is already a day off; only weekdays can be holidays.")})
        if self.date and self.kind == DayKind.WORKDAY and self.date.weekday() < 5:
            raise ValidationError({"kind": _("A weekday is already a workday; only weekends can be make-up days.")})
