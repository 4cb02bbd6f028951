"""The rules a commitment's input obeys, written once for the form, the API and the Excel import (as records/rules.py
does for records): each reads its input its own way, then holds it to `commitment_problems`, which reports every
problem at once in the words here; the services check again before anything is written."""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from commitments.models import ChangeGround, CommitmentKind, ServiceArea
from subjects.codes import validate_uscc

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as LazyText
else:
    from django.utils.functional import Promise as LazyText


@dataclass(frozen=True)
class Problem:
    field: str
    code: str
    message: str


REQUIRED: dict[str, "LazyText"] = {
    "agency": _("Name the promising agency."),
    "kind": _("Choose a kind from the list."),
    "title": _("Give the commitment a title."),
    "content": _("Say what is promised."),
    "source_document_number": _("Give the number of the document that made the promise."),
    "source_date": _("Give the date of that document."),
    "promised_on": _("Give the date of the promise."),
    "due_on": _("Give the due date."),
    "liability": _("Say what liability breaking the promise carries."),
    "year": _("Give the year."),
}
LIMITS: dict[str, int] = {
    "title": 200,
    "content": 5000,
    "liability": 2000,
    "unit": 20,
    "recurring_standard": 200,
    "source_document_number": 100,
    "counterparty_name": 200,
    "source_url": 200,
}
CHOICES: dict[str, Iterable[str]] = {"kind": CommitmentKind.values, "service_area": ServiceArea.values}
NOT_A_CHOICE: dict[str, "LazyText"] = {
    "kind": REQUIRED["kind"],
    "service_area": _("Choose a service area from the list."),
}
OTHER: dict[str, "LazyText"] = {
    "target": _("Give a measurable target (a target value) or a recurring standard."),
    "due_before_promise": _("The due date cannot be before the date of the promise."),
    "service_area_needed": _("Choose the service area of a sub-district or town commitment."),
    "service_area_only_towns": _("Only a sub-district or town public-service commitment has a service area."),
    "counterparty_code": _("Name the counterparty whose code is given."),
    "amount": _("Enter a number."),
    "year_range": _("Give a year between 2000 and 2100."),
    "year_of_due": _("The year is the year the commitment is due or the year before."),
    "person_elsewhere": _("The responsible person must work in the promising agency."),
}


def too_long_message(limit: int) -> str:
    return str(_("At most %(limit)d characters.") % {"limit": limit})


def error_messages(name: str) -> dict[str, Any]:
    """The rules' messages under the keys Django's form fields and DRF's serializer fields raise, for the field that
    reads input `name`: a value refused while it is parsed reads as the rules would refuse it."""
    messages: dict[str, Any] = {}
    if name in REQUIRED:
        messages.update(required=REQUIRED[name], blank=REQUIRED[name], null=REQUIRED[name])
    if name in LIMITS:
        # Lazy: fields are built at import time, the message is read in the request's language.
        messages["max_length"] = lazy(too_long_message, str)(LIMITS[name])
    if name in NOT_A_CHOICE:
        messages["invalid_choice"] = NOT_A_CHOICE[name]
    if name in ("baseline", "target_value"):
        messages["invalid"] = OTHER["amount"]
    if name == "year":
        messages.update(min_value=OTHER["year_range"], max_value=OTHER["year_range"])
    return messages


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def commitment_problems(values: Mapping[str, Any]) -> list[Problem]:
    """Every rule the values of one commitment break (CommitmentInput's field names). A rule whose inputs are missing
    from `values` is skipped, so a form that could read only some of its fields still hears of every other problem."""
    problems: list[Problem] = []

    def add(field: str, code: str, message: Any) -> None:
        problems.append(Problem(field, code, str(message)))

    for name, message in REQUIRED.items():
        if name in values and _blank(values[name]):
            add(name, "required", message)
    for name, limit in LIMITS.items():
        text = values.get(name)
        if isinstance(text, str) and len(text) > limit:
            add(name, "too_long", too_long_message(limit))
    for name, allowed in CHOICES.items():
        value = values.get(name)
        if isinstance(value, str) and value and value not in allowed:
            add(name, "invalid_choice", NOT_A_CHOICE[name])
    kind, area = values.get("kind"), values.get("service_area") or ""
    if kind == CommitmentKind.TOWN_SERVICE and "service_area" in values and not area:
        add("service_area", "required", OTHER["service_area_needed"])
    if kind and kind != CommitmentKind.TOWN_SERVICE and area:
        add("service_area", "invalid", OTHER["service_area_only_towns"])
    has_target = values.get("target_value") is not None or not _blank(values.get("recurring_standard"))
    if "target_value" in values and "recurring_standard" in values and not has_target:
        add("target_value", "required", OTHER["target"])
    for name in ("baseline", "target_value"):
        amount = values.get(name)
        if isinstance(amount, Decimal) and (not amount.is_finite() or abs(amount) >= Decimal("1e12")):
            add(name, "invalid", OTHER["amount"])
    promised, due = values.get("promised_on"), values.get("due_on")
    if isinstance(promised, datetime.date) and isinstance(due, datetime.date) and due < promised:
        add("due_on", "invalid", OTHER["due_before_promise"])
    year = values.get("year")
    if isinstance(year, int):
        if not 2000 <= year <= 2100:
            add("year", "invalid", OTHER["year_range"])
        elif isinstance(due, datetime.date) and year not in (due.year, due.year - 1):
            add("year", "invalid", OTHER["year_of_due"])
    code = values.get("counterparty_uscc") or ""
    if code:
        try:
            validate_uscc(code)
        except ValidationError as exc:
            add("counterparty_uscc", "invalid", exc.messages[0])
        if "counterparty_name" in values and _blank(values["counterparty_name"]):
            add("counterparty_name", "required", OTHER["counterparty_code"])
    agency, person = values.get("agency"), values.get("responsible_person")
    if agency is not None and person is not None and getattr(person, "agency_id", None) != agency.pk:
        add("responsible_person", "invalid", OTHER["person_elsewhere"])
    return problems


def by_field(problems: Iterable[Problem]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for problem in problems:
        errors.setdefault(problem.field, []).append(problem.message)
    return errors


# A lawful change (seed 000 §(十一)) -----------------------------------------------------------------------------

CHANGE_REQUIRED: dict[str, "LazyText"] = {
    "ground": _("Choose the legal ground of the change."),
    "authority": _("Name the authority that decided the change."),
    "description": _("Say what was changed."),
    "legality_review_on": _("Give the date of the legality review."),
    "collective_decision_on": _("Give the date of the collective decision."),
    "published_on": _("Give the date the change was published."),
}


def change_problems(values: Mapping[str, Any], *, has_counterparty: bool, today: datetime.date) -> list[Problem]:
    problems: list[Problem] = []
    for name, message in CHANGE_REQUIRED.items():
        if _blank(values.get(name)):
            problems.append(Problem(name, "required", str(message)))
    ground = values.get("ground")
    if ground and ground not in ChangeGround.values:
        problems.append(
            Problem(
                "ground",
                "invalid_choice",
                str(
                    _(
                        "A change of government, of the responsible person or of the institution is not a ground: "
                        "choose national interest, public interest or another legal ground."
                    )
                ),
            )
        )
    if has_counterparty and values.get("counterparty_notified_on") is None:
        problems.append(
            Problem("counterparty_notified_on", "required", str(_("Give the date the counterparty was notified.")))
        )
    for name in ("legality_review_on", "collective_decision_on", "counterparty_notified_on", "published_on"):
        day = values.get(name)
        if isinstance(day, datetime.date) and day > today:
            problems.append(Problem(name, "future", str(_("The date cannot be in the future."))))
    compensation = values.get("compensation_amount")
    if isinstance(compensation, Decimal) and compensation < 0:
        problems.append(Problem("compensation_amount", "invalid", str(_("The compensation cannot be negative."))))
    return problems
