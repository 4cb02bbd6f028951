"""Checking the rows of an upload: the rules of a record's input (records.rules), applied set-based.

Each cell is read the way Excel holds it (text, numbers, dates, labels of the template's lists) and then held to the
rules the form and the API use, with their messages. A chunk of rows costs one query for its agencies, one for its
people and one for its document numbers, whatever its size; disclosure rules are read once and windows computed in
memory (records.rules.DisclosureRules).
"""

import csv
import datetime
import io
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.scope import agency_q
from records import rules
from records.excel.cells import clean_text, date_of, is_formula_text, plain_number, shown_number
from records.excel.columns import (
    CHOICE,
    CHOICES,
    COLUMN_BY_KEY,
    COLUMNS,
    TEXT,
    Column,
    choice_lookup,
    fold,
)
from records.excel.reader import CellError, SheetRow, column_letters
from subjects.codes import normalize_uscc
from subjects.models import Agency, CivilServant
from subjects.personal_data import id_number_digest, normalize_id_number, validate_id_number


@dataclass(frozen=True)
class RowError:
    """One problem: the row as Excel numbers it (None: the whole file), the column header, a code and a message."""

    row: int | None
    column: str
    code: str
    message: str
    related_row: int | None = None

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {"row": self.row, "column": self.column, "code": self.code, "message": self.message}
        if self.related_row is not None:
            found["related_row"] = self.related_row
        return found


class ValidRow(NamedTuple):
    """A checked row, ready to write: field values of DishonestyRecord (ids, not instances)."""

    row: int
    subject_agency_id: int
    subject_person_id: int | None
    subject_name: str
    source: str
    sector: str
    severity: str
    special_field: str
    document_number: str
    deciding_agency_id: int | None
    deciding_body_name: str
    deciding_body_uscc: str
    decision_date: datetime.date
    facts: str
    legal_basis: str
    categories: str
    fine_amount: Decimal | None
    other_amount: Decimal | None
    loss_description: str
    social_impact: str
    disclosure_rule_id: int
    publicly_disclosed: bool
    disclosure_starts_on: datetime.date
    earliest_repair_on: datetime.date
    disclosure_ends_on: datetime.date


class _Person(NamedTuple):
    id: int
    name: str
    agency_id: int


@dataclass
class _Parsed:
    row: int
    values: dict[str, Any]
    errors: list[tuple[int, RowError]] = field(default_factory=list)

    def error(self, column: Column, code: str, message: str) -> None:
        self.errors.append((COLUMNS.index(column), RowError(self.row, column.header, code, message)))

    def problem(self, column: Column, problem: rules.Problem) -> None:
        self.error(column, problem.code, problem.message)


def _name_key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace(" ", "").strip()


# Every row whose key an earlier row already used, with that first row.
_REPEATS = (
    "SELECT row_no, first_row FROM (SELECT row_no, min(row_no) OVER (PARTITION BY code, number) AS first_row "
    "FROM {table}) AS keyed WHERE row_no <> first_row ORDER BY row_no"
)


class _KeyLedger:
    """(deciding body code, document number, row) of every row, for the duplicates inside the file.

    Kept in a temporary table of the session rather than in memory, so that memory stays flat whatever the file's
    size (a key per row would cost ~200 bytes); one query at the end finds every repeat and its first row.
    """

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        self.table = ("pg_temp." if self.postgres else "temp.") + "excel_import_keys"
        self.pending: list[tuple[str, str, int]] = []
        self.open = False

    def _create(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.table}")  # left by a run that died in this session
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.table.split('.')[1]} "
                "(code varchar(18) NOT NULL, number varchar(100) NOT NULL, row_no integer NOT NULL)"
            )
        self.open = True

    def add(self, code: str, number: str, row: int) -> None:
        self.pending.append((code, number, row))

    def flush(self) -> None:
        if not self.pending:
            return
        if not self.open:
            self._create()
        with connection.cursor() as cursor:
            if self.postgres:
                buffer = io.StringIO()
                csv.writer(buffer, lineterminator="\n").writerows(self.pending)
                buffer.seek(0)
                with connection.wrap_database_errors:
                    cursor.cursor.copy_expert(f"COPY {self.table} FROM STDIN WITH (FORMAT csv)", buffer)
            else:
                cursor.executemany(f"INSERT INTO {self.table} VALUES (%s, %s, %s)", self.pending)  # noqa: S608
        self.pending = []

    def duplicates(self) -> list[tuple[int, int]]:
        """(row, the first row with the same key) for every row that repeats an earlier one, by row."""
        self.flush()
        if not self.open:
            return []
        with connection.cursor() as cursor:
            cursor.execute(_REPEATS.format(table=self.table))
            return [(row, first) for row, first in cursor.fetchall()]

    def close(self) -> None:
        if self.open:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {self.table}")
            self.open = False


class ImportValidator:
    """Checks the rows of one upload for `actor`, entering records supplied by `agency`.

    Feed the header row to `read_header`, then chunks of rows to `check`; every error goes to `report`, each valid
    row comes back. A row's subject must be `agency` or below it and visible to the actor.
    """

    def __init__(
        self, *, actor: User, agency: Agency, today: datetime.date, report: Callable[[RowError], None]
    ) -> None:
        self.actor = actor
        self.agency = agency
        self.today = today
        self.report = report
        self.positions: dict[str, int] = {}
        self.header_row = 0
        self.rows_seen = 0
        self._choices = {key: choice_lookup(key) for key in CHOICES}
        self._disclosure = rules.DisclosureRules()
        self._agencies: dict[str, rules.AgencyRef | None] = {}
        self._people: dict[str, _Person | None] = {}
        self._digests: dict[str, str] = {}
        self._checked_codes: dict[str, rules.Problem | None] = {}
        self._checked_ids: dict[str, str | None] = {}
        self._ledger = _KeyLedger()
        self._layout: list[tuple[Column, int | None, Callable[[_Parsed, Column, Any], Any]]] | None = None

    # The header ---------------------------------------------------------------------------------------------

    def read_header(self, row: SheetRow) -> bool:
        """False when a required column is missing or repeated: the rows cannot be read then."""
        self.header_row = row.number
        by_header = {column.header: column for column in COLUMNS}
        ok = True
        for index, value in enumerate(row.cells):
            if not isinstance(value, str):
                continue
            column = by_header.get(value.strip())
            if column is None:
                continue  # an extra column (a serial number, a note) is ignored
            if column.key in self.positions:
                self.report(
                    RowError(
                        row.number, column.header, "duplicate_column", _("This column appears twice in the first row.")
                    )
                )
                ok = False
            self.positions[column.key] = index
        for column in COLUMNS:
            if column.key not in self.positions and column.required:
                self.report(
                    RowError(
                        row.number,
                        column.header,
                        "missing_column",
                        _("The first row must hold the template's column headers; this one is missing."),
                    )
                )
                ok = False
        return ok

    # Rows -------------------------------------------------------------------------------------------------------

    def check(self, rows: list[SheetRow]) -> list[ValidRow]:
        parsed = [p for p in (self._parse(row) for row in rows) if p is not None]
        self.rows_seen += len(parsed)
        self._load_agencies(parsed)
        self._load_people(parsed)
        taken = rules.numbers_taken(
            {
                (code, number)
                for item in parsed
                if (code := item.values.get("deciding_body_uscc")) and (number := item.values.get("document_number"))
            }
        )
        valid = []
        for item in parsed:
            result = self._resolve(item, taken)
            for _index, error in sorted(item.errors, key=lambda pair: pair[0]):
                self.report(error)
            if result is not None and not item.errors:
                valid.append(result)
        self._ledger.flush()
        return valid

    def finish(self, merged_ranges: Iterable[tuple[int, int, int, int]]) -> None:
        """What only the whole file tells: rows repeating an earlier row's document number, and merged cells (listed
        at the end of the sheet's XML), reported on each row they touch."""
        column = COLUMN_BY_KEY["document_number"]
        for row, first in self._ledger.duplicates():
            self.report(
                RowError(
                    row,
                    column.header,
                    "duplicate_in_file",
                    _("Rows %(first)d and %(row)d have the same deciding body and document number.")
                    % {"first": first, "row": row},
                    related_row=first,
                )
            )
        headers = {index: COLUMN_BY_KEY[key].header for key, index in self.positions.items()}
        for first_row, first_col, last_row, last_col in merged_ranges:
            header = next(
                (headers[c] for c in range(first_col, last_col + 1) if c in headers), column_letters(first_col)
            )
            for number in range(max(first_row, self.header_row), last_row + 1):
                self.report(
                    RowError(
                        number, header, "merged", _("Merged cells cannot be imported; unmerge them and fill each cell.")
                    )
                )

    def close(self) -> None:
        self._ledger.close()

    def _parse(self, row: SheetRow) -> _Parsed | None:
        """The checks that need no database; None for a blank row."""
        if self._layout is None:
            self._layout = [
                (column, self.positions.get(column.key), getattr(self, f"_parse_{column.kind}")) for column in COLUMNS
            ]
        cells, formulas = row.cells, row.formulas
        width = len(cells)
        item = _Parsed(row.number, {})
        values = item.values
        blank = True
        for column, index, parse in self._layout:
            value: Any = cells[index] if index is not None and index < width else None
            if formulas and index in formulas:
                item.error(column, "formula", _("Formulas are not accepted; paste the values instead."))
                blank = False
                continue
            if value.__class__ is str:
                value = clean_text(value)
                if is_formula_text(value):
                    item.error(column, "formula", _("Formulas are not accepted; paste the values instead."))
                    blank = False
                    continue
            if value is None or value == "":
                if column.required:
                    item.problem(column, rules.required(column.field))
                else:
                    values[column.key] = "" if column.kind in (TEXT, CHOICE) else None
                continue
            blank = False
            if isinstance(value, CellError):
                item.error(
                    column, "cell_error", _("The cell shows an Excel error (%(error)s).") % {"error": value.text}
                )
                continue
            values[column.key] = parse(item, column, value)
        return None if blank else item

    def _parse_code(self, item: _Parsed, column: Column, value: Any) -> str | None:
        if not isinstance(value, str):
            item.error(column, "not_text", _("Type the code as text (format the column as Text), not as a number."))
            return None
        code = normalize_uscc(value)
        if code not in self._checked_codes:
            self._checked_codes[code] = rules.code_problem(column.field, code)
        problem = self._checked_codes[code]
        if problem is not None:
            item.problem(column, problem)
            return None
        return code

    def _parse_id_number(self, item: _Parsed, column: Column, value: Any) -> str | None:
        if not isinstance(value, str):
            item.error(
                column, "not_text", _("Type the ID number as text (format the column as Text), not as a number.")
            )
            return None
        number = normalize_id_number(value)
        if number not in self._checked_ids:
            try:
                validate_id_number(number)
                self._checked_ids[number] = None
            except ValidationError as exc:
                self._checked_ids[number] = exc.messages[0]
        problem = self._checked_ids[number]
        if problem is not None:
            item.error(column, "invalid_id_number", problem)
            return None
        if number not in self._digests:
            self._digests[number] = id_number_digest(number)
        return self._digests[number]

    def _parse_text(self, item: _Parsed, column: Column, value: Any) -> str | None:
        if isinstance(value, float):
            value = plain_number(value)
        elif isinstance(value, bool):
            value = "TRUE" if value else "FALSE"
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        if column.max_length and len(value) > column.max_length:
            item.problem(column, rules.over_limit(column.field, len(value), column.max_length))
            return None
        return value

    def _parse_choice(self, item: _Parsed, column: Column, value: Any) -> str | None:
        lookup = self._choices[column.key]
        code = lookup.get(value) if value.__class__ is str else None
        if code is None:
            code = lookup.get(fold(str(value)))
        if code is None:
            item.problem(column, rules.not_a_choice(column.field))
        return code

    def _parse_date(self, item: _Parsed, column: Column, value: Any) -> datetime.date | None:
        day = date_of(value)
        if day is None:
            item.problem(column, rules.not_a_date(column.field))
            return None
        problem = rules.decision_date_problem(day, self.today)
        if problem is not None:
            item.problem(column, problem)
            return None
        return day

    def _parse_amount(self, item: _Parsed, column: Column, value: Any) -> Decimal | None:
        try:
            if isinstance(value, bool):
                raise InvalidOperation
            amount = shown_number(value) if isinstance(value, float) else Decimal(str(value).replace(",", ""))
            if not amount.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            item.problem(column, rules.not_an_amount(column.field))
            return None
        problem = rules.amount_problem(column.field, amount)
        if problem is not None:
            item.problem(column, problem)
            return None
        return amount

    # Set-based look-ups ---------------------------------------------------------------------------------------------

    def _load_agencies(self, parsed: list[_Parsed]) -> None:
        wanted = set()
        for item in parsed:
            for key in ("subject_uscc", "deciding_body_uscc"):
                code = item.values.get(key)
                if code and code not in self._agencies:
                    wanted.add(code)
        if not wanted:
            return
        self._agencies.update(
            rules.agencies_by_code(wanted, reach=agency_q(self.actor) & Q(path__startswith=self.agency.path))
        )
        for code in wanted:
            self._agencies.setdefault(code, None)

    def _load_people(self, parsed: list[_Parsed]) -> None:
        wanted = {
            digest for item in parsed if (digest := item.values.get("person_id_number")) and digest not in self._people
        }
        if not wanted:
            return
        found = CivilServant.objects.filter(id_number_digest__in=wanted).values_list(
            "id_number_digest", "id", "name", "agency_id"
        )
        for digest, pk, name, agency_id in found:
            self._people[digest] = _Person(pk, name, agency_id)
        for digest in wanted:
            self._people.setdefault(digest, None)

    def _resolve(self, item: _Parsed, taken: set[tuple[str, str]]) -> ValidRow | None:
        values = item.values
        subject: rules.AgencyRef | None = None
        code = values.get("subject_uscc")
        if code:
            subject = self._agencies.get(code)
            column = COLUMN_BY_KEY["subject_uscc"]
            if subject is None:
                item.problem(column, rules.agency_not_found(column.field, code))
            elif not subject.in_reach:
                item.error(
                    column,
                    "agency_out_of_scope",
                    _("You may not enter records about this agency for %(agency)s.") % {"agency": self.agency.name},
                )
                subject = None
        name = values.get("subject_name")
        if subject is not None and name and _name_key(name) != _name_key(subject.name):
            item.error(
                COLUMN_BY_KEY["subject_name"],
                "name_mismatch",
                _("The name does not match the agency registered with this code (%(name)s).") % {"name": subject.name},
            )
        person: _Person | None = None
        digest = values.get("person_id_number")
        if digest:
            person = self._people.get(digest)
            column = COLUMN_BY_KEY["person_id_number"]
            if person is None:
                item.error(column, "person_not_found", _("No civil servant with this ID number is registered."))
            elif subject is not None and person.agency_id != subject.id:
                item.problem(column, rules.person_elsewhere())
                person = None
        # What the columns' parsers produced: present and valid whenever the row has no error.
        deciding_code: Any = values.get("deciding_body_uscc")
        deciding = self._agencies.get(deciding_code) if deciding_code else None
        number: Any = values.get("document_number")
        if deciding_code and number:
            self._ledger.add(deciding_code, number, item.row)
            if (deciding_code, number) in taken:
                item.problem(COLUMN_BY_KEY["document_number"], rules.number_taken())
        window = None
        day: Any
        day, severity, special_field = values.get("decision_date"), values.get("severity"), values.get("special_field")
        source = values.get("source")
        if day and severity and source and special_field is not None:
            window = self._disclosure.window(day, severity, source, special_field)
            if window is None:
                item.problem(COLUMN_BY_KEY["decision_date"], rules.no_disclosure_rule(severity, day))
        if item.errors or subject is None or window is None:
            return None
        return ValidRow(
            row=item.row,
            subject_agency_id=subject.id,
            subject_person_id=person.id if person else None,
            subject_name=person.name if person else subject.name,
            source=values["source"],
            sector=values["sector"],
            severity=values["severity"],
            special_field=values.get("special_field") or "",
            document_number=number,
            deciding_agency_id=deciding.id if deciding else None,
            # A deciding body registered here is named as registered (records.rules.registered_agency).
            deciding_body_name=deciding.name if deciding else values["deciding_body_name"],
            deciding_body_uscc=deciding_code,
            decision_date=day,
            facts=values["facts"],
            legal_basis=values["legal_basis"],
            categories=values.get("categories") or "",
            fine_amount=values.get("fine_amount"),
            other_amount=values.get("other_amount"),
            loss_description=values.get("loss_description") or "",
            social_impact=values.get("social_impact") or "",
            disclosure_rule_id=window.rule.pk,
            publicly_disclosed=window.publicly_disclosed,
            disclosure_starts_on=window.starts_on,
            earliest_repair_on=window.earliest_repair_on,
            disclosure_ends_on=window.ends_on,
        )
