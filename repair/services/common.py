"""What every case service shares: deadlines in working days, the event row, the filer's attachments."""

import datetime
import hashlib
import os
import uuid
from collections.abc import Mapping
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from kernel.errors import DomainError
from kernel.sources import unit_changed
from kernel.transitions import Step
from records.models import DishonestyRecord
from records.services.evidence import evidence_check
from repair.models import CaseAttachment, CaseEvent, Complaint, FiledCase, Objection, RepairApplication
from subjects.models import Agency
from workcalendar.workdays import Deadline, working_day_deadline

Case = Objection | Complaint | RepairApplication
MAX_ATTACHMENTS = 10


def due_after(working_days: int, today: datetime.date | None = None) -> Deadline:
    return working_day_deadline(today or timezone.localdate(), working_days)


def stage_deadline(deadline: Deadline | None) -> dict[str, Any]:
    """The current stage's deadline (None when the case waits for nobody), as the values to save."""
    return FiledCase.STAGE_DEADLINE.values(deadline)


def case_event(case: Case, *, from_status: str, actor: User | None, reason: str = "") -> CaseEvent:
    key = {Objection: "objection", Complaint: "complaint", RepairApplication: "repair"}[type(case)]
    return CaseEvent.objects.create(
        **{key: case}, from_status=from_status, to_status=case.status, reason=reason, actor=actor
    )


def case_moved(case: Case, step: Step) -> CaseEvent:
    """The event row of a case's move (kernel.transitions.transition's `event`). What the evaluation counts of the
    cases (repair/evaluation_sources.py) may have changed: the units concerned are marked in the same transaction."""
    unit_changed([case.record.subject_agency_id, case.record.data_source_agency_id], timezone.localdate())
    return case_event(case, from_status=step.from_state, actor=step.actor, reason=step.reason)


class FieldErrors:
    """Every rule a filing breaks, by input, so the filer reads them all at once and fixes them in one go."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}
        self._codes: set[str] = set()

    def add(self, field: str, message: str, code: str = "invalid") -> None:
        messages = self.errors.setdefault(field, [])
        if message not in messages:
            messages.append(message)
        self._codes.add(code)

    def raise_any(self) -> None:
        """One DomainError naming every input at fault; its code is the errors' one code, else "invalid"."""
        if self.errors:
            raise DomainError.of_fields(self.errors, code=self._codes.pop() if len(self._codes) == 1 else "invalid")


def filer_errors(values: Mapping[str, Any]) -> FieldErrors:
    """The rules every filing meets, judged on the inputs in `values`. An input that is absent (a form refused its
    shape already, or it was not sent) is not judged again, so shape errors and rule errors are shown together."""
    errors = FieldErrors()
    if "filer_name" in values and not (values["filer_name"] or "").strip():
        errors.add("filer_name", _("Give your name."))
    if "filer_contact" in values and not (values["filer_contact"] or "").strip():
        errors.add("filer_contact", _("Give a phone number or e-mail address."))
    if "statement" in values and not (values["statement"] or "").strip():
        errors.add("statement", _("State your request and its reasons."))
    for upload in values.get("attachments") or []:
        try:
            attachment_check(upload)
        except DomainError as exc:
            errors.add("attachments", str(exc.message), exc.code)
    if "commitment_signed" in values and not values["commitment_signed"]:
        errors.add("commitment_signed", _("You must promise that the material is true."))
    return errors


def attachment_check(upload: UploadedFile) -> None:
    """The same type, size and content checks as a record's evidence; DomainError(field="attachments") otherwise."""
    try:
        evidence_check(upload)
    except DomainError as exc:
        raise DomainError(exc.message, code=exc.code, field="attachments") from exc


def attach_files(case: Case, files: list[UploadedFile]) -> list[CaseAttachment]:
    """Evidence with a case: the same type, size and content checks as a record's evidence. Every file is checked
    before any is stored, so a bad third file leaves no first two behind."""
    if not files:
        return []

    key = {Objection: "objection", Complaint: "complaint", RepairApplication: "repair"}[type(case)]
    checked = []
    for upload in files[:MAX_ATTACHMENTS]:
        try:
            checked.append((upload, *evidence_check(upload)))
        except DomainError as exc:
            raise DomainError(exc.message, code=exc.code, field="attachments") from exc
    attachments: list[CaseAttachment] = []
    try:
        for upload, kind, name in checked:
            digest = hashlib.sha256()
            for piece in upload.chunks():
                digest.update(piece)
            upload.seek(0)
            attachment = CaseAttachment(
                **{key: case},
                original_name=name,
                content_type=kind.content_type,
                size=int(upload.size or 0),
                sha256=digest.hexdigest(),
            )
            # A name of our own: the uploaded one is only a label, never part of a path.
            attachment.file.save(f"{uuid.uuid4().hex}{os.path.splitext(name)[1].lower()}", upload, save=False)
            attachments.append(attachment)
            attachment.save()
    except BaseException:
        for attachment in attachments:
            attachment.file.delete(save=False)
        raise
    return attachments


def record_agencies(record: DishonestyRecord) -> list[Agency]:
    """Who hears about a case: the agency the record is about, the one that supplied it, and the credit office
    that must act on it."""
    return [record.subject_agency, record.data_source_agency, handling_agency_for(record)]


def case_link(case: Case) -> str:
    """The staff page of a case, for the in-app notice."""
    name = {Objection: "objection_detail", Complaint: "complaint_detail", RepairApplication: "repair_detail"}[
        type(case)
    ]
    return reverse(f"repair:{name}", args=[case.pk])


def handling_agency_for(record: DishonestyRecord) -> Agency:
    """The nearest agency strictly above the record's subject that has an active credit office; the subject's own
    top agency when none has one (the complaint must land somewhere)."""
    ancestor_ids = record.subject_agency.ancestor_ids
    offices = set(
        User.objects.filter(role=Role.CREDIT_OFFICE, is_active=True, agency_id__in=ancestor_ids).values_list(
            "agency_id", flat=True
        )
    )
    for agency_id in reversed(ancestor_ids):
        if agency_id in offices:
            return Agency.objects.get(pk=agency_id)
    return Agency.objects.get(pk=ancestor_ids[0]) if ancestor_ids else record.subject_agency
