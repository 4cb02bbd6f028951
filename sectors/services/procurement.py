"""Procurement contracts and the SME payment clock: entry, acceptance, disputes, payments, the overdue job, breaches,
the supplier blacklist and the yearly disclosure of overdue payments. docs/sectors.md#procurement.

Every write checks the actor's reach (accounts.scope: the purchasing agency's staff, the credit office of its region,
the procurement authority of its region), holds the input to sectors.rules.procurement (every problem at once) and
writes a ProcurementEvent. An obligation's status, days overdue and interest are computed by one set-based UPDATE
(`_recompute`), used by the daily job over every open row and by each write over the one row it touched, so the
figures never depend on which of the two ran last.
"""

import datetime
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import (
    Case,
    Count,
    DateField,
    DecimalField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Round
from django.db.models.lookups import GreaterThan
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, Sector, User
from accounts.scope import may_enter_sector_data, may_verify_sector_data
from kernel.errors import DomainError, NotAllowed
from kernel.sources import unit_changed
from notices.services import notify
from outbox.hooks import public_changed
from outbox.models import ChangeType
from outbox.services import outbox_emit
from records.models import RecordSource, ResponsibilityKind, Severity
from records.rules import principals
from records.services.candidates import credit_office_over, record_candidate_propose
from records.services.dishonesty import RecordInput
from sectors.models.procurement import (
    ZERO,
    Acceptance,
    Contract,
    ObligationStatus,
    OverdueDisclosure,
    Payment,
    PaymentObligation,
    ProcurementEvent,
    ProcurementEventKind,
    SupplierBan,
    SupplierEvaluation,
)
from sectors.rules import procurement as rules
from subjects.codes import normalize_uscc
from subjects.models import Agency, CivilServant

SECTOR = Sector.PROCUREMENT
DISCLOSURE_KIND = "procurement_disclosure"
S = ObligationStatus


def _refuse(problems: list[rules.Problem]) -> None:
    if problems:
        raise DomainError.of_fields(rules.by_field(problems), code="invalid")


def _require_entry(actor: User, agency: Agency) -> None:
    if not may_enter_sector_data(actor, SECTOR, agency):
        raise NotAllowed(_("You may not enter procurement data for this agency."))


def _event(
    contract: Contract,
    kind: str,
    actor: User | None,
    *,
    obligation: PaymentObligation | None = None,
    note: str = "",
    changes: dict[str, Any] | None = None,
) -> ProcurementEvent:
    return ProcurementEvent.objects.create(
        contract=contract, obligation=obligation, kind=kind, note=note, changes=changes or {}, actor=actor
    )


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if hasattr(value, "pk"):
        return value.pk
    return str(value)


# Contracts ----------------------------------------------------------------------------------------------------------


@dataclass
class ContractInput:
    agency: Agency
    number: str
    supplier_name: str
    supplier_uscc: str
    supplier_size: str
    subject: str
    amount: Decimal | None
    signed_on: datetime.date | None
    budget_funded: bool = True
    acceptance_conditions_payment: bool = False
    agreed_term_days: int | None = None
    agreed_daily_rate: Decimal | None = None
    responsible_person: CivilServant | None = None


def _values(data: Any) -> dict[str, Any]:
    return {f.name: getattr(data, f.name) for f in fields(data)}


def contract_input_check(data: ContractInput, *, contract_id: int | None = None) -> None:
    """Every rule the input breaks, at once, and a number the agency already used; normalises the text."""
    problems = rules.contract_problems(_values(data), today=timezone.localdate())
    errors = rules.by_field(problems)
    number = (data.number or "").strip()
    taken = Contract.objects.filter(agency=data.agency, number=number)
    if contract_id is not None:
        taken = taken.exclude(pk=contract_id)
    if number and data.agency is not None and taken.exists():
        errors.setdefault("number", []).append(_("The agency already has a contract with this number."))
    if errors:
        raise DomainError.of_fields(errors, code="invalid")
    data.number = number
    data.supplier_uscc = normalize_uscc(data.supplier_uscc)
    data.supplier_name = data.supplier_name.strip()
    data.subject = data.subject.strip()


def contract_create(*, actor: User, data: ContractInput) -> Contract:
    _require_entry(actor, data.agency)
    contract_input_check(data)
    with transaction.atomic():
        contract = Contract.objects.create(**_values(data), created_by=actor)
        _event(contract, ProcurementEventKind.CONTRACT_CREATED, actor)
    return contract


# What an obligation repeats of its contract, and what changing them recomputes.
_TERMS = ("supplier_size", "acceptance_conditions_payment", "agreed_term_days", "agreed_daily_rate")


def contract_update(*, actor: User, contract: Contract, data: ContractInput) -> Contract:
    """Edits a contract; its obligations' due dates, rates and figures are recomputed from the new terms."""
    _require_entry(actor, contract.agency)
    _require_entry(actor, data.agency)
    if data.agency.pk != contract.agency_id:
        raise DomainError(_("A contract stays with its purchasing agency."), field="agency")
    contract_input_check(data, contract_id=contract.pk)
    with transaction.atomic():
        contract = Contract.objects.select_for_update().get(pk=contract.pk)
        changes: dict[str, list[Any]] = {}
        for name, value in _values(data).items():
            if getattr(contract, name) != value:
                changes[name] = [_plain(getattr(contract, name)), _plain(value)]
                setattr(contract, name, value)
        if not changes:
            return contract
        contract.save()
        _event(contract, ProcurementEventKind.CONTRACT_EDITED, actor, changes=changes)
        if any(name in changes for name in _TERMS):
            for obligation in contract.obligations.select_for_update().order_by("pk"):
                _apply_terms(obligation, contract)
                obligation.save()
            _recompute(PaymentObligation.objects.filter(contract=contract), timezone.localdate())
    return contract


# Obligations --------------------------------------------------------------------------------------------------------


@dataclass
class ObligationInput:
    label: str
    amount: Decimal | None
    delivered_on: datetime.date | None
    accepted_on: datetime.date | None = None
    # None: the contract's agreed term.
    agreed_term_days: int | None = None
    disputed_amount: Decimal = ZERO
    dispute_note: str = ""


def _apply_terms(obligation: PaymentObligation, contract: Contract) -> None:
    """The contract's terms and the computed due date on the (unsaved) row."""
    obligation.agency_id = contract.agency_id
    obligation.is_sme = contract.is_sme
    obligation.daily_rate = rules.applied_daily_rate(agreed=contract.agreed_daily_rate, sme=contract.is_sme)
    term = obligation.agreed_term_days if obligation.agreed_term_days is not None else contract.agreed_term_days
    due = rules.legal_due_date(
        delivered_on=obligation.delivered_on,
        accepted_on=obligation.accepted_on,
        acceptance_conditions_payment=contract.acceptance_conditions_payment,
        agreed_term_days=term,
        sme=contract.is_sme,
    )
    obligation.starts_on = due.starts_on if due else None
    obligation.term_days = due.term_days if due else None
    obligation.term_unlawful = bool(due and due.term_unlawful)
    obligation.due_on = due.due_on if due else None
    obligation.due_moved_from = due.moved_from if due else None


def _check_obligation(contract: Contract, data: ObligationInput, *, paid: Decimal = ZERO) -> None:
    problems = rules.obligation_problems(
        _values(data), signed_on=contract.signed_on, today=timezone.localdate(), paid=paid
    )
    _refuse(problems)
    data.label = data.label.strip()
    data.dispute_note = data.dispute_note.strip()
    if data.disputed_amount and not data.dispute_note:
        raise DomainError(_("Say what is disputed."), field="dispute_note")


def obligation_add(*, actor: User, contract: Contract, data: ObligationInput) -> PaymentObligation:
    """Adds an instalment; its legal due date is computed, never typed."""
    _require_entry(actor, contract.agency)
    _check_obligation(contract, data)
    with transaction.atomic():
        obligation = PaymentObligation(contract=contract, **_values(data))
        _apply_terms(obligation, contract)
        obligation.save()
        _event(
            contract,
            ProcurementEventKind.OBLIGATION_ADDED,
            actor,
            obligation=obligation,
            note=obligation.label,
            changes={"due_on": _plain(obligation.due_on), "term_unlawful": obligation.term_unlawful},
        )
        _recompute(PaymentObligation.objects.filter(pk=obligation.pk), timezone.localdate())
        obligation.refresh_from_db()
    return obligation


def obligation_update(*, actor: User, obligation: PaymentObligation, data: ObligationInput) -> PaymentObligation:
    """Corrects an instalment (amount, dates, term, dispute); the due date and figures follow."""
    contract = obligation.contract
    _require_entry(actor, contract.agency)
    with transaction.atomic():
        obligation = PaymentObligation.objects.select_for_update().get(pk=obligation.pk)
        _check_obligation(contract, data, paid=obligation.paid_amount)
        changes: dict[str, list[Any]] = {}
        for name, value in _values(data).items():
            if getattr(obligation, name) != value:
                changes[name] = [_plain(getattr(obligation, name)), _plain(value)]
                setattr(obligation, name, value)
        if not changes:
            return obligation
        _apply_terms(obligation, contract)
        obligation.save()
        _event(contract, ProcurementEventKind.OBLIGATION_EDITED, actor, obligation=obligation, changes=changes)
        _recompute(PaymentObligation.objects.filter(pk=obligation.pk), timezone.localdate())
        obligation.refresh_from_db()
    return obligation


def obligation_dispute(
    *, actor: User, obligation: PaymentObligation, disputed_amount: Decimal | None, note: str
) -> PaymentObligation:
    """Records the part of an instalment in dispute. The undisputed part stays due on the legal date
    (保障中小企业款项支付条例 art. 15 of the 2025 text)."""
    contract = obligation.contract
    _require_entry(actor, contract.agency)
    errors: dict[str, list[str]] = {}
    if disputed_amount is None or not (disputed_amount.is_finite() and ZERO <= disputed_amount <= obligation.amount):
        errors["disputed_amount"] = [str(rules.MESSAGES["disputed_range"])]
    if disputed_amount and not note.strip():
        errors["note"] = [_("Say what is disputed.")]
    if errors:
        raise DomainError.of_fields(errors)
    assert disputed_amount is not None
    with transaction.atomic():
        obligation = PaymentObligation.objects.select_for_update().get(pk=obligation.pk)
        before = obligation.disputed_amount
        obligation.disputed_amount = disputed_amount
        obligation.dispute_note = note.strip()
        obligation.save(update_fields=["disputed_amount", "dispute_note", "updated_at"])
        _event(
            contract,
            ProcurementEventKind.DISPUTE,
            actor,
            obligation=obligation,
            note=note.strip(),
            changes={"disputed_amount": [str(before), str(disputed_amount)]},
        )
        _recompute(PaymentObligation.objects.filter(pk=obligation.pk), timezone.localdate())
        obligation.refresh_from_db()
    return obligation


def acceptance_record(
    *, actor: User, obligation: PaymentObligation, inspected_on: datetime.date | None, passed: bool, note: str
) -> Acceptance:
    """履约验收: a passed acceptance starts the term where the contract makes it the condition of payment (the first
    passed one counts)."""
    contract = obligation.contract
    _require_entry(actor, contract.agency)
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if inspected_on is None:
        errors["inspected_on"] = [_("Give the date of the inspection.")]
    elif inspected_on < obligation.delivered_on:
        errors["inspected_on"] = [str(rules.MESSAGES["accepted_before_delivery"])]
    elif inspected_on > today:
        errors["inspected_on"] = [str(rules.MESSAGES["accepted_future"])]
    if not passed and not note.strip():
        errors["note"] = [_("Say why acceptance failed.")]
    if errors:
        raise DomainError.of_fields(errors)
    assert inspected_on is not None
    with transaction.atomic():
        obligation = PaymentObligation.objects.select_for_update().get(pk=obligation.pk)
        acceptance = Acceptance.objects.create(
            obligation=obligation, inspected_on=inspected_on, passed=passed, note=note.strip(), created_by=actor
        )
        if passed and obligation.accepted_on is None:
            obligation.accepted_on = inspected_on
            _apply_terms(obligation, contract)
            obligation.save()
        _event(
            contract,
            ProcurementEventKind.ACCEPTANCE,
            actor,
            obligation=obligation,
            note=note.strip(),
            changes={"passed": passed, "inspected_on": inspected_on.isoformat()},
        )
        _recompute(PaymentObligation.objects.filter(pk=obligation.pk), today)
    return acceptance


def payment_record(
    *, actor: User, obligation: PaymentObligation, paid_on: datetime.date | None, amount: Decimal | None, note: str = ""
) -> Payment:
    """A payment against an instalment. It pays the undisputed part first; the part paid after the due date carries
    the interest of its days late, fixed now (interest stops accruing on the payment's date for the part paid). Paid
    in full, the instalment is settled."""
    contract = obligation.contract
    _require_entry(actor, contract.agency)
    with transaction.atomic():
        unit_changed(contract.agency_id, timezone.localdate())  # the evaluation recounts it
        obligation = PaymentObligation.objects.select_for_update().get(pk=obligation.pk)
        last = obligation.payments.aggregate(last=Max("paid_on"))["last"]
        _refuse(
            rules.payment_problems(
                {"paid_on": paid_on, "amount": amount, "note": note},
                delivered_on=obligation.delivered_on,
                unpaid=obligation.unpaid_amount,
                last_paid_on=last,
                today=timezone.localdate(),
            )
        )
        assert paid_on is not None and amount is not None
        late_days = (paid_on - obligation.due_on).days if obligation.due_on is not None else 0
        late_part = min(amount, obligation.undisputed_unpaid)
        interest = rules.interest_for(late_part, obligation.daily_rate, late_days)
        payment = Payment.objects.create(
            obligation=obligation,
            paid_on=paid_on,
            amount=amount,
            late_days=max(late_days, 0),
            interest=interest,
            note=note.strip(),
            created_by=actor,
        )
        obligation.paid_amount += amount
        obligation.interest_on_paid += interest
        fields_saved = ["paid_amount", "interest_on_paid", "updated_at"]
        if obligation.paid_amount >= obligation.amount:
            obligation.status = S.SETTLED
            obligation.settled_on = paid_on
            obligation.overdue_days = 0
            obligation.interest = obligation.interest_on_paid
            obligation.computed_on = timezone.localdate()
            fields_saved += ["status", "settled_on", "overdue_days", "interest", "computed_on"]
        obligation.save(update_fields=fields_saved)
        _event(
            contract,
            ProcurementEventKind.PAYMENT,
            actor,
            obligation=obligation,
            note=note.strip(),
            changes={"amount": str(amount), "paid_on": paid_on.isoformat(), "interest": str(interest)},
        )
        if obligation.status == S.SETTLED:
            _event(contract, ProcurementEventKind.SETTLED, actor, obligation=obligation)
        else:
            _recompute(PaymentObligation.objects.filter(pk=obligation.pk), timezone.localdate())
    return payment


@dataclass
class EvaluationInput:
    evaluated_on: datetime.date | None
    score: int | None
    grade: str
    note: str = ""


def evaluation_record(*, actor: User, contract: Contract, data: EvaluationInput) -> SupplierEvaluation:
    _require_entry(actor, contract.agency)
    _refuse(rules.evaluation_problems(_values(data), today=timezone.localdate()))
    assert data.evaluated_on is not None and data.score is not None
    with transaction.atomic():
        evaluation = SupplierEvaluation.objects.create(
            contract=contract,
            evaluated_on=data.evaluated_on,
            score=data.score,
            grade=data.grade,
            note=data.note.strip(),
            created_by=actor,
        )
        _event(
            contract,
            ProcurementEventKind.EVALUATED,
            actor,
            note=data.note.strip(),
            changes={"score": data.score, "grade": data.grade},
        )
    return evaluation


# The overdue clock --------------------------------------------------------------------------------------------------


class DaysBetween(Func):
    """Whole days from the second date to the first (`later − earlier`): PostgreSQL subtracts dates to an integer;
    SQLite (the embedded default) through julianday."""

    output_field = IntegerField()
    template = "(%(expressions)s)"
    arg_joiner = " - "

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra,
        )


MONEY: "DecimalField[Any, Any]" = DecimalField(max_digits=16, decimal_places=2)


def _undisputed_unpaid() -> Any:
    return ExpressionWrapper(F("amount") - F("disputed_amount") - F("paid_amount"), output_field=MONEY)


def _recompute(queryset: QuerySet[PaymentObligation], today: datetime.date) -> int:
    """One UPDATE: each open row's status, days overdue and interest as of `today`.

    Overdue: the undisputed part is not fully paid and the legal due date is past. Interest: what the late payments
    carried, plus the unpaid undisputed amount × the daily rate × the days since the due date.
    """
    day = Value(today, output_field=DateField())
    unpaid = _undisputed_unpaid()
    late: GreaterThan[Any] = GreaterThan(unpaid, Value(ZERO, output_field=MONEY))
    days = Greatest(DaysBetween(day, F("due_on")), Value(0), output_field=IntegerField())
    overdue = Q(late) & Q(due_on__lt=today)
    return (
        queryset.exclude(status=S.SETTLED)
        .order_by()
        .update(
            status=Case(
                When(due_on__isnull=True, then=Value(S.AWAITING.value)),
                When(overdue, then=Value(S.OVERDUE.value)),
                When(late, then=Value(S.PENDING.value)),
                When(GreaterThan(F("amount"), F("paid_amount")), then=Value(S.DISPUTED.value)),
                default=Value(S.SETTLED.value),
            ),
            overdue_days=Case(When(overdue, then=days), default=Value(0)),
            interest=Case(
                When(
                    overdue,
                    then=F("interest_on_paid")
                    + Round(
                        ExpressionWrapper(unpaid * F("daily_rate") * days, output_field=MONEY),
                        2,
                        output_field=MONEY,
                    ),
                ),
                default=F("interest_on_paid"),
                output_field=MONEY,
            ),
            computed_on=day,
        )
    )


def procurement_overdue_recompute(*, today: datetime.date | None = None) -> int:
    """The set-based half of the daily job: every open row whose figures move with the date (due and unpaid) and not
    yet computed today. A second run the same day finds nothing to do."""
    today = today or timezone.localdate()
    moving = PaymentObligation.objects.filter(
        Q(computed_on__lt=today) | Q(computed_on__isnull=True),
        status__in=[S.PENDING, S.OVERDUE],
        due_on__lt=today,
    )
    return _recompute(moving, today)


@dataclass
class OverdueRun:
    recomputed: int = 0
    reminded: int = 0
    breaches: int = 0


def procurement_overdue_run(*, today: datetime.date | None = None) -> OverdueRun:
    """The scheduled job: recompute (set-based), remind each agency once of the payments that became overdue (one
    notice per agency, set-based marking), and propose the candidate record of each payment still overdue
    SME_ARREARS_BREACH_AFTER_DAYS after its reminder. Safe to run twice: the second run changes nothing."""
    today = today or timezone.localdate()
    run = OverdueRun()
    with transaction.atomic():
        run.recomputed = procurement_overdue_recompute(today=today)
        run.reminded = _remind(today)
    run.breaches = _propose_overdue_breaches(today)
    return run


def _remind(today: datetime.date) -> int:
    fresh = PaymentObligation.objects.filter(status=S.OVERDUE, reminded_on__isnull=True)
    per_agency = list(
        fresh.values("agency_id")
        .annotate(count=Count("pk"), amount=Sum(_undisputed_unpaid()), oldest=Max("overdue_days"))
        .order_by("agency_id")
    )
    if not per_agency:
        return 0
    agencies = Agency.objects.in_bulk([row["agency_id"] for row in per_agency])
    limit = int(settings.SME_ARREARS_BREACH_AFTER_DAYS)
    for row in per_agency:
        agency = agencies[row["agency_id"]]
        notify(
            subject=_("%(count)d payments to suppliers are overdue") % {"count": row["count"]},
            body=_(
                "%(count)d payments of %(agency)s became overdue (%(amount)s yuan unpaid, the oldest %(days)d days). "
                "Pay the undisputed amounts: a payment still overdue %(limit)d days after this reminder is proposed "
                "as a breach record."
            )
            % {
                "count": row["count"],
                "agency": agency.name,
                "amount": row["amount"],
                "days": row["oldest"],
                "limit": limit,
            },
            link=reverse("sectors:procurement_ledger") + f"?agency={agency.pk}",
            agencies=[agency],
        )
    return fresh.update(reminded_on=today)


def _propose_overdue_breaches(today: datetime.date) -> int:
    limit = today - datetime.timedelta(days=int(settings.SME_ARREARS_BREACH_AFTER_DAYS))
    waiting = (
        PaymentObligation.objects.filter(status=S.OVERDUE, reminded_on__lte=limit, breach_record__isnull=True)
        .values_list("pk", flat=True)
        .order_by("pk")
    )
    proposed = 0
    for pk in list(waiting):
        with transaction.atomic():
            obligation = (
                PaymentObligation.objects.select_for_update(of=("self",))
                .select_related("contract", "contract__agency", "contract__responsible_person")
                .get(pk=pk)
            )
            if obligation.status != S.OVERDUE or obligation.breach_record_id is not None:
                continue
            assert obligation.reminded_on is not None
            _propose_breach(
                obligation,
                actor=None,
                reason=_("Still unpaid %(days)d days after the reminder of %(date)s.")
                % {"days": int(settings.SME_ARREARS_BREACH_AFTER_DAYS), "date": obligation.reminded_on.isoformat()},
            )
            proposed += 1
    return proposed


def _propose_breach(obligation: PaymentObligation, *, actor: User | None, reason: str) -> None:
    contract = obligation.contract
    agency = contract.agency
    office = (
        actor.agency
        if actor is not None and actor.agency is not None and actor.role == Role.CREDIT_OFFICE
        else credit_office_over(agency)
    )
    responsible: list[tuple[CivilServant, str]] = []
    principal = principals([agency.pk]).first()
    if principal is not None:
        responsible.append((principal, ResponsibilityKind.PRINCIPAL.value))
    person = contract.responsible_person
    if person is not None and (principal is None or person.pk != principal.pk):
        responsible.append((person, ResponsibilityKind.DIRECT.value))
    data = RecordInput(
        subject_agency=agency,
        source=RecordSource.BREACH_OF_CONTRACT,
        sector=SECTOR,
        severity=Severity.GENERAL,
        document_number=_("Arrears of contract %(number)s, %(label)s")
        % {"number": contract.number, "label": obligation.label},
        deciding_body_name=office.name,
        deciding_body_uscc=office.uscc,
        deciding_agency=office,
        decision_date=timezone.localdate(),
        facts=_(
            "%(agency)s has not paid %(supplier)s %(unpaid)s yuan of the undisputed amount due on %(due)s under "
            "contract %(number)s (%(subject)s): %(days)d days overdue, overdue interest %(interest)s yuan. %(reason)s"
        )
        % {
            "agency": agency.name,
            "supplier": contract.supplier_name,
            "unpaid": obligation.undisputed_unpaid,
            "due": obligation.due_on.isoformat() if obligation.due_on else "",
            "number": contract.number,
            "subject": contract.subject,
            "days": obligation.overdue_days,
            "interest": obligation.interest,
            "reason": reason,
        },
        legal_basis=_("保障中小企业款项支付条例 (国务院令第802号) arts. 9 and 17; the contract."),
        data_source_agency=agency,
        responsible=responsible,
    )
    record = record_candidate_propose(
        origin=obligation,
        origin_label=_("Payment %(label)s of contract %(number)s")
        % {"label": obligation.label, "number": contract.number},
        data=data,
        actor=actor,
        reason=reason,
    )
    if obligation.breach_record_id != record.pk:
        PaymentObligation.objects.filter(pk=obligation.pk).update(breach_record=record)
        obligation.breach_record = record
        _event(
            contract,
            ProcurementEventKind.BREACH_PROPOSED,
            actor,
            obligation=obligation,
            note=record.document_number,
            changes={"record": record.pk},
        )


def obligation_complaint_confirm(
    *, actor: User, obligation: PaymentObligation, complaint: str, note: str
) -> PaymentObligation:
    """The procurement authority or the credit office confirms a supplier's complaint of non-payment: the candidate
    record is proposed at once, without waiting for the reminder's deadline."""
    contract = obligation.contract
    if not may_verify_sector_data(actor, SECTOR, contract.agency):
        raise NotAllowed(_("Only the procurement authority or the credit office may confirm a complaint."))
    errors: dict[str, list[str]] = {}
    if not complaint.strip():
        errors["complaint"] = [_("Give the complaint's number or describe it.")]
    if not note.strip():
        errors["note"] = [_("Say what the check of the complaint found.")]
    if errors:
        raise DomainError.of_fields(errors)
    with transaction.atomic():
        _recompute(PaymentObligation.objects.filter(pk=obligation.pk), timezone.localdate())
        obligation = (
            PaymentObligation.objects.select_for_update(of=("self",))
            .select_related("contract", "contract__agency", "contract__responsible_person")
            .get(pk=obligation.pk)
        )
        if obligation.status != S.OVERDUE:
            raise DomainError(
                _("This payment is not overdue: no undisputed amount is unpaid past its legal due date."),
                code="not_overdue",
            )
        reason = _("Complaint %(complaint)s confirmed: %(note)s") % {
            "complaint": complaint.strip(),
            "note": note.strip(),
        }
        _event(contract, ProcurementEventKind.COMPLAINT_CONFIRMED, actor, obligation=obligation, note=reason)
        _propose_breach(obligation, actor=actor, reason=reason)
    return obligation


# The arrears ledger and the yearly disclosure -----------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerRow:
    agency_id: int
    agency_name: str
    count: int
    amount: Decimal
    oldest_days: int
    interest: Decimal


@dataclass(frozen=True)
class Ledger:
    rows: list[LedgerRow]
    count: int
    amount: Decimal
    oldest_days: int
    interest: Decimal


def arrears_ledger(*, under: Agency, own_only: bool = False) -> Ledger:
    """The arrears ledger of an agency (own_only) or of its whole subtree (a district): one GROUP BY query."""
    rows = PaymentObligation.objects.filter(agency=under) if own_only else PaymentObligation.objects.in_subtree(under)
    found = [
        LedgerRow(
            agency_id=row["agency_id"],
            agency_name=row["agency__name"],
            count=row["count"],
            amount=row["amount"],
            oldest_days=row["oldest_days"] or 0,
            interest=row["interest"],
        )
        for row in rows.ledger()
    ]
    return Ledger(
        rows=found,
        count=sum(row.count for row in found),
        amount=sum((row.amount for row in found), ZERO),
        oldest_days=max((row.oldest_days for row in found), default=0),
        interest=sum((row.interest for row in found), ZERO),
    )


def year_end_arrears(*, agency: Agency, year: int) -> dict[str, Any]:
    """The payments to SMEs of `agency` overdue and unpaid at the end of `year` (31 December), from the payments
    dated by then: one aggregate query."""
    end = datetime.date(year, 12, 31)
    paid_by_then = Subquery(
        Payment.objects.filter(obligation=OuterRef("pk"), paid_on__lte=end)
        .order_by()
        .values("obligation")
        .annotate(total=Sum("amount"))
        .values("total"),
        output_field=MONEY,
    )
    unpaid = ExpressionWrapper(
        F("amount") - F("disputed_amount") - Coalesce(paid_by_then, Value(ZERO, output_field=MONEY)),
        output_field=MONEY,
    )
    days = DaysBetween(Value(end, output_field=DateField()), F("due_on"))
    rows = (
        PaymentObligation.objects.filter(agency=agency, is_sme=True, due_on__lt=end, delivered_on__lte=end)
        .annotate(year_end_unpaid=unpaid, year_end_days=days)
        .filter(year_end_unpaid__gt=0)
    )
    return rows.aggregate(
        contract_count=Count("contract", distinct=True),
        obligation_count=Count("pk"),
        amount=Coalesce(Sum("year_end_unpaid"), Value(ZERO, output_field=MONEY)),
        oldest_days=Coalesce(Max("year_end_days"), Value(0)),
        interest=Coalesce(
            Sum(
                Round(
                    ExpressionWrapper(F("year_end_unpaid") * F("daily_rate") * F("year_end_days"), output_field=MONEY),
                    2,
                )
            ),
            Value(ZERO, output_field=MONEY),
        ),
    )


def disclosure_generate(*, actor: User, agency: Agency, year: int) -> OverdueDisclosure:
    """Generates (or regenerates, while unpublished) the agency's statement of payments to SMEs overdue and unpaid
    at the end of `year` (保障中小企业款项支付条例: published by 31 March of the next year)."""
    _require_entry(actor, agency)
    today = timezone.localdate()
    if not 2000 <= year < today.year:
        raise DomainError(_("Choose a past year: the statement covers a year that has ended."), field="year")
    figures = year_end_arrears(agency=agency, year=year)
    with transaction.atomic():
        existing = OverdueDisclosure.objects.select_for_update().filter(agency=agency, year=year).first()
        if existing is not None and existing.published_at is not None:
            raise DomainError(
                _("The statement of %(year)d is published and no longer changes.") % {"year": year},
                code="illegal_transition",
            )
        values = {**figures, "generated_at": timezone.now(), "generated_by": actor}
        if existing is None:
            return OverdueDisclosure.objects.create(agency=agency, year=year, **values)
        for name, value in values.items():
            setattr(existing, name, value)
        existing.save()
        return existing


def disclosure_payload(disclosure: OverdueDisclosure) -> dict[str, Any]:
    return {
        "agency_name": disclosure.agency.name,
        "agency_uscc": disclosure.agency.uscc,
        "year": disclosure.year,
        "contract_count": disclosure.contract_count,
        "obligation_count": disclosure.obligation_count,
        "amount": str(disclosure.amount),
        "interest": str(disclosure.interest),
        "oldest_days": disclosure.oldest_days,
        "published_at": disclosure.published_at.isoformat() if disclosure.published_at else None,
    }


def disclosure_publish(*, actor: User, disclosure: OverdueDisclosure) -> OverdueDisclosure:
    """Publishes the statement: the public sees it, the platform hears of it."""
    _require_entry(actor, disclosure.agency)
    with transaction.atomic():
        disclosure = OverdueDisclosure.objects.select_for_update().select_related("agency").get(pk=disclosure.pk)
        if disclosure.published_at is not None:
            raise DomainError(_("The statement is already published."), code="illegal_transition")
        disclosure.published_at = timezone.now()
        disclosure.save(update_fields=["published_at"])
        outbox_emit(
            kind=DISCLOSURE_KIND,
            obj=disclosure,
            version=disclosure.version,
            change_type=ChangeType.PUBLISHED,
            payload=disclosure_payload(disclosure),
            agency=disclosure.agency,
        )
        transaction.on_commit(public_changed.announce, robust=True)
    return disclosure


# The supplier blacklist ---------------------------------------------------------------------------------------------


@dataclass
class BanInput:
    decided_by: Agency
    supplier_name: str
    supplier_uscc: str
    document_number: str
    facts: str
    basis: str
    years: int | None
    starts_on: datetime.date | None


def ban_ends_on(starts_on: datetime.date, years: int) -> datetime.date:
    """The last day of a ban of `years` years from `starts_on` (a 29 February start ends on 28 February)."""
    try:
        end = starts_on.replace(year=starts_on.year + years)
    except ValueError:
        end = starts_on.replace(year=starts_on.year + years, day=28)
    return end - datetime.timedelta(days=1)


def supplier_ban_create(*, actor: User, data: BanInput) -> SupplierBan:
    """The finance bureau bars a supplier from government procurement for one to three years; public while in
    force."""
    if not may_enter_sector_data(actor, SECTOR, data.decided_by):
        raise NotAllowed(_("You may not enter bans for this finance bureau."))
    _refuse(rules.ban_problems(_values(data)))
    assert data.years is not None and data.starts_on is not None
    with transaction.atomic():
        ban = SupplierBan.objects.create(
            decided_by=data.decided_by,
            supplier_name=data.supplier_name.strip(),
            supplier_uscc=normalize_uscc(data.supplier_uscc),
            document_number=data.document_number.strip(),
            facts=data.facts.strip(),
            basis=data.basis.strip(),
            years=data.years,
            starts_on=data.starts_on,
            ends_on=ban_ends_on(data.starts_on, data.years),
            created_by=actor,
        )
        transaction.on_commit(public_changed.announce, robust=True)
    return ban


def supplier_ban_revoke(*, actor: User, ban: SupplierBan, reason: str) -> SupplierBan:
    if not may_enter_sector_data(actor, SECTOR, ban.decided_by):
        raise NotAllowed(_("You may not revoke bans of this finance bureau."))
    if not reason.strip():
        raise DomainError(_("Say why the ban is revoked."), field="reason")
    with transaction.atomic():
        ban = SupplierBan.objects.select_for_update().get(pk=ban.pk)
        if ban.revoked_at is not None:
            raise DomainError(_("The ban is already revoked."), code="illegal_transition")
        ban.revoked_at = timezone.now()
        ban.revoke_reason = reason.strip()
        ban.save(update_fields=["revoked_at", "revoke_reason"])
        transaction.on_commit(public_changed.announce, robust=True)
    return ban
