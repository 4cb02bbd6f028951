"""Breach complaints (违约失信投诉): filing, the handling stages with their working-day deadlines, the candidate record
of a confirmed breach, and the daily job that announces late stages. docs/supervision.md § 违约失信投诉.

Every move goes through kernel.transitions with an event row; a public event's reason is what the complainant reads
on the tracking page. A confirmed breach becomes a *candidate* record (records.services.candidates), never a
published one.
"""

import datetime
import hashlib
import logging
import os
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Sector, User
from accounts.scope import may_decide_records_about, may_enter_records_for
from kernel.errors import DomainError, NotAllowed
from kernel.sources import unit_changed
from kernel.transitions import Move, StateMachine, Step, transition
from notices.services import notify
from records.models import DishonestyRecord, RecordSource, Severity
from records.services.candidates import credit_office_over, record_candidate_propose
from records.services.dishonesty import RecordInput
from records.services.evidence import evidence_check
from repair.notices import query_code_channel
from repair.query_codes import new_query_code, query_code_candidates
from repair.services.common import FieldErrors
from repair.sms import sms_sender
from subjects.codes import USCC_PATTERN, normalize_uscc, uscc_check_char
from subjects.models import Agency
from supervision.models.complaints import (
    TIMED_STATUSES,
    BreachCategory,
    BreachComplaint,
    BreachComplaintAttachment,
    BreachComplaintEvent,
    ComplainantKind,
    ComplaintAction,
    ComplaintChannel,
)
from supervision.models.complaints import BreachComplaintStatus as S
from workcalendar.workdays import Deadline, working_day_deadline

logger = logging.getLogger(__name__)

MAX_ATTACHMENTS = 10
FILING = "filing"
RECTIFICATION = "rectification"


def accept_working_days() -> int:
    return int(getattr(settings, "SUPERVISION_COMPLAINT_ACCEPT_WORKING_DAYS", 3))


def transfer_working_days() -> int:
    return int(getattr(settings, "SUPERVISION_COMPLAINT_TRANSFER_WORKING_DAYS", 1))


def verify_working_days() -> int:
    return int(getattr(settings, "SUPERVISION_COMPLAINT_VERIFY_WORKING_DAYS", 15))


def _refusal(complaint: BreachComplaint, move: Move) -> str:
    return _("This complaint is %(status)s: it cannot be moved that way now.") % {"status": S(complaint.status).label}


MACHINE: StateMachine[BreachComplaint] = StateMachine(
    field="status",
    moves={
        "accept": ([S.RECEIVED], S.ACCEPTED),
        "refuse": ([S.RECEIVED], S.NOT_ACCEPTED),
        "transfer": ([S.ACCEPTED], S.TRANSFERRED),
        "verify_untrue": ([S.TRANSFERRED], S.NOT_TRUE),
        "order_rectification": ([S.TRANSFERRED], S.RECTIFYING),
        "rectified": ([S.RECTIFYING], S.RECTIFIED),
        "confirm_breach": ([S.RECTIFYING], S.CONFIRMED),
    },
    refusal=_refusal,
)

ACTION_LABELS = {action.value: action.label for action in ComplaintAction}


# Filing -----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComplaintInput:
    """What the complainant (or the staff member entering a complaint from another channel) typed."""

    channel: str
    complainant_kind: str
    complainant_name: str
    complainant_contact: str
    respondent: Agency | None
    category: str
    facts: str
    complainant_uscc: str = ""
    complainant_email: str = ""
    amount: Decimal | None = None
    channel_reference: str = ""
    received_on: datetime.date | None = None
    attachments: tuple[UploadedFile, ...] = ()


def uscc_problem(value: str) -> str | None:
    """A company's code: 18 characters of the USCC alphabet with the right check character (any registration
    authority: companies carry 91/92/93, which the agency register does not accept)."""
    code = normalize_uscc(value)
    if len(code) != 18 or not USCC_PATTERN.match(code):
        return _("Give the company's 18-character unified social credit code.")
    if code[17] != uscc_check_char(code[:17]):
        return _("The unified social credit code's check character is wrong.")
    return None


def complaint_errors(values: Mapping[str, Any], *, today: datetime.date | None = None) -> FieldErrors:
    """Every rule a filing breaks, judged on the inputs present in `values` (an input a form already refused is
    absent and not judged again), so the filer reads every error at once."""
    errors = FieldErrors()
    today = today or timezone.localdate()
    if "channel" in values and values["channel"] not in ComplaintChannel.values:
        errors.add("channel", _("Choose the channel the complaint came by."))
    kind = values.get("complainant_kind")
    if "complainant_kind" in values and kind not in ComplainantKind.values:
        errors.add("complainant_kind", _("Say whether a company or a person complains."))
    if "complainant_name" in values and not (values["complainant_name"] or "").strip():
        errors.add(
            "complainant_name",
            _("Give the company's name.") if kind == ComplainantKind.COMPANY else _("Give your name."),
        )
    if "complainant_uscc" in values and kind == ComplainantKind.COMPANY:
        problem = uscc_problem(values["complainant_uscc"] or "")
        if problem:
            errors.add("complainant_uscc", problem)
    if "complainant_contact" in values and not (values["complainant_contact"] or "").strip():
        errors.add("complainant_contact", _("Give a phone number so the office can reach you."))
    if "respondent" in values and values["respondent"] is None:
        errors.add("respondent", _("Choose the government body complained about."))
    if "category" in values and values["category"] not in BreachCategory.values:
        errors.add("category", _("Choose what kind of breach it is."))
    amount = values.get("amount")
    if amount is not None and amount < 0:
        errors.add("amount", _("The amount cannot be negative."))
    if values.get("category") == BreachCategory.ARREARS and "amount" in values and amount is None:
        errors.add("amount", _("Give the amount in arrears."))
    if "facts" in values and len((values["facts"] or "").strip()) < 10:
        errors.add("facts", _("Describe the facts: what was agreed or promised, and how it was broken."))
    received = values.get("received_on")
    if received is not None and received > today:
        errors.add("received_on", _("The date received cannot be in the future."))
    attachments = values.get("attachments") or []
    if len(attachments) > MAX_ATTACHMENTS:
        errors.add("attachments", _("Attach at most %(count)d files.") % {"count": MAX_ATTACHMENTS})
    for upload in attachments:
        try:
            evidence_check(upload)
        except DomainError as exc:
            errors.add("attachments", str(exc.message), exc.code)
    return errors


def _attach(complaint: BreachComplaint, files: list[UploadedFile], purpose: str) -> None:
    """Every file is checked before any is stored, so a bad third file leaves no first two behind."""
    checked = []
    for upload in files[:MAX_ATTACHMENTS]:
        try:
            checked.append((upload, *evidence_check(upload)))
        except DomainError as exc:
            raise DomainError(exc.message, code=exc.code, field="attachments") from exc
    stored: list[BreachComplaintAttachment] = []
    try:
        for upload, kind, name in checked:
            digest = hashlib.sha256()
            for piece in upload.chunks():
                digest.update(piece)
            upload.seek(0)
            attachment = BreachComplaintAttachment(
                complaint=complaint,
                original_name=name,
                content_type=kind.content_type,
                size=int(upload.size or 0),
                sha256=digest.hexdigest(),
                purpose=purpose,
            )
            # A name of our own: the uploaded one is only a label, never part of a path.
            attachment.file.save(f"{uuid.uuid4().hex}{os.path.splitext(name)[1].lower()}", upload, save=False)
            stored.append(attachment)
            attachment.save()
    except BaseException:
        for attachment in stored:
            attachment.file.delete(save=False)
        raise


def _deadline(working_days: int, start: datetime.date | None = None) -> Deadline:
    return working_day_deadline(start or timezone.localdate(), working_days)


def _event(
    complaint: BreachComplaint, *, action: str, from_status: str, actor: User | None, reason: str, public: bool = True
) -> BreachComplaintEvent:
    return BreachComplaintEvent.objects.create(
        complaint=complaint,
        action=action,
        from_status=from_status,
        to_status=complaint.status,
        reason=reason,
        public=public,
        actor=actor,
    )


def staff_link(complaint: BreachComplaint) -> str:
    return reverse("supervision:complaint_detail", args=[complaint.pk])


def _send_code(complaint: BreachComplaint, code: str) -> None:
    """Once the filing commits, the code goes to the complainant's e-mail or mobile phone (repair's channels and
    pluggable SMS sender). Sent from this process, never queued, so the code is in no broker and no log line."""
    channel = query_code_channel(filer_email=complaint.complainant_email, filer_contact=complaint.complainant_contact)
    if channel is None:
        return
    opening = _("Your breach complaint %(number)s was filed.") % {"number": complaint.tracking_number}
    code_line = _("Query code: %(code)s") % {"code": code}
    advice = _("Enter the tracking number and this code on the public site's complaint tracking page.")
    label = f"BreachComplaint {complaint.pk}"

    def send() -> None:
        try:
            if channel.medium == "email":
                send_mail(
                    _("Your breach complaint was filed: its query code"),
                    "\n\n".join([opening, code_line, advice]),
                    settings.DEFAULT_FROM_EMAIL,
                    [channel.to],
                )
            else:
                sms_sender().send(phone=channel.to, text=f"{opening}{code_line}")
        except Exception as exc:  # the gateway's message may name the address: only its kind here
            logger.error(
                "The query code of %s could not be sent by %s (%s).", label, channel.medium, type(exc).__name__
            )

    transaction.on_commit(send, robust=True)


def complaint_file(*, data: ComplaintInput, filed_by: User | None = None) -> tuple[BreachComplaint, str]:
    """Files a complaint; returns it and its query code (shown once, sent to the complainant, stored as a digest).
    `filed_by` is the staff member entering it from another channel (None: the complainant on the public site, who
    files by the site's channel only). DomainError names every input at fault."""
    today = timezone.localdate()
    values: dict[str, Any] = {
        "channel": data.channel,
        "complainant_kind": data.complainant_kind,
        "complainant_name": data.complainant_name,
        "complainant_uscc": data.complainant_uscc,
        "complainant_contact": data.complainant_contact,
        "respondent": data.respondent,
        "category": data.category,
        "amount": data.amount,
        "facts": data.facts,
        "received_on": data.received_on,
        "attachments": list(data.attachments),
    }
    errors = complaint_errors(values, today=today)
    if filed_by is None and data.channel != ComplaintChannel.SITE:
        errors.add("channel", _("The public site files complaints by its own channel only."))
    errors.raise_any()
    assert data.respondent is not None
    respondent = data.respondent
    if filed_by is not None and not may_decide_records_about(filed_by, respondent):
        raise NotAllowed(_("Only the credit office over the body complained about may enter its complaints."))
    received_on = data.received_on or today
    code, digest = new_query_code()
    with transaction.atomic():
        complaint = BreachComplaint.objects.create(
            tracking_number=f"tmp-{uuid.uuid4().hex[:16]}",
            query_code_digest=digest,
            channel=data.channel,
            channel_reference=data.channel_reference.strip(),
            complainant_kind=data.complainant_kind,
            complainant_name=data.complainant_name.strip(),
            complainant_uscc=normalize_uscc(data.complainant_uscc)
            if data.complainant_kind == ComplainantKind.COMPANY
            else "",
            complainant_contact=data.complainant_contact.strip(),
            complainant_email=data.complainant_email.strip(),
            respondent=respondent,
            category=data.category,
            amount=data.amount,
            facts=data.facts.strip(),
            received_on=received_on,
            filed_by=filed_by,
            **BreachComplaint.STAGE_DEADLINE.values(_deadline(accept_working_days(), received_on)),
        )
        # Short and readable for the phone: WY (违约) + year + the row's number.
        complaint.tracking_number = f"WY{received_on.year}{complaint.pk:06d}"
        complaint.save(update_fields=["tracking_number"])
        _attach(complaint, list(data.attachments), FILING)
        _event(complaint, action="filed", from_status="", actor=filed_by, reason="")
        notify(
            subject=_("A breach complaint about %(agency)s was received (%(number)s)")
            % {"agency": respondent.name, "number": complaint.tracking_number},
            body=_("Decide within %(days)d working days whether to accept it.") % {"days": accept_working_days()},
            link=staff_link(complaint),
            agencies=[credit_office_over(respondent)],
        )
        unit_changed(respondent.pk, received_on)
        _send_code(complaint, code)
    return complaint, code


def complaint_find(tracking_number: str, typed_code: str) -> BreachComplaint | None:
    """The complaint with this tracking number whose query code is the one typed (case, spaces and dashes do not
    matter); None for any mismatch, the same answer whichever part is wrong."""
    number = tracking_number.strip().upper()
    if not number or len(number) > 20:
        return None
    return (
        BreachComplaint.objects.select_related("respondent", "handling_agency")
        .filter(tracking_number=number, query_code_digest__in=query_code_candidates(typed_code))
        .first()
    )


# Handling ---------------------------------------------------------------------------------------------------------


def may_receive(user: User, complaint: BreachComplaint) -> bool:
    """Accept, refuse and transfer: the credit office over the respondent."""
    return may_decide_records_about(user, complaint.respondent)


def may_verify(user: User, complaint: BreachComplaint) -> bool:
    """Verify, order rectification, confirm: the credit office the complaint was transferred to."""
    office = complaint.handling_agency or credit_office_over(complaint.respondent)
    return may_decide_records_about(user, office)


def may_report_rectified(user: User, complaint: BreachComplaint) -> bool:
    return may_enter_records_for(user, complaint.respondent) or may_verify(user, complaint)


def actions_for(user: User, complaint: BreachComplaint) -> list[str]:
    """The actions `user` may take on the complaint in its current state (the buttons of its page)."""
    allowed = []
    for action in MACHINE.moves:
        if not MACHINE.allows(complaint.status, action):
            continue
        if (
            (action in ("accept", "refuse", "transfer") and may_receive(user, complaint))
            or (action in ("verify_untrue", "order_rectification", "confirm_breach") and may_verify(user, complaint))
            or (action == "rectified" and may_report_rectified(user, complaint))
        ):
            allowed.append(action)
    return allowed


def _late(row: BreachComplaint, today: datetime.date) -> dict[str, Any]:
    """A stage left after its deadline counts late once (the daily job may have counted it already)."""
    due = row.due_on
    if due is not None and due < today and row.overdue_notified != row.status:
        return {"late_stages": row.late_stages + 1}
    return {}


def _move(
    complaint: BreachComplaint,
    action: str,
    *,
    actor: User,
    reason: str,
    allowed: Callable[[User, BreachComplaint], bool],
    fields: Callable[[BreachComplaint, datetime.date], dict[str, Any]] | None = None,
    public: bool = True,
    after: Callable[[BreachComplaint], None] | None = None,
) -> BreachComplaint:
    if not allowed(actor, complaint):
        raise NotAllowed(_("You may not take this step on this complaint."))
    today = timezone.localdate()

    def prepare(row: BreachComplaint) -> Mapping[str, Any]:
        values = {**_late(row, today), "overdue_notified": ""}
        if fields is not None:
            values.update(fields(row, today))
        target = MACHINE.move(action).target
        if target not in TIMED_STATUSES:
            values.update(BreachComplaint.STAGE_DEADLINE.values(None))
        if target in (S.NOT_ACCEPTED, S.NOT_TRUE, S.RECTIFIED, S.CONFIRMED):
            values["closed_on"] = today
        return values

    def event(row: BreachComplaint, step: Step) -> None:
        _event(row, action=action, from_status=step.from_state, actor=actor, reason=step.reason, public=public)
        unit_changed(row.respondent_id, today)
        if after is not None:
            after(row)

    return transition(
        complaint,
        MACHINE,
        action,
        actor=actor,
        event=event,
        reason=reason.strip(),
        prepare=prepare,
        queryset=BreachComplaint.objects.select_related("respondent"),
    )


def _need(reason: str, field: str = "reason") -> None:
    if not reason.strip():
        raise DomainError(_("Give the reasons: the complainant reads them."), field=field)


def complaint_accept(*, actor: User, complaint: BreachComplaint, reason: str = "") -> BreachComplaint:
    def fields(row: BreachComplaint, today: datetime.date) -> dict[str, Any]:
        return BreachComplaint.STAGE_DEADLINE.values(_deadline(transfer_working_days(), today))

    return _move(complaint, "accept", actor=actor, reason=reason, allowed=may_receive, fields=fields)


def complaint_refuse(*, actor: User, complaint: BreachComplaint, reason: str) -> BreachComplaint:
    """Not accepted (outside the scope of breach complaints, anonymous facts, already decided by a court…)."""
    _need(reason)

    def fields(row: BreachComplaint, today: datetime.date) -> dict[str, Any]:
        return {"public_reasons": reason.strip()}

    return _move(complaint, "refuse", actor=actor, reason=reason, allowed=may_receive, fields=fields)


def complaint_transfer(*, actor: User, complaint: BreachComplaint, reason: str = "") -> BreachComplaint:
    """To the credit office over the respondent (its superior), which verifies within the verification deadline."""
    office = credit_office_over(complaint.respondent)

    def fields(row: BreachComplaint, today: datetime.date) -> dict[str, Any]:
        return {
            "handling_agency": office,
            **BreachComplaint.STAGE_DEADLINE.values(_deadline(verify_working_days(), today)),
        }

    def after(row: BreachComplaint) -> None:
        notify(
            subject=_("Verify breach complaint %(number)s about %(agency)s")
            % {"number": row.tracking_number, "agency": row.respondent.name},
            body=_("Verify it within %(days)d working days.") % {"days": verify_working_days()},
            link=staff_link(row),
            agencies=[office],
        )

    return _move(complaint, "transfer", actor=actor, reason=reason, allowed=may_receive, fields=fields, after=after)


def complaint_verify_untrue(*, actor: User, complaint: BreachComplaint, reason: str) -> BreachComplaint:
    """The verification found the complaint not true: the reasons go to the complainant and the case closes."""
    _need(reason)

    def fields(row: BreachComplaint, today: datetime.date) -> dict[str, Any]:
        return {"public_reasons": reason.strip()}

    return _move(complaint, "verify_untrue", actor=actor, reason=reason, allowed=may_verify, fields=fields)


def complaint_order_rectification(
    *, actor: User, complaint: BreachComplaint, due_on: datetime.date | None, reason: str
) -> BreachComplaint:
    """The complaint is true: the respondent must rectify by `due_on`."""
    errors: dict[str, list[str]] = {}
    if not reason.strip():
        errors["reason"] = [_("Say what the verification found and what must be rectified.")]
    if due_on is None:
        errors["due_on"] = [_("Give the rectification deadline.")]
    elif due_on <= timezone.localdate():
        errors["due_on"] = [_("The rectification deadline must be after today.")]
    if errors:
        raise DomainError.of_fields(errors)

    def fields(row: BreachComplaint, today: datetime.date) -> dict[str, Any]:
        return {"rectification_due_on": due_on, "public_reasons": reason.strip()}

    def after(row: BreachComplaint) -> None:
        notify(
            subject=_("Rectify by %(due)s: breach complaint %(number)s")
            % {"due": due_on.isoformat() if due_on else "", "number": row.tracking_number},
            body=reason.strip(),
            link=staff_link(row),
            agencies=[row.respondent],
        )

    return _move(
        complaint, "order_rectification", actor=actor, reason=reason, allowed=may_verify, fields=fields, after=after
    )


def complaint_rectified(
    *, actor: User, complaint: BreachComplaint, reason: str, attachments: list[UploadedFile] | None = None
) -> BreachComplaint:
    """The respondent rectified in time, with its evidence; the case closes."""
    files = list(attachments or [])
    errors = FieldErrors()
    if not reason.strip():
        errors.add("reason", _("Say how the breach was rectified."))
    if not files:
        errors.add("attachments", _("Attach the evidence of rectification."))
    for upload in files:
        try:
            evidence_check(upload)
        except DomainError as exc:
            errors.add("attachments", str(exc.message), exc.code)
    errors.raise_any()

    def after(row: BreachComplaint) -> None:
        _attach(row, files, RECTIFICATION)

    return _move(complaint, "rectified", actor=actor, reason=reason, allowed=may_report_rectified, after=after)


def _record_input(complaint: BreachComplaint, office: Agency, reason: str) -> RecordInput:
    source = (
        RecordSource.BROKEN_COMMITMENT
        if complaint.category == BreachCategory.PROMISE
        else RecordSource.BREACH_OF_CONTRACT
    )
    return RecordInput(
        subject_agency=complaint.respondent,
        source=source,
        sector=Sector.OTHER,
        severity=Severity.GENERAL,
        document_number=_("Breach complaint %(number)s") % {"number": complaint.tracking_number},
        deciding_body_name=office.name,
        deciding_body_uscc=office.uscc,
        deciding_agency=office,
        decision_date=timezone.localdate(),
        facts=_(
            "%(agency)s was found to have broken its %(category)s towards %(complainant)s (complaint %(number)s) and "
            "did not rectify by %(due)s. %(facts)s %(reason)s"
        )
        % {
            "agency": complaint.respondent.name,
            "category": BreachCategory(complaint.category).label,
            "complainant": complaint.complainant_name,
            "number": complaint.tracking_number,
            "due": complaint.rectification_due_on.isoformat() if complaint.rectification_due_on else "",
            "facts": complaint.facts,
            "reason": reason,
        },
        other_amount=complaint.amount,
        legal_basis=_("发改财金〔2023〕1103号; 优化营商环境条例 art. 31."),
        data_source_agency=complaint.respondent,
    )


def complaint_confirm_breach(*, actor: User, complaint: BreachComplaint, reason: str) -> BreachComplaint:
    """The respondent refused to rectify or did not by the deadline: a confirmed breach of trust (违约失信), whose
    candidate record the credit office decides (proposed once, never published by itself)."""
    _need(reason)

    def fields(row: BreachComplaint, today: datetime.date) -> dict[str, Any]:
        return {"public_reasons": reason.strip()}

    def after(row: BreachComplaint) -> None:
        office = actor.agency if actor.agency is not None else credit_office_over(row.respondent)
        record = record_candidate_propose(
            origin=row,
            origin_label=_("Breach complaint %(number)s") % {"number": row.tracking_number},
            data=_record_input(row, office, reason.strip()),
            actor=actor,
            reason=reason.strip(),
        )
        BreachComplaint.objects.filter(pk=row.pk).update(record=record)
        row.record = record

    return _move(
        complaint, "confirm_breach", actor=actor, reason=reason, allowed=may_verify, fields=fields, after=after
    )


def record_of(complaint: BreachComplaint) -> DishonestyRecord | None:
    return complaint.record


# The daily job ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OverdueRun:
    marked: int


def complaints_overdue_run(today: datetime.date | None = None) -> OverdueRun:
    """Marks each open stage past its deadline late once and tells whoever must act. Safe to run twice: a stage is
    claimed with a conditional UPDATE on `overdue_notified`, and only rows it changed are announced."""
    today = today or timezone.localdate()
    marked = 0
    late = BreachComplaint.objects.overdue_on(today).exclude(overdue_notified=F("status"))
    for pk in list(late.values_list("pk", flat=True)):
        with transaction.atomic():
            changed = (
                BreachComplaint.objects.overdue_on(today)
                .filter(pk=pk)
                .exclude(overdue_notified=F("status"))
                .update(overdue_notified=F("status"), late_stages=F("late_stages") + 1)
            )
            if not changed:
                continue
            complaint = BreachComplaint.objects.select_related("respondent", "handling_agency").get(pk=pk)
            _event(
                complaint,
                action="overdue",
                from_status=complaint.status,
                actor=None,
                reason=_("Due on %(due)s") % {"due": complaint.due_on.isoformat() if complaint.due_on else ""},
                public=False,
            )
            who = [credit_office_over(complaint.respondent)]
            if complaint.status == S.RECTIFYING:
                who.append(complaint.respondent)
            notify(
                subject=_("Breach complaint %(number)s is overdue (%(status)s)")
                % {"number": complaint.tracking_number, "status": S(complaint.status).label},
                body=_("The stage was due on %(due)s.")
                % {"due": complaint.due_on.isoformat() if complaint.due_on else ""},
                link=staff_link(complaint),
                agencies=who,
            )
            unit_changed(complaint.respondent_id, today)
            marked += 1
    return OverdueRun(marked=marked)


def stage_q_open_deadlines() -> Q:
    """The rows whose stage deadline still matters (workcalendar recounts provisional ones)."""
    return Q(status__in=TIMED_STATUSES)
