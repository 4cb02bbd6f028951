"""The rules a dishonesty record's input obeys, written once for every way a record comes in.

The staff form (records/forms.py), the API (records/api/dishonesty.py) and the Excel import (records/excel/rows.py)
each read their input their own way — a form field, a JSON value, a spreadsheet cell — and then hold it to the rules
here, with the messages here; the services check again (`record_input_check`) before anything is written. The same
bad value is refused in the same words wherever it was typed, and every problem of an input is reported at once.

- Value rules (`required`, `too_long`, `choice_problem`, `amount_problem`, `decision_date_problem`, `code_problem`)
  look at one value and need no database. `error_messages` hands their messages to form and serializer fields, so a
  value a field refuses while parsing reads the same as one a rule refuses.
- Look-ups (`numbers_taken`, `DisclosureRules`, `agencies_by_code`, `principals_of`) read the database for many
  records at once: the Excel import asks them once per chunk of rows, a form or an API call for its one record.
- `record_problems` holds one record's values to all of them; `principal_to_add` says whom a record holds liable
  besides those it lists (惩戒到人), for the services and the Excel writer alike.
"""

import datetime
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Sector
from records.disclosure import Window, no_rule_message, rule_in_force_among, window_of
from records.models import (
    TEXT_LIMITS,
    DisclosureRule,
    DishonestyRecord,
    RecordSource,
    RecordStatus,
    ResponsibilityKind,
    Severity,
    SpecialField,
)
from subjects.codes import normalize_uscc, validate_uscc
from subjects.models import Agency, CivilServant

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as LazyText
else:
    from django.utils.functional import Promise as LazyText


@dataclass(frozen=True)
class Problem:
    """A rule a value breaks: the input field (RecordInput's name), a code for programs, the message for people."""

    field: str
    code: str
    message: str


# Messages ---------------------------------------------------------------------------------------------------------

REQUIRED: dict[str, LazyText] = {
    "subject_agency": _("Name the agency the record is about."),
    "data_source_agency": _("Name the agency supplying the record."),
    "source": _("Choose a source from the list."),
    "sector": _("Choose a sector from the list."),
    "severity": _("Choose minor, general or serious."),
    "document_number": _("The document number is required."),
    "deciding_body_name": _("Name the deciding body."),
    "deciding_body_uscc": _("Give the deciding body's Unified Social Credit Code."),
    "decision_date": _("Give the decision date."),
    "facts": _("Describe the facts."),
    "legal_basis": _("Give the legal basis."),
}
# An input that is not in the template's or the form's list reads like one left empty: choose from the list.
NOT_A_CHOICE: dict[str, LazyText] = {
    "source": REQUIRED["source"],
    "sector": REQUIRED["sector"],
    "severity": REQUIRED["severity"],
    "special_field": _("Choose a special field from the list."),
}
REQUIRED_ELSEWHERE = _("This column is required.")  # what the Excel template asks beyond the record's own fields
# The parameters are those Django's MaxLengthValidator passes, so a form or serializer field can use it as it is.
TOO_LONG = _("At most %(limit_value)d characters; this has %(show_value)d.")
NOT_A_DATE = _("Enter a date such as 2026-06-01.")
IN_THE_FUTURE = _("The decision date cannot be in the future.")
NOT_AN_AMOUNT = _("Enter a number (in units of 10,000 yuan).")
NEGATIVE_AMOUNT = _("Amounts cannot be negative.")
AMOUNT_TOO_LARGE = _("The amount is too large (in units of 10,000 yuan).")
AMOUNT_TOO_PRECISE = _("At most 6 decimal places (in units of 10,000 yuan, that is to the fen).")
NUMBER_TAKEN = _("A record with this document number from the same deciding body already exists.")
AGENCY_NOT_FOUND = _("No agency in your reach matches “%(text)s”.")
PERSON_ELSEWHERE = _("The civil servant does not work in the subject agency.")
KIND_MISSING = _("Choose the kind of responsibility.")
LISTED_TWICE = _("A person is listed twice among the responsible persons.")


# What each field takes ---------------------------------------------------------------------------------------------

CHOICES: dict[str, list[str]] = {
    "source": RecordSource.values,
    "sector": Sector.values,
    "severity": Severity.values,
    "special_field": SpecialField.values,
}
# The longest text of each field: the national data items' lengths for the text the platform receives
# (records.models.TEXT_LIMITS), the columns' for the rest.
MAX_LENGTHS: dict[str, int] = {
    **{
        name: int(getattr(DishonestyRecord._meta.get_field(name), "max_length", 0))
        for name in ("document_number", "deciding_body_name", "categories")
    },
    **TEXT_LIMITS,
}
AMOUNT_FIELDS = ("fine_amount", "other_amount")
_AMOUNT = DishonestyRecord._meta.get_field("fine_amount")
AMOUNT_PLACES = int(getattr(_AMOUNT, "decimal_places", 6))
AMOUNT_MAX_DIGITS = int(getattr(_AMOUNT, "max_digits", 14))
AMOUNT_LIMIT = Decimal(10) ** (AMOUNT_MAX_DIGITS - AMOUNT_PLACES)  # exclusive: 10^8 万元
AMOUNT_QUANTUM = Decimal(1).scaleb(-AMOUNT_PLACES)
# Text the rules insist on; the deciding body's name and code only when no registered deciding agency names it.
REQUIRED_TEXT = ("document_number", "deciding_body_name", "deciding_body_uscc", "facts", "legal_basis")


def error_messages(name: str) -> dict[str, str | LazyText]:
    """The rules' messages under the keys Django's form fields and DRF's serializer fields raise, for the field that
    reads input `name`: a value refused while it is parsed reads as the rules would refuse it."""
    messages: dict[str, str | LazyText] = {"max_length": TOO_LONG}
    if name in REQUIRED:
        messages.update(required=REQUIRED[name], blank=REQUIRED[name], null=REQUIRED[name])
    if name in NOT_A_CHOICE:
        messages["invalid_choice"] = NOT_A_CHOICE[name]
    if name == "decision_date":
        messages.update(invalid=NOT_A_DATE, datetime=NOT_A_DATE)
    if name in AMOUNT_FIELDS:
        messages.update(invalid=NOT_AN_AMOUNT, max_string_length=AMOUNT_TOO_LARGE)
    if name in ("subject_agency", "data_source_agency", "deciding_agency"):
        messages["not_found"] = AGENCY_NOT_FOUND
    return messages


# Value rules --------------------------------------------------------------------------------------------------------


def required(name: str) -> Problem:
    return Problem(name, "required", str(REQUIRED.get(name, REQUIRED_ELSEWHERE)))


def too_long(name: str, text: str) -> Problem | None:
    limit = MAX_LENGTHS.get(name)
    return None if limit is None or len(text) <= limit else over_limit(name, len(text), limit)


def over_limit(name: str, length: int, limit: int) -> Problem:
    return Problem(name, "too_long", str(TOO_LONG) % {"limit_value": limit, "show_value": length})


def not_a_choice(name: str) -> Problem:
    return Problem(name, "invalid_choice", str(NOT_A_CHOICE[name]))


def choice_problem(name: str, value: str) -> Problem | None:
    return None if value in CHOICES[name] else not_a_choice(name)


def not_a_date(name: str = "decision_date") -> Problem:
    return Problem(name, "invalid_date", str(NOT_A_DATE))


def decision_date_problem(day: datetime.date, today: datetime.date) -> Problem | None:
    return Problem("decision_date", "future_date", str(IN_THE_FUTURE)) if day > today else None


def not_an_amount(name: str) -> Problem:
    return Problem(name, "invalid_amount", str(NOT_AN_AMOUNT))


def amount_problem(name: str, amount: Decimal | float | int) -> Problem | None:
    """An amount in 10,000 yuan (万元): not negative, below 10^8 and to the fen (six places), as the column holds."""
    if not isinstance(amount, Decimal):
        amount = Decimal(str(amount))  # a number handed to the services directly (1.5 reads as written)
    if not amount.is_finite():
        return not_an_amount(name)
    if amount < 0:
        return Problem(name, "negative_amount", str(NEGATIVE_AMOUNT))
    if amount >= AMOUNT_LIMIT:
        return Problem(name, "invalid_amount", str(AMOUNT_TOO_LARGE))
    if amount != amount.quantize(AMOUNT_QUANTUM):
        return Problem(name, "invalid_amount", str(AMOUNT_TOO_PRECISE))
    return None


def code_problem(name: str, code: str) -> Problem | None:
    """A Unified Social Credit Code (subjects.codes), already normalised."""
    try:
        validate_uscc(code)
    except ValidationError as exc:
        return Problem(name, "invalid_code", str(exc.messages[0]))
    return None


def agency_not_found(name: str, text: object) -> Problem:
    """No agency the input may name answers to `text` (a code, a name or an id): unknown, or outside the reach."""
    return Problem(name, "unknown_agency", str(AGENCY_NOT_FOUND) % {"text": text})


def person_elsewhere() -> Problem:
    return Problem("subject_person", "person_elsewhere", str(PERSON_ELSEWHERE))


def number_taken() -> Problem:
    return Problem("document_number", "duplicate_in_database", str(NUMBER_TAKEN))


def no_disclosure_rule(severity: str, day: datetime.date) -> Problem:
    return Problem("decision_date", "no_disclosure_rule", no_rule_message(severity=severity, decision_date=day))


# Look-ups, many records at a time ---------------------------------------------------------------------------------

# One probe of the partial unique index per (code, number): with an IN list on each column instead, PostgreSQL reads
# every record of the deciding bodies (measured: 0.4 s a chunk of 5,000 rows at 300k records, against 0.05 s).
_TAKEN = (
    "SELECT k.code, k.number FROM unnest(%s::text[], %s::text[]) AS k(code, number), LATERAL (SELECT 1 FROM {table} r "
    "WHERE r.deciding_body_uscc = k.code AND r.document_number = k.number AND NOT r.status = 'revoked' "
    "AND r.id <> %s LIMIT 1) AS hit"
)


def numbers_taken(pairs: Collection[tuple[str, str]], *, record_id: int | None = None) -> set[tuple[str, str]]:
    """The (deciding body's code, document number) pairs a record that is not revoked already uses — record_id's own
    aside — in one query. 文书号 is unique per deciding body; a revoked record frees its number (the model's
    UniqueConstraint record_document_number_unique_per_body)."""
    if not pairs:
        return set()
    if connection.vendor == "postgresql":
        codes, numbers = zip(*pairs, strict=True)
        table = connection.ops.quote_name(DishonestyRecord._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(_TAKEN.format(table=table), [list(codes), list(numbers), record_id or 0])
            return {(code, number) for code, number in cursor.fetchall()}
    found = (
        DishonestyRecord.objects.filter(
            deciding_body_uscc__in={code for code, _n in pairs},
            document_number__in={number for _c, number in pairs},
        )
        .exclude(status=RecordStatus.REVOKED)
        .exclude(pk=record_id or 0)
        .values_list("deciding_body_uscc", "document_number")
    )
    return {pair for pair in found if pair in pairs}


class DisclosureRules:
    """The disclosure rules, read once; `window` is records.disclosure.window_for on them (the same choice,
    rule_in_force_among), remembered by its inputs."""

    def __init__(self) -> None:
        self._rules: dict[str, list[DisclosureRule]] = {}
        for rule in DisclosureRule.objects.order_by("effective_from", "pk"):
            self._rules.setdefault(rule.severity, []).append(rule)
        self._windows: dict[tuple[datetime.date, str, str, str], Window | None] = {}

    def window(self, day: datetime.date, severity: str, source: str, special_field: str) -> Window | None:
        key = (day, severity, source, special_field)
        if key not in self._windows:
            rule = rule_in_force_among(
                self._rules.get(severity, []),
                decision_date=day,
                severity=severity,
                source=source,
                special_field=special_field,
            )
            self._windows[key] = None if rule is None else window_of(rule, day)
        return self._windows[key]


class AgencyRef(NamedTuple):
    id: int
    name: str
    in_reach: bool


def agencies_by_code(codes: Collection[str], *, reach: Q | None = None) -> dict[str, AgencyRef]:
    """The agencies registered with these codes, in one query; `in_reach` says whether each is inside `reach`."""
    if not codes:
        return {}
    scope = ExpressionWrapper(reach if reach is not None else Q(), output_field=BooleanField())
    found = Agency.objects.filter(uscc__in=codes).annotate(in_reach=scope).values_list("uscc", "id", "name", "in_reach")
    return {code: AgencyRef(pk, name, bool(in_reach)) for code, pk, name, in_reach in found}


def registered_agency(code: str) -> Agency | None:
    """The agency registered with `code`: a deciding body registered here is named as registered."""
    return Agency.objects.filter(uscc=code).first()


def principals(agency_ids: Iterable[int]) -> QuerySet[CivilServant]:
    """惩戒到人: the candidates for each agency's principal responsible person (003 §四(八)), the first of each agency
    being the one held liable: its active principal, the earliest registered."""
    return CivilServant.objects.filter(agency_id__in=agency_ids, is_principal=True, active=True).order_by(
        "agency_id", "pk"
    )


def principals_of(agency_ids: Collection[int]) -> dict[int, int]:
    """Agency id → the id of its principal responsible person (principals), for the agencies that have one."""
    found: dict[int, int] = {}
    for agency_id, pk in principals(agency_ids).values_list("agency_id", "pk"):
        found.setdefault(agency_id, pk)
    return found


def principal_to_add(
    *, about_person: bool, responsible: Iterable[tuple[int, str]], principal_id: int | None
) -> int | None:
    """The principal responsible person a record holds liable on top of those listed (person id, kind): for a record
    about an agency that lists no principal, its principal, unless already listed."""
    if about_person or principal_id is None:
        return None
    listed = list(responsible)
    if any(kind == ResponsibilityKind.PRINCIPAL for _pk, kind in listed):
        return None
    return None if principal_id in {pk for pk, _kind in listed} else principal_id


# One record ---------------------------------------------------------------------------------------------------------


def record_problems(
    values: Mapping[str, Any], *, record_id: int | None = None, today: datetime.date | None = None
) -> list[Problem]:
    """Every rule one record's input breaks, all at once.

    `values` holds RecordInput's fields, parsed (agencies and people as instances, dates, Decimals); a rule whose
    input is missing is skipped, so an input that could be read only in part still hears about every rule that part
    breaks. `record_id`: the record being edited, whose own document number is not a repeat.
    """
    today = today or timezone.localdate()
    found: list[Problem | None] = []

    def given(name: str) -> bool:
        return values.get(name) is not None

    for name in CHOICES:
        if given(name):
            found.append(choice_problem(name, values[name]))
    person, agency = values.get("subject_person"), values.get("subject_agency")
    if person is not None and agency is not None and person.agency_id != agency.pk:
        found.append(person_elsewhere())
    deciding_agency = values.get("deciding_agency")
    for name in REQUIRED_TEXT:
        if deciding_agency is not None and name.startswith("deciding_body"):
            continue  # named by the registered agency
        if name in values and not (values[name] or "").strip():
            found.append(required(name))
    for name in MAX_LENGTHS:
        if isinstance(values.get(name), str):
            found.append(too_long(name, values[name]))
    for name in AMOUNT_FIELDS:
        if given(name):
            found.append(amount_problem(name, values[name]))
    day = values.get("decision_date")
    if day is not None:
        date_problem = decision_date_problem(day, today)
        found.append(date_problem)
        severity, source, special_field = values.get("severity"), values.get("source"), values.get("special_field", "")
        if (
            date_problem is None
            and severity in CHOICES["severity"]
            and source in CHOICES["source"]
            and special_field in CHOICES["special_field"]
            and DisclosureRules().window(day, severity, source, special_field) is None
        ):
            found.append(no_disclosure_rule(severity, day))
    code = deciding_agency.uscc if deciding_agency is not None else values.get("deciding_body_uscc")
    number = (values.get("document_number") or "").strip()
    if code and code.strip():
        code = normalize_uscc(code)
        code_refused = code_problem("deciding_body_uscc", code)
        found.append(code_refused)
        if code_refused is None and number and numbers_taken({(code, number)}, record_id=record_id):
            found.append(number_taken())
    responsible = values.get("responsible") or []
    if any(kind not in ResponsibilityKind.values for _person, kind in responsible):
        found.append(Problem("responsible", "invalid_kind", str(KIND_MISSING)))
    if len({person.pk for person, _kind in responsible}) != len(responsible):
        found.append(Problem("responsible", "listed_twice", str(LISTED_TWICE)))
    return [problem for problem in found if problem is not None]


def by_field(problems: Iterable[Problem]) -> dict[str, list[str]]:
    """Messages by field, in the order the problems came."""
    errors: dict[str, list[str]] = {}
    for problem in problems:
        errors.setdefault(problem.field, []).append(problem.message)
    return errors
