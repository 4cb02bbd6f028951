"""The lifecycle of a dishonesty record (docs/domain.md §3).

    draft ─request_review→ awaiting_review ─submit→ submitted ─publish→ published ─correct→ corrected ─┐
      │ ↑                       │                      │                  │  └──────revoke──────────────┴→ revoked
      │ └──── returned ←─send_back (reviewer)          │                  └────expire (window closed)───→ expired
      │          ↑ └──────────────────submit───────────┤
      │          └────────return (credit office)───────┘
      └───────────────────submit (the reviewer's own draft)

The clerk hands a record to the agency's reviewer (request_review); the reviewer submits it to the credit office or
sends it back with a reason; the credit office publishes it or returns it with a reason. Each hand-off leaves an event
row and a notice for whoever must act next.

Every move goes through kernel.transitions.transition against TRANSITIONS: one transaction, the row re-read under a
lock, the move checked, the row saved and an event row written. Two reviewers pressing the same button at once: the
second finds the new state and is refused.
"""

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.scope import may_decide_records_about, may_enter_records_for, may_submit_records_for
from kernel.errors import DomainError, NotAllowed
from kernel.sources import unit_changed
from kernel.transitions import Move, StateMachine, Step, transition
from notices.services import notify
from outbox.models import ChangeType
from records import rules
from records.disclosure import Window, rule_in_force_among, window_for, window_of
from records.errors import SubmitterMayNotPublish
from records.models import (
    IN_FORCE_STATUSES,
    DisclosureRule,
    DishonestyRecord,
    MeasureState,
    MeasureType,
    RecordEvent,
    RecordEventKind,
    RecordResponsibility,
    RecordStatus,
    ResponsibilityKind,
)
from records.services.measures import measure_types_for, measures_apply, measures_close
from records.services.platform import platform_change_emit
from subjects.codes import normalize_uscc
from subjects.models import Agency, CivilServant
from subjects.search import grams_of

S = RecordStatus


def _refusal(record: DishonestyRecord, move: Move) -> str:
    return _("A %(status)s record cannot be %(action)s.") % {
        "status": record.get_status_display(),
        "action": _action_label(move.action),
    }


TRANSITIONS = StateMachine[DishonestyRecord](
    field="status",
    moves={
        "request_review": ({S.CANDIDATE, S.DRAFT, S.RETURNED}, S.AWAITING_REVIEW),
        "send_back": ({S.AWAITING_REVIEW}, S.RETURNED),
        "submit": ({S.CANDIDATE, S.DRAFT, S.AWAITING_REVIEW, S.RETURNED}, S.SUBMITTED),
        # A candidate the credit office finds no breach (records/services/candidates.py).
        "dismiss": ({S.CANDIDATE, S.AWAITING_REVIEW, S.SUBMITTED, S.RETURNED}, S.DISMISSED),
        "return": ({S.SUBMITTED}, S.RETURNED),
        "publish": ({S.SUBMITTED}, S.PUBLISHED),
        "correct": ({S.PUBLISHED, S.CORRECTED}, S.CORRECTED),
        "revoke": ({S.PUBLISHED, S.CORRECTED}, S.REVOKED),
        "expire": ({S.PUBLISHED, S.CORRECTED}, S.EXPIRED),
        # Only through repair.services.repair_grant, which checks the application.
        "repair": ({S.PUBLISHED, S.CORRECTED}, S.REPAIRED),
    },
    refusal=_refusal,
)

# The event row each move writes.
EVENT_KINDS: dict[str, str] = {
    "request_review": RecordEventKind.REVIEW_REQUESTED,
    "send_back": RecordEventKind.RETURNED,
    "submit": RecordEventKind.SUBMITTED,
    "return": RecordEventKind.RETURNED,
    "publish": RecordEventKind.PUBLISHED,
    "correct": RecordEventKind.CORRECTED,
    "revoke": RecordEventKind.REVOKED,
    "expire": RecordEventKind.EXPIRED,
    "repair": RecordEventKind.REPAIRED,
    "dismiss": RecordEventKind.DISMISSED,
}

# What a correction may change (a published record keeps its subject, its source and its deciding body).
CORRECTABLE_FIELDS = frozenset(
    {
        "severity",
        "special_field",
        "decision_date",
        "document_number",
        "facts",
        "legal_basis",
        "categories",
        "fine_amount",
        "other_amount",
        "loss_description",
        "social_impact",
    }
)


@dataclass
class RecordInput:
    """What a clerk types (form, API or Excel row), before any rule has looked at it."""

    subject_agency: Agency
    source: str
    sector: str
    severity: str
    document_number: str
    deciding_body_name: str
    deciding_body_uscc: str
    decision_date: datetime.date
    facts: str
    legal_basis: str
    data_source_agency: Agency
    subject_person: CivilServant | None = None
    deciding_agency: Agency | None = None
    special_field: str = ""
    categories: str = ""
    fine_amount: Decimal | None = None
    other_amount: Decimal | None = None
    loss_description: str = ""
    social_impact: str = ""
    responsible: list[tuple[CivilServant, str]] = field(default_factory=list)


def _record_values(data: RecordInput) -> dict[str, Any]:
    return {f.name: getattr(data, f.name) for f in fields(data) if f.name != "responsible"}


SOLE_PROBLEM_CODES = {"duplicate_in_database": "duplicate", "no_disclosure_rule": "no_disclosure_rule"}


def record_rule_errors(values: Mapping[str, Any], *, record_id: int | None = None) -> dict[str, list[str]]:
    """Every rule a record's input breaks, by field, all at once (records.rules.record_problems).

    `values` holds RecordInput's fields; a rule whose inputs are missing is skipped, so a form that could read only
    some of its fields still hears about every rule those break.
    """
    return rules.by_field(rules.record_problems(values, record_id=record_id))


def record_input_check(data: RecordInput, *, record_id: int | None = None) -> None:
    """The rules every new or edited record obeys (records.rules); raises one DomainError naming every field at
    fault. Names the deciding body as registered when it is an agency here, and normalises the codes."""
    problems = rules.record_problems(_input_values(data), record_id=record_id)
    if problems:
        # A lone repeat or a date no disclosure rule covers keeps the code it always had; anything more is "invalid".
        codes = {problem.code for problem in problems}
        code = SOLE_PROBLEM_CODES.get(codes.pop(), "invalid") if len(codes) == 1 else "invalid"
        raise DomainError.of_fields(rules.by_field(problems), code=code)
    data.deciding_body_uscc = normalize_uscc(data.deciding_body_uscc)
    if data.deciding_agency is None:
        data.deciding_agency = rules.registered_agency(data.deciding_body_uscc)
    if data.deciding_agency is not None:
        data.deciding_body_name = data.deciding_agency.name
        data.deciding_body_uscc = data.deciding_agency.uscc
    data.document_number = data.document_number.strip()


def _input_values(data: RecordInput) -> dict[str, Any]:
    return {f.name: getattr(data, f.name) for f in fields(data)}


def _with_principal(data: RecordInput) -> list[tuple[CivilServant, str]]:
    """惩戒到人: the principal responsible person of the subject agency is held liable (records.rules.principal_to_add,
    as the Excel import does)."""
    responsible = list(data.responsible)
    about_person = data.subject_person is not None
    principal = None if about_person else rules.principals([data.subject_agency.pk]).first()
    if principal is not None and rules.principal_to_add(
        about_person=about_person,
        responsible=[(person.pk, kind) for person, kind in responsible],
        principal_id=principal.pk,
    ):
        responsible.append((principal, ResponsibilityKind.PRINCIPAL))
    return responsible


def _window(data: RecordInput | DishonestyRecord) -> Window:
    return window_for(
        decision_date=data.decision_date, severity=data.severity, source=data.source, special_field=data.special_field
    )


def _subject_name(data: RecordInput) -> str:
    return data.subject_person.name if data.subject_person else data.subject_agency.name


def _event(
    record: DishonestyRecord,
    kind: str,
    actor: User | None,
    *,
    from_status: str = "",
    reason: str = "",
    changes: dict[str, Any] | None = None,
) -> RecordEvent:
    return RecordEvent.objects.create(
        record=record,
        kind=kind,
        from_status=from_status,
        to_status=record.status,
        reason=reason,
        changes=changes or {},
        actor=actor,
    )


def _moved(record: DishonestyRecord, step: Step, *, changes: dict[str, Any] | None = None) -> RecordEvent:
    """The event row of a move (kernel.transitions.transition's `event`)."""
    return RecordEvent.objects.create(
        record=record,
        kind=EVENT_KINDS[step.action],
        from_status=step.from_state,
        to_status=step.to_state,
        reason=step.reason,
        changes=changes or {},
        actor=step.actor,
        at=step.at,
    )


def _window_values(window: Window) -> dict[str, Any]:
    return {
        "disclosure_rule": window.rule,
        "publicly_disclosed": window.publicly_disclosed,
        "disclosure_starts_on": window.starts_on,
        "earliest_repair_on": window.earliest_repair_on,
        "disclosure_ends_on": window.ends_on,
    }


def _new_version(record: DishonestyRecord) -> dict[str, Any]:
    """A change the platform must see is a new version of the record."""
    return {"version": record.version + 1}


def _save_responsibilities(record: DishonestyRecord, responsible: list[tuple[CivilServant, str]]) -> None:
    existing = {r.person_id: r for r in record.responsibilities.all()}
    wanted = {person.pk: kind for person, kind in responsible}
    for person_id, row in existing.items():
        if person_id not in wanted:
            # Only a draft's (or returned record's) list is ever edited; the history trail keeps the removed row.
            models.Model.delete(row)
        elif row.kind != wanted[person_id]:
            row.kind = wanted[person_id]
            row.save(update_fields=["kind"])
    for person_id, kind in wanted.items():
        if person_id not in existing:
            RecordResponsibility.objects.create(record=record, person_id=person_id, kind=kind)


def record_create(*, actor: User, data: RecordInput) -> DishonestyRecord:
    if not may_enter_records_for(actor, data.data_source_agency):
        raise NotAllowed(_("You may not enter records for this agency."))
    record_input_check(data)
    window = _window(data)
    responsible = _with_principal(data)
    try:
        with transaction.atomic():
            record = DishonestyRecord.objects.create(
                **_record_values(data),
                subject_name=_subject_name(data),
                search_grams=grams_of(_subject_name(data)),
                status=RecordStatus.DRAFT,
                disclosure_rule=window.rule,
                publicly_disclosed=window.publicly_disclosed,
                disclosure_starts_on=window.starts_on,
                earliest_repair_on=window.earliest_repair_on,
                disclosure_ends_on=window.ends_on,
                created_by=actor,
            )
            _save_responsibilities(record, responsible)
            _event(record, RecordEventKind.CREATED, actor)
    except IntegrityError as exc:  # the same document number entered twice at the same moment
        raise DomainError(
            _("A record with this document number from the same deciding body already exists."),
            code="duplicate",
            field="document_number",
        ) from exc
    return record


def _locked(record: DishonestyRecord) -> DishonestyRecord:
    return DishonestyRecord.objects.select_for_update().get(pk=record.pk)


def _action_label(action: str) -> str:
    return {
        "request_review": _("sent for review"),
        "send_back": _("returned to the clerk"),
        "submit": _("submitted"),
        "return": _("returned"),
        "publish": _("published"),
        "correct": _("corrected"),
        "revoke": _("revoked"),
        "expire": _("expired"),
        "repair": _("repaired"),
        "dismiss": _("dismissed"),
    }[action]


def record_update(*, actor: User, record: DishonestyRecord, data: RecordInput) -> DishonestyRecord:
    """Edits a draft or returned record; published ones change only through a correction."""
    if not may_enter_records_for(actor, record.data_source_agency) or not may_enter_records_for(
        actor, data.data_source_agency
    ):
        raise NotAllowed(_("You may not edit this record."))
    record_input_check(data, record_id=record.pk)
    window = _window(data)
    responsible = _with_principal(data)
    with transaction.atomic():
        record = _locked(record)
        if not record.is_editable:
            raise DomainError(_("Only draft or returned records can be edited."), code="illegal_transition")
        changes = _apply_values(record, _record_values(data))
        record.subject_name = _subject_name(data)
        record.search_grams = grams_of(record.subject_name)
        record.disclosure_rule = window.rule
        record.publicly_disclosed = window.publicly_disclosed
        record.disclosure_starts_on = window.starts_on
        record.earliest_repair_on = window.earliest_repair_on
        record.disclosure_ends_on = window.ends_on
        record.save()
        _save_responsibilities(record, responsible)
        _event(record, RecordEventKind.EDITED, actor, from_status=record.status, changes=changes)
    return record


def _apply_values(record: DishonestyRecord, values: dict[str, Any]) -> dict[str, list[str]]:
    changes: dict[str, list[str]] = {}
    for name, value in values.items():
        old = getattr(record, name)
        if old != value:
            changes[name] = [_plain(old), _plain(value)]
            setattr(record, name, value)
    return changes


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "pk"):
        return str(value.pk)
    return str(value)


def _reviewers_of(agency: Agency) -> list[User]:
    return list(User.objects.filter(role=Role.REVIEWER, agency=agency, is_active=True).order_by("pk"))


def _notify_staff(*, users: Sequence[User | None], subject: str, body: str, record: DishonestyRecord) -> None:
    """An in-app notice to each user, inside the transaction of the hand-off (it commits with it)."""

    link = reverse("records:record_detail", args=[record.pk])
    notify(subject=subject, body=body, link=link, users=[user for user in users if user is not None])


def _explained(record: DishonestyRecord) -> dict[str, Any]:
    """A candidate leaves the agency only with its written explanation (书面说明原因, docs/domain.md §3)."""
    if record.origin_type_id is not None and not record.explanation.strip():
        raise DomainError(
            _("Explain the breach in writing before the record goes on."),
            code="explanation_missing",
            field="explanation",
        )
    return {}


def record_request_review(*, actor: User, record: DishonestyRecord) -> DishonestyRecord:
    """The clerk hands a draft (or a returned record) to the agency's reviewer; the reviewers hear of it."""
    if not may_enter_records_for(actor, record.data_source_agency):
        raise NotAllowed(_("You may not send this record for review."))
    with transaction.atomic():
        record = transition(record, TRANSITIONS, "request_review", actor=actor, prepare=_explained, event=_moved)
        _notify_staff(
            users=_reviewers_of(record.data_source_agency),
            subject=_("Record %(number)s waits for your review") % {"number": record.document_number},
            body=_("%(clerk)s sent it for review: submit it to the credit office or return it to the clerk.")
            % {"clerk": _person_name(actor)},
            record=record,
        )
    return record


def record_send_back(*, actor: User, record: DishonestyRecord, reason: str) -> DishonestyRecord:
    """The agency's reviewer returns a record awaiting review to the clerk, saying why."""
    if not may_submit_records_for(actor, record.data_source_agency):
        raise NotAllowed(_("Only the agency's reviewer may return a record to the clerk."))
    if not reason.strip():
        raise DomainError(_("Say why the record is returned."), field="reason")
    with transaction.atomic():
        record = transition(record, TRANSITIONS, "send_back", actor=actor, reason=reason.strip(), event=_moved)
        _notify_staff(
            users=_clerks_of(record),
            subject=_("The reviewer returned record %(number)s to you") % {"number": record.document_number},
            body=reason.strip(),
            record=record,
        )
    return record


def _clerks_of(record: DishonestyRecord) -> list[User | None]:
    """Who entered the record and who last sent it for review: they fix what was returned."""
    senders = record.events.filter(kind=RecordEventKind.REVIEW_REQUESTED).order_by("-at", "-pk")
    last_sender = senders.select_related("actor").first()
    users: dict[int, User | None] = {record.created_by_id: record.created_by}
    if last_sender is not None and last_sender.actor_id is not None:
        users[last_sender.actor_id] = last_sender.actor
    return list(users.values())


def _person_name(user: User | None) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


def record_submit(*, actor: User, record: DishonestyRecord) -> DishonestyRecord:
    if not may_submit_records_for(actor, record.data_source_agency):
        raise NotAllowed(_("Only the agency's reviewer may submit its records."))
    return transition(record, TRANSITIONS, "submit", actor=actor, prepare=_explained, event=_moved)


def record_return(*, actor: User, record: DishonestyRecord, reason: str) -> DishonestyRecord:
    """The credit office returns a submitted record to the agency, saying why; its clerks and reviewers hear of it."""
    if not may_decide_records_about(actor, record.subject_agency):
        raise NotAllowed(_("Only the credit office of the region may return records."))
    if not reason.strip():
        raise DomainError(_("Say why the record is returned."), field="reason")
    with transaction.atomic():
        record = transition(record, TRANSITIONS, "return", actor=actor, reason=reason.strip(), event=_moved)
        _notify_staff(
            users=[*_clerks_of(record), *_reviewers_of(record.data_source_agency)],
            subject=_("The credit office returned record %(number)s") % {"number": record.document_number},
            body=reason.strip(),
            record=record,
        )
    return record


def _check_not_submitter(record: DishonestyRecord, actor: User) -> None:
    """Four eyes: the one who submitted the record (its latest submission) is not the one who verifies it. A small
    office with a single person may allow it (RECORD_ALLOW_SELF_PUBLISH)."""
    if settings.RECORD_ALLOW_SELF_PUBLISH:
        return
    submitter_id = (
        record.events.filter(kind=RecordEventKind.SUBMITTED)
        .order_by("-at", "-pk")
        .values_list("actor_id", flat=True)
        .first()
    )
    if submitter_id is not None and submitter_id == actor.pk:
        raise SubmitterMayNotPublish(
            _("You submitted this record, so you may not publish it: another member of the credit office must.")
        )


@dataclass(frozen=True)
class PublishPreview:
    """What publishing a record would do, for the confirmation step (nothing is written)."""

    window: Window
    window_closed: bool
    measure_types: list[MeasureType]


def record_publish_preview(*, record: DishonestyRecord, today: datetime.date | None = None) -> PublishPreview:
    """The disclosure dates and the measures record_publish would apply today, computed the same way."""
    today = today or timezone.localdate()
    window = _window(record)
    return PublishPreview(
        window=window,
        window_closed=window.ends_on < today and window.publicly_disclosed,  # as record_publish refuses it
        measure_types=measure_types_for(record=record),
    )


def record_publish(*, actor: User, record: DishonestyRecord, today: datetime.date | None = None) -> DishonestyRecord:
    """Verifies and publishes: the window is recomputed (a rule may have been added since entry) and the measures
    the tier and subject call for are applied. Not by whoever submitted it (_check_not_submitter)."""
    if not may_decide_records_about(actor, record.subject_agency):
        raise NotAllowed(_("Only the credit office of the region may publish records."))
    today = today or timezone.localdate()

    def published_values(record: DishonestyRecord) -> dict[str, Any]:
        _check_not_submitter(record, actor)
        window = _window(record)
        if window.ends_on < today and window.publicly_disclosed:
            raise DomainError(
                _("The disclosure period of this record ended on %(date)s; it can no longer be published.")
                % {"date": window.ends_on.isoformat()},
                code="window_closed",
                field="decision_date",
            )
        return {**_window_values(window), "published_at": timezone.now(), **_new_version(record)}

    with transaction.atomic():
        record = transition(record, TRANSITIONS, "publish", actor=actor, prepare=published_values, event=_moved)
        measures_apply(record=record, actor=actor, today=today)
        platform_change_emit(record=record, change_type=ChangeType.PUBLISHED)
        _evaluation_changed(record)
    return record


def record_correct(*, actor: User, record: DishonestyRecord, changes: dict[str, Any], reason: str) -> DishonestyRecord:
    if not may_decide_records_about(actor, record.subject_agency):
        raise NotAllowed(_("Only the credit office of the region may correct records."))
    if not reason.strip():
        raise DomainError(_("Say why the record is corrected."), field="reason")
    unknown = set(changes) - CORRECTABLE_FIELDS
    if unknown:
        raise DomainError(
            _("These fields cannot be corrected: %(fields)s.") % {"fields": ", ".join(sorted(unknown))},
            field=sorted(unknown)[0],
        )
    diff: dict[str, list[str]] = {}

    def corrected_values(record: DishonestyRecord) -> dict[str, Any]:
        data = _input_from_record(record)
        for name, value in changes.items():
            setattr(data, name, value)
        record_input_check(data, record_id=record.pk)
        values = {name: getattr(data, name) for name in changes}
        diff.update(_apply_values(record, values))
        if not diff:
            raise DomainError(_("Nothing was changed."), code="no_change")
        return {**values, **_window_values(_window(data)), **_new_version(record)}

    with transaction.atomic():
        record = transition(
            record,
            TRANSITIONS,
            "correct",
            actor=actor,
            reason=reason.strip(),
            prepare=corrected_values,
            event=lambda record, step: _moved(record, step, changes=diff),
        )
        platform_change_emit(record=record, change_type=ChangeType.CORRECTED)
        _evaluation_changed(record)
    return record


def _input_from_record(record: DishonestyRecord) -> RecordInput:
    values = {f.name: getattr(record, f.name) for f in fields(RecordInput) if f.name != "responsible"}
    return RecordInput(**values)


def _take_out_of_force(*, actor: User, record: DishonestyRecord, action: str, reason: str) -> DishonestyRecord:
    """Revocation and repair: the record leaves public disclosure at once, its open measures are lifted, and the
    platform is told — one transaction."""
    change_type = {"revoke": ChangeType.REVOKED, "repair": ChangeType.REPAIRED}[action]
    with transaction.atomic():
        record = transition(
            record, TRANSITIONS, action, actor=actor, reason=reason.strip(), prepare=_new_version, event=_moved
        )
        measures_close(record=record, actor=actor, to_state=MeasureState.LIFTED, reason=reason.strip())
        platform_change_emit(record=record, change_type=change_type)
        _evaluation_changed(record)
    return record


def record_revoke(*, actor: User, record: DishonestyRecord, reason: str) -> DishonestyRecord:
    if not may_decide_records_about(actor, record.subject_agency):
        raise NotAllowed(_("Only the credit office of the region may revoke records."))
    if not reason.strip():
        raise DomainError(_("Say why the record is revoked."), field="reason")
    return _take_out_of_force(actor=actor, record=record, action="revoke", reason=reason)


def record_repair(*, actor: User, record: DishonestyRecord, reason: str) -> DishonestyRecord:
    """Credit repair granted; the repair event stays internally for ever. Called by repair.services.repair_grant
    inside its transaction."""
    if not may_decide_records_about(actor, record.subject_agency):
        raise NotAllowed(_("Only the credit office of the region may grant credit repair."))
    return _take_out_of_force(actor=actor, record=record, action="repair", reason=reason)


def records_expire_due(*, on: datetime.date | None = None, batch_size: int = 500) -> int:
    """Expires every record in force whose window's last day is before `on` (shown on that day, gone the day after).
    Safe to run twice, in parallel, or after downtime (it catches up); each batch of records moves in its own short
    transaction.

    Each record moves through TRANSITIONS like any other (its event row, its measures completed, the platform told).
    A batch is locked with one query and its rows are not read again one by one: a move adds only its savepoint to
    what expiring a record writes anyway."""
    on = on or timezone.localdate()
    expired = 0
    while True:
        with transaction.atomic():
            batch = list(
                DishonestyRecord.objects.due_to_expire(on)
                .select_for_update(skip_locked=True)
                .order_by("pk")[:batch_size]
            )
            for record in batch:
                transition(
                    record,
                    TRANSITIONS,
                    "expire",
                    actor=None,
                    reason=_("Disclosure period ended on %(date)s.") % {"date": record.disclosure_ends_on.isoformat()},
                    prepare=_new_version,
                    event=_moved,
                    locked=True,  # the batch's rows, locked by the query above
                )
                measures_close(record=record, actor=None, to_state=MeasureState.COMPLETED, reason="")
                platform_change_emit(record=record, change_type=ChangeType.EXPIRED)
                _evaluation_changed(record)
        expired += len(batch)
        if len(batch) < batch_size:
            return expired


def _evaluation_changed(record: DishonestyRecord) -> None:
    """What the evaluation counts of this record changed (kernel/sources.py): the periods of its publication and of
    today are marked for the subject and the data-source agency, in the caller's transaction."""
    units = [record.subject_agency_id, record.data_source_agency_id]
    days = {timezone.localdate()}
    if record.published_at is not None:
        days.add(timezone.localtime(record.published_at).date())
    for day in sorted(days):
        unit_changed(units, day)


# Records whose window may still change: not yet published, or in force.
OPEN_STATUSES = (S.DRAFT, S.SUBMITTED, S.RETURNED, *IN_FORCE_STATUSES)


def records_windows_recompute(*, batch_size: int = 500) -> int:
    """Puts every record not yet closed under the disclosure rule that governs it now, after the rules were put
    right (migration 0017: the 2023 rule's periods narrowed to administrative penalties); returns how many changed.

    A record in force never ends up worse for its subject than what was published: its last day may come sooner but
    not later, repair may open sooner but not later, and it does not become public if it was not (a new rule applies
    when it is the lighter one, as art. 37 of the Administrative Penalty Law has it). Each changed record gets an
    event row; one in force whose dates changed is a new version, sent to the platform as a correction. Safe to run
    twice: the second run changes nothing.
    """
    rules: dict[str, list[DisclosureRule]] = {}
    for known in DisclosureRule.objects.order_by("effective_from", "pk"):
        rules.setdefault(known.severity, []).append(known)
    changed = 0
    last_pk = 0
    while True:
        batch = list(
            DishonestyRecord.objects.filter(status__in=OPEN_STATUSES, pk__gt=last_pk)
            .order_by("pk")
            .only("pk", "decision_date", "severity", "source", "special_field")[:batch_size]
        )
        if not batch:
            return changed
        last_pk = batch[-1].pk
        for candidate in batch:
            rule = rule_in_force_among(
                rules.get(candidate.severity, []),
                decision_date=candidate.decision_date,
                severity=candidate.severity,
                source=candidate.source,
                special_field=candidate.special_field,
            )
            if rule is None:
                continue  # no rule covers it: publishing it says so (rule_in_force)
            if _window_recompute(record=candidate, window=window_of(rule, candidate.decision_date)):
                changed += 1


def _window_recompute(*, record: DishonestyRecord, window: Window) -> bool:
    with transaction.atomic():
        record = _locked(record)
        if record.status not in OPEN_STATUSES:
            return False  # closed meanwhile: its window is history
        in_force = record.is_in_force
        values: dict[str, Any] = {
            "disclosure_rule": window.rule,
            "publicly_disclosed": window.publicly_disclosed,
            "disclosure_starts_on": window.starts_on,
            "earliest_repair_on": window.earliest_repair_on,
            "disclosure_ends_on": window.ends_on,
        }
        if in_force:
            values["publicly_disclosed"] = record.publicly_disclosed and window.publicly_disclosed
            values["earliest_repair_on"] = min(record.earliest_repair_on, window.earliest_repair_on)
            values["disclosure_ends_on"] = min(record.disclosure_ends_on, window.ends_on)
        diff = _apply_values(record, values)
        if not diff:
            return False
        update_fields = [*values, "updated_at"]
        # The platform holds the dates and the disclosure flag, not which row of the rules produced them.
        tell_platform = in_force and bool(diff.keys() - {"disclosure_rule"})
        if tell_platform:
            record.version += 1
            update_fields.append("version")
        record.save(update_fields=update_fields)
        _event(
            record,
            RecordEventKind.RECOMPUTED,
            None,
            from_status=record.status,
            reason=_("The disclosure period follows the rule that governs this record: %(rule)s.")
            % {"rule": window.rule.citation},
            changes=diff,
        )
        if tell_platform:
            platform_change_emit(record=record, change_type=ChangeType.CORRECTED)
    return True


def person_has_record_in_year(person: CivilServant, year: int) -> bool:
    """Records count from their decision year once verified, until revoked (an expired one still happened)."""
    return DishonestyRecord.objects.naming(person).verified().filter(decision_date__year=year).exists()


def person_record_years(person: CivilServant) -> list[int]:
    """The decision years of the verified records naming `person`, newest first."""
    years = DishonestyRecord.objects.naming(person).verified().dates("decision_date", "year", order="DESC")
    return [day.year for day in years]
