"""Evaluation periods (mid-year check, year-end assessment), their frozen snapshots and the dirty marks."""

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from evaluation.models.indicators import IndicatorSet
from kernel.models import UndeletableModel


class Half(models.TextChoices):
    MID_YEAR = "mid_year", _("Mid-year check")
    YEAR_END = "year_end", _("Year-end assessment")


class PeriodStatus(models.TextChoices):
    OPEN = "open", _("Open")
    FROZEN = "frozen", _("Frozen")


class Period(UndeletableModel):
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    half = models.CharField(_("period"), max_length=8, choices=Half.choices)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    indicator_set = models.ForeignKey(
        IndicatorSet, verbose_name=_("indicator set"), on_delete=models.PROTECT, related_name="periods"
    )
    status = models.CharField(_("status"), max_length=8, choices=PeriodStatus.choices, default=PeriodStatus.OPEN)
    computed_at = models.DateTimeField(_("last full computation"), null=True, blank=True)
    # The best unit's rate per ratio-to-best indicator at the last full computation: an incremental run that finds
    # another best recomputes every unit (evaluation.engine.recompute).
    bests = models.JSONField(_("best rates"), default=dict, editable=False)

    class Meta:
        verbose_name = _("evaluation period")
        verbose_name_plural = _("evaluation periods")
        ordering = ["-end", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["year", "half"], name="evaluation_period_year_half_unique"),
            models.CheckConstraint(name="evaluation_period_end_after_start", condition=Q(end__gte=F("start"))),
        ]

    def __str__(self) -> str:
        return f"{self.year}年{self.get_half_display()}"

    @property
    def is_open(self) -> bool:
        return self.status == PeriodStatus.OPEN


class SnapshotQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("Snapshots never change; a correction is a new version.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("Snapshots are never deleted.")


class Snapshot(models.Model):
    """A frozen period: every unit's inputs, indicator set version, item links, points, grade and rank, with the
    SHA-256 of the canonical JSON. Written once; a correction is a new version with a reason."""

    period = models.ForeignKey(Period, verbose_name=_("period"), on_delete=models.PROTECT, related_name="snapshots")
    version = models.PositiveSmallIntegerField(_("version"))
    indicator_set = models.ForeignKey(
        IndicatorSet, verbose_name=_("indicator set"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason for the correction"), blank=True)
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("frozen by"), on_delete=models.PROTECT, related_name="+"
    )
    frozen_at = models.DateTimeField(_("frozen at"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content = models.JSONField(_("content"))

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("snapshot")
        verbose_name_plural = _("snapshots")
        ordering = ["period", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["period", "version"], name="evaluation_snapshot_version_unique"),
            models.CheckConstraint(
                name="evaluation_snapshot_correction_has_reason", condition=Q(version=1) | ~Q(reason="")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} · 第{self.version}版"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None or not self._state.adding:
            raise PermissionError("Snapshots never change; a correction is a new version.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("Snapshots are never deleted.")


class Dirty(models.Model):
    """A (unit, period) whose score must be recomputed: written in the transaction of the change, claimed by the
    recompute job (SELECT … FOR UPDATE SKIP LOCKED) and removed once recomputed, if not marked again meanwhile."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey("subjects.Agency", on_delete=models.CASCADE, related_name="+")
    marked_at = models.DateTimeField()

    class Meta:
        verbose_name = _("score to recompute")
        verbose_name_plural = _("scores to recompute")
        constraints = [
            models.UniqueConstraint(fields=["period", "agency"], name="evaluation_dirty_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.period_id}/{self.agency_id}"


class SnapshotGrade(models.Model):
    """One unit's line of a snapshot (grade, points, rank), written with it and never changed: what the public agency
    page and the dashboards read without opening the snapshot's JSON."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.PROTECT, related_name="grades")
    agency = models.ForeignKey("subjects.Agency", on_delete=models.PROTECT, related_name="+")
    total = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    grade = models.CharField(_("grade"), max_length=1)
    vetoed = models.BooleanField(_("vetoed"), default=False)
    rank = models.PositiveIntegerField(_("rank"), null=True)
    rank_of = models.PositiveIntegerField(_("units ranked"), null=True)

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("frozen grade")
        verbose_name_plural = _("frozen grades")
        constraints = [models.UniqueConstraint(fields=["snapshot", "agency"], name="evaluation_snapshot_grade_unique")]
        indexes = [models.Index(fields=["agency", "snapshot"], name="evaluation_frozen_grade_idx")]

    def __str__(self) -> str:
        return f"{self.agency_id} · {self.grade}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("Frozen grades never change.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("Frozen grades are never deleted.")
