"""Applying punishment measures when a record is published, and moving them through their states (DOMAIN §4)."""

import datetime
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scope import may_decide_records_about, may_enter_records_for
from disclosure.cache import public_version_bump
from records.disclosure import add_months
from records.errors import DomainError, NotAllowed
from records.models import (
    AppliedMeasure,
    DishonestyRecord,
    MeasureEvent,
    MeasureRule,
    MeasureState,
    MeasureTarget,
    MeasureType,
    Rectification,
    ResponsibilityKind,
)
from workcalendar.workdays import working_day_deadline

MEASURE_MOVES: dict[str, frozenset[str]] = {
    MeasureState.ACTIVE: frozenset({MeasureState.SUSPENDED, MeasureState.LIFTED, MeasureState.COMPLETED}),
    MeasureState.SUSPENDED: frozenset({MeasureState.ACTIVE, MeasureState.LIFTED, MeasureState.COMPLETED}),
    MeasureState.LIFTED: frozenset(),
    MeasureState.COMPLETED: frozenset(),
}


def _rules_for(record: DishonestyRecord) -> QuerySet[MeasureRule]:
    for_person = record.subject_person_id is not None
    rules = MeasureRule.objects.filter(severity=record.severity, for_person_records=for_person, active=True)
    return rules.filter(measure_type__active=True).select_related("measure_type").order_by("measure_type__code")


def measure_types_for(*, record: DishonestyRecord) -> list[MeasureType]:
    """The measures publishing `record` would apply (its tier, and whether it is about a person)."""
    return [rule.measure_type for rule in _rules_for(record)]


def measures_apply(*, record: DishonestyRecord, actor: Any, today: datetime.date) -> list[AppliedMeasure]:
    """Applies what the measure rules call for; called inside record_publish's transaction."""
    rules = _rules_for(record)
    executing = getattr(actor, "agency", None) or record.data_source_agency
    principals = [
        r.person for r in record.responsibilities.select_related("person") if r.kind == ResponsibilityKind.PRINCIPAL
    ]
    applied: list[AppliedMeasure] = []
    for rule in rules:
        kind = rule.measure_type
        if kind.target == MeasureTarget.PRINCIPAL:
            targets = [(record.subject_agency, person) for person in principals]
        elif kind.target == MeasureTarget.PERSON:
            targets = [(record.subject_agency, record.subject_person)] if record.subject_person else []
        else:
            targets = [(record.subject_agency, None)]
        ends_on = add_months(today, kind.duration_months) if kind.duration_months else record.disclosure_ends_on
        for agency, person in targets:
            measure = AppliedMeasure.objects.create(
                record=record,
                measure_type=kind,
                target_agency=agency,
                target_person=person,
                executing_agency=executing,
                starts_on=today,
                ends_on=max(ends_on, today),
            )
            MeasureEvent.objects.create(measure=measure, to_state=MeasureState.ACTIVE, actor=actor)
            if kind.rectification_working_days:
                rectification = Rectification(measure=measure)
                Rectification.DEADLINE.assign(
                    rectification, working_day_deadline(today, kind.rectification_working_days)
                )
                rectification.save()
            applied.append(measure)
    return applied


def measure_move(measure: AppliedMeasure, to_state: str, actor: Any, reason: str) -> None:
    """One state change of a locked measure, with its event; callers check who may (inside their transaction)."""
    if to_state not in MEASURE_MOVES[measure.state]:
        raise DomainError(
            _("A %(state)s measure cannot become %(to)s.")
            % {"state": measure.get_state_display(), "to": MeasureState(to_state).label},
            code="illegal_transition",
        )
    from_state = measure.state
    measure.state = to_state
    measure.state_reason = reason
    measure.save(update_fields=["state", "state_reason"])
    MeasureEvent.objects.create(measure=measure, from_state=from_state, to_state=to_state, reason=reason, actor=actor)
    record_touch(measure.record_id)


def record_touch(record_id: int) -> None:
    """A measure changed: the record counts as changed for incremental pulls (`updated_after`), and its public page
    (which lists the measures in force and the date of the last change) is rendered afresh."""
    DishonestyRecord.objects.filter(pk=record_id).update(updated_at=timezone.now())
    public_version_bump()


def measures_close(*, record: DishonestyRecord, actor: Any, to_state: str, reason: str) -> int:
    """Lifts (revocation, repair) or completes (expiry) every open measure of a record."""
    open_measures = AppliedMeasure.objects.select_for_update().filter(
        record=record, state__in=[MeasureState.ACTIVE, MeasureState.SUSPENDED]
    )
    count = 0
    for measure in open_measures:
        measure_move(measure, to_state, actor, reason)
        count += 1
    return count


def measure_set_state(*, actor: Any, measure: AppliedMeasure, to_state: str, reason: str) -> AppliedMeasure:
    if not may_decide_records_about(actor, measure.record.subject_agency):
        raise NotAllowed(_("Only the credit office of the region may change measures."))
    if not reason.strip():
        raise DomainError(_("Give the reason."), field="reason")
    with transaction.atomic():
        measure = AppliedMeasure.objects.select_for_update().get(pk=measure.pk)
        measure_move(measure, to_state, actor, reason.strip())
    return measure


def rectification_submit(*, actor: Any, rectification: Rectification, explanation: str) -> Rectification:
    """The unit's explanation of its rectification (限期整改), by its own clerk or reviewer."""
    if not may_enter_records_for(actor, rectification.measure.target_agency):
        raise NotAllowed(_("Only the agency concerned may answer this rectification."))
    if not explanation.strip():
        raise DomainError(_("Explain what was rectified."), field="explanation")
    with transaction.atomic():
        rectification = Rectification.objects.select_for_update().select_related("measure").get(pk=rectification.pk)
        if rectification.measure.state != MeasureState.ACTIVE:
            raise DomainError(_("This measure is no longer active."), code="illegal_transition")
        rectification.explanation = explanation.strip()
        rectification.submitted_at = timezone.now()
        rectification.submitted_by = actor
        rectification.save(update_fields=["explanation", "submitted_at", "submitted_by"])
    return rectification
