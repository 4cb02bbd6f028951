"""Applying punishment measures when a record is published, and moving them through their states (docs/domain.md §5)."""

import datetime
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.scope import may_decide_records_about, may_enter_records_for
from kernel.errors import DomainError, NotAllowed
from kernel.sources import unit_changed
from kernel.transitions import Move, StateMachine, Step, transition
from outbox.hooks import public_changed
from records.disclosure import add_months
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
from subjects.models import Agency, CivilServant
from workcalendar.workdays import working_day_deadline

M = MeasureState


def _refusal(measure: AppliedMeasure, move: Move) -> str:
    return _("A %(state)s measure cannot become %(to)s.") % {
        "state": measure.get_state_display(),
        "to": MeasureState(move.target).label,
    }


# Lifted and completed are final.
MEASURE_MOVES = StateMachine[AppliedMeasure](
    field="state",
    moves={
        "suspend": ({M.ACTIVE}, M.SUSPENDED),
        "resume": ({M.SUSPENDED}, M.ACTIVE),
        "lift": ({M.ACTIVE, M.SUSPENDED}, M.LIFTED),
        "complete": ({M.ACTIVE, M.SUSPENDED}, M.COMPLETED),
    },
    refusal=_refusal,
)


def _rules_for(record: DishonestyRecord) -> QuerySet[MeasureRule]:
    for_person = record.subject_person_id is not None
    rules = MeasureRule.objects.filter(severity=record.severity, for_person_records=for_person, active=True)
    return rules.filter(measure_type__active=True).select_related("measure_type").order_by("measure_type__code")


def measure_types_for(*, record: DishonestyRecord) -> list[MeasureType]:
    """The measures publishing `record` would apply (its tier, and whether it is about a person)."""
    return [rule.measure_type for rule in _rules_for(record)]


def measures_apply(*, record: DishonestyRecord, actor: User, today: datetime.date) -> list[AppliedMeasure]:
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
            targets: list[tuple[Agency, CivilServant | None]] = [
                (record.subject_agency, person) for person in principals
            ]
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
    unit_changed([m.executing_agency_id for m in applied], today)
    return applied


def _moved(measure: AppliedMeasure, step: Step) -> MeasureEvent:
    """The event row of a move (kernel.transitions.transition's `event`)."""
    return MeasureEvent.objects.create(
        measure=measure,
        from_state=step.from_state,
        to_state=step.to_state,
        reason=step.reason,
        actor=step.actor,
        at=step.at,
    )


def _move(
    measure: AppliedMeasure,
    action: str,
    *,
    actor: User | None,
    reason: str,
    locked: bool,
    fields: dict[str, Any] | None = None,
) -> AppliedMeasure:
    measure = transition(
        measure,
        MEASURE_MOVES,
        action,
        actor=actor,
        reason=reason,
        fields={"state_reason": reason, **(fields or {})},
        event=_moved,
        locked=locked,
    )
    record_touch(measure.record_id)
    return measure


def measure_move(measure: AppliedMeasure, to_state: str, actor: User | None, reason: str) -> None:
    """One state change of a measure its caller read with select_for_update, with its event; callers check who may
    (inside their transaction)."""
    _move(measure, MEASURE_MOVES.action_to(to_state), actor=actor, reason=reason, locked=True)


def record_touch(record_id: int) -> None:
    """A measure changed: the record counts as changed for incremental pulls (`updated_after`), and its public page
    (which lists the measures in force and the date of the last change) is rendered afresh."""
    DishonestyRecord.objects.filter(pk=record_id).update(updated_at=timezone.now())
    public_changed.announce()


def measures_close(*, record: DishonestyRecord, actor: User | None, to_state: str, reason: str) -> int:
    """Lifts (revocation, repair) or completes (expiry) every open measure of a record."""
    open_measures = AppliedMeasure.objects.select_for_update().filter(
        record=record, state__in=[MeasureState.ACTIVE, MeasureState.SUSPENDED]
    )
    count = 0
    for measure in open_measures:
        measure_move(measure, to_state, actor, reason)
        count += 1
    return count


def measure_set_state(*, actor: User, measure: AppliedMeasure, to_state: str, reason: str) -> AppliedMeasure:
    if not may_decide_records_about(actor, measure.record.subject_agency):
        raise NotAllowed(_("Only the credit office of the region may change measures."))
    if not reason.strip():
        raise DomainError(_("Give the reason."), field="reason")
    with transaction.atomic():
        return _move(measure, MEASURE_MOVES.action_to(to_state), actor=actor, reason=reason.strip(), locked=False)


def measure_mark_wrongful(*, actor: User, measure: AppliedMeasure, reason: str) -> AppliedMeasure:
    """An upheld objection found that the measure should never have applied: it is marked wrongful, so the subject's
    reputation is restored. One still in force is lifted as wrongful in the same move; one already over keeps its
    state, with an event row saying why it changed. Marking it again changes nothing."""
    if not may_decide_records_about(actor, measure.record.subject_agency):
        raise NotAllowed(_("Only the credit office of the region may change measures."))
    if not reason.strip():
        raise DomainError(_("Give the reason."), field="reason")
    reason = reason.strip()
    with transaction.atomic():
        measure = AppliedMeasure.objects.select_for_update().get(pk=measure.pk)
        if measure.wrongful:
            return measure
        if MEASURE_MOVES.allows(measure.state, "lift"):
            unit_changed(measure.executing_agency_id, measure.starts_on)
            return _move(measure, "lift", actor=actor, reason=reason, locked=True, fields={"wrongful": True})
        # Not a move of the state: the flag is saved (a history row) and the timeline says why.
        measure.wrongful = True
        measure.save(update_fields=["wrongful"])
        MeasureEvent.objects.create(
            measure=measure,
            from_state=measure.state,
            to_state=measure.state,
            reason=_("Applied wrongfully: %(reason)s") % {"reason": reason},
            actor=actor,
        )
        record_touch(measure.record_id)
        unit_changed(measure.executing_agency_id, measure.starts_on)
    return measure


def rectification_submit(*, actor: User, rectification: Rectification, explanation: str) -> Rectification:
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
        unit_changed(rectification.measure.record.subject_agency_id, rectification.deadline)
    return rectification
