"""What the credit office enters by hand: manual points with evidence, falsified-data vetoes."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Role, User
from evaluation.models import FormulaType, Indicator, ManualScore, Period
from evaluation.services.recompute import mark_dirty
from kernel.errors import DomainError, NotAllowed
from subjects.models import Agency


def may_score(user: User, agency: Agency) -> bool:
    """The credit office over the unit (its subtree) or an administrator."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_administrator:
        return True
    return (
        user.role == Role.CREDIT_OFFICE
        and user.agency is not None
        and agency.pk != user.agency_id
        and agency.path.startswith(user.agency.path)
    ) or (user.role == Role.CREDIT_OFFICE and user.agency is not None and user.agency.parent_id is None)


def manual_score_enter(
    *, actor: User, period: Period, agency: Agency, indicator: Indicator, points: Any, note: str, evidence: Any
) -> ManualScore:
    """Enters (or replaces) a unit's points for a manual indicator, with the grounds and an evidence file; the unit is
    recomputed by the next dirty run. Every field error at once; nothing written when one is wrong."""
    if not may_score(actor, agency):
        raise NotAllowed(_("Only the credit office over this unit may enter its manual scores."))
    errors: dict[str, list[str]] = {}
    if not period.is_open:
        errors.setdefault("period", []).append(_("This period is frozen; its scores no longer change."))
    if indicator.indicator_set_id != period.indicator_set_id or indicator.formula != FormulaType.MANUAL:
        errors.setdefault("indicator", []).append(_("Choose a manual indicator of the period's indicator set."))
    value: Decimal | None = None
    try:
        value = Decimal(str(points))
        if not Decimal(0) <= value <= Decimal(indicator.weight):
            errors.setdefault("points", []).append(
                _("The points are from 0 to the indicator's weight (%(weight)s).") % {"weight": indicator.weight}
            )
    except (InvalidOperation, ValueError):
        errors.setdefault("points", []).append(_("Enter a number."))
    if not (note or "").strip():
        errors.setdefault("note", []).append(_("Give the grounds for the points."))
    if not evidence:
        errors.setdefault("evidence", []).append(_("Attach the evidence."))
    if errors:
        raise DomainError.of_fields(errors)
    assert value is not None
    with transaction.atomic():
        row, _created = ManualScore.objects.update_or_create(
            period=period,
            agency=agency,
            indicator=indicator,
            defaults={"points": value, "note": note.strip(), "evidence": evidence, "entered_by": actor},
        )
        mark_dirty([agency.pk], period.start)
    return row
