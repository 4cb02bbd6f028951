"""Public commitments: entry, review, publication, progress, outcome, lawful change, warnings and breaches.

Every move goes through the one transition helper (kernel.transitions) and writes a CommitmentEvent. Publication, an
outcome and a lawful change are what the platform must hear: each writes an outbox change (kind "commitment") in its
own transaction. A breach — a commitment decided broken, or overdue past the configured working days after its overdue
warning — proposes a *candidate* dishonesty record (records/services/candidates.py) that the agency explains and the
credit office decides; nothing here publishes a record. docs/domain.md §6.
"""

import datetime
import hashlib
import os
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.scope import may_decide_records_about, may_enter_records_for, may_submit_records_for
from commitments import rules
from commitments.models import (
    OPEN_STATUSES,
    OUTCOME_STATUSES,
    PUBLIC_STATUSES,
    Commitment,
    CommitmentEvent,
    CommitmentEventKind,
    CommitmentStatus,
    CommitmentWarning,
    ProgressEvidence,
    ProgressReport,
    WarningKind,
    sector_of_kind,
)
from kernel.errors import DomainError, NotAllowed
from kernel.sources import unit_changed
from kernel.transitions import Move, StateMachine, Step, transition
from notices.services import notify
from outbox.hooks import public_changed
from outbox.models import ChangeType
from outbox.services import outbox_emit
from records.models import RecordSource, ResponsibilityKind, Severity
from records.services.candidates import credit_office_over, record_candidate_propose
from records.services.dishonesty import RecordInput
from records.services.evidence import evidence_check
from subjects.masking import redact_person_text
from subjects.models import Agency, CivilServant
from subjects.search import grams_of
from workcalendar.workdays import working_days_between

COMMITMENT_KIND = "commitment"
S = CommitmentStatus
OPEN = set(OPEN_STATUSES)
OUTCOMES = {S.KEPT, S.PARTLY_KEPT, S.BROKEN}


def _refusal(commitment: Commitment, move: Move) -> str:
    return _("A commitment that is %(status)s cannot be %(action)s.") % {
        "status": commitment.get_status_display(),
        "action": ACTION_LABELS[move.action](),
    }


TRANSITIONS = StateMachine[Commitment](
    field="status",
    moves={
        "submit": ({S.DRAFT}, S.SUBMITTED),
        "return": ({S.SUBMITTED}, S.DRAFT),
        # Withdrawal only before publication (docs/domain.md §6).
        "withdraw": ({S.DRAFT, S.SUBMITTED}, S.WITHDRAWN),
        "publish": ({S.SUBMITTED}, S.PUBLISHED),
        "start": ({S.PUBLISHED, S.STALLED}, S.IN_PROGRESS),
        "stall": ({S.PUBLISHED, S.IN_PROGRESS}, S.STALLED),
        # An outcome, decided on an open commitment or revised (with a reason) from another outcome.
        "keep": (OPEN | {S.PARTLY_KEPT, S.BROKEN}, S.KEPT),
        "keep_partly": (OPEN | {S.KEPT, S.BROKEN}, S.PARTLY_KEPT),
        "break": (OPEN | {S.KEPT, S.PARTLY_KEPT}, S.BROKEN),
        "change": (OPEN, S.CHANGED),
    },
    refusal=_refusal,
)

ACTION_LABELS: dict[str, Callable[[], str]] = {
    "submit": lambda: _("submitted"),
    "return": lambda: _("returned"),
    "withdraw": lambda: _("withdrawn"),
    "publish": lambda: _("published"),
    "start": lambda: _("started"),
    "stall": lambda: _("marked stalled"),
    "keep": lambda: _("decided kept"),
    "keep_partly": lambda: _("decided partly kept"),
    "break": lambda: _("decided broken"),
    "change": lambda: _("changed"),
}
OUTCOME_ACTIONS: dict[str, str] = {S.KEPT: "keep", S.PARTLY_KEPT: "keep_partly", S.BROKEN: "break"}
EVENT_KINDS = {
    "submit": CommitmentEventKind.SUBMITTED,
    "return": CommitmentEventKind.RETURNED,
    "withdraw": CommitmentEventKind.WITHDRAWN,
    "publish": CommitmentEventKind.PUBLISHED,
    "start": CommitmentEventKind.RESUMED,
    "stall": CommitmentEventKind.STALLED,
    "change": CommitmentEventKind.CHANGED,
}


@dataclass
class CommitmentInput:
    """What a clerk types (form, API or Excel row)."""

    agency: Agency
    kind: str
    title: str
    content: str
    source_document_number: str
    source_date: datetime.date
    promised_on: datetime.date
    due_on: datetime.date
    liability: str
    year: int
    responsible_person: CivilServant | None = None
    service_area: str = ""
    baseline: Decimal | None = None
    target_value: Decimal | None = None
    unit: str = ""
    recurring_standard: str = ""
    source_url: str = ""
    counterparty_name: str = ""
    counterparty_uscc: str = ""
    code: str = ""


def _values(data: CommitmentInput) -> dict[str, Any]:
    return {f.name: getattr(data, f.name) for f in fields(data)}


def commitment_input_check(data: CommitmentInput, *, commitment_id: int | None = None) -> None:
    """Every rule the input breaks, at once (commitments.rules), and a code used by another commitment."""
    problems = rules.commitment_problems(_values(data))
    errors = rules.by_field(problems)
    code = data.code.strip()
    taken = Commitment.objects.filter(code=code)
    if commitment_id is not None:
        taken = taken.exclude(pk=commitment_id)
    if code and taken.exists():
        errors.setdefault("code", []).append(_("Another commitment has this code."))
    if errors:
        raise DomainError.of_fields(errors, code="invalid")
    data.code = code
    data.counterparty_uscc = data.counterparty_uscc.strip().upper()
    for name in ("title", "content", "liability", "source_document_number", "unit", "recurring_standard"):
        setattr(data, name, getattr(data, name).strip())


def _event(
    commitment: Commitment,
    kind: str,
    actor: User | None,
    *,
    from_status: str = "",
    reason: str = "",
    changes: dict[str, Any] | None = None,
) -> CommitmentEvent:
    return CommitmentEvent.objects.create(
        commitment=commitment,
        kind=kind,
        from_status=from_status or commitment.status,
        to_status=commitment.status,
        reason=reason,
        changes=changes or {},
        actor=actor,
    )


def _moved(commitment: Commitment, step: Step, *, changes: dict[str, Any] | None = None) -> CommitmentEvent:
    """The event row of a move (kernel.transitions.transition's `event`). What the evaluation counts (commitments
    decided in a period, open ones past due) may have changed: the unit is marked in the same transaction."""
    unit_changed(commitment.agency_id, timezone.localdate())
    if step.action in EVENT_KINDS:
        kind = EVENT_KINDS[step.action]
    else:  # an outcome: decided from an open state, revised from another outcome
        kind = CommitmentEventKind.REVISED if step.from_state in OUTCOME_STATUSES else CommitmentEventKind.DECIDED
    return CommitmentEvent.objects.create(
        commitment=commitment,
        kind=kind,
        from_status=step.from_state,
        to_status=step.to_state,
        reason=step.reason,
        changes=changes or {},
        actor=step.actor,
        at=step.at,
    )


def _new_version(commitment: Commitment) -> dict[str, Any]:
    return {"version": commitment.version + 1}


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "pk"):
        return str(value.pk)
    return str(value)


# Entry ------------------------------------------------------------------------------------------------------------


def commitment_create(*, actor: User, data: CommitmentInput) -> Commitment:
    if not may_enter_records_for(actor, data.agency):
        raise NotAllowed(_("You may not enter commitments for this agency."))
    commitment_input_check(data)
    values = _values(data)
    typed = values.pop("code")
    # A code not typed is made from the row's number, known once it is inserted; until then a unique placeholder
    # holds the unique column, and the history's first row is given the final code too.
    placeholder = f"TMP-{uuid.uuid4().hex[:30]}"
    with transaction.atomic():
        commitment = Commitment.objects.create(
            **values,
            code=typed or placeholder,
            sector=sector_of_kind(data.kind),
            search_grams=grams_of(f"{data.title} {data.agency.name}"),
            created_by=actor,
        )
        if not typed:
            commitment.code = f"CN{data.year}-{commitment.pk:07d}"
            Commitment.objects.filter(pk=commitment.pk).update(code=commitment.code)
            commitment.history.filter(code=placeholder).update(code=commitment.code)
        _event(commitment, CommitmentEventKind.CREATED, actor)
    return commitment


class CommitmentsRefused(DomainError):
    """Some inputs of a batch break the rules: `refusals` maps each one's index to its messages by field."""

    def __init__(self, refusals: dict[int, dict[str, list[str]]]) -> None:
        super().__init__(_("Some commitments break the rules; none was created."), code="invalid")
        self.refusals = refusals


def commitments_create_many(*, actor: User, items: Sequence[CommitmentInput]) -> list[Commitment]:
    """Creates every commitment as a draft, in one transaction, or none (the Excel import): each is held to
    commitment_create's permission and rules, all of them before the first is written."""
    refusals: dict[int, dict[str, list[str]]] = {}
    codes: dict[str, int] = {}
    for index, data in enumerate(items):
        if not may_enter_records_for(actor, data.agency):
            raise NotAllowed(_("You may not enter commitments for this agency."))
        try:
            commitment_input_check(data)
        except DomainError as exc:
            refusals[index] = exc.field_errors()
        if data.code and codes.setdefault(data.code, index) != index:
            refusals.setdefault(index, {}).setdefault("code", []).append(_("Another commitment has this code."))
    if refusals:
        raise CommitmentsRefused(refusals)
    with transaction.atomic():
        return [commitment_create(actor=actor, data=data) for data in items]


def commitment_update(*, actor: User, commitment: Commitment, data: CommitmentInput) -> Commitment:
    """Edits a draft; a published commitment changes only lawfully (commitment_change)."""
    if not may_enter_records_for(actor, commitment.agency) or not may_enter_records_for(actor, data.agency):
        raise NotAllowed(_("You may not edit this commitment."))
    if not data.code:
        data.code = commitment.code
    commitment_input_check(data, commitment_id=commitment.pk)
    with transaction.atomic():
        commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
        if not commitment.is_editable:
            raise DomainError(_("Only a draft commitment can be edited."), code="illegal_transition")
        changes: dict[str, list[str]] = {}
        for name, value in _values(data).items():
            if getattr(commitment, name) != value:
                changes[name] = [_plain(getattr(commitment, name)), _plain(value)]
                setattr(commitment, name, value)
        if not changes:
            return commitment
        commitment.sector = sector_of_kind(commitment.kind)
        commitment.search_grams = grams_of(f"{commitment.title} {commitment.agency.name}")
        commitment.save()
        _event(commitment, CommitmentEventKind.EDITED, actor, changes=changes)
    return commitment


# Review and publication ------------------------------------------------------------------------------------------


def _staff_of(agency: Agency, roles: Iterable[str]) -> list[User]:
    return list(User.objects.filter(agency=agency, role__in=list(roles), is_active=True).order_by("pk"))


def _link(commitment: Commitment) -> str:
    return reverse("commitments:detail", args=[commitment.pk])


def commitment_submit(*, actor: User, commitment: Commitment) -> Commitment:
    """The agency's reviewer sends a draft to the credit office."""
    if not may_submit_records_for(actor, commitment.agency):
        raise NotAllowed(_("Only the agency's reviewer may submit its commitments."))
    return transition(commitment, TRANSITIONS, "submit", actor=actor, event=_moved)


def commitment_return(*, actor: User, commitment: Commitment, reason: str) -> Commitment:
    """The credit office sends a submitted commitment back to the agency as a draft, saying why."""
    if not may_decide_records_about(actor, commitment.agency):
        raise NotAllowed(_("Only the credit office of the region may return commitments."))
    if not reason.strip():
        raise DomainError(_("Say why the commitment is returned."), field="reason")
    with transaction.atomic():
        commitment = transition(commitment, TRANSITIONS, "return", actor=actor, reason=reason.strip(), event=_moved)
        notify(
            subject=_("The credit office returned commitment %(code)s") % {"code": commitment.code},
            body=reason.strip(),
            link=_link(commitment),
            agencies=[commitment.agency],
        )
    return commitment


def commitment_withdraw(*, actor: User, commitment: Commitment, reason: str) -> Commitment:
    """The agency withdraws a commitment it has not yet had published."""
    if not may_enter_records_for(actor, commitment.agency):
        raise NotAllowed(_("You may not withdraw this commitment."))
    if not reason.strip():
        raise DomainError(_("Say why the commitment is withdrawn."), field="reason")
    return transition(commitment, TRANSITIONS, "withdraw", actor=actor, reason=reason.strip(), event=_moved)


def commitment_payload(commitment: Commitment) -> dict[str, Any]:
    """The commitment as the platform receives it (docs/domain.md §10)."""
    agency = commitment.agency
    return {
        "code": commitment.code,
        "agency_name": agency.name,
        "agency_uscc": agency.uscc,
        "kind": commitment.kind,
        "service_area": commitment.service_area,
        "title": commitment.title,
        "content": commitment.content,
        "target": commitment.target_text,
        "source_document_number": commitment.source_document_number,
        "source_date": commitment.source_date.isoformat(),
        "promised_on": commitment.promised_on.isoformat(),
        "due_on": commitment.due_on.isoformat(),
        "year": commitment.year,
        "liability": commitment.liability,
        "status": commitment.status,
        "progress_percent": commitment.progress_percent,
        "outcome_reason": commitment.outcome_reason,
        "change_ground": commitment.change_ground,
        "change_authority": commitment.change_authority,
        "compensation_amount": str(commitment.compensation_amount)
        if commitment.compensation_amount is not None
        else None,
        "published_at": commitment.published_at.isoformat() if commitment.published_at else None,
    }


# The payload's free text, where a clerk may have typed an ID number.
PAYLOAD_FREE_TEXT = ("title", "content", "target", "liability", "outcome_reason")


def commitment_public_payload(payload: dict[str, Any]) -> dict[str, Any] | None:
    """What anyone may read of a commitment's change (the change feed's public view, outbox.kinds): the payload of a
    commitment the public site shows, with no ID number in its free text; None for any other."""
    if payload.get("status") not in PUBLIC_STATUSES:
        return None
    return {
        **payload,
        **{name: redact_person_text(str(payload.get(name) or ""), full_name="") for name in PAYLOAD_FREE_TEXT},
    }


def _emit(commitment: Commitment, change_type: str) -> None:
    outbox_emit(
        kind=COMMITMENT_KIND,
        obj=commitment,
        version=commitment.version,
        change_type=change_type,
        payload=commitment_payload(commitment),
        agency=commitment.agency,
    )
    transaction.on_commit(public_changed.announce, robust=True)


def commitment_publish(*, actor: User, commitment: Commitment) -> Commitment:
    """The credit office publishes a submitted commitment: the public sees it, the platform hears of it."""
    if not may_decide_records_about(actor, commitment.agency):
        raise NotAllowed(_("Only the credit office of the region may publish commitments."))

    def published(row: Commitment) -> dict[str, Any]:
        return {"published_at": timezone.now(), **_new_version(row)}

    with transaction.atomic():
        commitment = transition(commitment, TRANSITIONS, "publish", actor=actor, prepare=published, event=_moved)
        _emit(commitment, ChangeType.PUBLISHED)
    return commitment


def commitments_bulk(
    *, actor: User, commitments: Sequence[Commitment], action: Callable[..., Commitment]
) -> tuple[list[Commitment], dict[int, str]]:
    """Applies `action` (commitment_submit or commitment_publish) to each, each in its own transaction: what can move
    moves, and every refusal is reported by commitment."""
    done: list[Commitment] = []
    refused: dict[int, str] = {}
    for commitment in commitments:
        try:
            done.append(action(actor=actor, commitment=commitment))
        except (DomainError, NotAllowed) as exc:
            refused[commitment.pk] = str(exc)
    return done, refused


# Progress ---------------------------------------------------------------------------------------------------------


def may_report_progress(actor: User, commitment: Commitment) -> bool:
    return commitment.is_open and may_enter_records_for(actor, commitment.agency)


def commitment_report_progress(
    *,
    actor: User,
    commitment: Commitment,
    reported_on: datetime.date,
    percent: int,
    narrative: str,
    files: Sequence[Any] = (),
) -> ProgressReport:
    """A progress report with its evidence files (checked as record evidence is). The first report starts a published
    commitment; a report on a stalled one resumes it."""
    if not may_enter_records_for(actor, commitment.agency):
        raise NotAllowed(_("You may not report progress on this commitment."))
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if reported_on is None:
        errors["reported_on"] = [_("Give the date of the report.")]
    elif reported_on > today:
        errors["reported_on"] = [_("The date cannot be in the future.")]
    elif reported_on < commitment.promised_on:
        errors["reported_on"] = [_("The report cannot be older than the promise.")]
    if percent is None or not 0 <= percent <= 100:
        errors["percent"] = [_("Give a percentage from 0 to 100.")]
    if not (narrative or "").strip():
        errors["narrative"] = [_("Say what was done.")]
    checked: list[tuple[Any, str, str]] = []
    for upload in files:
        try:
            kind, name = evidence_check(upload)
        except DomainError as exc:
            errors.setdefault("files", []).append(f"{getattr(upload, 'name', '')}: {exc}")
        else:
            checked.append((upload, kind.content_type, name))
    if errors:
        raise DomainError.of_fields(errors, code="invalid")
    stored: list[ProgressEvidence] = []
    try:
        with transaction.atomic():
            locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
            if not locked.is_open:
                raise DomainError(
                    _("Progress is reported on a published commitment that has no outcome yet."),
                    code="illegal_transition",
                )
            report = ProgressReport.objects.create(
                commitment=locked,
                reported_on=reported_on,
                percent=percent,
                narrative=narrative.strip(),
                created_by=actor,
            )
            for upload, content_type, name in checked:
                stored.append(_store_evidence(report, upload, content_type, name, actor))
            newest = locked.last_progress_on is None or reported_on >= locked.last_progress_on
            if newest:
                locked.progress_percent, locked.last_progress_on = percent, reported_on
                locked.save(update_fields=["progress_percent", "last_progress_on", "updated_at"])
            if locked.status in (S.PUBLISHED, S.STALLED):
                locked = transition(locked, TRANSITIONS, "start", actor=actor, locked=True, event=_moved)
            _event(
                locked,
                CommitmentEventKind.PROGRESS,
                actor,
                reason=narrative.strip()[:500],
                changes={"percent": percent, "reported_on": reported_on.isoformat()},
            )
            # A report answers the "no progress" warning.
            locked.warnings.active().filter(kind=WarningKind.NO_PROGRESS).update(cleared_at=timezone.now())
            # The public pages show the progress: they are rendered afresh once this commits.
            public_changed.announce()
    except BaseException:
        for evidence in stored:
            evidence.file.delete(save=False)  # no row, no file
        raise
    return report


def _store_evidence(report: ProgressReport, upload: Any, content_type: str, name: str, actor: User) -> ProgressEvidence:
    digest = hashlib.sha256()
    for piece in upload.chunks():
        digest.update(piece)
    upload.seek(0)
    evidence = ProgressEvidence(
        report=report,
        original_name=name,
        content_type=content_type,
        size=int(upload.size),
        sha256=digest.hexdigest(),
        uploaded_by=actor,
    )
    # A name of our own: the uploaded one is a label in original_name, never part of a path.
    evidence.file.save(f"{uuid.uuid4().hex}{os.path.splitext(name)[1].lower()}", upload, save=False)
    evidence.save()
    return evidence


def commitment_mark_stalled(*, actor: User, commitment: Commitment, reason: str) -> Commitment:
    """The agency's reviewer or the credit office marks an open commitment stalled (the warnings suggest it after
    COMMITMENT_NO_PROGRESS_DAYS without a report); the next progress report resumes it."""
    if not (may_submit_records_for(actor, commitment.agency) or may_decide_records_about(actor, commitment.agency)):
        raise NotAllowed(_("Only the agency's reviewer or the credit office may mark a commitment stalled."))
    if not reason.strip():
        raise DomainError(_("Say why the commitment is stalled."), field="reason")
    with transaction.atomic():
        commitment = transition(commitment, TRANSITIONS, "stall", actor=actor, reason=reason.strip(), event=_moved)
        public_changed.announce()  # the public pages show the status
    return commitment


# Outcome ----------------------------------------------------------------------------------------------------------


def commitment_decide(*, actor: User, commitment: Commitment, outcome: str, reason: str) -> Commitment:
    """The credit office decides (or revises, with a reason) whether a published commitment was kept, partly kept or
    broken, giving its grounds and evidence. A broken one proposes a candidate dishonesty record. The platform hears
    of every decision."""
    if not may_decide_records_about(actor, commitment.agency):
        raise NotAllowed(_("Only the credit office of the region may decide a commitment's outcome."))
    errors: dict[str, list[str]] = {}
    if outcome not in OUTCOME_ACTIONS:
        errors["outcome"] = [_("Choose kept, partly kept or broken.")]
    if not (reason or "").strip():
        errors["reason"] = [_("Give the grounds and the evidence of the outcome.")]
    if errors:
        raise DomainError.of_fields(errors, code="invalid")

    def decided(row: Commitment) -> dict[str, Any]:
        if row.status == outcome:
            raise DomainError(_("The commitment already has this outcome."), code="no_change", field="outcome")
        return {"outcome_reason": reason.strip(), "outcome_decided_at": timezone.now(), **_new_version(row)}

    with transaction.atomic():
        commitment = transition(
            commitment,
            TRANSITIONS,
            OUTCOME_ACTIONS[outcome],
            actor=actor,
            reason=reason.strip(),
            prepare=decided,
            event=_moved,
        )
        commitment.warnings.active().update(cleared_at=timezone.now())
        _emit(commitment, ChangeType.CORRECTED if commitment.published_at else ChangeType.PUBLISHED)
        if commitment.status == S.BROKEN:
            _propose_breach(commitment, actor=actor, reason=reason.strip())
        notify(
            subject=_("The credit office decided commitment %(code)s: %(outcome)s")
            % {"code": commitment.code, "outcome": commitment.get_status_display()},
            body=reason.strip(),
            link=_link(commitment),
            agencies=[commitment.agency],
        )
    return commitment


@dataclass(frozen=True)
class LawfulChange:
    ground: str
    authority: str
    description: str
    legality_review_on: datetime.date | None
    collective_decision_on: datetime.date | None
    published_on: datetime.date | None
    counterparty_notified_on: datetime.date | None = None
    compensation_amount: Decimal | None = None
    new_due_on: datetime.date | None = None


def commitment_change(*, actor: User, commitment: Commitment, change: LawfulChange) -> Commitment:
    """Records a lawful change of a published commitment (seed 000 §(十一)): the ground (national or public interest
    or another legal ground — never a change of government, person or institution), the authority, the legal steps
    with their dates and the compensation paid. The platform hears of it."""
    if not may_decide_records_about(actor, commitment.agency):
        raise NotAllowed(_("Only the credit office of the region may record a lawful change."))
    values = {
        "ground": change.ground,
        "authority": change.authority.strip(),
        "description": change.description.strip(),
        "legality_review_on": change.legality_review_on,
        "collective_decision_on": change.collective_decision_on,
        "published_on": change.published_on,
        "counterparty_notified_on": change.counterparty_notified_on,
        "compensation_amount": change.compensation_amount,
    }
    problems = rules.change_problems(
        values, has_counterparty=bool(commitment.counterparty_name), today=timezone.localdate()
    )
    if problems:
        raise DomainError.of_fields(rules.by_field(problems), code="invalid")

    def changed(row: Commitment) -> dict[str, Any]:
        return {
            "change_ground": change.ground,
            "change_authority": values["authority"],
            "change_description": values["description"],
            "legality_review_on": change.legality_review_on,
            "collective_decision_on": change.collective_decision_on,
            "change_published_on": change.published_on,
            "counterparty_notified_on": change.counterparty_notified_on,
            "compensation_amount": change.compensation_amount,
            "outcome_reason": values["description"],
            "outcome_decided_at": timezone.now(),
            **_new_version(row),
        }

    with transaction.atomic():
        commitment = transition(
            commitment,
            TRANSITIONS,
            "change",
            actor=actor,
            reason=change.description.strip(),
            prepare=changed,
            event=lambda row, step: _moved(
                row, step, changes={"ground": change.ground, "authority": values["authority"]}
            ),
        )
        commitment.warnings.active().update(cleared_at=timezone.now())
        _emit(commitment, ChangeType.CORRECTED)
    return commitment


# Breach -> candidate record -----------------------------------------------------------------------------------------


def _propose_breach(commitment: Commitment, *, actor: User | None, reason: str) -> None:
    office = actor.agency if actor is not None and actor.agency is not None else credit_office_over(commitment.agency)
    responsible: list[tuple[CivilServant, str]] = (
        [(commitment.responsible_person, ResponsibilityKind.DIRECT.value)] if commitment.responsible_person else []
    )
    data = RecordInput(
        subject_agency=commitment.agency,
        source=RecordSource.BROKEN_COMMITMENT,
        sector=commitment.sector,
        severity=Severity.GENERAL,
        document_number=_("Breach of commitment %(code)s") % {"code": commitment.code},
        deciding_body_name=office.name,
        deciding_body_uscc=office.uscc,
        deciding_agency=office,
        decision_date=timezone.localdate(),
        facts=_("%(agency)s did not keep its public commitment “%(title)s” (%(code)s), due on %(due)s. %(reason)s")
        % {
            "agency": commitment.agency.name,
            "title": commitment.title,
            "code": commitment.code,
            "due": commitment.due_on.isoformat(),
            "reason": reason,
        },
        legal_basis=commitment.liability,
        data_source_agency=commitment.agency,
        responsible=responsible,
    )
    record = record_candidate_propose(
        origin=commitment,
        origin_label=_("Public commitment %(code)s") % {"code": commitment.code},
        data=data,
        actor=actor,
        reason=reason,
    )
    if commitment.breach_record_id != record.pk:
        Commitment.objects.filter(pk=commitment.pk).update(breach_record=record)
        commitment.breach_record = record
        _event(
            commitment,
            CommitmentEventKind.BREACH_PROPOSED,
            actor,
            reason=record.document_number,
            changes={"record": record.pk},
        )


# Warnings ---------------------------------------------------------------------------------------------------------


def _warn_windows() -> list[tuple[str, int]]:
    return [
        (WarningKind.DUE_7, int(settings.COMMITMENT_WARN_DAYS_SOON)),
        (WarningKind.DUE_30, int(settings.COMMITMENT_WARN_DAYS_EARLY)),
    ]


def _warning_text(commitment: Commitment, kind: str, today: datetime.date) -> str:
    if kind == WarningKind.OVERDUE:
        return _("Commitment %(code)s “%(title)s” was due on %(due)s and has no outcome yet.") % {
            "code": commitment.code,
            "title": commitment.title,
            "due": commitment.due_on.isoformat(),
        }
    if kind == WarningKind.NO_PROGRESS:
        return _(
            "No progress has been reported on commitment %(code)s “%(title)s” for %(days)d days: report progress or "
            "mark it stalled."
        ) % {"code": commitment.code, "title": commitment.title, "days": int(settings.COMMITMENT_NO_PROGRESS_DAYS)}
    return _("Commitment %(code)s “%(title)s” is due on %(due)s (in %(days)d days).") % {
        "code": commitment.code,
        "title": commitment.title,
        "due": commitment.due_on.isoformat(),
        "days": (commitment.due_on - today).days,
    }


@dataclass
class WarningRun:
    raised: int = 0
    cleared: int = 0
    breaches: int = 0


def commitment_warnings_raise(*, today: datetime.date | None = None) -> WarningRun:
    """The scheduled job: raises each warning once (commitment, kind, date — a second run raises nothing new), tells
    the agency and its credit office, clears the warnings of decided commitments, and proposes the candidate record
    of a commitment still overdue COMMITMENT_BREACH_AFTER_WORKING_DAYS working days after its overdue warning."""
    today = today or timezone.localdate()
    run = WarningRun()
    run.cleared = (
        CommitmentWarning.objects.active()
        .exclude(commitment__status__in=OPEN_STATUSES)
        .update(cleared_at=timezone.now())
    )
    horizon = today + datetime.timedelta(days=max(days for _kind, days in _warn_windows()))
    quiet_since = today - datetime.timedelta(days=int(settings.COMMITMENT_NO_PROGRESS_DAYS))
    watched = (
        Commitment.objects.open()
        .filter(Q(due_on__lte=horizon) | Q(last_progress_on__lt=quiet_since) | Q(last_progress_on__isnull=True))
        .select_related("agency")
        .order_by("pk")
    )
    wanted: list[tuple[Commitment, str, datetime.date]] = []
    for commitment in watched.iterator(chunk_size=1000):
        if commitment.due_on < today:
            wanted.append((commitment, WarningKind.OVERDUE, commitment.due_on))
        else:
            for kind, days in _warn_windows():
                if (commitment.due_on - today).days <= days:
                    wanted.append((commitment, kind, commitment.due_on))
                    break
        last = commitment.last_progress_on or (commitment.published_at and timezone.localdate(commitment.published_at))
        if last is not None and last < quiet_since:
            wanted.append((commitment, WarningKind.NO_PROGRESS, last))
    for commitment, kind, about in wanted:
        with transaction.atomic():
            _warning, created = CommitmentWarning.objects.get_or_create(
                commitment=commitment, kind=kind, about_date=about, defaults={"raised_on": today}
            )
            if created:
                run.raised += 1
                notify(
                    subject=str(WarningKind(kind).label),
                    body=_warning_text(commitment, kind, today),
                    link=_link(commitment),
                    agencies=[commitment.agency, credit_office_over(commitment.agency)],
                )
    run.breaches = _propose_overdue_breaches(today)
    return run


def _propose_overdue_breaches(today: datetime.date) -> int:
    limit = int(settings.COMMITMENT_BREACH_AFTER_WORKING_DAYS)
    proposed = 0
    overdue = (
        CommitmentWarning.objects.active()
        .filter(kind=WarningKind.OVERDUE, commitment__breach_record__isnull=True)
        .select_related("commitment", "commitment__agency", "commitment__responsible_person")
        .order_by("pk")
    )
    for warning in overdue:
        if working_days_between(warning.raised_on, today) < limit:
            continue
        with transaction.atomic():
            commitment = Commitment.objects.select_for_update().get(pk=warning.commitment_id)
            if not commitment.is_open or commitment.breach_record_id is not None:
                continue
            _propose_breach(
                commitment,
                actor=None,
                reason=_("Still overdue %(days)d working days after the overdue warning of %(date)s.")
                % {"days": limit, "date": warning.raised_on.isoformat()},
            )
            proposed += 1
    return proposed


def commitment_warning_queue(user: User) -> models.QuerySet[CommitmentWarning]:
    """The active warnings the user may see, the most urgent first."""
    order = models.Case(
        models.When(kind=WarningKind.OVERDUE, then=0),
        models.When(kind=WarningKind.DUE_7, then=1),
        models.When(kind=WarningKind.NO_PROGRESS, then=2),
        default=3,
    )
    return (
        CommitmentWarning.objects.active()
        .visible_to(user)
        .select_related("commitment", "commitment__agency")
        .annotate(urgency=order)
        .order_by("urgency", "commitment__due_on", "pk")
    )
