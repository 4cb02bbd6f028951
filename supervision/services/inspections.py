"""Inspections (督导检查): the higher government's mid-year check and year-end assessment of a region, findings per
unit, rectification items with deadlines, the unit's report and evidence, the verification and the unit's result.
docs/supervision.md § 督导检查.

The moves of a rectification item (kernel.transitions, every one an event row):
    open ─submit→ submitted ─accept→ accepted
                  submitted ─return→ returned ─submit→ submitted
    open / returned / submitted ─refuse→ refused   (refused or left undone: a person may propose a candidate record)

Who: the credit office over the inspected region runs the inspection (creates it, records findings, items and
results, verifies); the unit's own staff (and the credit office above it) submit its report and evidence; inspectors
read. Every change of an item tells the evaluation (kernel.sources.unit_changed).
"""

import datetime
import hashlib
import os
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.scope import may_decide_records_about, may_enter_records_for
from kernel.errors import DomainError, NotAllowed
from kernel.sources import unit_changed
from kernel.transitions import Move, StateMachine, Step, transition
from notices.services import notify
from records.models import DishonestyRecord, RecordSource, Severity
from records.services.candidates import credit_office_over, record_candidate_propose
from records.services.dishonesty import RecordInput
from records.services.evidence import evidence_check
from subjects.models import Agency
from supervision.models.inspections import (
    FindingSeverity,
    Inspection,
    InspectionFinding,
    InspectionKind,
    InspectionResult,
    RectificationEvent,
    RectificationEventKind,
    RectificationEvidence,
    RectificationItem,
    RectificationStatus,
)

S = RectificationStatus


def _refusal(item: RectificationItem, move: Move) -> str:
    return _("This rectification item is “%(status)s”; that step is not possible now.") % {
        "status": item.get_status_display()
    }


TRANSITIONS: StateMachine[RectificationItem] = StateMachine(
    field="status",
    moves={
        "submit": ((S.OPEN, S.RETURNED), S.SUBMITTED),
        "accept": ((S.SUBMITTED,), S.ACCEPTED),
        "return": ((S.SUBMITTED,), S.RETURNED),
        "refuse": ((S.OPEN, S.RETURNED, S.SUBMITTED), S.REFUSED),
    },
    refusal=_refusal,
)
EVENT_KINDS = {
    "submit": RectificationEventKind.SUBMITTED,
    "accept": RectificationEventKind.ACCEPTED,
    "return": RectificationEventKind.RETURNED,
    "refuse": RectificationEventKind.REFUSED,
}


# Who may --------------------------------------------------------------------------------------------------------------


def may_run(user: Any, region: Agency) -> bool:
    """Create an inspection of `region`, record its findings, items and results, verify: the credit office over it."""
    return may_decide_records_about(user, region)


def may_answer(user: Any, item: RectificationItem) -> bool:
    """Submit the unit's report and evidence: its own staff, the credit office above it."""
    return may_enter_records_for(user, item.agency)


# Inputs --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InspectionInput:
    region: Agency | None
    kind: str
    year: int | None
    title: str
    inspecting_body: str
    starts_on: datetime.date | None
    ends_on: datetime.date | None


@dataclass(frozen=True)
class FindingInput:
    agency: Agency | None
    text: str
    severity: str
    # The first rectification item of the finding (optional): what to do and by when.
    item_text: str = ""
    item_due_on: datetime.date | None = None


def _required(errors: dict[str, list[Any]], name: str, value: Any, message: str) -> None:
    if value is None or (isinstance(value, str) and not value.strip()):
        errors.setdefault(name, []).append(message)


def inspection_problems(actor: User, data: InspectionInput) -> dict[str, list[Any]]:
    """Every problem of an inspection's input by field, all at once (the form asks too when it could not read some
    fields, so every error shows at once)."""
    errors: dict[str, list[Any]] = {}
    _required(errors, "region", data.region, _("Choose the inspected region."))
    if data.kind not in InspectionKind.values:
        errors["kind"] = [_("Choose mid-year check or year-end assessment.")]
    if data.year is None or not 2000 <= data.year <= 2100:
        errors["year"] = [_("Give a year between 2000 and 2100.")]
    _required(errors, "title", data.title, _("Give the title."))
    _required(errors, "inspecting_body", data.inspecting_body, _("Name the inspecting body."))
    _required(errors, "starts_on", data.starts_on, _("Give the first day of the inspection."))
    _required(errors, "ends_on", data.ends_on, _("Give the last day of the inspection."))
    if data.starts_on and data.ends_on and data.ends_on < data.starts_on:
        errors.setdefault("ends_on", []).append(_("The last day cannot be before the first day."))
    if data.region is not None and not may_run(actor, data.region):
        errors.setdefault("region", []).append(_("You may not inspect this region."))
    return errors


def inspection_create(*, actor: User, data: InspectionInput) -> Inspection:
    errors = inspection_problems(actor, data)
    if errors:
        raise DomainError.of_fields(errors)
    assert data.region is not None and data.year is not None and data.starts_on and data.ends_on
    return Inspection.objects.create(
        region=data.region,
        kind=data.kind,
        year=data.year,
        title=data.title.strip(),
        inspecting_body=data.inspecting_body.strip(),
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        created_by=actor,
    )


def _in_region(inspection: Inspection, agency: Agency) -> bool:
    return agency.path.startswith(inspection.region.path)


def finding_add(*, actor: User, inspection: Inspection, data: FindingInput) -> InspectionFinding:
    """A finding about one unit of the region, with its first rectification item when given."""
    if not may_run(actor, inspection.region):
        raise NotAllowed(_("Only the credit office over the region records findings."))
    errors = finding_problems(inspection, data)
    if errors:
        raise DomainError.of_fields(errors)
    assert data.agency is not None
    with transaction.atomic():
        finding = InspectionFinding.objects.create(
            inspection=inspection, agency=data.agency, text=data.text.strip(), severity=data.severity, created_by=actor
        )
        if data.item_text.strip() and data.item_due_on is not None:
            _item_create(finding, data.item_text, data.item_due_on, actor)
    return finding


def finding_problems(inspection: Inspection, data: FindingInput) -> dict[str, list[Any]]:
    """Every problem of a finding's input by field, all at once."""
    errors: dict[str, list[Any]] = {}
    _required(errors, "agency", data.agency, _("Choose the unit."))
    if data.agency is not None and not _in_region(inspection, data.agency):
        errors.setdefault("agency", []).append(_("The unit is not in the inspected region."))
    _required(errors, "text", data.text, _("Write the finding."))
    if data.severity not in FindingSeverity.values:
        errors["severity"] = [_("Choose the severity.")]
    if data.item_text.strip() and data.item_due_on is None:
        errors["item_due_on"] = [_("Give the rectification deadline.")]
    if data.item_due_on is not None and not data.item_text.strip():
        errors["item_text"] = [_("Write what must be rectified.")]
    if data.item_due_on is not None and data.item_due_on < inspection.starts_on:
        errors.setdefault("item_due_on", []).append(_("The deadline cannot be before the inspection began."))
    return errors


def item_add(*, actor: User, finding: InspectionFinding, text: str, due_on: datetime.date | None) -> RectificationItem:
    if not may_run(actor, finding.inspection.region):
        raise NotAllowed(_("Only the credit office over the region sets rectification items."))
    errors: dict[str, list[Any]] = {}
    _required(errors, "text", text, _("Write what must be rectified."))
    _required(errors, "due_on", due_on, _("Give the rectification deadline."))
    if due_on is not None and due_on < finding.inspection.starts_on:
        errors.setdefault("due_on", []).append(_("The deadline cannot be before the inspection began."))
    if errors:
        raise DomainError.of_fields(errors)
    assert due_on is not None
    with transaction.atomic():
        return _item_create(finding, text, due_on, actor)


def _item_create(finding: InspectionFinding, text: str, due_on: datetime.date, actor: User) -> RectificationItem:
    item = RectificationItem.objects.create(finding=finding, agency=finding.agency, text=text.strip(), due_on=due_on)
    _event(item, RectificationEventKind.CREATED, actor, from_status="", to_status=item.status)
    unit_changed(item.agency_id, due_on)
    _notify(
        item,
        _("Inspection finding for %(agency)s: rectify by %(due)s — %(text)s"),
    )
    return item


def item_submit(*, actor: User, item: RectificationItem, report: str, files: list[Any]) -> RectificationItem:
    """The unit hands in its rectification report with its evidence files (at least one file or a report)."""
    if not may_answer(actor, item):
        raise NotAllowed(_("Only the unit's own staff submit its rectification report."))
    errors: dict[str, list[Any]] = {}
    _required(errors, "report", report, _("Write the rectification report."))
    checked: list[tuple[Any, str, str]] = []
    for upload in files:
        try:
            kind, name = evidence_check(upload)
        except DomainError as exc:
            errors.setdefault("file", []).append(exc.message)
        else:
            checked.append((upload, kind.content_type, name))
    if errors:
        raise DomainError.of_fields(errors)
    today = timezone.localdate()
    stored: list[RectificationEvidence] = []
    try:
        with transaction.atomic():
            item = transition(
                item,
                TRANSITIONS,
                "submit",
                actor=actor,
                fields={"report": report.strip(), "submitted_on": today},
                queryset=_rows(),
                event=_moved,
            )
            stored += [store_file(RectificationEvidence(item=item, uploaded_by=actor), *c) for c in checked]
            unit_changed(item.agency_id, item.due_on)
            _notify_inspector(item, _("%(agency)s submitted its rectification report (due %(due)s)."))
    except BaseException:
        for evidence in stored:
            evidence.file.delete(save=False)
        raise
    return item


def item_verify(*, actor: User, item: RectificationItem, accepted: bool, reason: str = "") -> RectificationItem:
    """The inspecting side accepts the rectification or returns it with the reason."""
    if not may_run(actor, item.finding.inspection.region):
        raise NotAllowed(_("Only the credit office over the region verifies rectifications."))
    if not accepted and not reason.strip():
        raise DomainError(_("Give the reason for returning it."), field="reason", code="required")
    fields: dict[str, Any] = {"accepted_on": timezone.localdate()} if accepted else {}
    with transaction.atomic():
        item = transition(
            item,
            TRANSITIONS,
            "accept" if accepted else "return",
            actor=actor,
            reason=reason.strip(),
            fields=fields,
            queryset=_rows(),
            event=_moved,
        )
        unit_changed(item.agency_id, item.due_on)
        if accepted:
            _notify(item, _("The rectification of %(agency)s is accepted: %(text)s"))
        else:
            _notify(item, _("The rectification of %(agency)s is returned (due %(due)s): %(text)s"))
    return item


def item_refuse(*, actor: User, item: RectificationItem, reason: str) -> RectificationItem:
    """The inspecting side notes that the unit refused to rectify or left it undone."""
    if not may_run(actor, item.finding.inspection.region):
        raise NotAllowed(_("Only the credit office over the region decides this."))
    if not reason.strip():
        raise DomainError(_("Give the reason."), field="reason", code="required")
    with transaction.atomic():
        item = transition(
            item, TRANSITIONS, "refuse", actor=actor, reason=reason.strip(), queryset=_rows(), event=_moved
        )
        unit_changed(item.agency_id, item.due_on)
        _notify(item, _("The rectification of %(agency)s is noted as refused or not done: %(text)s"))
    return item


def may_propose(user: Any, item: RectificationItem, on: datetime.date | None = None) -> bool:
    """Refused, or still undone after the deadline, and no candidate record yet."""
    on = on or timezone.localdate()
    if item.candidate_record_id is not None or not may_run(user, item.finding.inspection.region):
        return False
    return item.status == S.REFUSED or item.is_overdue(on)


def item_propose_record(*, actor: User, item: RectificationItem, reason: str) -> DishonestyRecord:
    """A person decides that a refused or overdue rectification becomes a candidate record (never published here)."""
    if not may_run(actor, item.finding.inspection.region):
        raise NotAllowed(_("Only the credit office over the region proposes a record."))
    if not reason.strip():
        raise DomainError(_("Give the reason."), field="reason", code="required")
    if item.candidate_record is not None:
        return item.candidate_record  # proposed once: the live candidate
    if not may_propose(actor, item):
        raise DomainError(
            _("Only a rectification refused or left undone after its deadline may become a candidate record."),
            code="not_proposable",
        )
    inspection = item.finding.inspection
    office = actor.agency if actor.agency is not None else credit_office_over(item.agency)
    data = RecordInput(
        subject_agency=item.agency,
        source=RecordSource.OTHER,
        sector="other",
        severity=Severity.GENERAL,
        document_number=_("Rectification of inspection %(pk)d-%(item)d") % {"pk": inspection.pk, "item": item.pk},
        deciding_body_name=office.name,
        deciding_body_uscc=office.uscc,
        deciding_agency=office,
        decision_date=timezone.localdate(),
        facts=_("%(agency)s did not rectify the finding of “%(inspection)s” by %(due)s: %(text)s. %(reason)s")
        % {
            "agency": item.agency.name,
            "inspection": inspection.title,
            "due": item.due_on.isoformat(),
            "text": item.text,
            "reason": reason.strip(),
        },
        legal_basis=_("Inspection rectification requirement of %(body)s") % {"body": inspection.inspecting_body},
        data_source_agency=item.agency,
    )
    with transaction.atomic():
        record = record_candidate_propose(
            origin=item,
            origin_label=_("Inspection rectification %(title)s") % {"title": inspection.title},
            data=data,
            actor=actor,
            reason=reason.strip(),
        )
        RectificationItem.objects.filter(pk=item.pk).update(candidate_record=record)
        item.candidate_record = record
        _event(
            item,
            RectificationEventKind.CANDIDATE,
            actor,
            from_status=item.status,
            to_status=item.status,
            reason=reason.strip(),
        )
    return record


def result_set(
    *, actor: User, inspection: Inspection, agency: Agency | None, score: Decimal | None, grade: str, note: str = ""
) -> InspectionResult:
    if not may_run(actor, inspection.region):
        raise NotAllowed(_("Only the credit office over the region records results."))
    errors: dict[str, list[Any]] = {}
    _required(errors, "agency", agency, _("Choose the unit."))
    if agency is not None and not _in_region(inspection, agency):
        errors.setdefault("agency", []).append(_("The unit is not in the inspected region."))
    if score is None and not grade.strip():
        errors["score"] = [_("Give a score, a grade, or both.")]
    if score is not None and not Decimal(0) <= score <= Decimal(100):
        errors["score"] = [_("The score must be between 0 and 100.")]
    if errors:
        raise DomainError.of_fields(errors)
    assert agency is not None
    with transaction.atomic():
        result, _created = InspectionResult.objects.update_or_create(
            inspection=inspection,
            agency=agency,
            defaults={"score": score, "grade": grade.strip(), "note": note.strip(), "decided_by": actor},
        )
    return result


@dataclass(frozen=True)
class OverdueRun:
    overdue: int
    notified: int


def rectification_overdue_run(on: datetime.date | None = None) -> OverdueRun:
    """Daily, idempotent: every item past its deadline and still undone gets one notice (to the unit and the credit
    office over the region) and one event row; a second run the same day or later sends nothing more."""
    on = on or timezone.localdate()
    late = RectificationItem.objects.overdue(on).select_related("agency", "finding__inspection__region")
    count = notified = 0
    for item in late.iterator(chunk_size=500):
        count += 1
        if item.overdue_notified_on is not None:
            continue
        with transaction.atomic():
            updated = RectificationItem.objects.filter(pk=item.pk, overdue_notified_on__isnull=True).update(
                overdue_notified_on=on
            )
            if not updated:
                continue
            _event(item, RectificationEventKind.OVERDUE, None, from_status=item.status, to_status=item.status)
            unit_changed(item.agency_id, item.due_on)
            text = _("The rectification of %(agency)s was due on %(due)s and is not done: %(text)s") % _values(item)
            office = credit_office_over(item.finding.inspection.region)
            notify(subject=text[:200], body=text, link=item_url(item), agencies=[item.agency, office])
            notified += 1
    return OverdueRun(overdue=count, notified=notified)


# Files --------------------------------------------------------------------------------------------------------------


def store_file(row: Any, upload: Any, content_type: str, name: str) -> Any:
    """Saves an already checked upload on an evidence row (its file, name, type, size and digest)."""
    digest = hashlib.sha256()
    for piece in upload.chunks():
        digest.update(piece)
    upload.seek(0)
    row.original_name = name
    row.content_type = content_type
    row.size = int(upload.size)
    row.sha256 = digest.hexdigest()
    # A name of our own: the uploaded one is a label in original_name, never part of a path.
    row.file.save(f"{uuid.uuid4().hex}{os.path.splitext(name)[1].lower()}", upload, save=False)
    row.save()
    return row


# Helpers ------------------------------------------------------------------------------------------------------------


def _rows() -> Any:
    return RectificationItem.objects.select_related("agency", "finding__inspection__region")


def _event(
    item: RectificationItem, kind: str, actor: User | None, *, from_status: str, to_status: str, reason: str = ""
) -> RectificationEvent:
    return RectificationEvent.objects.create(
        item=item, kind=kind, from_status=from_status, to_status=to_status, reason=reason, actor=actor
    )


def _moved(item: RectificationItem, step: Step) -> RectificationEvent:
    return _event(
        item,
        EVENT_KINDS[step.action],
        step.actor,
        from_status=step.from_state,
        to_status=step.to_state,
        reason=step.reason,
    )


def item_url(item: RectificationItem) -> str:
    return reverse("supervision:rectification_detail", args=[item.pk])


def _values(item: RectificationItem) -> dict[str, str]:
    return {"agency": item.agency.name, "due": item.due_on.isoformat(), "text": item.text[:100]}


def _notify(item: RectificationItem, template: str) -> None:
    text = template % _values(item)
    notify(subject=text[:200], body=text, link=item_url(item), agencies=[item.agency])


def _notify_inspector(item: RectificationItem, template: str) -> None:
    text = template % _values(item)
    office = credit_office_over(item.finding.inspection.region)
    notify(subject=text[:200], body=text, link=item_url(item), agencies=[office])
