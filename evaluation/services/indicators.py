"""Indicator sets: a set in use is never edited; a change or a new year is a new version copied from it."""

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from accounts.models import User
from evaluation.formulas import SOURCE_KIND_OF, params_errors
from evaluation.models import GradeRule, Indicator, IndicatorSet, IndicatorSetStatus, VetoRule
from evaluation.services.periods import may_freeze
from kernel.errors import DomainError, NotAllowed
from kernel.sources import source


def indicator_set_new_version(*, actor: User | None, base: IndicatorSet, year: int | None = None) -> IndicatorSet:
    """A draft copy of `base` (indicators, grades, vetoes) as the next version of `year` (the base's by default)."""
    if actor is not None and not may_freeze(actor):
        raise NotAllowed(_("Only the city's credit office may change the indicator system."))
    year = year or base.year
    with transaction.atomic():
        version = (IndicatorSet.objects.filter(year=year).aggregate(v=Max("version"))["v"] or 0) + 1
        copy = IndicatorSet.objects.create(
            year=year,
            version=version,
            name=base.name if year == base.year else base.name.replace(str(base.year), str(year)),
            unit_kinds=list(base.unit_kinds or []),
            based_on=base,
            basis=base.basis,
        )
        parents: dict[int, Indicator] = {}
        for indicator in Indicator.objects.filter(indicator_set=base).order_by("level", "position"):
            old_pk = indicator.pk
            parent = parents.get(indicator.parent_id or 0)
            indicator.pk = None
            indicator.indicator_set = copy
            indicator.parent = parent
            indicator._state.adding = True
            indicator.save()
            parents[old_pk] = indicator
        GradeRule.objects.bulk_create(
            GradeRule(indicator_set=copy, grade=g.grade, label=g.label, min_score=g.min_score)
            for g in GradeRule.objects.filter(indicator_set=base)
        )
        VetoRule.objects.bulk_create(
            VetoRule(
                indicator_set=copy, code=v.code, kind=v.kind, source_code=v.source_code, level=v.level, basis=v.basis
            )
            for v in VetoRule.objects.filter(indicator_set=base)
        )
    return copy


def indicator_errors(indicator_set: IndicatorSet, values: dict[str, Any]) -> dict[str, list[str]]:
    """Every problem with an indicator's values at once (Chinese messages, by field)."""
    errors: dict[str, list[str]] = {}
    formula = values.get("formula", "")
    for message in params_errors(formula, values.get("params", {})):
        errors.setdefault("params", []).append(message)
    code = values.get("source_code", "")
    wanted = SOURCE_KIND_OF.get(formula)
    if formula not in ("manual", "group") and code:
        found = source(code)
        if found is not None and wanted is not None and found.kind != wanted:
            errors.setdefault("source_code", []).append(_("This source does not fit the formula type."))
    try:
        weight = Decimal(str(values.get("weight", "")))
        if not Decimal(0) <= weight <= Decimal(100):
            raise ValueError
    except Exception:
        errors.setdefault("weight", []).append(_("The weight is a number from 0 to 100."))
    return errors


def indicator_update(*, actor: User, indicator: Indicator, values: dict[str, Any]) -> Indicator:
    if not may_freeze(actor):
        raise NotAllowed(_("Only the city's credit office may change the indicator system."))
    if indicator.indicator_set.status != IndicatorSetStatus.DRAFT:
        raise DomainError(_("This indicator set is in use and never edited; make a new version."), code="set_in_use")
    errors = indicator_errors(indicator.indicator_set, {**values, "formula": values.get("formula", indicator.formula)})
    if errors:
        raise DomainError.of_fields(errors)
    with transaction.atomic():
        for name, value in values.items():
            setattr(indicator, name, value)
        indicator.save()
    return indicator
