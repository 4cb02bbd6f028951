"""Complaints (投诉) about how a record or an objection was handled, routed to the credit office above the agency
and tracked like an objection: filed → handling → resolved | dismissed (or not accepted)."""

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.scope import may_manage_agencies_under
from kernel.errors import DomainError, NotAllowed
from kernel.transitions import Move, StateMachine, transition
from notices.services import notify
from records.models import DishonestyRecord
from repair.models import Complaint, ComplaintStatus, Objection
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
    handling_agency_for,
    stage_deadline,
)
from workcalendar.deadlines import due_text

S = ComplaintStatus


def _refusal(complaint: Complaint, move: Move) -> str:
    return _("This complaint is %(status)s; that step is not possible now.") % {
        "status": complaint.get_status_display()
    }


MOVES = StateMachine[Complaint](
    field="status",
    moves={
        "accept": ({S.FILED}, S.HANDLING),
        "not_accept": ({S.FILED}, S.NOT_ACCEPTED),
        "resolve": ({S.HANDLING}, S.RESOLVED),
        "dismiss": ({S.HANDLING}, S.DISMISSED),
    },
    refusal=_refusal,
)


def complaint_errors(values: Mapping[str, Any]) -> FieldErrors:
    """Every rule a complaint's inputs break (those in `values`: see filer_errors)."""
    return filer_errors(values)


def complaint_file(
    *,
    record: DishonestyRecord,
    statement: str,
    filer_name: str,
    filer_contact: str,
    commitment_signed: bool,
    filer_email: str = "",
    objection: Objection | None = None,
    attachments: list[UploadedFile] | None = None,
    filed_by: User | None = None,
) -> tuple[Complaint, str]:
    if objection is not None and objection.record_id != record.pk:
        raise DomainError(_("That objection is about another record."), field="objection")
    if filed_by is not None and not DishonestyRecord.objects.visible_to(filed_by).filter(pk=record.pk).exists():
        raise NotAllowed(_("You may not file a complaint about this record."))
    if filed_by is None and not (
        DishonestyRecord.objects.disclosed().filter(pk=record.pk).exists() or record.objections.exists()
    ):
        raise DomainError(_("Complaints can be filed about a disclosed record or its objection."), field="record")
    complaint_errors(
        {
            "filer_name": filer_name,
            "filer_contact": filer_contact,
            "statement": statement,
            "attachments": attachments,
            "commitment_signed": commitment_signed,
        }
    ).raise_any()
    code, digest = new_query_code()
    with transaction.atomic():
        complaint = Complaint.objects.create(
            record=record,
            objection=objection,
            handling_agency=handling_agency_for(record),
            statement=statement.strip(),
            filer_name=filer_name.strip(),
            filer_contact=filer_contact.strip(),
            filer_email=filer_email.strip(),
            commitment_signed=True,
            query_code_digest=digest,
            filed_by=filed_by,
            **Complaint.STAGE_DEADLINE.values(due_after(settings.COMPLAINT_ACCEPT_WORKING_DAYS)),
        )
        attach_files(complaint, attachments or [])
        case_event(complaint, from_status="", actor=filed_by)
        query_code_send(case=complaint, code=code)
        notify(
            link=case_link(complaint),
            subject=_("Complaint about the handling of record %(number)s") % {"number": record.document_number},
            body=_("Accept or refuse it by %(date)s.")
            % {"date": due_text(complaint.stage_due_on, complaint.stage_due_provisional)},
            agencies=[complaint.handling_agency, record.subject_agency],
        )
    return complaint, code


def _step(*, actor: User, complaint: Complaint, action: str, reason: str = "") -> Complaint:
    if not may_manage_agencies_under(actor, complaint.handling_agency) or actor.role not in (
        Role.CREDIT_OFFICE,
        Role.ADMINISTRATOR,
    ):
        raise NotAllowed(_("Only the credit office the complaint was routed to handles it."))
    if action != "accept" and not reason.strip():
        raise DomainError(_("Give the reasons."), field="reason")
    if action == "accept":
        fields = stage_deadline(due_after(settings.COMPLAINT_HANDLE_WORKING_DAYS))
    else:
        fields = {**stage_deadline(None), "closed_at": timezone.now(), "decision_reason": reason.strip()}
    with transaction.atomic():
        complaint = transition(
            complaint,
            MOVES,
            action,
            actor=actor,
            reason=reason.strip(),
            fields=fields,
            event=case_moved,
            queryset=Complaint.objects.select_related("record"),
        )
        # Each reader in their own words: the agency about the complaint on its record, the filer about theirs.
        status_label = complaint.get_status_display()
        notify(
            link=case_link(complaint),
            subject=_("Complaint about record %(number)s: %(status)s")
            % {"number": complaint.record.document_number, "status": status_label},
            body=reason.strip(),
            agencies=[complaint.record.subject_agency],
        )
        notify(
            subject=_("Your complaint is now: %(status)s") % {"status": status_label},
            body=reason.strip(),
            emails=[complaint.filer_email],
        )
    return complaint


def complaint_accept(*, actor: User, complaint: Complaint) -> Complaint:
    return _step(actor=actor, complaint=complaint, action="accept")


def complaint_not_accept(*, actor: User, complaint: Complaint, reason: str) -> Complaint:
    return _step(actor=actor, complaint=complaint, action="not_accept", reason=reason)


def complaint_resolve(*, actor: User, complaint: Complaint, reason: str) -> Complaint:
    return _step(actor=actor, complaint=complaint, action="resolve", reason=reason)


def complaint_dismiss(*, actor: User, complaint: Complaint, reason: str) -> Complaint:
    return _step(actor=actor, complaint=complaint, action="dismiss", reason=reason)
