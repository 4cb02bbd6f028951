"""Credit repair (信用修复), docs/domain.md §5:

    filed ─accept (3 working days)→ accepted ─grant→ granted   (the record leaves disclosure at once)
      └─not accept→ not_accepted        ├─refuse→ refused
                                        └─request material (once)→ material_requested ─material supplied→ accepted

The application opens on the record's earliest repair date (computed by the records capability), like 信用中国's
per-record button that turns on after the minimum period.
"""

import datetime
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
from records.models import AppliedMeasure, DishonestyRecord, MeasureState, MeasureTarget
from records.services import measure_set_state, record_repair
from repair.models import Mitigation, MitigationKind, RepairApplication, RepairStatus
from repair.notices import query_code_send
from repair.query_codes import new_query_code, new_verification_code
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
from workcalendar.workdays import Deadline

S = RepairStatus


def _refusal(application: RepairApplication, move: Move) -> str:
    return _("This application is %(status)s; that step is not possible now.") % {
        "status": application.get_status_display()
    }


MOVES = StateMachine[RepairApplication](
    field="status",
    moves={
        "accept": ({S.FILED}, S.ACCEPTED),
        "not_accept": ({S.FILED}, S.NOT_ACCEPTED),
        "request_material": ({S.ACCEPTED}, S.MATERIAL_REQUESTED),
        "supply_material": ({S.MATERIAL_REQUESTED}, S.ACCEPTED),
        "grant": ({S.ACCEPTED}, S.GRANTED),
        "refuse": ({S.ACCEPTED, S.MATERIAL_REQUESTED}, S.REFUSED),
    },
    refusal=_refusal,
)


def repair_errors(values: Mapping[str, Any], *, public: bool) -> FieldErrors:
    """Every rule a repair application's inputs break (those in `values`: see filer_errors). The public attaches the
    proof of fulfilment; staff filing on a subject's behalf may have it on paper."""
    errors = filer_errors(values)
    if public and "attachments" in values and not values["attachments"]:
        errors.add("attachments", _("Attach the proof that the obligation was fulfilled."))
    return errors


def repair_apply(
    *,
    record: DishonestyRecord,
    statement: str,
    filer_name: str,
    filer_contact: str,
    commitment_signed: bool,
    filer_email: str = "",
    attachments: list[UploadedFile] | None = None,
    filed_by: User | None = None,
    today: datetime.date | None = None,
) -> tuple[RepairApplication, str]:
    """`statement` is the proof of fulfilment; `commitment_signed` the credit commitment (信用承诺书)."""
    today = today or timezone.localdate()
    if filed_by is not None and not DishonestyRecord.objects.visible_to(filed_by).filter(pk=record.pk).exists():
        raise NotAllowed(_("You may not apply for repair of this record."))
    # The public applies from the record's public page; a record kept off the site (a minor one) is repaired
    # through its agency's staff, who file on its behalf.
    if filed_by is None and not DishonestyRecord.objects.disclosed(today).filter(pk=record.pk).exists():
        raise DomainError(
            _("Only a record on public disclosure can be repaired through the public site."), field="record"
        )
    if not record.is_in_force:
        raise DomainError(_("Only a record in force can be repaired."), field="record")
    if not record.repair_possible_on(today):
        raise DomainError(
            _("Credit repair can be applied for from %(date)s.") % {"date": record.earliest_repair_on.isoformat()},
            code="too_early",
            field="record",
        )
    repair_errors(
        {
            "filer_name": filer_name,
            "filer_contact": filer_contact,
            "statement": statement,
            "attachments": attachments or [],
            "commitment_signed": commitment_signed,
        },
        public=filed_by is None,
    ).raise_any()
    code, digest = new_query_code()
    try:
        with transaction.atomic():
            application = RepairApplication.objects.create(
                record=record,
                statement=statement.strip(),
                filer_name=filer_name.strip(),
                filer_contact=filer_contact.strip(),
                filer_email=filer_email.strip(),
                commitment_signed=True,
                query_code_digest=digest,
                filed_by=filed_by,
                **RepairApplication.STAGE_DEADLINE.values(due_after(settings.REPAIR_ACCEPT_WORKING_DAYS, today)),
            )
            attach_files(application, attachments or [])
            case_event(application, from_status="", actor=filed_by)
            query_code_send(case=application, code=code)
            notify(
                link=case_link(application),
                subject=_("Credit repair applied for: record %(number)s") % {"number": record.document_number},
                body=_("Decide on acceptance by %(date)s.")
                % {"date": due_text(application.stage_due_on, application.stage_due_provisional)},
                agencies=record_agencies(record),
            )
    except IntegrityError as exc:  # repair_one_open_per_record
        raise DomainError(
            _("A repair application for this record is already being handled."), code="duplicate", field="record"
        ) from exc
    return application, code


def _check_actor(actor: User, application: RepairApplication) -> None:
    if not may_decide_records_about(actor, application.record.subject_agency):
        raise NotAllowed(_("Only the credit office of the region decides on credit repair."))


def _advance(
    application: RepairApplication,
    action: str,
    actor: User | None,
    *,
    reason: str = "",
    due: Deadline | None = None,
    fields: dict[str, Any] | None = None,
) -> RepairApplication:
    """One step of the application with its notices; call inside a transaction (the notices commit with the step)."""
    values = {**stage_deadline(due), **(fields or {})}
    if MOVES.move(action).target in (S.GRANTED, S.REFUSED, S.NOT_ACCEPTED):
        decided_at = timezone.now()
        values.update(closed_at=decided_at, decision_reason=reason.strip(), decided_by=actor, decided_at=decided_at)
    application = transition(
        application,
        MOVES,
        action,
        actor=actor,
        reason=reason.strip(),
        fields=values,
        event=case_moved,
        queryset=RepairApplication.objects.select_related("record"),
    )
    # Each reader in their own words: staff about the repair of their record, the filer about their application.
    status_label = application.get_status_display()
    notify(
        link=case_link(application),
        subject=_("Credit repair of record %(number)s: %(status)s")
        % {"number": application.record.document_number, "status": status_label},
        body=reason.strip(),
        agencies=record_agencies(application.record),
    )
    notify(
        subject=_("Your credit repair application: %(status)s") % {"status": status_label},
        body=reason.strip(),
        emails=[application.filer_email],
    )
    return application


def _locked(application: RepairApplication) -> RepairApplication:
    return RepairApplication.objects.select_for_update().select_related("record").get(pk=application.pk)


def repair_accept(*, actor: User, application: RepairApplication) -> RepairApplication:
    _check_actor(actor, application)
    with transaction.atomic():
        return _advance(application, "accept", actor, due=due_after(settings.REPAIR_DECIDE_WORKING_DAYS))


def repair_not_accept(*, actor: User, application: RepairApplication, reason: str) -> RepairApplication:
    _check_actor(actor, application)
    if not reason.strip():
        raise DomainError(_("Give the reasons."), field="reason")
    with transaction.atomic():
        return _advance(application, "not_accept", actor, reason=reason)


def repair_request_material(*, actor: User, application: RepairApplication, request: str) -> RepairApplication:
    """Missing material may be requested once, with a deadline."""
    _check_actor(actor, application)
    if not request.strip():
        raise DomainError(_("Say what material is missing."), field="request")
    with transaction.atomic():
        # Read under the lock before the move: "only once" is said even while the first request is pending.
        if _locked(application).material_requested_at is not None:
            raise DomainError(_("Missing material can be requested only once."), code="already_requested")
        due = due_after(settings.REPAIR_MATERIAL_WORKING_DAYS)
        material = {
            "material_requested_at": timezone.now(),
            "material_request": request.strip(),
            **RepairApplication.MATERIAL_DEADLINE.values(due),
        }
        return _advance(application, "request_material", actor, reason=request, due=due, fields=material)


def repair_supply_material(
    *, application: RepairApplication, statement: str, attachments: list[UploadedFile] | None = None
) -> RepairApplication:
    """The filer (with the query code) supplies what was asked; the decision clock starts again."""
    if not statement.strip() and not attachments:
        raise DomainError(_("Describe or attach the material."), field="statement")
    with transaction.atomic():
        application = _locked(application)
        if application.material_due_on and timezone.localdate() > application.material_due_on:
            raise DomainError(_("The deadline for the material has passed."), code="too_late")
        attach_files(application, attachments or [])
        supplied = {"statement": f"{application.statement}\n\n{statement.strip()}"} if statement.strip() else {}
        return _advance(
            application,
            "supply_material",
            None,
            reason=statement,
            due=due_after(settings.REPAIR_DECIDE_WORKING_DAYS),
            fields=supplied,
        )


def repair_grant(*, actor: User, application: RepairApplication, reason: str) -> RepairApplication:
    """The record leaves public disclosure at once, its measures are lifted, the change is queued for the platform,
    and a decision with a verification code is issued."""
    _check_actor(actor, application)
    if not reason.strip():
        raise DomainError(_("Give the reasons."), field="reason")
    with transaction.atomic():
        application = _advance(
            application, "grant", actor, reason=reason, fields={"verification_code": new_verification_code()}
        )
        record_repair(actor=actor, record=application.record, reason=reason)
    return application


def repair_refuse(*, actor: User, application: RepairApplication, reason: str) -> RepairApplication:
    _check_actor(actor, application)
    if not reason.strip():
        raise DomainError(_("Give the reasons."), field="reason")
    with transaction.atomic():
        return _advance(application, "refuse", actor, reason=reason)


def mitigation_grant(*, actor: User, measure: AppliedMeasure, kind: str, reason: str) -> Mitigation:
    """主动自新 (docs/domain.md §5): a civil servant who recovered the loss or stopped the harm is spared a personal
    measure — exempted (the measure is lifted) or mitigated (it stays, recorded as mitigated)."""
    if not may_decide_records_about(actor, measure.record.subject_agency):
        raise NotAllowed(_("Only the credit office of the region approves mitigation."))
    if kind not in MitigationKind.values:
        raise DomainError(_("Choose mitigation or exemption."), field="kind")
    if not reason.strip():
        raise DomainError(_("Give the reason."), field="reason")
    if measure.target_person_id is None or measure.measure_type.target == MeasureTarget.UNIT:
        raise DomainError(_("Only measures against a person can be mitigated."), field="measure")
    with transaction.atomic():
        if Mitigation.objects.filter(measure=measure).exists():
            raise DomainError(_("This measure has already been mitigated."), code="duplicate", field="measure")
        mitigation = Mitigation.objects.create(measure=measure, kind=kind, reason=reason.strip(), approved_by=actor)
        if kind == MitigationKind.EXEMPTED and measure.state in (MeasureState.ACTIVE, MeasureState.SUSPENDED):
            measure_set_state(actor=actor, measure=measure, to_state=MeasureState.LIFTED, reason=reason)
    return mitigation
