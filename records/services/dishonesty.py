"""The lifecycle of a dishonesty record (DOMAIN §3).

    draft ─submit→ submitted ─publish→ published ─correct→ corrected ─┐
      ↑              │                    │  └──────revoke──────────────┴→ revoked
      └──returned ←──┘                    └────expire (window closed)───→ expired

Every move is one transaction: the row is re-read under a lock, the move is checked against TRANSITIONS, the row is
saved and an event row written. Two reviewers pressing the same button at once: the second finds the new state and
is refused.
"""

import datetime
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scope import may_decide_records_about, may_enter_records_for, may_submit_records_for
from records.codes import normalize_uscc, validate_uscc
from records.disclosure import window_for
from records.errors import DomainError, NotAllowed
from records.models import (
    TEXT_LIMITS,
    Agency,
    ChangeType,
    CivilServant,
    DishonestyRecord,
    MeasureState,
    RecordEvent,
    RecordEventKind,
    RecordResponsibility,
    RecordSource,
    RecordStatus,
    ResponsibilityKind,
    Sector,
    Severity,
    SpecialField,
)
from records.search import grams_of
from records.services.measures import measures_apply, measures_close
from records.services.platform import platform_change_emit

S = RecordStatus
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (frozenset({S.DRAFT, S.RETURNED}), S.SUBMITTED),
    "return": (frozenset({S.SUBMITTED}), S.RETURNED),
    "publish": (frozenset({S.SUBMITTED}), S.PUBLISHED),
    "correct": (frozenset({S.PUBLISHED, S.CORRECTED}), S.CORRECTED),
    "revoke": (frozenset({S.PUBLISHED, S.CORRECTED}), S.REVOKED),
    "expire": (frozenset({S.PUBLISHED, S.CORRECTED}), S.EXPIRED),
    # Only through repair.services.repair_grant, which checks the application.
    "repair": (frozenset({S.PUBLISHED, S.CORRECTED}), S.REPAIRED),
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


def record_input_check(data: RecordInput, *, record_id: int | None = None) -> None:
    """The rules every new or edited record obeys; raises DomainError naming the field at fault."""
    if data.source not in RecordSource.values:
        raise DomainError(_("Choose a source from the list."), field="source")
    if data.sector not in Sector.values:
        raise DomainError(_("Choose a sector from the list."), field="sector")
    if data.severity not in Severity.values:
        raise DomainError(_("Choose minor, general or serious."), field="severity")
    if data.special_field not in SpecialField.values:
        raise DomainError(_("Choose a special field from the list."), field="special_field")
    if data.subject_person is not None and data.subject_person.agency_id != data.subject_agency.pk:
        raise DomainError(_("The civil servant does not work in the subject agency."), field="subject_person")
    if not data.document_number.strip():
        raise DomainError(_("The document number is required."), field="document_number")
    if data.decision_date > timezone.localdate():
        raise DomainError(_("The decision date cannot be in the future."), field="decision_date")
    if not data.facts.strip():
        raise DomainError(_("Describe the facts."), field="facts")
    if not data.legal_basis.strip():
        raise DomainError(_("Give the legal basis."), field="legal_basis")
    for name, limit in TEXT_LIMITS.items():
        length = len(getattr(data, name) or "")
        if length > limit:
            raise DomainError(
                _("At most %(max)d characters (the national data item's limit); this has %(n)d.")
                % {"max": limit, "n": length},
                code="too_long",
                field=name,
            )
    for name in ("fine_amount", "other_amount"):
        amount = getattr(data, name)
        if amount is not None and amount < 0:
            raise DomainError(_("Amounts cannot be negative."), field=name)
    if data.deciding_agency is not None:
        data.deciding_body_name = data.deciding_agency.name
        data.deciding_body_uscc = data.deciding_agency.uscc
    if not data.deciding_body_name.strip():
        raise DomainError(_("Name the deciding body."), field="deciding_body_name")
    data.deciding_body_uscc = normalize_uscc(data.deciding_body_uscc)
    try:
        validate_uscc(data.deciding_body_uscc)
    except Exception as exc:  # ValidationError: its message is the user's
        raise DomainError(getattr(exc, "messages", [str(exc)])[0], field="deciding_body_uscc") from exc
    data.document_number = data.document_number.strip()
    duplicate = DishonestyRecord.objects.filter(
        deciding_body_uscc=data.deciding_body_uscc, document_number=data.document_number
    ).exclude(status=RecordStatus.REVOKED)
    if record_id is not None:
        duplicate = duplicate.exclude(pk=record_id)
    if duplicate.exists():
        raise DomainError(
            _("A record with this document number from the same deciding body already exists."),
            code="duplicate",
            field="document_number",
        )
    kinds = [kind for _person, kind in data.responsible]
    if any(kind not in ResponsibilityKind.values for kind in kinds):
        raise DomainError(_("Choose the kind of responsibility."), field="responsible")
    if len({person.pk for person, _kind in data.responsible}) != len(data.responsible):
        raise DomainError(_("A person is listed twice among the responsible persons."), field="responsible")


def _with_principal(data: RecordInput) -> list[tuple[CivilServant, str]]:
    """惩戒到人: the principal responsible person of the subject agency is held liable (003 §四(八))."""
    responsible = list(data.responsible)
    if data.subject_person is None and not any(kind == ResponsibilityKind.PRINCIPAL for _p, kind in responsible):
        principal = (
            CivilServant.objects.filter(agency=data.subject_agency, is_principal=True, active=True)
            .order_by("pk")
            .first()
        )
        if principal is not None and principal.pk not in {p.pk for p, _k in responsible}:
            responsible.append((principal, ResponsibilityKind.PRINCIPAL))
    return responsible


def _subject_name(data: RecordInput) -> str:
    return data.subject_person.name if data.subject_person else data.subject_agency.name


def _event(
    record: DishonestyRecord,
    kind: str,
    actor: Any,
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


def record_create(*, actor: Any, data: RecordInput) -> DishonestyRecord:
    if not may_enter_records_for(actor, data.data_source_agency):
        raise NotAllowed(_("You may not enter records for this agency."))
    record_input_check(data)
    window = window_for(decision_date=data.decision_date, severity=data.severity, special_field=data.special_field)
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


def _check_move(record: DishonestyRecord, action: str) -> str:
    allowed_from, to_status = TRANSITIONS[action]
    if record.status not in allowed_from:
        raise DomainError(
            _("A %(status)s record cannot be %(action)s.")
            % {"status": record.get_status_display(), "action": _action_label(action)},
            code="illegal_transition",
        )
    return to_status


def _action_label(action: str) -> str:
    return {
        "submit": _("submitted"),
        "return": _("returned"),
        "publish": _("published"),
        "correct": _("corrected"),
        "revoke": _("revoked"),
        "expire": _("expired"),
        "repair": _("repaired"),
    }[action]


def record_update(*, actor: Any, record: DishonestyRecord, data: RecordInput) -> DishonestyRecord:
    """Edits a draft or returned record; published ones change only through a correction."""
    if not may_enter_records_for(actor, record.data_source_agency) or not may_enter_records_for(
        actor, data.data_source_agency
    ):
        raise NotAllowed(_("You may not edit this record."))
    record_input_check(data, record_id=record.pk)
    window = window_for(decision_date=data.decision_date, severity=data.severity, special_field=data.special_field)
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


def record_submit(*, actor: Any, record: DishonestyRecord) -> DishonestyRecord:
    if not may_submit_records_for(actor, record.data_source_agency):
        raise NotAllowed(_("Only the agency's reviewer may submit its records."))
    with transaction.atomic():
        record = _locked(record)
        from_status = record.status
        record.status = _check_move(record, "submit")
        record.save(update_fields=["status", "updated_at"])
        _event(record, RecordEventKind.SUBMITTED, actor, from_status=from_status)
    return record


def record_return(*, actor: Any, record: DishonestyRecord, reason: str) -> DishonestyRecord:
    if not may_decide_records_about(actor, record.subject_agency):
        raise NotAllowed(_("Only the credit office of the region may return records."))
    if not reason.strip():
        raise DomainError(_("Say why the record is returned."), field="reason")
    with transaction.atomic():
        record = _locked(record)
        from_status = record.status
        record.status = _check_move(record, "return")
        record.save(update_fields=["status", "updated_at"])
        _event(record, RecordEventKind.RETURNED, actor, from_status=from_status, reason=reason.strip())
    return record


def record_publish(*, actor: Any, record: DishonestyRecord, today: datetime.date | None = None) -> DishonestyRecord:
    """Verifies and publishes: the window is recomputed (a rule may have been added since entry) and the measures
    the tier and subject call for are applied."""
    if not may_decide_records_about(actor, record.subject_agency):
        raise NotAllowed(_("Only the credit office of the region may publish records."))
    today = today or timezone.localdate()
    with transaction.atomic():
        record = _locked(record)
        from_status = record.status
        to_status = _check_move(record, "publish")
        window = window_for(
            decision_date=record.decision_date, severity=record.severity, special_field=record.special_field
        )
        if window.ends_on <= today and window.publicly_disclosed:
            raise DomainError(
                _("The disclosure period of this record ended on %(date)s; it can no longer be published.")
                % {"date": window.ends_on.isoformat()},
                code="window_closed",
                field="decision_date",
            )
        record.status = to_status
        record.disclosure_rule = window.rule
        record.publicly_disclosed = window.publicly_disclosed
        record.disclosure_starts_on = window.starts_on
        record.earliest_repair_on = window.earliest_repair_on
        record.disclosure_ends_on = window.ends_on
        record.published_at = timezone.now()
        record.version += 1
        record.save()
        _event(record, RecordEventKind.PUBLISHED, actor, from_status=from_status)
        measures_apply(record=record, actor=actor, today=today)
        platform_change_emit(record=record, change_type=ChangeType.PUBLISHED)
    return record


def record_correct(*, actor: Any, record: DishonestyRecord, changes: dict[str, Any], reason: str) -> DishonestyRecord:
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
    with transaction.atomic():
        record = _locked(record)
        from_status = record.status
        to_status = _check_move(record, "correct")
        data = _input_from_record(record)
        for name, value in changes.items():
            setattr(data, name, value)
        record_input_check(data, record_id=record.pk)
        window = window_for(decision_date=data.decision_date, severity=data.severity, special_field=data.special_field)
        diff = _apply_values(record, {name: getattr(data, name) for name in changes})
        if not diff:
            raise DomainError(_("Nothing was changed."), code="no_change")
        record.status = to_status
        record.disclosure_rule = window.rule
        record.publicly_disclosed = window.publicly_disclosed
        record.disclosure_starts_on = window.starts_on
        record.earliest_repair_on = window.earliest_repair_on
        record.disclosure_ends_on = window.ends_on
        record.version += 1
        record.save()
        _event(record, RecordEventKind.CORRECTED, actor, from_status=from_status, reason=reason.strip(), changes=diff)
        platform_change_emit(record=record, change_type=ChangeType.CORRECTED)
    return record


def _input_from_record(record: DishonestyRecord) -> RecordInput:
    values = {f.name: getattr(record, f.name) for f in fields(RecordInput) if f.name != "responsible"}
    return RecordInput(**values)


def _take_out_of_force(*, actor: Any, record: DishonestyRecord, action: str, reason: str) -> DishonestyRecord:
    """Revocation and repair: the record leaves public disclosure at once, its open measures are lifted, and the
    platform is told — one transaction."""
    event_kind, change_type = {
        "revoke": (RecordEventKind.REVOKED, ChangeType.REVOKED),
        "repair": (RecordEventKind.REPAIRED, ChangeType.REPAIRED),
    }[action]
    with transaction.atomic():
        record = _locked(record)
        from_status = record.status
        record.status = _check_move(record, action)
        record.version += 1
        record.save(update_fields=["status", "version", "updated_at"])
        _event(record, event_kind, actor, from_status=from_status, reason=reason.strip())
        measures_close(record=record, actor=actor, to_state=MeasureState.LIFTED, reason=reason.strip())
        platform_change_emit(record=record, change_type=change_type)
    return record


def record_revoke(*, actor: Any, record: DishonestyRecord, reason: str) -> DishonestyRecord:
    if not may_decide_records_about(actor, record.subject_agency):
        raise NotAllowed(_("Only the credit office of the region may revoke records."))
    if not reason.strip():
        raise DomainError(_("Say why the record is revoked."), field="reason")
    return _take_out_of_force(actor=actor, record=record, action="revoke", reason=reason)


def record_repair(*, actor: Any, record: DishonestyRecord, reason: str) -> DishonestyRecord:
    """Credit repair granted; the repair event stays internally for ever. Called by repair.services.repair_grant
    inside its transaction."""
    if not may_decide_records_about(actor, record.subject_agency):
        raise NotAllowed(_("Only the credit office of the region may grant credit repair."))
    return _take_out_of_force(actor=actor, record=record, action="repair", reason=reason)


def records_expire_due(*, on: datetime.date | None = None, batch_size: int = 500) -> int:
    """Expires every record in force whose window closed on or before `on`. Safe to run twice, in parallel, or
    after downtime (it catches up); each record moves in its own short transaction."""
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
                from_status = record.status
                record.status = RecordStatus.EXPIRED
                record.version += 1
                record.save(update_fields=["status", "version", "updated_at"])
                _event(
                    record,
                    RecordEventKind.EXPIRED,
                    None,
                    from_status=from_status,
                    reason=_("Disclosure period ended on %(date)s.") % {"date": record.disclosure_ends_on.isoformat()},
                )
                measures_close(record=record, actor=None, to_state=MeasureState.COMPLETED, reason="")
                platform_change_emit(record=record, change_type=ChangeType.EXPIRED)
        expired += len(batch)
        if len(batch) < batch_size:
            return expired


def person_has_record_in_year(person: CivilServant, year: int) -> bool:
    """Records count from their decision year once verified, until revoked (an expired one still happened)."""
    return (
        DishonestyRecord.objects.filter(Q(subject_person=person) | Q(responsibilities__person=person))
        .filter(status__in=[S.PUBLISHED, S.CORRECTED, S.REPAIRED, S.EXPIRED], decision_date__year=year)
        .exists()
    )
