"""Checking the rows of an upload: the rules of `record_input_check`, applied set-based.

A chunk of rows costs one query for its agencies, one for its people and one for its document numbers, whatever its
size; disclosure rules are read once and windows computed in memory as `records.disclosure.window_for` does.
"""

import csv
import datetime
import io
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.scope import agency_q
from records.disclosure import Window, rule_in_force_among, window_of
from records.excel.columns import (
    AMOUNT_LIMIT,
    AMOUNT_PLACES,
    CHOICE,
    CHOICES,
    COLUMN_BY_KEY,
    COLUMNS,
    TEXT,
    Column,
    choice_labels,
    choice_lookup,
    fold,
)
from records.excel.reader import CellError, SheetRow, column_letters
from records.models import DisclosureRule, DishonestyRecord, RecordStatus
from subjects.codes import normalize_uscc, validate_uscc
from subjects.models import Agency, CivilServant
from subjects.personal_data import id_number_digest, normalize_id_number, validate_id_number

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_DATE_TEXT = re.compile(r"^(\d{4})\s*(?:-|/|\.|年)\s*(\d{1,2})\s*(?:-|/|\.|月)\s*(\d{1,2})\s*日?$")


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


class _Agency(NamedTuple):
    id: int
    name: str
    in_scope: bool


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


def _name_key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace(" ", "").strip()


def _plain_number(value: float) -> str:
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


# One probe of the partial unique index per (code, number): with an IN list on each column instead, PostgreSQL reads
# every record of the deciding bodies (measured: 0.4 s a chunk of 5,000 rows at 300k records, against 0.05 s).
_TAKEN = (
    "SELECT k.code, k.number FROM unnest(%s::text[], %s::text[]) AS k(code, number), LATERAL (SELECT 1 FROM {table} r "
    "WHERE r.deciding_body_uscc = k.code AND r.document_number = k.number AND NOT r.status = 'revoked' LIMIT 1) AS hit"
)
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
        self._rules: dict[str, list[DisclosureRule]] = {}
        for rule in DisclosureRule.objects.order_by("effective_from", "pk"):
            self._rules.setdefault(rule.severity, []).append(rule)
        self._windows: dict[tuple[datetime.date, str, str, str], Window | None] = {}
        self._agencies: dict[str, _Agency | None] = {}
        self._people: dict[str, _Person | None] = {}
        self._digests: dict[str, str] = {}
        self._checked_codes: dict[str, str | None] = {}
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
        taken = self._taken_numbers(parsed)
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
                if not value.isprintable():
                    value = _CONTROL_CHARS.sub("", value)
                value = value.strip()
                if value[:1] == "=":
                    item.error(column, "formula", _("Formulas are not accepted; paste the values instead."))
                    blank = False
                    continue
            if value is None or value == "":
                if column.required:
                    item.error(column, "required", _("This column is required."))
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
            try:
                validate_uscc(code)
                self._checked_codes[code] = None
            except ValidationError as exc:
                self._checked_codes[code] = exc.messages[0]
        problem = self._checked_codes[code]
        if problem is not None:
            item.error(column, "invalid_code", problem)
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
            value = _plain_number(value)
        elif isinstance(value, bool):
            value = "TRUE" if value else "FALSE"
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        if column.max_length and len(value) > column.max_length:
            item.error(
                column,
                "too_long",
                _("At most %(max)d characters; this has %(n)d.") % {"max": column.max_length, "n": len(value)},
            )
            return None
        return value

    def _parse_choice(self, item: _Parsed, column: Column, value: Any) -> str | None:
        lookup = self._choices[column.key]
        code = lookup.get(value) if value.__class__ is str else None
        if code is None:
            code = lookup.get(fold(str(value)))
        if code is None:
            allowed = "、".join(label for c, label in choice_labels(column.key).items() if c)
            item.error(
                column,
                "invalid_choice",
                _("“%(value)s” is not one of: %(allowed)s.") % {"value": value, "allowed": allowed},
            )
        return code

    def _parse_date(self, item: _Parsed, column: Column, value: Any) -> datetime.date | None:
        day: datetime.date | None = None
        if isinstance(value, datetime.datetime):
            day = value.date()
        elif isinstance(value, datetime.date):
            day = value
        elif isinstance(value, str):
            match = _DATE_TEXT.match(value)
            if match:
                try:
                    day = datetime.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
                except ValueError:
                    day = None
        if day is None:
            item.error(column, "invalid_date", _("Enter a date, as an Excel date or as text like 2026-06-01."))
            return None
        if day > self.today:
            item.error(column, "future_date", _("The decision date cannot be in the future."))
            return None
        return day

    def _parse_amount(self, item: _Parsed, column: Column, value: Any) -> Decimal | None:
        try:
            if isinstance(value, bool):
                raise InvalidOperation
            amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).replace(",", ""))
            if not amount.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            item.error(column, "invalid_amount", _("Enter a number (in units of 10,000 yuan)."))
            return None
        if amount < 0:
            item.error(column, "negative_amount", _("Amounts cannot be negative."))
            return None
        if amount >= AMOUNT_LIMIT:
            item.error(column, "invalid_amount", _("The amount is too large (in units of 10,000 yuan)."))
            return None
        return amount.quantize(AMOUNT_PLACES, rounding=ROUND_HALF_UP)

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
        scope = agency_q(self.actor) & Q(path__startswith=self.agency.path)
        found = (
            Agency.objects.filter(uscc__in=wanted)
            .annotate(in_scope=ExpressionWrapper(scope, output_field=BooleanField()))
            .values_list("uscc", "id", "name", "in_scope")
        )
        for code, pk, name, in_scope in found:
            self._agencies[code] = _Agency(pk, name, bool(in_scope))
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

    def _taken_numbers(self, parsed: list[_Parsed]) -> set[tuple[str, str]]:
        """Document numbers of this chunk already used by a record that is not revoked (one query)."""
        pairs = {
            (code, number)
            for item in parsed
            if (code := item.values.get("deciding_body_uscc")) and (number := item.values.get("document_number"))
        }
        if not pairs:
            return set()
        if connection.vendor == "postgresql":
            codes, numbers = zip(*pairs, strict=True)
            table = connection.ops.quote_name(DishonestyRecord._meta.db_table)
            with connection.cursor() as cursor:
                cursor.execute(_TAKEN.format(table=table), [list(codes), list(numbers)])
                return {(code, number) for code, number in cursor.fetchall()}
        found = (
            DishonestyRecord.objects.filter(
                deciding_body_uscc__in={code for code, _n in pairs},
                document_number__in={number for _c, number in pairs},
            )
            .exclude(status=RecordStatus.REVOKED)
            .values_list("deciding_body_uscc", "document_number")
        )
        return {pair for pair in found if pair in pairs}

    def window(self, day: datetime.date, severity: str, source: str, special_field: str) -> Window | None:
        """records.disclosure.window_for on rules read once (the same choice, rule_in_force_among)."""
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

    def _resolve(self, item: _Parsed, taken: set[tuple[str, str]]) -> ValidRow | None:
        values = item.values
        subject: _Agency | None = None
        code = values.get("subject_uscc")
        if code:
            subject = self._agencies.get(code)
            column = COLUMN_BY_KEY["subject_uscc"]
            if subject is None:
                item.error(column, "unknown_agency", _("No agency with this code is registered in the system."))
            elif not subject.in_scope:
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
                item.error(column, "person_elsewhere", _("The civil servant does not work in the subject agency."))
                person = None
        # What the columns' parsers produced: present and valid whenever the row has no error.
        deciding_code: Any = values.get("deciding_body_uscc")
        deciding = self._agencies.get(deciding_code) if deciding_code else None
        number: Any = values.get("document_number")
        if deciding_code and number:
            self._ledger.add(deciding_code, number, item.row)
            if (deciding_code, number) in taken:
                item.error(
                    COLUMN_BY_KEY["document_number"],
                    "duplicate_in_database",
                    _("A record with this document number from the same deciding body already exists."),
                )
        window = None
        day: Any
        day, severity, special_field = values.get("decision_date"), values.get("severity"), values.get("special_field")
        source = values.get("source")
        if day and severity and source and special_field is not None:
            window = self.window(day, severity, source, special_field)
            if window is None:
                item.error(
                    COLUMN_BY_KEY["decision_date"],
                    "no_disclosure_rule",
                    _("No disclosure rule covers a record of this tier decided on %(date)s.")
                    % {"date": day.isoformat()},
                )
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
            # As record_input_check does: a deciding body registered here is named as registered.
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
