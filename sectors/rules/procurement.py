"""The rules of procurement contracts and SME payments, written once for the forms, the API and the Excel import: each
reads its input its own way, then holds it to the `*_problems` functions here, which report every problem at once in
these words; the services check again before anything is written. docs/sectors.md#procurement.

The legal due date (`legal_due_date`), from 《保障中小企业款项支付条例》 (2025 text, 国务院令第802号) art. 9 and the
Civil Code arts. 201 and 203:
- the term starts on the day of delivery, or on the day acceptance passed where the contract makes passed acceptance
  the condition of payment; that day is not counted (art. 201), so the last day is start + term;
- an SME's term is the agreed one, at most 60 days (a longer agreed term is flagged unlawful and 60 applies), 30 days
  when the contract is silent; a large enterprise's is the agreed term, 30 days when silent, without a cap;
- a last day that is a statutory rest day (a weekend or holiday of the working-day calendar) moves to the next working
  day (art. 203: 期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日).
"""

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from sectors.models.procurement import EnterpriseSize, SupplierGrade
from subjects.codes import validate_uscc
from workcalendar.workdays import is_working_day

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as LazyText
else:
    from django.utils.functional import Promise as LazyText

SME_MAX_TERM_DAYS = 60
SILENT_TERM_DAYS = 30
MAX_AMOUNT = Decimal("1e13")
ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class DueDate:
    starts_on: datetime.date
    term_days: int
    # The agreed term was longer than an SME's legal limit: the limit applied.
    term_unlawful: bool
    due_on: datetime.date
    # The last day of the term when it fell on a statutory rest day and moved (Civil Code art. 203); else None.
    moved_from: datetime.date | None


def applied_term(*, agreed_term_days: int | None, sme: bool) -> tuple[int, bool]:
    """The term in days that applies, and whether the agreed one was unlawful (too long for an SME)."""
    if agreed_term_days is None:
        return SILENT_TERM_DAYS, False
    if sme and agreed_term_days > SME_MAX_TERM_DAYS:
        return SME_MAX_TERM_DAYS, True
    return agreed_term_days, False


def legal_due_date(
    *,
    delivered_on: datetime.date,
    accepted_on: datetime.date | None,
    acceptance_conditions_payment: bool,
    agreed_term_days: int | None,
    sme: bool,
    working_day: Callable[[datetime.date], bool] = is_working_day,
) -> DueDate | None:
    """The legal due date of a payment (module docstring); None while acceptance, the condition of payment, has not
    passed. `working_day` is the calendar's (a bulk writer passes a cached one)."""
    if acceptance_conditions_payment:
        if accepted_on is None:
            return None
        start = accepted_on
    else:
        start = delivered_on
    term, unlawful = applied_term(agreed_term_days=agreed_term_days, sme=sme)
    last = start + datetime.timedelta(days=term)
    due = last
    while not working_day(due):
        due += ONE_DAY
    return DueDate(
        starts_on=start, term_days=term, term_unlawful=unlawful, due_on=due, moved_from=last if due != last else None
    )


def default_daily_rate() -> Decimal:
    return Decimal(str(settings.SME_PAYMENT_DEFAULT_DAILY_RATE))


def applied_daily_rate(*, agreed: Decimal | None, sme: bool) -> Decimal:
    """The agreed overdue interest; where none was agreed, the statutory default for an SME and none for a large
    enterprise (the regulation's default protects SMEs only)."""
    if agreed is not None:
        return agreed
    return default_daily_rate() if sme else Decimal("0")


def interest_for(amount: Decimal, rate: Decimal, days: int) -> Decimal:
    """Simple daily interest on `amount` for `days`, to the fen."""
    if days <= 0 or amount <= 0:
        return Decimal("0.00")
    return (amount * rate * days).quantize(Decimal("0.01"))


# Input rules --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    field: str
    code: str
    message: str


CONTRACT_REQUIRED: dict[str, "LazyText"] = {
    "agency": _("Name the purchasing agency."),
    "number": _("Give the contract number."),
    "supplier_name": _("Name the supplier."),
    "supplier_uscc": _("Give the supplier's Unified Social Credit Code."),
    "supplier_size": _("Choose the supplier's size at signing."),
    "subject": _("Say what the contract buys."),
    "amount": _("Give the contract amount."),
    "signed_on": _("Give the date the contract was signed."),
}
OBLIGATION_REQUIRED: dict[str, "LazyText"] = {
    "label": _("Name the instalment."),
    "amount": _("Give the amount due."),
    "delivered_on": _("Give the date of delivery."),
}
BAN_REQUIRED: dict[str, "LazyText"] = {
    "decided_by": _("Name the finance bureau that decided the ban."),
    "supplier_name": _("Name the supplier."),
    "supplier_uscc": _("Give the supplier's Unified Social Credit Code."),
    "document_number": _("Give the number of the decision."),
    "facts": _("Give the facts."),
    "basis": _("Give the legal basis."),
    "years": _("Give the length of the ban in years."),
    "starts_on": _("Give the date the ban starts."),
}
LIMITS: dict[str, int] = {
    "number": 60,
    "supplier_name": 200,
    "subject": 300,
    "label": 100,
    "document_number": 100,
    "note": 200,
}
MESSAGES: dict[str, "LazyText"] = {
    "amount": _("Give an amount above zero, in yuan with at most two decimals."),
    "size": _("Choose micro, small, medium or large."),
    "term": _("Give the term as a whole number of days from 0 to 3650, or leave it empty if the contract is silent."),
    "rate": _("Give the daily rate as a fraction above 0 and below 0.01 (0.0005 is 0.05% a day)."),
    "signed_future": _("The contract cannot be signed after today."),
    "delivered_future": _("Delivery cannot be after today."),
    "delivered_before_signing": _("Delivery cannot be before the contract was signed."),
    "accepted_before_delivery": _("Acceptance cannot pass before delivery."),
    "accepted_future": _("Acceptance cannot pass after today."),
    "person_elsewhere": _("The responsible person must be a civil servant of the purchasing agency."),
    "disputed_range": _("The disputed amount must be between zero and the amount due."),
    "paid_future": _("A payment cannot be dated after today."),
    "paid_before_delivery": _("A payment cannot be dated before delivery."),
    "paid_too_much": _("The payment is more than what is still unpaid (%(unpaid)s yuan)."),
    "paid_out_of_order": _("Enter payments in date order: the last one is dated %(date)s."),
    "years": _("A ban lasts one, two or three years."),
    "score": _("Give a score from 0 to 100."),
    "grade": _("Choose a grade from the list."),
}


def too_long(limit: int) -> str:
    return str(_("At most %(limit)d characters.") % {"limit": limit})


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _check_common(values: Mapping[str, Any], required: Mapping[str, "LazyText"], add: Any) -> None:
    for name, message in required.items():
        if name in values and _blank(values[name]):
            add(name, "required", message)
    for name, limit in LIMITS.items():
        text = values.get(name)
        if isinstance(text, str) and len(text.strip()) > limit:
            add(name, "too_long", too_long(limit))
    code = values.get("supplier_uscc")
    if isinstance(code, str) and code.strip():
        try:
            validate_uscc(code)
        except ValidationError as exc:
            add("supplier_uscc", "invalid", exc.messages[0])


def _amount_ok(value: Any) -> bool:
    return (
        isinstance(value, Decimal)
        and value.is_finite()
        and Decimal("0") < value < MAX_AMOUNT
        and value == value.quantize(Decimal("0.01"))
    )


def contract_problems(values: Mapping[str, Any], *, today: datetime.date) -> list[Problem]:
    """Every rule one contract's values break (ContractInput's field names); a rule whose inputs are missing is
    skipped."""
    problems: list[Problem] = []

    def add(field: str, code: str, message: Any) -> None:
        problems.append(Problem(field, code, str(message)))

    _check_common(values, CONTRACT_REQUIRED, add)
    size = values.get("supplier_size")
    if isinstance(size, str) and size and size not in EnterpriseSize.values:
        add("supplier_size", "invalid_choice", MESSAGES["size"])
    amount = values.get("amount")
    if amount is not None and not _amount_ok(amount):
        add("amount", "invalid", MESSAGES["amount"])
    term = values.get("agreed_term_days")
    if term is not None and not (isinstance(term, int) and 0 <= term <= 3650):
        add("agreed_term_days", "invalid", MESSAGES["term"])
    rate = values.get("agreed_daily_rate")
    if rate is not None and not (
        isinstance(rate, Decimal) and rate.is_finite() and Decimal("0") < rate < Decimal("0.01")
    ):
        add("agreed_daily_rate", "invalid", MESSAGES["rate"])
    signed = values.get("signed_on")
    if isinstance(signed, datetime.date) and signed > today:
        add("signed_on", "invalid", MESSAGES["signed_future"])
    person, agency = values.get("responsible_person"), values.get("agency")
    if person is not None and agency is not None and person.agency_id != agency.pk:
        add("responsible_person", "invalid", MESSAGES["person_elsewhere"])
    return problems


def obligation_problems(
    values: Mapping[str, Any], *, signed_on: datetime.date | None, today: datetime.date, paid: Decimal = Decimal("0")
) -> list[Problem]:
    """Every rule one payment obligation's values break (ObligationInput's field names)."""
    problems: list[Problem] = []

    def add(field: str, code: str, message: Any) -> None:
        problems.append(Problem(field, code, str(message)))

    _check_common(values, OBLIGATION_REQUIRED, add)
    amount = values.get("amount")
    if amount is not None and not _amount_ok(amount):
        add("amount", "invalid", MESSAGES["amount"])
    term = values.get("agreed_term_days")
    if term is not None and not (isinstance(term, int) and 0 <= term <= 3650):
        add("agreed_term_days", "invalid", MESSAGES["term"])
    delivered, accepted = values.get("delivered_on"), values.get("accepted_on")
    if isinstance(delivered, datetime.date):
        if delivered > today:
            add("delivered_on", "invalid", MESSAGES["delivered_future"])
        if signed_on is not None and delivered < signed_on:
            add("delivered_on", "invalid", MESSAGES["delivered_before_signing"])
    if isinstance(accepted, datetime.date):
        if isinstance(delivered, datetime.date) and accepted < delivered:
            add("accepted_on", "invalid", MESSAGES["accepted_before_delivery"])
        if accepted > today:
            add("accepted_on", "invalid", MESSAGES["accepted_future"])
    disputed = values.get("disputed_amount")
    disputed_ok = (
        isinstance(disputed, Decimal) and disputed.is_finite() and Decimal("0") <= disputed <= (amount or Decimal(0))
    )
    if disputed is not None and isinstance(amount, Decimal) and _amount_ok(amount) and not disputed_ok:
        add("disputed_amount", "invalid", MESSAGES["disputed_range"])
    if isinstance(amount, Decimal) and _amount_ok(amount) and amount < paid:
        add("amount", "invalid", MESSAGES["paid_too_much"] % {"unpaid": paid})
    return problems


def payment_problems(
    values: Mapping[str, Any],
    *,
    delivered_on: datetime.date,
    unpaid: Decimal,
    last_paid_on: datetime.date | None,
    today: datetime.date,
) -> list[Problem]:
    problems: list[Problem] = []

    def add(field: str, code: str, message: Any) -> None:
        problems.append(Problem(field, code, str(message)))

    amount, paid_on = values.get("amount"), values.get("paid_on")
    if amount is None:
        add("amount", "required", _("Give the amount paid."))
    elif not _amount_ok(amount):
        add("amount", "invalid", MESSAGES["amount"])
    elif amount > unpaid:
        add("amount", "invalid", MESSAGES["paid_too_much"] % {"unpaid": unpaid})
    if paid_on is None:
        add("paid_on", "required", _("Give the date of the payment."))
    elif isinstance(paid_on, datetime.date):
        if paid_on > today:
            add("paid_on", "invalid", MESSAGES["paid_future"])
        elif paid_on < delivered_on:
            add("paid_on", "invalid", MESSAGES["paid_before_delivery"])
        elif last_paid_on is not None and paid_on < last_paid_on:
            add("paid_on", "invalid", MESSAGES["paid_out_of_order"] % {"date": last_paid_on.isoformat()})
    note = values.get("note")
    if isinstance(note, str) and len(note) > LIMITS["note"]:
        add("note", "too_long", too_long(LIMITS["note"]))
    return problems


def ban_problems(values: Mapping[str, Any]) -> list[Problem]:
    problems: list[Problem] = []

    def add(field: str, code: str, message: Any) -> None:
        problems.append(Problem(field, code, str(message)))

    _check_common(values, BAN_REQUIRED, add)
    years = values.get("years")
    if years is not None and years not in (1, 2, 3):
        add("years", "invalid", MESSAGES["years"])
    return problems


def evaluation_problems(values: Mapping[str, Any], *, today: datetime.date) -> list[Problem]:
    problems: list[Problem] = []

    def add(field: str, code: str, message: Any) -> None:
        problems.append(Problem(field, code, str(message)))

    score = values.get("score")
    if score is None or not (isinstance(score, int) and 0 <= score <= 100):
        add("score", "invalid", MESSAGES["score"])
    if values.get("grade") not in SupplierGrade.values:
        add("grade", "invalid_choice", MESSAGES["grade"])
    day = values.get("evaluated_on")
    if day is None:
        add("evaluated_on", "required", _("Give the date of the evaluation."))
    elif day > today:
        add("evaluated_on", "invalid", _("The evaluation cannot be dated after today."))
    return problems


def by_field(problems: Iterable[Problem]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for problem in problems:
        errors.setdefault(problem.field, []).append(problem.message)
    return errors
