"""Court cases where an agency is a party: entry, hearings (whether the head appeared in court, else the reason with
evidence), judicial suggestions and their answers, the judgment and its performance, and the daily job that proposes
the dishonest-judgment-debtor candidate record of a judgment not performed by its deadline.
docs/supervision.md § Court cases.

The moves (kernel.transitions, every one an event row):
    pending ─judge_obligation→ to_perform ─perform→ performed
    pending ─judge→ closed
"""

import datetime
import os
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AnyUser, Sector, User
from accounts.scope import may_enter_records_for
from kernel.errors import DomainError, NotAllowed
from kernel.sources import unit_changed
from kernel.transitions import Move, StateMachine, Step, transition
from notices.services import notify
from records.models import DishonestyRecord, RecordSource, ResponsibilityKind, Severity
from records.rules import principals
from records.services.candidates import credit_office_over, record_candidate_propose
from records.services.dishonesty import RecordInput
from records.services.evidence import evidence_check
from subjects.models import Agency
from supervision.models.courts import (
    CaseKind,
    CaseStatus,
    CourtCase,
    CourtEvent,
    CourtEventKind,
    CourtHearing,
    JudgmentResult,
    JudicialSuggestion,
    PartyRole,
)

S = CaseStatus
Problems = dict[str, list[str]]


def _refusal(case: CourtCase, move: Move) -> str:
    return _("The case is “%(status)s”; this step is not possible now.") % {"status": case.get_status_display()}


TRANSITIONS: StateMachine[CourtCase] = StateMachine(
    field="status",
    moves={
        "judge_obligation": ([S.PENDING], S.TO_PERFORM),
        "judge": ([S.PENDING], S.CLOSED),
        "perform": ([S.TO_PERFORM], S.PERFORMED),
    },
    refusal=_refusal,
)
EVENT_KINDS: dict[str, str] = {
    "judge_obligation": CourtEventKind.JUDGED,
    "judge": CourtEventKind.JUDGED,
    "perform": CourtEventKind.PERFORMED,
}


def may_handle(user: AnyUser, agency: Agency) -> bool:
    """Enter and keep a case: the agency's clerks and reviewers and the credit office above it."""
    return may_enter_records_for(user, agency)


def _add(errors: Problems, name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


def _not_future(errors: Problems, name: str, day: datetime.date | None, missing: str) -> None:
    if day is None:
        _add(errors, name, missing)
    elif day > timezone.localdate():
        _add(errors, name, _("This date cannot be in the future."))


# Entry --------------------------------------------------------------------------------------------------------------


@dataclass
class CaseInput:
    case_number: str
    court: str
    kind: str
    agency: Agency | None
    party_role: str
    cause: str
    filing_notice_on: datetime.date | None
    counterparty: str = ""


def case_problems(data: CaseInput) -> Problems:
    errors: Problems = {}
    number = data.case_number.strip()
    if not number:
        _add(errors, "case_number", _("Give the case number, such as (2026)浙0102行初15号."))
    elif len(number) > 60:
        _add(errors, "case_number", _("At most %(limit)d characters.") % {"limit": 60})
    elif CourtCase.objects.filter(case_number=number).exists():
        _add(errors, "case_number", _("Another case has this number."))
    if not data.court.strip():
        _add(errors, "court", _("Name the court."))
    if data.kind not in CaseKind.values:
        _add(errors, "kind", _("Choose administrative litigation or a civil case."))
    if data.agency is None:
        _add(errors, "agency", _("Choose the agency that is a party."))
    if data.party_role not in PartyRole.values:
        _add(errors, "party_role", _("Choose the agency's role in the case."))
    if not data.cause.strip():
        _add(errors, "cause", _("Give the cause of action."))
    _not_future(errors, "filing_notice_on", data.filing_notice_on, _("Give the day the filing notice was received."))
    return errors


def case_create(*, actor: User, data: CaseInput) -> CourtCase:
    if data.agency is not None and not may_handle(actor, data.agency):
        raise NotAllowed(_("You may not enter cases for this agency."))
    errors = case_problems(data)
    if errors:
        raise DomainError.of_fields(errors)
    assert data.agency is not None and data.filing_notice_on is not None
    with transaction.atomic():
        case = CourtCase.objects.create(
            case_number=data.case_number.strip(),
            court=data.court.strip(),
            kind=data.kind,
            agency=data.agency,
            party_role=data.party_role,
            cause=data.cause.strip(),
            counterparty=data.counterparty.strip(),
            filing_notice_on=data.filing_notice_on,
            created_by=actor,
        )
        _event(case, CourtEventKind.FILED, actor, from_status="", to_status=S.PENDING)
    return case


# Hearings -----------------------------------------------------------------------------------------------------------


@dataclass
class HearingInput:
    held_on: datetime.date | None
    head_appeared: bool | None
    head_name: str = ""
    absence_reason: str = ""
    evidence: Any = None


def hearing_problems(case: CourtCase, data: HearingInput) -> Problems:
    errors: Problems = {}
    _not_future(errors, "held_on", data.held_on, _("Give the day of the hearing."))
    if data.held_on is not None and data.held_on < case.filing_notice_on:
        _add(errors, "held_on", _("The hearing cannot be before the filing notice."))
    if data.head_appeared is None:
        _add(errors, "head_appeared", _("Say whether the agency head appeared in court."))
    elif data.head_appeared:
        if not data.head_name.strip():
            _add(errors, "head_name", _("Name the head who appeared in court."))
    else:
        if not data.absence_reason.strip():
            _add(errors, "absence_reason", _("The head did not appear: give the reason."))
        if data.evidence is None:
            _add(errors, "evidence", _("The head did not appear: attach the evidence of the reason."))
    if data.evidence is not None:
        try:
            evidence_check(data.evidence)
        except DomainError as exc:
            _add(errors, "evidence", str(exc.message))
    return errors


def hearing_add(*, actor: User, case: CourtCase, data: HearingInput) -> CourtHearing:
    if not may_handle(actor, case.agency):
        raise NotAllowed(_("Only the agency that is a party records its hearings."))
    errors = hearing_problems(case, data)
    if errors:
        raise DomainError.of_fields(errors)
    assert data.held_on is not None and data.head_appeared is not None
    hearing = CourtHearing(
        case=case,
        held_on=data.held_on,
        head_appeared=data.head_appeared,
        head_name=data.head_name.strip() if data.head_appeared else "",
        absence_reason="" if data.head_appeared else data.absence_reason.strip(),
        created_by=actor,
    )
    stored = ""
    try:
        with transaction.atomic():
            if data.evidence is not None:
                _kind, name = evidence_check(data.evidence)
                hearing.evidence_name = name
                hearing.evidence.save(
                    f"{uuid.uuid4().hex}{os.path.splitext(name)[1].lower()}", data.evidence, save=False
                )
                stored = hearing.evidence.name
            hearing.save()
            reason = (
                _("The head appeared: %(name)s") % {"name": hearing.head_name}
                if hearing.head_appeared
                else _("The head did not appear: %(reason)s") % {"reason": hearing.absence_reason}
            )
            _event(case, CourtEventKind.HEARING, actor, from_status=case.status, to_status=case.status, reason=reason)
            unit_changed(case.agency_id, data.held_on)
    except BaseException:
        if stored:
            hearing.evidence.storage.delete(stored)
        raise
    return hearing


# Judicial suggestions -----------------------------------------------------------------------------------------------


def judicial_suggestion_add(
    *, actor: User, case: CourtCase, received_on: datetime.date | None, content: str
) -> JudicialSuggestion:
    if not may_handle(actor, case.agency):
        raise NotAllowed(_("Only the agency that is a party records its judicial suggestions."))
    errors: Problems = {}
    _not_future(errors, "received_on", received_on, _("Give the day the judicial suggestion was received."))
    if not content.strip():
        _add(errors, "content", _("Write what the court suggests."))
    if errors:
        raise DomainError.of_fields(errors)
    assert received_on is not None
    with transaction.atomic():
        row = JudicialSuggestion.objects.create(case=case, received_on=received_on, content=content.strip())
        _event(
            case,
            CourtEventKind.JUDICIAL_SUGGESTION,
            actor,
            from_status=case.status,
            to_status=case.status,
            reason=content.strip()[:500],
        )
    return row


def judicial_suggestion_answer(
    *, actor: User, suggestion: JudicialSuggestion, answered_on: datetime.date | None, answer: str
) -> JudicialSuggestion:
    case = suggestion.case
    if not may_handle(actor, case.agency):
        raise NotAllowed(_("Only the agency that is a party answers its judicial suggestions."))
    errors: Problems = {}
    _not_future(errors, "answered_on", answered_on, _("Give the day of the answer."))
    if answered_on is not None and answered_on < suggestion.received_on:
        _add(errors, "answered_on", _("The answer cannot be before the suggestion was received."))
    if not answer.strip():
        _add(errors, "answer", _("Write the answer."))
    if errors:
        raise DomainError.of_fields(errors)
    with transaction.atomic():
        row = JudicialSuggestion.objects.select_for_update().get(pk=suggestion.pk)
        if row.answered_on is not None:
            raise DomainError(_("This judicial suggestion is already answered."), code="illegal_transition")
        row.answered_on, row.answer = answered_on, answer.strip()
        row.save(update_fields=["answered_on", "answer"])
        _event(
            case, CourtEventKind.ANSWERED, actor, from_status=case.status, to_status=case.status, reason=answer[:500]
        )
    return row


# Judgment and performance -------------------------------------------------------------------------------------------


@dataclass
class JudgmentInput:
    judged_on: datetime.date | None
    result: str
    obligation: str = ""
    performance_due_on: datetime.date | None = None


def judgment_problems(case: CourtCase, data: JudgmentInput) -> Problems:
    errors: Problems = {}
    _not_future(errors, "judged_on", data.judged_on, _("Give the day of the judgment."))
    if data.judged_on is not None and data.judged_on < case.filing_notice_on:
        _add(errors, "judged_on", _("The judgment cannot be before the filing notice."))
    if data.result not in JudgmentResult.values:
        _add(errors, "result", _("Choose won, lost or partly lost."))
    if data.obligation.strip():
        if data.performance_due_on is None:
            _add(errors, "performance_due_on", _("The judgment imposes an obligation: give its performance deadline."))
        elif data.judged_on is not None and data.performance_due_on <= data.judged_on:
            _add(errors, "performance_due_on", _("The performance deadline must be after the judgment."))
    elif data.performance_due_on is not None:
        _add(errors, "obligation", _("A performance deadline needs the obligation it is for."))
    if data.result == JudgmentResult.WON and data.obligation.strip() and case.party_role == PartyRole.DEFENDANT:
        _add(errors, "obligation", _("A case the agency won as defendant imposes no obligation on it."))
    return errors


def judgment_record(*, actor: User, case: CourtCase, data: JudgmentInput) -> CourtCase:
    """The judgment: with an obligation on the agency the case waits for its performance; without one it closes."""
    if not may_handle(actor, case.agency):
        raise NotAllowed(_("Only the agency that is a party records its judgment."))
    errors = judgment_problems(case, data)
    if errors:
        raise DomainError.of_fields(errors)
    assert data.judged_on is not None
    action = "judge_obligation" if data.obligation.strip() else "judge"
    with transaction.atomic():
        case = transition(
            case,
            TRANSITIONS,
            action,
            actor=actor,
            reason=str(JudgmentResult(data.result).label),
            fields={
                "judged_on": data.judged_on,
                "result": data.result,
                "obligation": data.obligation.strip(),
                "performance_due_on": data.performance_due_on if data.obligation.strip() else None,
            },
            queryset=_rows(),
            event=_moved,
        )
        unit_changed(case.agency_id, data.performance_due_on or data.judged_on)
    return case


def judgment_perform(*, actor: User, case: CourtCase, performed_on: datetime.date | None) -> CourtCase:
    """The agency performed the obligation on a day (late or not: the evaluation counts the lateness)."""
    if not may_handle(actor, case.agency):
        raise NotAllowed(_("Only the agency that is a party records its performance."))
    errors: Problems = {}
    _not_future(errors, "performed_on", performed_on, _("Give the day the obligation was performed."))
    if performed_on is not None and case.judged_on is not None and performed_on < case.judged_on:
        _add(errors, "performed_on", _("The performance cannot be before the judgment."))
    if errors:
        raise DomainError.of_fields(errors)
    with transaction.atomic():
        case = transition(
            case,
            TRANSITIONS,
            "perform",
            actor=actor,
            fields={"performed_on": performed_on},
            queryset=_rows(),
            event=_moved,
        )
        unit_changed(case.agency_id, case.performance_due_on)
    return case


@dataclass
class JudgmentWatch:
    proposed: int = 0


def court_judgments_watch(*, today: datetime.date | None = None) -> JudgmentWatch:
    """Safe to run twice: every judgment still to perform after its deadline that has no candidate record yet
    proposes one (the dishonest-judgment-debtor source), for the credit office to decide; the agency explains it."""
    today = today or timezone.localdate()
    run = JudgmentWatch()
    pending = CourtCase.objects.not_performed(today).filter(record__isnull=True).select_related("agency")
    for case in pending.order_by("pk"):
        with transaction.atomic():
            locked = CourtCase.objects.select_for_update().select_related("agency").get(pk=case.pk)
            if locked.record_id is not None or not locked.is_overdue(today):
                continue
            locked.record = _propose(locked, today)
            locked.save(update_fields=["record", "updated_at"])
            _event(
                locked,
                CourtEventKind.NOT_PERFORMED,
                None,
                from_status=locked.status,
                to_status=locked.status,
                reason=locked.record.facts,
            )
            notify(
                subject=(
                    _("The judgment of case %(number)s was not performed by its deadline")
                    % {"number": locked.case_number}
                )[:200],
                body=locked.record.facts,
                link=case_link(locked),
                agencies=[credit_office_over(locked.agency)],
            )
            run.proposed += 1
    return run


def _propose(case: CourtCase, today: datetime.date) -> DishonestyRecord:
    agency = case.agency
    office = credit_office_over(agency)
    responsible: list[tuple[Any, str]] = []
    principal = principals([agency.pk]).first()
    if principal is not None:
        responsible.append((principal, ResponsibilityKind.PRINCIPAL.value))
    assert case.performance_due_on is not None
    facts = _(
        "The judgment of %(court)s in case %(number)s of %(judged)s obliges %(agency)s to: %(obligation)s. It was not "
        "performed by the deadline of %(due)s."
    ) % {
        "court": case.court,
        "number": case.case_number,
        "judged": case.judged_on.isoformat() if case.judged_on else "",
        "agency": agency.name,
        "obligation": case.obligation,
        "due": case.performance_due_on.isoformat(),
    }
    data = RecordInput(
        subject_agency=agency,
        source=RecordSource.DISHONEST_DEBTOR,
        sector=Sector.OTHER,
        severity=Severity.SERIOUS,
        document_number=(_("Judgment not performed %(number)s") % {"number": case.case_number})[:100],
        deciding_body_name=office.name,
        deciding_body_uscc=office.uscc,
        deciding_agency=office,
        decision_date=today,
        facts=facts,
        legal_basis=_(
            "The effective judgment; the rules on government integrity (an agency refusing to perform an effective "
            "judgment is recorded as a dishonest judgment debtor)."
        ),
        data_source_agency=agency,
        responsible=responsible,
    )
    return record_candidate_propose(
        origin=case,
        origin_label=(_("Court case %(number)s, judgment not performed") % {"number": case.case_number})[:200],
        data=data,
        actor=None,
        reason=facts,
    )


# Helpers ------------------------------------------------------------------------------------------------------------


def _rows() -> Any:
    return CourtCase.objects.select_related("agency")


def _event(
    case: CourtCase, kind: str, actor: User | None, *, from_status: str, to_status: str, reason: str = ""
) -> CourtEvent:
    return CourtEvent.objects.create(
        case=case, kind=kind, from_status=from_status, to_status=to_status, reason=reason.strip(), actor=actor
    )


def _moved(case: CourtCase, step: Step) -> CourtEvent:
    return _event(
        case,
        EVENT_KINDS[step.action],
        step.actor,
        from_status=step.from_state,
        to_status=step.to_state,
        reason=step.reason,
    )


def case_link(case: CourtCase) -> str:
    return reverse("supervision:court_case_detail", args=[case.pk])
