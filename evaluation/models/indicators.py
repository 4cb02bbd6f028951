"""The indicator system as data: a set per year and version, its indicators, grades and veto rules."""

from decimal import Decimal
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kernel.models import UndeletableModel


class IndicatorSetStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_USE = "in_use", _("In use")
    RETIRED = "retired", _("Retired")


class IndicatorSet(UndeletableModel):
    """One version of the indicator system for a year. A set in use (or retired) is never edited: a change or a new
    year is a new version copied from it (evaluation.services.indicators.indicator_set_new_version)."""

    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=200)
    status = models.CharField(
        _("status"), max_length=8, choices=IndicatorSetStatus.choices, default=IndicatorSetStatus.DRAFT
    )
    # The unit kinds (subjects.AgencyKind values) the set evaluates at all.
    unit_kinds = models.JSONField(_("unit kinds evaluated"), default=list)
    based_on = models.ForeignKey(
        "self", verbose_name=_("copied from"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    basis = models.CharField(_("basis"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("indicator set")
        verbose_name_plural = _("indicator sets")
        ordering = ["-year", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["year", "version"], name="evaluation_set_year_version_unique"),
            models.CheckConstraint(name="evaluation_set_version_positive", condition=Q(version__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.year}，第{self.version}版）"

    @property
    def editable(self) -> bool:
        return self.status == IndicatorSetStatus.DRAFT


class FormulaType(models.TextChoices):
    RATE = "rate", _("Rate")
    DEDUCTION = "deduction", _("Deduction per item")
    TIER = "tier", _("Tier table")
    RATIO_TO_BEST = "ratio_to_best", _("Ratio to the best unit")
    MANUAL = "manual", _("Manual score with evidence")
    GROUP = "group", _("Sum of its second-level indicators")


class Indicator(UndeletableModel):
    indicator_set = models.ForeignKey(
        IndicatorSet, verbose_name=_("indicator set"), on_delete=models.PROTECT, related_name="indicators"
    )
    code = models.CharField(_("code"), max_length=16)
    level = models.PositiveSmallIntegerField(_("level"))
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name = models.CharField(_("name"), max_length=200)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2)
    # subjects.AgencyKind values; empty: every kind the set evaluates.
    applies_to = models.JSONField(_("applies to unit kinds"), default=list, blank=True)
    formula = models.CharField(_("formula"), max_length=16, choices=FormulaType.choices)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    source_code = models.CharField(_("source"), max_length=80, blank=True)
    basis = models.CharField(_("basis"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["indicator_set", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["indicator_set", "code"], name="evaluation_indicator_code_unique"),
            models.CheckConstraint(
                name="evaluation_indicator_level_parent",
                condition=Q(level=1, parent__isnull=True, formula="group")
                | Q(level=2, parent__isnull=False) & ~Q(formula="group"),
            ),
            models.CheckConstraint(
                name="evaluation_indicator_weight_range", condition=Q(weight__gte=0, weight__lte=100)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A set in use is never edited (model guard; the services say so in words first).
        if self.indicator_set.status != IndicatorSetStatus.DRAFT:
            raise PermissionError("An indicator set in use is never edited; make a new version.")
        super().save(*args, **kwargs)

    def applies(self, kind: str) -> bool:
        kinds: list[Any] = self.applies_to or []
        return not kinds or kind in kinds

    @property
    def weight_value(self) -> Decimal:
        return Decimal(self.weight)


class GradeRule(UndeletableModel):
    indicator_set = models.ForeignKey(
        IndicatorSet, verbose_name=_("indicator set"), on_delete=models.PROTECT, related_name="grade_rules"
    )
    grade = models.CharField(_("grade"), max_length=1, choices=[(g, g) for g in "ABCD"])
    label = models.CharField(_("label"), max_length=20)
    min_score = models.DecimalField(_("minimum score"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("grade rule")
        verbose_name_plural = _("grade rules")
        ordering = ["indicator_set", "-min_score"]
        constraints = [
            models.UniqueConstraint(fields=["indicator_set", "grade"], name="evaluation_grade_unique"),
            models.CheckConstraint(
                name="evaluation_grade_min_range", condition=Q(min_score__gte=0, min_score__lte=100)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grade} ≥ {self.min_score}"


class VetoKind(models.TextChoices):
    DISHONEST_DEBTOR = "dishonest_debtor", _("On the dishonest judgment-debtor list at period end")
    SERIOUS_RECORD = "serious_record", _("A serious record published in the period")
    RECTIFICATION_OVERDUE = "rectification_overdue", _("A rectification overdue at the freeze")
    BOND_DEFAULT = "bond_default", _("A bond default")
    FALSIFIED_DATA = "falsified_data", _("Falsified data (entered by the credit office)")


class VetoRule(UndeletableModel):
    """一票否决: fires when the source counts an item (at `level`, when given) for the unit, or, for a manual kind
    (no source), when the credit office entered a ManualVeto."""

    indicator_set = models.ForeignKey(
        IndicatorSet, verbose_name=_("indicator set"), on_delete=models.PROTECT, related_name="veto_rules"
    )
    code = models.CharField(_("code"), max_length=16)
    kind = models.CharField(_("kind"), max_length=24, choices=VetoKind.choices)
    source_code = models.CharField(_("source"), max_length=80, blank=True)
    level = models.CharField(_("level counted"), max_length=32, blank=True)
    basis = models.CharField(_("basis"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("veto rule")
        verbose_name_plural = _("veto rules")
        ordering = ["indicator_set", "code"]
        constraints = [
            models.UniqueConstraint(fields=["indicator_set", "code"], name="evaluation_veto_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.get_kind_display()}"
