"""Investment promotion (招商引资): agreements with investors and the government-side obligations in them.

The agency (or the investment authority, or the credit office) enters an agreement with its obligations and links the
investment-promotion policy commitments it carries out. Each obligation moves through the one transition helper
(kernel.transitions) and writes an InvestmentEvent:

- fulfilled, with at least one evidence file (checked as record evidence is);
- overdue, marked by the scheduled job (`investment_obligations_watch`), which reminds the agency once;
- lawfully changed (seed 000 §(十一), 001 §12): a national or public interest or another legal ground, the deciding
  authority, the dated steps (legality review, collective decision, notice to the investor, publication), the
  compensation paid and the investor's answer. A change of government, of leaders, of the responsible person or of
  the administrative division is refused as a ground, in words that point to the breach route instead;
- broken: declared by the credit office or the investment authority, or by the job when an overdue obligation is
  still owed INVESTMENT_BREACH_AFTER_WORKING_DAYS working days after its reminder. A breach proposes a *candidate*
  dishonesty record (source "breach_of_contract") with the agency's principal and the responsible person prefilled.

A lawful change and a breach are what the platform hears (outbox kind "investment_obligation").
"""

import datetime
import hashlib
import os
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role, Sector, User
from accounts.scope import may_enter_sector_data, may_verify_sector_data
from commitments import rules as commitment_rules
from commitments.models import Commitment, CommitmentKind
from commitments.rules import Problem, by_field, too_long_message
from kernel.errors import DomainError, NotAllowed
from kernel.sources import unit_changed
from kernel.transitions import Move, StateMachine, Step, transition
from notices.services import notify
from outbox.hooks import public_changed
from outbox.models import ChangeType
from outbox.services import outbox_emit
from records.models import RecordSource, ResponsibilityKind, Severity
from records.rules import principals
from records.services.candidates import credit_office_over, record_candidate_propose
from records.services.dishonesty import RecordInput
from records.services.evidence import evidence_check
from sectors.models import (
    InvestmentAgreement,
    InvestmentEvent,
    InvestmentEventKind,
    InvestmentObligation,
    InvestorResponse,
    ObligationChange,
    ObligationEvidence,
    ObligationStatus,
    RefusedGround,
)
from subjects.codes import validate_uscc
from subjects.models import Agency, CivilServant
from workcalendar.workdays import working_days_between

INVESTMENT_OBLIGATION_KIND = "investment_obligation"
S = ObligationStatus
OWED = {S.PENDING, S.OVERDUE, S.CHANGED}


def _refusal(obligation: InvestmentObligation, move: Move) -> str:
    return _("An obligation that is %(status)s cannot be %(action)s.") % {
        "status": obligation.get_status_display(),
        "action": str(ACTION_LABELS[move.action]),
    }


TRANSITIONS = StateMachine[InvestmentObligation](
    field="status",
    moves={
        "fulfil": (OWED, S.FULFILLED),
        "mark_overdue": ({S.PENDING, S.CHANGED}, S.OVERDUE),
        # A changed obligation may be changed again, lawfully.
        "change": (OWED, S.CHANGED),
        "break": (OWED, S.BROKEN),
    },
    refusal=_refusal,
)
ACTION_LABELS = {
    "fulfil": gettext_lazy("fulfilled"),
    "mark_overdue": gettext_lazy("marked overdue"),
    "change": gettext_lazy("changed"),
    "break": gettext_lazy("declared broken"),
}
EVENT_KINDS = {
    "fulfil": InvestmentEventKind.FULFILLED,
    "mark_overdue": InvestmentEventKind.OVERDUE,
    "change": InvestmentEventKind.CHANGED,
    "break": InvestmentEventKind.BROKEN,
}


# The rules, for the forms, the API and the Excel import alike -------------------------------------------------------

AGREEMENT_REQUIRED: dict[str, Any] = {
    "agency": gettext_lazy("Name the promising agency."),
    "number": gettext_lazy("Give the agreement number."),
    "investor_name": gettext_lazy("Name the investor."),
    "investor_uscc": gettext_lazy("Give the investor's Unified Social Credit Code."),
    "signed_on": gettext_lazy("Give the date the agreement was signed."),
    "project": gettext_lazy("Name the project."),
    "total_investment": gettext_lazy("Give the total investment."),
    "summary": gettext_lazy("Summarise what the agreement provides."),
}
AGREEMENT_LIMITS: dict[str, int] = {
    "number": 100,
    "investor_name": 200,
    "project": 200,
    "summary": 5000,
    "secret_terms": 5000,
}
OBLIGATION_REQUIRED: dict[str, Any] = {
    "description": gettext_lazy("Say what the government side must do."),
    "due_on": gettext_lazy("Give the date it is due by."),
}
OTHER: dict[str, Any] = {
    "amount": gettext_lazy("Enter an amount of zero or more."),
    "signed_in_future": gettext_lazy("The agreement cannot be signed in the future."),
    "due_before_signing": gettext_lazy("An obligation cannot fall due before the agreement was signed."),
    "person_elsewhere": gettext_lazy("The responsible civil servant must work in the promising agency."),
    "commitment_kind": gettext_lazy("Link only investment-promotion policy commitments of the promising agency."),
    "number_taken": gettext_lazy("The agency already has an agreement with this number."),
    "no_obligation": gettext_lazy("Give at least one government-side obligation."),
}
MAX_AMOUNT = Decimal("1e16")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _amount_problem(value: Any) -> bool:
    return isinstance(value, Decimal) and (not value.is_finite() or value < 0 or value >= MAX_AMOUNT)


def agreement_problems(values: Mapping[str, Any], *, today: datetime.date | None = None) -> list[Problem]:
    """Every rule the values of one agreement break (AgreementInput's names), at once; a rule whose inputs are
    missing from `values` is skipped."""
    today = today or timezone.localdate()
    problems: list[Problem] = []

    def add(name: str, code: str, message: Any) -> None:
        problems.append(Problem(name, code, str(message)))

    for name, message in AGREEMENT_REQUIRED.items():
        if name in values and _blank(values[name]):
            add(name, "required", message)
    for name, limit in AGREEMENT_LIMITS.items():
        text = values.get(name)
        if isinstance(text, str) and len(text) > limit:
            add(name, "too_long", too_long_message(limit))
    code = values.get("investor_uscc") or ""
    if isinstance(code, str) and code.strip():
        try:
            validate_uscc(code.strip().upper())
        except ValidationError as exc:
            add("investor_uscc", "invalid", exc.messages[0])
    if _amount_problem(values.get("total_investment")):
        add("total_investment", "invalid", OTHER["amount"])
    signed = values.get("signed_on")
    if isinstance(signed, datetime.date) and signed > today:
        add("signed_on", "future", OTHER["signed_in_future"])
    agency, person = values.get("agency"), values.get("responsible_person")
    if agency is not None and person is not None and getattr(person, "agency_id", None) != agency.pk:
        add("responsible_person", "invalid", OTHER["person_elsewhere"])
    linked: Iterable[Commitment] = values.get("commitments") or ()
    if agency is not None and any(
        c.kind != CommitmentKind.INVESTMENT_POLICY or c.agency_id != agency.pk for c in linked
    ):
        add("commitments", "invalid", OTHER["commitment_kind"])
    return problems


def obligation_problems(values: Mapping[str, Any], *, signed_on: datetime.date | None = None) -> list[Problem]:
    """Every rule one obligation's values break (ObligationInput's names)."""
    problems: list[Problem] = []
    for name, message in OBLIGATION_REQUIRED.items():
        if name in values and _blank(values[name]):
            problems.append(Problem(name, "required", str(message)))
    text = values.get("description")
    if isinstance(text, str) and len(text) > 500:
        problems.append(Problem("description", "too_long", too_long_message(500)))
    if _amount_problem(values.get("amount")):
        problems.append(Problem("amount", "invalid", str(OTHER["amount"])))
    due = values.get("due_on")
    if isinstance(due, datetime.date) and isinstance(signed_on, datetime.date) and due < signed_on:
        problems.append(Problem("due_on", "invalid", str(OTHER["due_before_signing"])))
    return problems


def refused_ground_message(ground: str) -> str:
    """Why a change of government, leaders, person or division is no ground, and what to do instead."""
    return _(
        "“%(ground)s” is not a lawful ground for changing a promise to an investor: a government may not break its "
        "agreements because of a change of government, of leaders, of the responsible person or of the "
        "administrative division. A change is lawful only for the national interest, the public interest or another "
        "legal ground, decided by the competent authority through the legal procedure and with compensation. If the "
        "obligation will not be met, declare it broken instead."
    ) % {"ground": RefusedGround(ground).label}


def obligation_change_problems(
    values: Mapping[str, Any], *, signed_on: datetime.date, today: datetime.date
) -> list[Problem]:
    """Every rule a lawful change breaks (ObligationChangeInput's names). A refused ground is the one problem told:
    no other detail matters when the ground itself is unlawful."""
    ground = values.get("ground") or ""
    if ground in RefusedGround.values:
        return [Problem("ground", "refused_ground", refused_ground_message(ground))]
    # The commitments' rule path for the steps, the dates and the compensation (the investor is the counterparty).
    shared = commitment_rules.change_problems(
        {**values, "counterparty_notified_on": values.get("investor_notified_on")}, has_counterparty=True, today=today
    )
    problems = [
        Problem(
            "investor_notified_on" if p.field == "counterparty_notified_on" else p.field,
            p.code,
            str(_("Give the date the investor was notified.")) if p.field == "counterparty_notified_on" else p.message,
        )
        for p in shared
    ]
    review, decision = values.get("legality_review_on"), values.get("collective_decision_on")
    if isinstance(review, datetime.date) and isinstance(decision, datetime.date) and decision < review:
        problems.append(
            Problem(
                "collective_decision_on",
                "order",
                str(_("The collective decision comes after the legality review.")),
            )
        )
    for name in ("legality_review_on", "collective_decision_on", "investor_notified_on", "published_on"):
        day = values.get(name)
        if isinstance(day, datetime.date) and day < signed_on:
            problems.append(Problem(name, "before_signing", str(_("The date cannot be before the agreement."))))
    response = values.get("investor_response") or ""
    if response not in InvestorResponse.values:
        problems.append(Problem("investor_response", "invalid_choice", str(_("Choose the investor's answer."))))
    if response == InvestorResponse.DISPUTED and _blank(values.get("investor_response_note")):
        problems.append(Problem("investor_response_note", "required", str(_("Say what the investor disputes."))))
    if _amount_problem(values.get("new_amount")):
        problems.append(Problem("new_amount", "invalid", str(OTHER["amount"])))
    new_due = values.get("new_due_on")
    if isinstance(new_due, datetime.date) and new_due < signed_on:
        problems.append(Problem("new_due_on", "invalid", str(OTHER["due_before_signing"])))
    for name, limit in (("authority", 200), ("decision_number", 100)):
        text = values.get(name)
        if isinstance(text, str) and len(text) > limit:
            problems.append(Problem(name, "too_long", too_long_message(limit)))
    return problems


# Inputs ---------------------------------------------------------------------------------------------------------


@dataclass
class ObligationInput:
    description: str
    due_on: datetime.date | None
    amount: Decimal | None = None
    amount_is_secret: bool = False


@dataclass
class AgreementInput:
    """What a clerk types (form, API or Excel rows)."""

    agency: Agency | None
    number: str
    investor_name: str
    investor_uscc: str
    signed_on: datetime.date | None
    project: str
    total_investment: Decimal | None
    summary: str
    secret_terms: str = ""
    investment_is_secret: bool = False
    responsible_person: CivilServant | None = None
    commitments: list[Commitment] = field(default_factory=list)


@dataclass(frozen=True)
class ObligationChangeInput:
    ground: str
    authority: str
    description: str
    legality_review_on: datetime.date | None
    collective_decision_on: datetime.date | None
    investor_notified_on: datetime.date | None
    published_on: datetime.date | None
    investor_response: str = InvestorResponse.AWAITING
    investor_response_note: str = ""
    decision_number: str = ""
    compensation_amount: Decimal | None = None
    new_due_on: datetime.date | None = None
    new_amount: Decimal | None = None


def _values(data: Any) -> dict[str, Any]:
    return {f.name: getattr(data, f.name) for f in fields(data)}


def agreement_input_check(
    data: AgreementInput,
    obligations: Sequence[ObligationInput] = (),
    *,
    agreement_id: int | None = None,
    need_obligation: bool = False,
) -> None:
    """Every rule the agreement and its obligations break, at once (obligation fields as `obligations.<n>.<name>`),
    and a number the agency already uses."""
    errors = by_field(agreement_problems(_values(data)))
    number = (data.number or "").strip()
    if data.agency is not None and number:
        taken = InvestmentAgreement.objects.filter(agency=data.agency, number=number)
        if agreement_id is not None:
            taken = taken.exclude(pk=agreement_id)
        if taken.exists():
            errors.setdefault("number", []).append(str(OTHER["number_taken"]))
    for index, item in enumerate(obligations):
        for problem in obligation_problems(_values(item), signed_on=data.signed_on):
            errors.setdefault(f"obligations.{index}.{problem.field}", []).append(problem.message)
    if need_obligation and not obligations:
        errors.setdefault("obligations", []).append(str(OTHER["no_obligation"]))
    if errors:
        raise DomainError.of_fields(errors, code="invalid")
    data.number = number
    data.investor_uscc = data.investor_uscc.strip().upper()
    for name in ("investor_name", "project", "summary", "secret_terms"):
        setattr(data, name, getattr(data, name).strip())
    for item in obligations:
        item.description = item.description.strip()


# Events and the platform ------------------------------------------------------------------------------------------


def _event(
    agreement: InvestmentAgreement,
    kind: str,
    actor: User | None,
    *,
    obligation: InvestmentObligation | None = None,
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    changes: dict[str, Any] | None = None,
) -> InvestmentEvent:
    return InvestmentEvent.objects.create(
        agreement=agreement,
        obligation=obligation,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        changes=changes or {},
        actor=actor,
    )


def _moved(changes: dict[str, Any] | None = None) -> Any:
    def write(obligation: InvestmentObligation, step: Step) -> InvestmentEvent:
        return _event(
            obligation.agreement,
            EVENT_KINDS[step.action],
            step.actor,
            obligation=obligation,
            from_status=step.from_state,
            to_status=step.to_state,
            reason=step.reason,
            changes=changes,
        )

    return write


def _locked_rows() -> Any:
    return InvestmentObligation.objects.select_related("agreement", "agreement__agency")


def _link(agreement: InvestmentAgreement) -> str:
    return reverse("sectors:investment_detail", args=[agreement.pk])


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def obligation_payload(obligation: InvestmentObligation) -> dict[str, Any]:
    """The obligation as the platform receives it, trade secrets left out."""
    agreement = obligation.agreement
    change = obligation.changes.order_by("-pk").first()
    return {
        "agreement_number": agreement.number,
        "agency_name": agreement.agency.name,
        "agency_uscc": agreement.agency.uscc,
        "investor_name": agreement.investor_name,
        "investor_uscc": agreement.investor_uscc,
        "signed_on": agreement.signed_on.isoformat(),
        "project": agreement.project,
        "obligation": obligation.description,
        "amount": None if obligation.amount_is_secret else _text(obligation.amount),
        "due_on": obligation.due_on.isoformat(),
        "status": obligation.status,
        "breach_reason": obligation.breach_reason,
        "change": None
        if change is None
        else {
            "ground": change.ground,
            "authority": change.authority,
            "decision_number": change.decision_number,
            "description": change.description,
            "legality_review_on": change.legality_review_on.isoformat(),
            "collective_decision_on": change.collective_decision_on.isoformat(),
            "investor_notified_on": change.investor_notified_on.isoformat(),
            "published_on": change.published_on.isoformat(),
            "compensation_amount": _text(change.compensation_amount),
            "investor_response": change.investor_response,
        },
    }


def _emit(obligation: InvestmentObligation, change_type: str) -> None:
    obligation.version += 1
    InvestmentObligation.objects.filter(pk=obligation.pk).update(version=obligation.version)
    outbox_emit(
        kind=INVESTMENT_OBLIGATION_KIND,
        obj=obligation,
        version=obligation.version,
        change_type=change_type,
        payload=obligation_payload(obligation),
        agency=obligation.agreement.agency,
    )
    transaction.on_commit(public_changed.announce, robust=True)


# Entry ------------------------------------------------------------------------------------------------------------


def _may_enter(actor: User, agency: Agency | None) -> bool:
    return agency is not None and may_enter_sector_data(actor, Sector.INVESTMENT, agency)


def agreement_create(
    *, actor: User, data: AgreementInput, obligations: Sequence[ObligationInput] = ()
) -> InvestmentAgreement:
    """Enters an agreement with its obligations (all pending), linked to its policy commitments."""
    if not _may_enter(actor, data.agency):
        raise NotAllowed(_("You may not enter investment-promotion agreements for this agency."))
    agreement_input_check(data, obligations)
    values = _values(data)
    linked = values.pop("commitments")
    with transaction.atomic():
        agreement = InvestmentAgreement.objects.create(**values, created_by=actor)
        agreement.commitments.set(linked)
        _event(agreement, InvestmentEventKind.CREATED, actor)
        for item in obligations:
            _obligation_create(agreement, item, actor)
    return agreement


class AgreementsRefused(DomainError):
    """Some agreements of a batch break the rules: `refusals` maps each one's index to its messages by field."""

    def __init__(self, refusals: dict[int, dict[str, list[str]]]) -> None:
        super().__init__(_("Some agreements break the rules; none was entered."), code="invalid")
        self.refusals = refusals


def agreements_create_many(
    *, actor: User, items: Sequence[tuple[AgreementInput, Sequence[ObligationInput]]]
) -> list[InvestmentAgreement]:
    """Enters every agreement with its obligations in one transaction, or none (the Excel import)."""
    refusals: dict[int, dict[str, list[str]]] = {}
    numbers: dict[tuple[int, str], int] = {}
    for index, (data, obligations) in enumerate(items):
        if not _may_enter(actor, data.agency):
            raise NotAllowed(_("You may not enter investment-promotion agreements for this agency."))
        try:
            agreement_input_check(data, obligations)
        except DomainError as exc:
            refusals[index] = exc.field_errors()
        key = (data.agency.pk if data.agency else 0, data.number.strip())
        if numbers.setdefault(key, index) != index:
            refusals.setdefault(index, {}).setdefault("number", []).append(str(OTHER["number_taken"]))
    if refusals:
        raise AgreementsRefused(refusals)
    with transaction.atomic():
        return [agreement_create(actor=actor, data=data, obligations=obligations) for data, obligations in items]


def agreement_update(*, actor: User, agreement: InvestmentAgreement, data: AgreementInput) -> InvestmentAgreement:
    """Edits an agreement's particulars (its obligations change only by their own steps)."""
    if not _may_enter(actor, agreement.agency) or not _may_enter(actor, data.agency):
        raise NotAllowed(_("You may not edit this agreement."))
    agreement_input_check(data, agreement_id=agreement.pk)
    for item in agreement.obligations.all():
        if data.signed_on is not None and item.due_on < data.signed_on:
            raise DomainError(OTHER["due_before_signing"], field="signed_on")
    with transaction.atomic():
        agreement = InvestmentAgreement.objects.select_for_update().get(pk=agreement.pk)
        values = _values(data)
        linked = values.pop("commitments")
        changes: dict[str, list[str]] = {}
        for name, value in values.items():
            if getattr(agreement, name) != value:
                changes[name] = [_plain(getattr(agreement, name)), _plain(value)]
                setattr(agreement, name, value)
        before = set(agreement.commitments.values_list("pk", flat=True))
        after = {c.pk for c in linked}
        if before != after:
            changes["commitments"] = [",".join(map(str, sorted(before))), ",".join(map(str, sorted(after)))]
            agreement.commitments.set(linked)
        if not changes:
            return agreement
        agreement.save()
        _event(agreement, InvestmentEventKind.EDITED, actor, changes=changes)
    return agreement


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "pk"):
        return str(value.pk)
    return str(value)


def _obligation_create(agreement: InvestmentAgreement, item: ObligationInput, actor: User) -> InvestmentObligation:
    obligation = InvestmentObligation.objects.create(
        agreement=agreement,
        description=item.description,
        amount=item.amount,
        amount_is_secret=item.amount_is_secret,
        due_on=item.due_on,  # type: ignore[misc]  # checked present by obligation_problems
    )
    _event(
        agreement,
        InvestmentEventKind.OBLIGATION_ADDED,
        actor,
        obligation=obligation,
        to_status=obligation.status,
        reason=obligation.description,
    )
    return obligation


def obligation_add(*, actor: User, agreement: InvestmentAgreement, data: ObligationInput) -> InvestmentObligation:
    if not _may_enter(actor, agreement.agency):
        raise NotAllowed(_("You may not edit this agreement."))
    problems = obligation_problems(_values(data), signed_on=agreement.signed_on)
    if problems:
        raise DomainError.of_fields(by_field(problems), code="invalid")
    data.description = data.description.strip()
    with transaction.atomic():
        return _obligation_create(agreement, data, actor)


# Fulfilment -------------------------------------------------------------------------------------------------------


def obligation_fulfil(
    *,
    actor: User,
    obligation: InvestmentObligation,
    fulfilled_on: datetime.date | None,
    note: str,
    files: Sequence[Any],
) -> InvestmentObligation:
    """The agency records that it met an obligation, with the evidence (at least one file)."""
    agreement = obligation.agreement
    if not _may_enter(actor, agreement.agency):
        raise NotAllowed(_("You may not record the fulfilment of this obligation."))
    errors: dict[str, list[str]] = {}
    if fulfilled_on is None:
        errors["fulfilled_on"] = [_("Give the date it was fulfilled.")]
    elif fulfilled_on > timezone.localdate():
        errors["fulfilled_on"] = [_("The date cannot be in the future.")]
    elif fulfilled_on < agreement.signed_on:
        errors["fulfilled_on"] = [_("The date cannot be before the agreement.")]
    if not note.strip():
        errors["note"] = [_("Say how the obligation was fulfilled.")]
    checked: list[tuple[Any, str, str]] = []
    if not files:
        errors["files"] = [_("Attach at least one evidence file.")]
    for upload in files:
        try:
            kind, name = evidence_check(upload)
        except DomainError as exc:
            errors.setdefault("files", []).append(str(exc.message))
        else:
            checked.append((upload, kind.content_type, name))
    if errors:
        raise DomainError.of_fields(errors, code="invalid")
    stored: list[ObligationEvidence] = []
    try:
        with transaction.atomic():
            unit_changed(agreement.agency_id, timezone.localdate())  # the evaluation recounts it
            obligation = transition(
                obligation,
                TRANSITIONS,
                "fulfil",
                actor=actor,
                reason=note.strip(),
                fields={"fulfilled_on": fulfilled_on, "fulfilment_note": note.strip()},
                queryset=_locked_rows(),
                event=_moved({"files": [name for _upload, _type, name in checked]}),
            )
            for upload, content_type, name in checked:
                stored.append(_store_evidence(obligation, upload, content_type, name, actor))
    except BaseException:
        for evidence in stored:
            evidence.file.delete(save=False)  # no row, no file
        raise
    return obligation


def _store_evidence(
    obligation: InvestmentObligation, upload: Any, content_type: str, name: str, actor: User
) -> ObligationEvidence:
    digest = hashlib.sha256()
    for piece in upload.chunks():
        digest.update(piece)
    upload.seek(0)
    evidence = ObligationEvidence(
        obligation=obligation,
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


# Lawful change ----------------------------------------------------------------------------------------------------


def _may_verify(actor: User, agency: Agency) -> bool:
    return may_verify_sector_data(actor, Sector.INVESTMENT, agency)


def obligation_change(
    *, actor: User, obligation: InvestmentObligation, change: ObligationChangeInput
) -> InvestmentObligation:
    """Records a lawful change of an owed obligation with every legal step dated; the new due date or amount, when
    given, replace the old (kept on the change row). A refused ground writes nothing and says to declare a breach."""
    agreement = obligation.agreement
    if not _may_verify(actor, agreement.agency):
        raise NotAllowed(_("Only the credit office or the investment authority of the region may record a change."))
    values = _values(change)
    values["authority"] = change.authority.strip()
    values["description"] = change.description.strip()
    problems = obligation_change_problems(values, signed_on=agreement.signed_on, today=timezone.localdate())
    if problems:
        raise DomainError.of_fields(by_field(problems), code=problems[0].code)

    def changed(row: InvestmentObligation) -> dict[str, Any]:
        ObligationChange.objects.create(  # type: ignore[misc]  # the dates are checked present above
            obligation=row,
            ground=change.ground,
            authority=values["authority"],
            decision_number=change.decision_number.strip(),
            description=values["description"],
            previous_due_on=row.due_on,
            previous_amount=row.amount,
            new_due_on=change.new_due_on,
            new_amount=change.new_amount,
            legality_review_on=change.legality_review_on,
            collective_decision_on=change.collective_decision_on,
            investor_notified_on=change.investor_notified_on,
            published_on=change.published_on,
            compensation_amount=change.compensation_amount,
            investor_response=change.investor_response,
            investor_response_note=change.investor_response_note.strip(),
            created_by=actor,
        )
        terms: dict[str, Any] = {}
        if change.new_due_on is not None and change.new_due_on != row.due_on:
            # A new date is watched afresh: its own notice and reminder.
            terms.update(due_on=change.new_due_on, due_notice_on=None, reminded_on=None)
        if change.new_amount is not None:
            terms["amount"] = change.new_amount
        return terms

    with transaction.atomic():
        obligation = transition(
            obligation,
            TRANSITIONS,
            "change",
            actor=actor,
            reason=values["description"],
            prepare=changed,
            queryset=_locked_rows(),
            event=_moved({"ground": change.ground, "authority": values["authority"]}),
        )
        _emit(obligation, ChangeType.CORRECTED)
        notify(
            subject=_("An obligation of agreement %(number)s was lawfully changed") % {"number": agreement.number},
            body=values["description"],
            link=_link(agreement),
            agencies=[agreement.agency],
        )
    return obligation


# Breach -> candidate record -----------------------------------------------------------------------------------------


def obligation_break(*, actor: User, obligation: InvestmentObligation, reason: str) -> InvestmentObligation:
    """The credit office or the investment authority declares an owed obligation broken, giving the grounds: a
    candidate dishonesty record is proposed and the platform hears of it."""
    if not _may_verify(actor, obligation.agreement.agency):
        raise NotAllowed(_("Only the credit office or the investment authority of the region may declare a breach."))
    if not (reason or "").strip():
        raise DomainError(_("Give the grounds of the breach."), field="reason")
    return _break(obligation, actor=actor, reason=reason.strip())


def _break(obligation: InvestmentObligation, *, actor: User | None, reason: str) -> InvestmentObligation:
    with transaction.atomic():
        obligation = transition(
            obligation,
            TRANSITIONS,
            "break",
            actor=actor,
            reason=reason,
            fields={"breach_reason": reason, "broken_at": timezone.now()},
            queryset=_locked_rows(),
            event=_moved(),
        )
        _emit(obligation, ChangeType.PUBLISHED)
        _propose_breach(obligation, actor=actor, reason=reason)
    return obligation


def _propose_breach(obligation: InvestmentObligation, *, actor: User | None, reason: str) -> None:
    agreement = obligation.agreement
    agency = agreement.agency
    office = (
        actor.agency
        if actor is not None and actor.agency is not None and actor.role == Role.CREDIT_OFFICE
        else credit_office_over(agency)
    )
    # 惩戒到人: the agency's principal and the civil servant responsible for the agreement (003 §四(八)).
    responsible: list[tuple[CivilServant, str]] = []
    principal = principals([agency.pk]).first()
    if principal is not None:
        responsible.append((principal, ResponsibilityKind.PRINCIPAL.value))
    person = agreement.responsible_person
    if person is not None and (principal is None or person.pk != principal.pk):
        responsible.append((person, ResponsibilityKind.DIRECT.value))
    data = RecordInput(
        subject_agency=agency,
        source=RecordSource.BREACH_OF_CONTRACT,
        sector=Sector.INVESTMENT,
        severity=Severity.GENERAL,
        document_number=_("Breach of investment agreement %(number)s, obligation %(pk)d")
        % {"number": agreement.number, "pk": obligation.pk},
        deciding_body_name=office.name,
        deciding_body_uscc=office.uscc,
        deciding_agency=office,
        decision_date=timezone.localdate(),
        facts=_(
            "%(agency)s did not meet its obligation “%(what)s”, due on %(due)s, under the investment-promotion "
            "agreement %(number)s with %(investor)s. %(reason)s"
        )
        % {
            "agency": agency.name,
            "what": obligation.description,
            "due": obligation.due_on.isoformat(),
            "number": agreement.number,
            "investor": agreement.investor_name,
            "reason": reason,
        },
        legal_basis=_(
            "The agreement %(number)s; a government keeps the agreements it signs and does not break them because "
            "of a change of government or of the responsible person."
        )
        % {"number": agreement.number},
        data_source_agency=agency,
        responsible=responsible,
    )
    record = record_candidate_propose(
        origin=obligation,
        origin_label=_("Investment agreement %(number)s: %(what)s")
        % {"number": agreement.number, "what": obligation.description},
        data=data,
        actor=actor,
        reason=reason,
    )
    if obligation.breach_record_id != record.pk:
        InvestmentObligation.objects.filter(pk=obligation.pk).update(breach_record=record)
        obligation.breach_record = record
        _event(
            agreement,
            InvestmentEventKind.BREACH_PROPOSED,
            actor,
            obligation=obligation,
            reason=record.document_number,
            changes={"record": record.pk},
        )


# The scheduled job ------------------------------------------------------------------------------------------------


@dataclass
class WatchRun:
    due_notices: int = 0
    overdue: int = 0
    breaches: int = 0


def investment_obligations_watch(*, today: datetime.date | None = None) -> WatchRun:
    """The scheduled job, safe to run twice: tells the agency once of an obligation due within
    INVESTMENT_DUE_NOTICE_DAYS, marks an obligation past its date overdue and reminds the agency once, and declares
    broken (with its candidate record) one still owed INVESTMENT_BREACH_AFTER_WORKING_DAYS working days after the
    reminder."""
    today = today or timezone.localdate()
    run = WatchRun()
    horizon = today + datetime.timedelta(days=int(settings.INVESTMENT_DUE_NOTICE_DAYS))
    soon = (
        InvestmentObligation.objects.filter(
            status__in=[S.PENDING, S.CHANGED], due_on__gte=today, due_on__lte=horizon, due_notice_on__isnull=True
        )
        .select_related("agreement", "agreement__agency")
        .order_by("pk")
    )
    for obligation in soon.iterator(chunk_size=500):
        with transaction.atomic():
            # Claimed by a conditional UPDATE: a second run (or a parallel one) finds nothing left to claim.
            claimed = InvestmentObligation.objects.filter(pk=obligation.pk, due_notice_on__isnull=True).update(
                due_notice_on=today
            )
            if not claimed:
                continue
            agreement = obligation.agreement
            _event(agreement, InvestmentEventKind.DUE_NOTICE, None, obligation=obligation)
            notify(
                subject=_("An obligation to an investor falls due on %(due)s") % {"due": obligation.due_on.isoformat()},
                body=_("Agreement %(number)s with %(investor)s: %(what)s.")
                % {"number": agreement.number, "investor": agreement.investor_name, "what": obligation.description},
                link=_link(agreement),
                agencies=[agreement.agency],
            )
            run.due_notices += 1
    late = (
        InvestmentObligation.objects.filter(status__in=[S.PENDING, S.CHANGED], due_on__lt=today)
        .select_related("agreement", "agreement__agency")
        .order_by("pk")
    )
    for obligation in late.iterator(chunk_size=500):
        with transaction.atomic():
            try:
                obligation = transition(
                    obligation,
                    TRANSITIONS,
                    "mark_overdue",
                    actor=None,
                    fields={"reminded_on": today},
                    queryset=_locked_rows(),
                    event=_moved(),
                )
            except DomainError:
                continue  # moved on meanwhile
            agreement = obligation.agreement
            notify(
                subject=_("An obligation to an investor is overdue: agreement %(number)s")
                % {"number": agreement.number},
                body=_(
                    "“%(what)s” was due on %(due)s. Meet it and record the evidence, or have a lawful change "
                    "recorded; after %(days)d working days it is declared broken."
                )
                % {
                    "what": obligation.description,
                    "due": obligation.due_on.isoformat(),
                    "days": int(settings.INVESTMENT_BREACH_AFTER_WORKING_DAYS),
                },
                link=_link(agreement),
                agencies=[agreement.agency, credit_office_over(agreement.agency)],
            )
            run.overdue += 1
    limit = int(settings.INVESTMENT_BREACH_AFTER_WORKING_DAYS)
    reminded = (
        InvestmentObligation.objects.filter(status=S.OVERDUE, reminded_on__isnull=False, reminded_on__lte=today)
        .select_related("agreement", "agreement__agency", "agreement__responsible_person")
        .order_by("pk")
    )
    for obligation in reminded.iterator(chunk_size=500):
        reminded_on = obligation.reminded_on or today
        if working_days_between(reminded_on, today) < limit:
            continue
        try:
            _break(
                obligation,
                actor=None,
                reason=_("Still owed %(days)d working days after the overdue reminder of %(date)s.")
                % {"days": limit, "date": reminded_on.isoformat()},
            )
        except DomainError:
            continue  # fulfilled or changed meanwhile
        run.breaches += 1
    return run


# Reading ------------------------------------------------------------------------------------------------------------


def agreement_actions(user: User, agreement: InvestmentAgreement) -> dict[str, bool]:
    """What `user` may do on the agreement page (the services stay the judge)."""
    return {
        "edit": _may_enter(user, agreement.agency),
        "verify": _may_verify(user, agreement.agency),
    }


def linkable_commitments(agency: Agency | None) -> Any:
    """The investment-promotion policy commitments an agreement of `agency` may carry out."""
    if agency is None:
        return Commitment.objects.none()
    return Commitment.objects.filter(agency=agency, kind=CommitmentKind.INVESTMENT_POLICY).order_by("-promised_on")
