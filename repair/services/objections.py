"""Objections (异议), docs/domain.md §5:

    filed ─accept→ checking ─send for verification→ verifying ─uphold (correct | revoke)→ upheld
      └─not accept→ not_accepted        └────────────────────────┴─reject→ rejected

From acceptance until the decision the record is "under objection" on the public site and its measures are
suspended. Upheld: the record is corrected or revoked, measures found wrongful are lifted and marked so (the rest
resume); rejected: the reasons go to the filer and the measures resume.
"""

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.scope import may_decide_records_about
from kernel.errors import DomainError, NotAllowed
from kernel.transitions import Move, StateMachine, transition
from notices.services import notify
from records.models import AppliedMeasure, DishonestyRecord, MeasureState
from records.services import measure_mark_wrongful, record_correct, record_revoke
from records.services.measures import measure_move
from records.services.platform import record_objection_flag
from repair.models import (
    UNDER_OBJECTION_STATUSES,
    Objection,
    ObjectionGrounds,
    ObjectionOutcome,
    ObjectionStatus,
)
from repair.notices import query_code_send
from repair.query_codes import new_query_code
from repair.services.common import (
    FieldErrors,
    attach_files,
    case_event,
    case_link,
    case_moved,
    due_after,
    filer_errors,
    record_agencies,
    stage_deadline,
)
from workcalendar.deadlines import due_text

S = ObjectionStatus


def _refusal(objection: Objection, move: Move) -> str:
    return _("This objection is %(status)s; that step is not possible now.") % {
        "status": objection.get_status_display()
    }


MOVES = StateMachine[Objection](
    field="status",
    moves={
        "accept": ({S.FILED}, S.CHECKING),
        "not_accept": ({S.FILED}, S.NOT_ACCEPTED),
        "verify": ({S.CHECKING}, S.VERIFYING),
        "uphold": ({S.CHECKING, S.VERIFYING}, S.UPHELD),
        "reject": ({S.CHECKING, S.VERIFYING}, S.REJECTED),
    },
    refusal=_refusal,
)


def objection_errors(values: Mapping[str, Any]) -> FieldErrors:
    """Every rule an objection's inputs break (those in `values`: see filer_errors)."""
    errors = filer_errors(values)
    if "grounds" in values and values["grounds"] not in ObjectionGrounds.values:
        errors.add("grounds", _("Choose the grounds of the objection."))
    return errors


def objection_file(
    *,
    record: DishonestyRecord,
    grounds: str,
    statement: str,
    filer_name: str,
    filer_contact: str,
    commitment_signed: bool,
    filer_email: str = "",
    attachments: list[UploadedFile] | None = None,
    filed_by: User | None = None,
) -> tuple[Objection, str]:
    """Files an objection; returns it with the query code (shown once). The public may object to a disclosed
    record; staff may file for a subject about any record in force that they can see."""
    if filed_by is None:
        if not DishonestyRecord.objects.disclosed().filter(pk=record.pk).exists():
            raise DomainError(_("Objections can be filed only against a record on public disclosure."), field="record")
    elif not DishonestyRecord.objects.visible_to(filed_by).in_force().filter(pk=record.pk).exists():
        raise NotAllowed(_("You may not file an objection about this record."))
    objection_errors(
        {
            "filer_name": filer_name,
            "filer_contact": filer_contact,
            "grounds": grounds,
            "statement": statement,
            "attachments": attachments,
            "commitment_signed": commitment_signed,
        }
    ).raise_any()
    code, digest = new_query_code()
    try:
        with transaction.atomic():
            objection = Objection.objects.create(
                record=record,
                grounds=grounds,
                statement=statement.strip(),
                filer_name=filer_name.strip(),
                filer_contact=filer_contact.strip(),
                filer_email=filer_email.strip(),
                commitment_signed=True,
                query_code_digest=digest,
                filed_by=filed_by,
                **Objection.STAGE_DEADLINE.values(due_after(settings.OBJECTION_ACCEPT_WORKING_DAYS)),
            )
            attach_files(objection, attachments or [])
            case_event(objection, from_status="", actor=filed_by)
            query_code_send(case=objection, code=code)
            notify(
                link=case_link(objection),
                subject=_("Objection filed against record %(number)s") % {"number": record.document_number},
                body=_("Accept or refuse it by %(date)s.")
                % {"date": due_text(objection.stage_due_on, objection.stage_due_provisional)},
                agencies=record_agencies(record),
            )
    except IntegrityError as exc:  # objection_one_open_per_record_and_grounds
        raise DomainError(
            _("An objection on these grounds is already open for this record."), code="duplicate", field="grounds"
        ) from exc
    return objection, code


def _move(objection: Objection, action: str, *, actor: User, reason: str = "", **fields: Any) -> Objection:
    return transition(
        objection,
        MOVES,
        action,
        actor=actor,
        reason=reason,
        fields=fields,
        event=case_moved,
        queryset=Objection.objects.select_related("record"),
    )


def _closing(reason: str) -> dict[str, Any]:
    """What a decision saves besides the status: its reasons, no more deadline, the time it closed."""
    return {"decision_reason": reason, **stage_deadline(None), "closed_at": timezone.now()}


def _check_actor(actor: User, objection: Objection) -> None:
    if not may_decide_records_about(actor, objection.record.subject_agency):
        raise NotAllowed(_("Only the credit office of the region handles objections."))


def _set_measures(record: DishonestyRecord, *, from_state: str, to_state: str, actor: User, reason: str) -> None:
    for measure in AppliedMeasure.objects.select_for_update().filter(record=record, state=from_state):
        measure_move(measure, to_state, actor, reason)


def _others_under_objection(objection: Objection) -> bool:
    """Whether another accepted objection than this one is open for its record.

    Counted under the record's row lock: two objections of one record decided at once are then counted one after
    the other, each seeing what the other committed, so the record's flag ends as the last decision leaves it."""
    DishonestyRecord.objects.select_for_update().filter(pk=objection.record_id).values_list("pk", flat=True).get()
    return (
        Objection.objects.filter(record=objection.record_id, status__in=UNDER_OBJECTION_STATUSES)
        .exclude(pk=objection.pk)
        .exists()
    )


def _notify(objection: Objection, *, staff_subject: str, filer_subject: str, body: str) -> None:
    """The same step told twice, each in its reader's words: the agencies' staff read about the objection to their
    record ("objection to record X upheld"), the filer about their own case ("your objection was upheld")."""
    notify(subject=staff_subject, body=body, link=case_link(objection), agencies=record_agencies(objection.record))
    notify(subject=filer_subject, body=body, emails=[objection.filer_email])


def _number(objection: Objection) -> dict[str, str]:
    return {"number": objection.record.document_number}


def objection_accept(*, actor: User, objection: Objection) -> Objection:
    _check_actor(actor, objection)
    with transaction.atomic():
        objection = _move(
            objection, "accept", actor=actor, **stage_deadline(due_after(settings.OBJECTION_CHECK_WORKING_DAYS))
        )
        # While the objection is verified, joint punishment measures are suspended (docs/domain.md §5).
        _set_measures(
            objection.record,
            from_state=MeasureState.ACTIVE,
            to_state=MeasureState.SUSPENDED,
            actor=actor,
            reason=_("Suspended while an objection is verified."),
        )
        # A no-op when another accepted objection already put the record under objection.
        record_objection_flag(record=objection.record, under_objection=True)
        _notify(
            objection,
            staff_subject=_("Objection to record %(number)s accepted: its measures are suspended") % _number(objection),
            filer_subject=_("Your objection was accepted"),
            body=_("It is being checked; the record's measures are suspended meanwhile."),
        )
    return objection


def objection_not_accept(*, actor: User, objection: Objection, reason: str) -> Objection:
    _check_actor(actor, objection)
    if not reason.strip():
        raise DomainError(_("Give the reasons."), field="reason")
    with transaction.atomic():
        objection = _move(objection, "not_accept", actor=actor, reason=reason.strip(), **_closing(reason.strip()))
        _notify(
            objection,
            staff_subject=_("Objection to record %(number)s not accepted") % _number(objection),
            filer_subject=_("Your objection was not accepted"),
            body=reason.strip(),
        )
    return objection


def objection_send_for_verification(*, actor: User, objection: Objection) -> Objection:
    """The data-providing unit verifies within OBJECTION_VERIFY_WORKING_DAYS."""
    _check_actor(actor, objection)
    with transaction.atomic():
        objection = _move(
            objection, "verify", actor=actor, **stage_deadline(due_after(settings.OBJECTION_VERIFY_WORKING_DAYS))
        )
        notify(
            link=case_link(objection),
            subject=_("Verify the record %(number)s under objection") % {"number": objection.record.document_number},
            body=_("Send your verification by %(date)s.")
            % {"date": due_text(objection.stage_due_on, objection.stage_due_provisional)},
            agencies=[objection.record.data_source_agency],
        )
    return objection


def objection_uphold(
    *,
    actor: User,
    objection: Objection,
    outcome: str,
    reason: str,
    changes: dict[str, Any] | None = None,
    wrongful_measures: list[AppliedMeasure] | None = None,
) -> Objection:
    """Upheld: the record is corrected (with `changes`) or revoked. Revocation lifts every measure as wrongful;
    a correction lifts the listed `wrongful_measures` and lets the others resume."""
    _check_actor(actor, objection)
    if outcome not in (ObjectionOutcome.CORRECTED, ObjectionOutcome.REVOKED):
        raise DomainError(_("Choose whether the record is corrected or revoked."), field="outcome")
    if not reason.strip():
        raise DomainError(_("Give the reasons."), field="reason")
    if outcome == ObjectionOutcome.CORRECTED and not changes:
        raise DomainError(_("Give the corrected values."), field="changes")
    with transaction.atomic():
        objection = _move(
            objection, "uphold", actor=actor, reason=reason.strip(), outcome=outcome, **_closing(reason.strip())
        )
        record = objection.record
        others_open = _others_under_objection(objection)
        # The correction or revocation below is the version that tells the platform the objection is decided: the
        # flag is stored first so its payload carries it (still under objection if another one is open).
        record_objection_flag(record=record, under_objection=others_open, announce=False)
        wrongful = AppliedMeasure.objects.filter(record=record).select_related("record__subject_agency").order_by("pk")
        if outcome == ObjectionOutcome.REVOKED:
            record_revoke(actor=actor, record=record, reason=reason)
            # Reputation restored: every measure should never have applied (the revocation has lifted those open).
            for measure in wrongful:
                measure_mark_wrongful(actor=actor, measure=measure, reason=reason)
        else:
            record_correct(actor=actor, record=record, changes=changes or {}, reason=reason)
            # Reputation restored: the measures found wrongful are lifted and marked so; the others resume.
            for measure in wrongful.filter(pk__in=[m.pk for m in wrongful_measures or []]):
                measure_mark_wrongful(actor=actor, measure=measure, reason=reason)
            if not others_open:
                _set_measures(
                    record,
                    from_state=MeasureState.SUSPENDED,
                    to_state=MeasureState.ACTIVE,
                    actor=actor,
                    reason=_("Resumed: the objection was decided."),
                )
        staff_subject = (
            _("Objection to record %(number)s upheld: the record was revoked")
            if outcome == ObjectionOutcome.REVOKED
            else _("Objection to record %(number)s upheld: the record was corrected")
        ) % _number(objection)
        _notify(
            objection, staff_subject=staff_subject, filer_subject=_("Your objection was upheld"), body=reason.strip()
        )
    return objection


def objection_reject(*, actor: User, objection: Objection, reason: str) -> Objection:
    _check_actor(actor, objection)
    if not reason.strip():
        raise DomainError(_("Give the reasons."), field="reason")
    with transaction.atomic():
        objection = _move(objection, "reject", actor=actor, reason=reason.strip(), **_closing(reason.strip()))
        others_open = _others_under_objection(objection)
        if not others_open:
            _set_measures(
                objection.record,
                from_state=MeasureState.SUSPENDED,
                to_state=MeasureState.ACTIVE,
                actor=actor,
                reason=_("Resumed: the objection was rejected."),
            )
        record_objection_flag(record=objection.record, under_objection=others_open)
        _notify(
            objection,
            staff_subject=_("Objection to record %(number)s rejected: the record stands") % _number(objection),
            filer_subject=_("Your objection was rejected"),
            body=reason.strip(),
        )
    return objection
