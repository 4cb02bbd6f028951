"""Scores per (period, unit), and what the credit office enters by hand: manual points and falsified-data vetoes."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from evaluation.models.indicators import Indicator, VetoRule
from evaluation.models.periods import Period
from kernel.models import UndeletableModel


class Score(models.Model):
    """A unit's current score in a period, kept by the recompute (evaluation.engine). `lines` holds one entry per
    indicator: its inputs (the source's measure), points, effective weight after re-spreading, and the no-data flag;
    `groups` the points per first-level indicator (the heat table)."""

    period = models.ForeignKey(Period, verbose_name=_("period"), on_delete=models.PROTECT, related_name="scores")
    agency = models.ForeignKey(
        "subjects.Agency", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="evaluation_scores"
    )
    kind = models.CharField(_("unit kind"), max_length=32)
    parent = models.ForeignKey(
        "subjects.Agency", verbose_name=_("parent"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    total = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    grade = models.CharField(_("grade"), max_length=1)
    vetoed = models.BooleanField(_("vetoed"), default=False)
    veto_reasons = models.JSONField(_("veto reasons"), default=list)
    rank = models.PositiveIntegerField(_("rank"), null=True)
    rank_of = models.PositiveIntegerField(_("units ranked"), null=True)
    previous_rank = models.PositiveIntegerField(_("previous rank"), null=True)
    no_data = models.PositiveSmallIntegerField(_("indicators without data"), default=0)
    lines = models.JSONField(_("indicator lines"), default=list)
    groups = models.JSONField(_("first-level points"), default=dict)
    computed_at = models.DateTimeField(_("computed at"))
    # SHA-256 of the computed values (evaluation.engine.UnitResult.digest): an unchanged row is not read or written.
    digest = models.CharField(_("digest"), max_length=64, default="", editable=False)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["period", "-total", "agency_id"]
        constraints = [
            models.UniqueConstraint(fields=["period", "agency"], name="evaluation_score_unique"),
            models.CheckConstraint(name="evaluation_score_range", condition=Q(total__gte=0, total__lte=100)),
            models.CheckConstraint(name="evaluation_score_grade", condition=Q(grade__in=["A", "B", "C", "D"])),
            models.CheckConstraint(name="evaluation_score_vetoed_is_d", condition=Q(vetoed=False) | Q(grade="D")),
        ]
        indexes = [models.Index(fields=["period", "parent", "kind"], name="evaluation_score_group_idx")]

    def __str__(self) -> str:
        return f"{self.agency_id} · {self.total} · {self.grade}"

    @property
    def rank_change(self) -> int | None:
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank


class ManualScore(UndeletableModel):
    """Points entered by the credit office for a manual indicator, with evidence."""

    period = models.ForeignKey(Period, verbose_name=_("period"), on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("subjects.Agency", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    indicator = models.ForeignKey(Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2)
    note = models.TextField(_("grounds"))
    evidence = models.FileField(_("evidence"), upload_to="evaluation/%Y/%m/")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now=True)

    class Meta:
        verbose_name = _("manual score")
        verbose_name_plural = _("manual scores")
        constraints = [
            models.UniqueConstraint(fields=["period", "agency", "indicator"], name="evaluation_manual_unique"),
            models.CheckConstraint(name="evaluation_manual_points_positive", condition=Q(points__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} · {self.points}"


class ManualVeto(UndeletableModel):
    """A veto the credit office finds itself (falsified data), with evidence."""

    period = models.ForeignKey(Period, verbose_name=_("period"), on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("subjects.Agency", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    rule = models.ForeignKey(VetoRule, verbose_name=_("veto rule"), on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("grounds"))
    evidence = models.FileField(_("evidence"), upload_to="evaluation/%Y/%m/")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("manual veto")
        verbose_name_plural = _("manual vetoes")
        constraints = [
            models.UniqueConstraint(fields=["period", "agency", "rule"], name="evaluation_manual_veto_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} · {self.agency_id}"
