"""NPC deputies' suggestions and CPPCC proposals: assignment (one or many, from Excel), the due date in calendar
months and its approved extension, the consultation (面商), the reply graded A–D (a class-B reply becomes a public
commitment with the promised date), the deputy's opinion and the re-handling of an unsatisfied one.
docs/supervision.md § 人大建议和政协提案.

The moves (kernel.transitions, every one an event row):
    assigned ─extend→ assigned (due extended once, with the approval)
    assigned ─reply→ replied ─satisfied→ closed
                     replied ─unsatisfied→ rehandling ─rereply→ rereplied ─close→ closed

The rules of an input are written once here (`suggestion_problems`, `reply_problems`, `feedback_problems`) for the
form, the API and the Excel import; each reports every problem at once.
"""

import datetime
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AnyUser, User
from accounts.scope import may_decide_records_about, may_enter_records_for, may_submit_records_for
from commitments.models import CommitmentKind
from commitments.services import CommitmentInput, commitment_create, commitment_submit
from kernel.errors import DomainError, NotAllowed
from kernel.sources import unit_changed
from kernel.transitions import Move, StateMachine, Step, transition
from notices.services import notify
from outbox.models import ChangeType
from outbox.services import outbox_emit
from records.services.candidates import credit_office_over
from records.services.evidence import evidence_check
from subjects.models import Agency
from supervision.models.suggestions import (
    ReplyClass,
    Satisfaction,
    Suggestion,
    SuggestionCoUnit,
    SuggestionEvent,
    SuggestionEventKind,
    SuggestionKind,
    SuggestionStatus,
)

SUGGESTION_RESULT_KIND = "suggestion_result"
S = SuggestionStatus
Problems = dict[str, list[str]]


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` calendar months later (the last day of a shorter month: 30 November + 3 = 28 February)."""
    return day + relativedelta(months=months)


def due_on_for(assigned_on: datetime.date, *, extended: bool = False) -> datetime.date:
    months = settings.SUPERVISION_SUGGESTION_EXTENDED_MONTHS if extended else settings.SUPERVISION_SUGGESTION_DUE_MONTHS
    return add_months(assigned_on, int(months))


def _refusal(suggestion: Suggestion, move: Move) -> str:
    return _("The suggestion is “%(status)s”; this step is not possible now.") % {
        "status": suggestion.get_status_display()
    }


TRANSITIONS: StateMachine[Suggestion] = StateMachine(
    field="status",
    moves={
        "extend": ([S.ASSIGNED], S.ASSIGNED),
        "reply": ([S.ASSIGNED], S.REPLIED),
        "satisfied": ([S.REPLIED], S.CLOSED),
        "unsatisfied": ([S.REPLIED], S.REHANDLING),
        "rereply": ([S.REHANDLING], S.REREPLIED),
        "close": ([S.REREPLIED], S.CLOSED),
    },
    refusal=_refusal,
)
EVENT_KINDS: dict[str, str] = {
    "extend": SuggestionEventKind.EXTENDED,
    "reply": SuggestionEventKind.REPLIED,
    "satisfied": SuggestionEventKind.SATISFIED,
    "unsatisfied": SuggestionEventKind.UNSATISFIED,
    "rereply": SuggestionEventKind.REREPLIED,
    "close": SuggestionEventKind.CLOSED,
}


# Who may do what ----------------------------------------------------------------------------------------------------


def may_handle(user: AnyUser, suggestion: Suggestion) -> bool:
    """Reply, hold the consultation, note the deputy's opinion: the lead unit's staff and the credit office above."""
    return may_enter_records_for(user, suggestion.lead_unit)


def may_extend(user: AnyUser, suggestion: Suggestion) -> bool:
    """Approve the extension: the credit office over the lead unit (standing for the assigning office)."""
    return may_decide_records_about(user, suggestion.lead_unit)


# Assignment ---------------------------------------------------------------------------------------------------------


@dataclass
class SuggestionInput:
    number: str
    kind: str
    session: str
    title: str
    deputy: str
    lead_unit: Agency | None
    assigned_on: datetime.date | None
    co_units: Sequence[Agency] = field(default_factory=list)
    content: str = ""
    deputy_contact: str = ""
    due_on: datetime.date | None = None  # None: the default number of calendar months after the assignment


LIMITS = {"number": 40, "session": 100, "title": 300, "deputy": 100, "deputy_contact": 100}


def suggestion_problems(data: SuggestionInput, *, numbers_taken: set[str] | None = None) -> Problems:
    """Every rule `data` breaks, by field. `numbers_taken`: numbers already used (None: asks the database)."""
    errors: Problems = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    number = data.number.strip()
    if not number:
        add("number", _("Give the number of the suggestion or proposal."))
    elif (number in numbers_taken) if numbers_taken is not None else Suggestion.objects.filter(number=number).exists():
        add("number", _("Another suggestion or proposal has this number."))
    if data.kind not in SuggestionKind.values:
        add("kind", _("Choose whether it is an NPC suggestion or a CPPCC proposal."))
    if not data.session.strip():
        add("session", _("Give the session, such as the third session of the 17th municipal people's congress."))
    if not data.title.strip():
        add("title", _("Give the title."))
    if not data.deputy.strip():
        add("deputy", _("Name the deputy or member."))
    for name, limit in LIMITS.items():
        if len(getattr(data, name).strip()) > limit:
            add(name, _("At most %(limit)d characters.") % {"limit": limit})
    if data.lead_unit is None:
        add("lead_unit", _("Choose the lead unit."))
    elif any(unit.pk == data.lead_unit.pk for unit in data.co_units):
        add("co_units", _("The lead unit is not also a co-handling unit."))
    today = timezone.localdate()
    if data.assigned_on is None:
        add("assigned_on", _("Give the day it was assigned."))
    elif data.assigned_on > today:
        add("assigned_on", _("The day of assignment cannot be in the future."))
    elif data.due_on is not None:
        longest = due_on_for(data.assigned_on, extended=True)
        if not data.assigned_on < data.due_on <= longest:
            add(
                "due_on",
                _("The due date must be after the assignment and at most %(months)d months after it (%(day)s).")
                % {"months": int(settings.SUPERVISION_SUGGESTION_EXTENDED_MONTHS), "day": longest.isoformat()},
            )
    return errors


def suggestion_create(*, actor: User, data: SuggestionInput) -> Suggestion:
    """Enters an assigned suggestion or proposal; due the configured calendar months after the assignment."""
    if data.lead_unit is not None and not may_enter_records_for(actor, data.lead_unit):
        raise NotAllowed(_("You may not enter suggestions for this unit."))
    errors = suggestion_problems(data)
    if errors:
        raise DomainError.of_fields(errors)
    return _create(actor, data)


class SuggestionsRefused(DomainError):
    """Some inputs of a batch break the rules: `refusals` maps each one's index to its messages by field."""

    def __init__(self, refusals: dict[int, Problems]) -> None:
        super().__init__(_("Some rows break the rules; nothing was imported."), code="invalid")
        self.refusals = refusals


def suggestions_refusals(*, actor: User, items: Sequence[SuggestionInput]) -> dict[int, Problems]:
    """Every rule every item breaks, by item index then field (a number used twice in the batch included)."""
    numbers = [d.number.strip() for d in items]
    taken = set(Suggestion.objects.filter(number__in=numbers).values_list("number", flat=True))
    refusals: dict[int, Problems] = {}
    seen: set[str] = set()
    for index, data in enumerate(items):
        if data.lead_unit is not None and not may_enter_records_for(actor, data.lead_unit):
            refusals.setdefault(index, {}).setdefault("lead_unit", []).append(
                _("You may not enter suggestions for this unit.")
            )
        problems = suggestion_problems(data, numbers_taken=taken | seen)
        if "number" in problems and data.number.strip() in seen:
            problems["number"] = [_("This number appears twice in the file.")]
        for name, messages in problems.items():
            refusals.setdefault(index, {}).setdefault(name, []).extend(messages)
        seen.add(data.number.strip())
    return refusals


def suggestions_create_many(*, actor: User, items: Sequence[SuggestionInput]) -> list[Suggestion]:
    """All of them in one transaction, or none (the Excel import): every rule of every item first."""
    refusals = suggestions_refusals(actor=actor, items=items)
    if refusals:
        raise SuggestionsRefused(refusals)
    with transaction.atomic():
        return [_create(actor, data) for data in items]


def _create(actor: User | None, data: SuggestionInput) -> Suggestion:
    assert data.lead_unit is not None and data.assigned_on is not None
    due = data.due_on or due_on_for(data.assigned_on)
    with transaction.atomic():
        suggestion = Suggestion.objects.create(
            number=data.number.strip(),
            kind=data.kind,
            session=data.session.strip(),
            title=data.title.strip(),
            content=data.content.strip(),
            deputy=data.deputy.strip(),
            deputy_contact=data.deputy_contact.strip(),
            lead_unit=data.lead_unit,
            assigned_on=data.assigned_on,
            due_on=due,
            created_by=actor,
        )
        SuggestionCoUnit.objects.bulk_create(
            SuggestionCoUnit(suggestion=suggestion, agency=unit) for unit in {u.pk: u for u in data.co_units}.values()
        )
        _event(suggestion, SuggestionEventKind.ASSIGNED, actor, from_status="", to_status=S.ASSIGNED)
        _notify(suggestion, _("%(unit)s leads the handling of %(number)s, due %(due)s."), due=due.isoformat())
        unit_changed(suggestion.lead_unit_id, due)
    return suggestion


# Extension and consultation -----------------------------------------------------------------------------------------


def suggestion_extend(*, actor: User, suggestion: Suggestion, approval: str) -> Suggestion:
    """The assigning office approves more time: due the extended number of months after the assignment (once)."""
    if not may_extend(actor, suggestion):
        raise NotAllowed(_("Only the credit office approves an extension."))
    if not approval.strip():
        raise DomainError(_("Name the approval of the extension."), field="approval", code="required")

    def prepare(row: Suggestion) -> dict[str, Any]:
        if row.extended:
            raise DomainError(_("The due date has already been extended once."), code="already_extended")
        return {
            "extended": True,
            "extension_approval": approval.strip()[:200],
            "due_on": due_on_for(row.assigned_on, extended=True),
        }

    with transaction.atomic():
        suggestion = transition(
            suggestion,
            TRANSITIONS,
            "extend",
            actor=actor,
            reason=approval.strip(),
            prepare=prepare,
            queryset=_rows(),
            event=_moved,
        )
        unit_changed(suggestion.lead_unit_id, suggestion.due_on)
    return suggestion


def suggestion_consult(
    *, actor: User, suggestion: Suggestion, held_on: datetime.date | None, note: str = ""
) -> Suggestion:
    """The consultation with the deputy (面商) held on a day, while the suggestion is being handled."""
    if not may_handle(actor, suggestion):
        raise NotAllowed(_("Only the lead unit records the consultation."))
    errors: Problems = {}
    if held_on is None:
        errors["held_on"] = [_("Give the day of the consultation.")]
    elif held_on > timezone.localdate():
        errors["held_on"] = [_("The consultation cannot be in the future.")]
    elif held_on < suggestion.assigned_on:
        errors["held_on"] = [_("The consultation cannot be before the assignment.")]
    if errors:
        raise DomainError.of_fields(errors)
    with transaction.atomic():
        row: Suggestion = _rows().select_for_update().get(pk=suggestion.pk)
        if row.status not in (S.ASSIGNED, S.REHANDLING):
            raise DomainError(_refusal(row, TRANSITIONS.move("reply")), code="illegal_transition")
        row.consulted_on = held_on
        row.consultation_note = note.strip()
        row.save(update_fields=["consulted_on", "consultation_note", "updated_at"])
        _event(row, SuggestionEventKind.CONSULTED, actor, from_status=row.status, to_status=row.status, reason=note)
    return row


# The reply ----------------------------------------------------------------------------------------------------------


@dataclass
class ReplyInput:
    reply_class: str
    replied_on: datetime.date | None
    text: str
    summary: str = ""
    file: Any = None
    promised_due_on: datetime.date | None = None


def reply_problems(suggestion: Suggestion, data: ReplyInput) -> Problems:
    errors: Problems = {}
    if data.reply_class not in ReplyClass.values:
        errors["reply_class"] = [_("Choose the class of the reply (A, B, C or D).")]
    today = timezone.localdate()
    if data.replied_on is None:
        errors["replied_on"] = [_("Give the day of the reply.")]
    elif data.replied_on > today:
        errors["replied_on"] = [_("The reply cannot be dated in the future.")]
    elif data.replied_on < suggestion.assigned_on:
        errors["replied_on"] = [_("The reply cannot be before the assignment.")]
    if not data.text.strip() and data.file is None:
        errors["text"] = [_("Write the reply or attach its file.")]
    if len(data.summary.strip()) > 500:
        errors["summary"] = [_("At most %(limit)d characters.") % {"limit": 500}]
    if data.file is not None:
        try:
            evidence_check(data.file)
        except DomainError as exc:
            errors["file"] = [str(exc.message)]
    if data.reply_class == ReplyClass.B:
        if data.promised_due_on is None:
            errors["promised_due_on"] = [_("A class-B reply promises a date by which it is solved: give it.")]
        elif data.replied_on is not None and data.promised_due_on <= data.replied_on:
            errors["promised_due_on"] = [_("The promised date must be after the reply.")]
    return errors


def suggestion_reply(*, actor: User, suggestion: Suggestion, data: ReplyInput) -> Suggestion:
    """The lead unit's reply (or its second reply after a re-handling). A class-B reply becomes a public commitment of
    the lead unit due on the promised date, linked both ways; the reply's result is published."""
    if not may_handle(actor, suggestion):
        raise NotAllowed(_("Only the lead unit replies."))
    errors = reply_problems(suggestion, data)
    if errors:
        raise DomainError.of_fields(errors)
    assert data.replied_on is not None
    second = suggestion.status == S.REHANDLING
    action = "rereply" if second else "reply"
    TRANSITIONS.check(suggestion, action)
    text = data.text.strip()
    summary = (data.summary.strip() or text)[:500]
    stored = ""
    try:
        with transaction.atomic():
            fields: dict[str, Any] = (
                {"rereply_class": data.reply_class, "rereplied_on": data.replied_on, "rereply_text": text}
                if second
                else {"reply_class": data.reply_class, "replied_on": data.replied_on, "reply_text": text}
            )
            fields["reply_summary"] = summary
            if data.reply_class == ReplyClass.B:
                fields["promised_due_on"] = data.promised_due_on

            def prepare(row: Suggestion) -> dict[str, Any]:
                return {"version": row.version + 1}

            suggestion = transition(
                suggestion,
                TRANSITIONS,
                action,
                actor=actor,
                reason=summary,
                fields=fields,
                prepare=prepare,
                queryset=_rows(),
                event=_moved,
            )
            if data.file is not None:
                _kind, name = evidence_check(data.file)
                target = suggestion.rereply_file if second else suggestion.reply_file
                target.save(f"{uuid.uuid4().hex}{os.path.splitext(name)[1].lower()}", data.file, save=False)
                stored = target.name
                suggestion.save(update_fields=["rereply_file" if second else "reply_file"])
            if data.reply_class == ReplyClass.B and suggestion.commitment_id is None:
                suggestion.commitment = _commitment_of(actor, suggestion, data)
                suggestion.save(update_fields=["commitment"])
            _emit(suggestion)
            _notify_office(suggestion, _("%(unit)s replied to %(number)s (class %(class)s)."), cls=data.reply_class)
            unit_changed(suggestion.lead_unit_id, data.replied_on)
    except BaseException:
        if stored:
            suggestion.reply_file.storage.delete(stored)
        raise
    return suggestion


def _commitment_of(actor: User, suggestion: Suggestion, data: ReplyInput) -> Any:
    """The public commitment a class-B reply makes: the lead unit solves it by the promised date. Entered as a draft
    and, when the actor may, sent to the credit office at once (commitments' normal review)."""
    assert data.promised_due_on is not None and data.replied_on is not None
    kind_label = suggestion.get_kind_display()
    commitment_data = CommitmentInput(
        agency=suggestion.lead_unit,
        kind=CommitmentKind.TIME_LIMIT,
        title=(
            _("Solve %(kind)s %(number)s: %(title)s")
            % {
                "kind": kind_label,
                "number": suggestion.number,
                "title": suggestion.title,
            }
        )[:200],
        content=(data.text.strip() or suggestion.reply_summary or suggestion.title)[:5000],
        source_document_number=suggestion.number[:100],
        source_date=data.replied_on,
        promised_on=data.replied_on,
        due_on=data.promised_due_on,
        liability=_(
            "Not solved by the promised date: the handling is reported to the people's congress or CPPCC and counts "
            "against the unit's government integrity evaluation."
        ),
        year=data.promised_due_on.year,
        recurring_standard=_("Solve the problem the suggestion raises as the reply promises."),
    )
    try:
        commitment = commitment_create(actor=actor, data=commitment_data)
    except DomainError as exc:
        raise DomainError.of_fields(
            {"promised_due_on": [_("The commitment of this reply cannot be entered: %(why)s") % {"why": exc.message}]}
        ) from exc
    if may_submit_records_for(actor, suggestion.lead_unit):
        commitment = commitment_submit(actor=actor, commitment=commitment)
    return commitment


# The deputy's opinion -----------------------------------------------------------------------------------------------


def feedback_problems(
    suggestion: Suggestion,
    satisfaction: str,
    feedback_on: datetime.date | None,
    rehandle_due_on: datetime.date | None,
) -> Problems:
    errors: Problems = {}
    if satisfaction not in Satisfaction.values:
        errors["satisfaction"] = [_("Choose satisfied, basically satisfied or unsatisfied.")]
    replied = suggestion.rereplied_on if suggestion.status == S.REREPLIED else suggestion.replied_on
    if feedback_on is None:
        errors["feedback_on"] = [_("Give the day the opinion was received.")]
    elif feedback_on > timezone.localdate():
        errors["feedback_on"] = [_("The opinion cannot be dated in the future.")]
    elif replied is not None and feedback_on < replied:
        errors["feedback_on"] = [_("The opinion cannot be before the reply.")]
    if satisfaction == Satisfaction.UNSATISFIED and suggestion.status == S.REPLIED:
        longest = int(settings.SUPERVISION_SUGGESTION_REHANDLE_MAX_MONTHS)
        if rehandle_due_on is None:
            errors["rehandle_due_on"] = [
                _("An unsatisfied opinion is handled again: give the new due date, 1 to %(months)d months later.")
                % {"months": longest}
            ]
        elif feedback_on is not None and not (
            add_months(feedback_on, 1) <= rehandle_due_on <= add_months(feedback_on, longest)
        ):
            errors["rehandle_due_on"] = [
                _("The new due date must be 1 to %(months)d months after the opinion (%(start)s to %(end)s).")
                % {
                    "months": longest,
                    "start": add_months(feedback_on, 1).isoformat(),
                    "end": add_months(feedback_on, longest).isoformat(),
                }
            ]
    return errors


def suggestion_feedback(
    *,
    actor: User,
    suggestion: Suggestion,
    satisfaction: str,
    feedback_on: datetime.date | None,
    rehandle_due_on: datetime.date | None = None,
    note: str = "",
) -> Suggestion:
    """The deputy's opinion of the reply: satisfied or basically satisfied closes it; unsatisfied sends it back to the
    lead unit for a re-handling due 1–3 months later. The opinion of the second reply closes it, whatever it is."""
    if not may_handle(actor, suggestion):
        raise NotAllowed(_("Only the lead unit or the credit office notes the deputy's opinion."))
    if suggestion.status not in (S.REPLIED, S.REREPLIED):
        raise DomainError(_refusal(suggestion, TRANSITIONS.move("satisfied")), code="illegal_transition")
    errors = feedback_problems(suggestion, satisfaction, feedback_on, rehandle_due_on)
    if errors:
        raise DomainError.of_fields(errors)
    assert feedback_on is not None
    label = str(Satisfaction(satisfaction).label)
    reason = f"{label} {note.strip()}".strip()
    with transaction.atomic():
        if suggestion.status == S.REREPLIED:
            values: dict[str, Any] = {"final_satisfaction": satisfaction, "final_feedback_on": feedback_on}
            action = "close"
        elif satisfaction == Satisfaction.UNSATISFIED:
            values = {"satisfaction": satisfaction, "feedback_on": feedback_on, "rehandle_due_on": rehandle_due_on}
            action = "unsatisfied"
        else:
            values = {"satisfaction": satisfaction, "feedback_on": feedback_on}
            action = "satisfied"
        suggestion = transition(
            suggestion, TRANSITIONS, action, actor=actor, reason=reason, fields=values, queryset=_rows(), event=_moved
        )
        if action == "unsatisfied":
            assert rehandle_due_on is not None
            _notify(
                suggestion,
                _("The deputy is not satisfied with the reply to %(number)s: handle it again by %(due)s."),
                due=rehandle_due_on.isoformat(),
            )
        unit_changed(suggestion.lead_unit_id, feedback_on)
    return suggestion


# Helpers ------------------------------------------------------------------------------------------------------------


def _rows() -> Any:
    return Suggestion.objects.select_related("lead_unit")


def _event(
    suggestion: Suggestion, kind: str, actor: User | None, *, from_status: str, to_status: str, reason: str = ""
) -> SuggestionEvent:
    return SuggestionEvent.objects.create(
        suggestion=suggestion,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        reason=reason.strip(),
        actor=actor,
    )


def _moved(suggestion: Suggestion, step: Step) -> SuggestionEvent:
    return _event(
        suggestion,
        EVENT_KINDS[step.action],
        step.actor,
        from_status=step.from_state,
        to_status=step.to_state,
        reason=step.reason,
    )


def suggestion_link(suggestion: Suggestion) -> str:
    return reverse("supervision:suggestion_detail", args=[suggestion.pk])


def _notify(suggestion: Suggestion, template: str, **values: str) -> None:
    text = template % {"unit": suggestion.lead_unit.name, "number": suggestion.number, **values}
    notify(subject=text[:200], body=text, link=suggestion_link(suggestion), agencies=[suggestion.lead_unit])


def _notify_office(suggestion: Suggestion, template: str, *, cls: str) -> None:
    text = template % {"unit": suggestion.lead_unit.name, "number": suggestion.number, "class": cls}
    office = credit_office_over(suggestion.lead_unit)
    notify(subject=text[:200], body=text, link=suggestion_link(suggestion), agencies=[office])


def suggestion_payload(suggestion: Suggestion) -> dict[str, Any]:
    """The handling result as the platform and the public receive it: never the deputy's contact."""
    return {
        "number": suggestion.number,
        "kind": suggestion.kind,
        "session": suggestion.session,
        "title": suggestion.title,
        "lead_unit": suggestion.lead_unit.name,
        "lead_unit_uscc": suggestion.lead_unit.uscc,
        "status": suggestion.status,
        "reply_class": suggestion.last_class,
        "replied_on": suggestion.replied_on.isoformat() if suggestion.replied_on else None,
        "rereplied_on": suggestion.rereplied_on.isoformat() if suggestion.rereplied_on else None,
        "reply_summary": suggestion.reply_summary,
        "satisfaction": suggestion.last_satisfaction,
    }


def suggestion_public_payload(payload: dict[str, Any]) -> dict[str, Any] | None:
    """Everything of a published result is public (it holds no personal data)."""
    return dict(payload)


def _emit(suggestion: Suggestion) -> None:
    outbox_emit(
        kind=SUGGESTION_RESULT_KIND,
        obj=suggestion,
        version=suggestion.version,
        change_type=ChangeType.PUBLISHED,
        payload=suggestion_payload(suggestion),
        agency=suggestion.lead_unit,
    )
