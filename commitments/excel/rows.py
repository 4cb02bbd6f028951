"""The import of commitments: the file's checks, then every row's, then all rows written or none."""

import datetime
import os
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.scope import entering_agency_q
from commitments import rules
from commitments.excel.columns import (
    CHOICES,
    COLUMN_BY_KEY,
    COLUMNS,
    DATA_SHEET,
    import_max_rows,
)
from commitments.models import Commitment
from commitments.services import CommitmentInput, CommitmentsRefused, commitments_create_many
from kernel.errors import DomainError, NotAllowed
from records.excel.cells import clean_text, date_of, is_formula_text, plain_number, shown_number
from records.excel.columns import CODE, TEXT, Column, fold, labels_lookup
from records.excel.reader import CellError, SheetRow, UnreadableWorkbook, XlsxReader, check_package, column_letters
from records.excel.rows import RowError
from records.rules import AGENCY_NOT_FOUND, NOT_A_DATE
from records.services.imports import import_limits
from subjects.codes import normalize_uscc
from subjects.models import Agency, CivilServant
from subjects.personal_data import id_number_digest, normalize_id_number, validate_id_number


@dataclass
class ImportOutcome:
    """What an import did: the rows it read, every problem found (then nothing was written), or what it created."""

    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    created: list[Commitment] = field(default_factory=list)


def _file_error(exc: UnreadableWorkbook) -> DomainError:
    return DomainError(exc.message, code=exc.code, field="file")


def _check_file(upload: Any) -> None:
    """The checks of the records' upload (records.services.imports.import_job_create), with its limits."""
    name = os.path.basename(getattr(upload, "name", "") or "")
    extension = os.path.splitext(name)[1].lower()
    if extension in {".xlsm", ".xltm", ".xlam"}:
        raise DomainError(
            _("The workbook contains macros; save it as a plain .xlsx workbook."), code="macros", field="file"
        )
    if extension != ".xlsx":
        raise DomainError(_("Upload an Excel workbook (.xlsx) made from the template."), code="not_xlsx", field="file")
    try:
        check_package(upload, size=int(upload.size), limits=import_limits())
        with XlsxReader(upload) as reader:
            rows = reader.count_rows(DATA_SHEET if DATA_SHEET in reader.sheet_names else None)
    except UnreadableWorkbook as exc:
        raise _file_error(exc) from exc
    data_rows = max(rows - 1, 0)
    if data_rows > import_max_rows():
        raise DomainError(
            _("The sheet has %(rows)d rows; at most %(limit)d can be imported at once. Split the file.")
            % {"rows": data_rows, "limit": import_max_rows()},
            code="too_many_rows",
            field="file",
        )


def commitments_import(*, actor: User, upload: Any) -> ImportOutcome:
    """Checks an uploaded workbook (the file first, then every row) and, when every row is valid, creates all its
    commitments as drafts in one transaction. Raises NotAllowed for a user who enters commitments for no agency and
    DomainError (field "file") for a file that is refused whole."""
    if not Agency.objects.filter(entering_agency_q(actor)).exists():
        raise NotAllowed(_("Your role does not enter commitments."))
    _check_file(upload)
    outcome = ImportOutcome()
    checker = _RowChecker(actor=actor, report=outcome.errors.append)
    try:
        with XlsxReader(upload) as reader:
            rows = reader.rows(DATA_SHEET if DATA_SHEET in reader.sheet_names else None)
            header = next(rows, None)
            if header is None:
                outcome.errors.append(RowError(None, "", "no_rows", _("The sheet is empty.")))
                return outcome
            if not checker.read_header(header):
                return outcome
            parsed = []
            for seen, row in enumerate(rows, start=1):
                if seen > import_max_rows():
                    outcome.errors.append(
                        RowError(
                            row.number,
                            "",
                            "too_many_rows",
                            _("At most %(limit)d rows can be imported at once; split the file.")
                            % {"limit": import_max_rows()},
                        )
                    )
                    return outcome
                item = checker.parse(row)
                if item is not None:
                    parsed.append(item)
            merged = reader.merged_ranges
    except UnreadableWorkbook as exc:
        raise _file_error(exc) from exc
    outcome.rows = len(parsed)
    valid = checker.resolve(parsed)
    checker.merged(merged)
    if not parsed and not outcome.errors:
        outcome.errors.append(RowError(None, "", "no_rows", _("The sheet has no commitments below its first row.")))
    if outcome.errors:
        order = {column.header: index for index, column in enumerate(COLUMNS)}
        outcome.errors.sort(key=lambda error: (error.row or 0, order.get(error.column, -1)))
        return outcome
    try:
        outcome.created = commitments_create_many(actor=actor, items=[data for _row, data in valid])
    except CommitmentsRefused as exc:
        # Only what changed since the check (a code taken meanwhile): the row checks are the services' own rules.
        for index, errors in sorted(exc.refusals.items()):
            for name, messages in errors.items():
                for message in messages:
                    outcome.errors.append(RowError(valid[index][0], _header_of(name), "refused", message))
    return outcome


def _header_of(name: str) -> str:
    column = COLUMN_BY_KEY.get(name) or next((c for c in COLUMNS if c.gives == name), None)
    return column.header if column is not None else ""


@dataclass
class _Parsed:
    row: int
    values: dict[str, Any]
    errors: list[RowError] = field(default_factory=list)

    def error(self, column: Column, code: str, message: str) -> None:
        self.errors.append(RowError(self.row, column.header, code, message))


@dataclass(frozen=True)
class _Masked:
    """An ID number as the export masks it (1101**********1234): checked against the person found by name."""

    text: str


class _RowChecker:
    """Reads the header, then each row's cells (`parse`, no database), then resolves the agencies and people of all
    rows with a few queries and holds each row to commitments.rules (`resolve`)."""

    def __init__(self, *, actor: User, report: Callable[[RowError], None]) -> None:
        self.actor = actor
        self.report = report
        self.positions: dict[str, int] = {}
        self.header_row = 0
        self.choices = {key: labels_lookup(enum, labels) for key, (enum, labels) in CHOICES.items()}
        self.url = URLValidator(schemes=["http", "https"])

    def read_header(self, row: SheetRow) -> bool:
        """False when a required column is missing or repeated: the rows cannot be read then."""
        self.header_row = row.number
        by_header = {column.header: column for column in COLUMNS}
        ok = True
        for index, value in enumerate(row.cells):
            column = by_header.get(value.strip()) if isinstance(value, str) else None
            if column is None:
                continue  # an extra column (a serial number, the export's status) is ignored
            if column.key in self.positions:
                self.report(
                    RowError(
                        row.number, column.header, "duplicate_column", _("This column appears twice in the first row.")
                    )
                )
                ok = False
            self.positions[column.key] = index
        missing = [column for column in COLUMNS if column.required and column.key not in self.positions]
        if "agency_uscc" not in self.positions and "agency_name" not in self.positions:
            missing.insert(0, COLUMN_BY_KEY["agency_uscc"])
        for column in missing:
            self.report(
                RowError(
                    row.number,
                    column.header,
                    "missing_column",
                    _("The first row must hold the template's column headers; this one is missing."),
                )
            )
        return ok and not missing

    # One row's cells ------------------------------------------------------------------------------------------

    def parse(self, row: SheetRow) -> _Parsed | None:
        """The checks that need no database; None for a blank row. A value that cannot be read is left out of
        `values` (its error said), so the rules that need it are skipped rather than repeated."""
        item = _Parsed(row.number, {})
        blank = True
        for column in COLUMNS:
            index = self.positions.get(column.key)
            if index is None:
                item.values[column.key] = None
                continue
            value: Any = row.cells[index] if index < len(row.cells) else None
            if index in row.formulas:
                item.error(column, "formula", _("Formulas are not accepted; paste the values instead."))
                blank = False
                continue
            if isinstance(value, str):
                value = clean_text(value)
                if is_formula_text(value):
                    item.error(column, "formula", _("Formulas are not accepted; paste the values instead."))
                    blank = False
                    continue
            if value is None or value == "":
                item.values[column.key] = None
                continue
            blank = False
            if isinstance(value, CellError):
                item.error(
                    column, "cell_error", _("The cell shows an Excel error (%(error)s).") % {"error": value.text}
                )
                continue
            read = getattr(self, f"_read_{column.kind}")(item, column, value)
            if read is not _UNREAD:
                item.values[column.key] = read
        return None if blank else item

    def _read_code(self, item: _Parsed, column: Column, value: Any) -> Any:
        if not isinstance(value, str):
            item.error(column, "not_text", _("Type the code as text (format the column as Text), not as a number."))
            return _UNREAD
        return normalize_uscc(value)

    def _read_id_number(self, item: _Parsed, column: Column, value: Any) -> Any:
        if not isinstance(value, str):
            item.error(
                column, "not_text", _("Type the ID number as text (format the column as Text), not as a number.")
            )
            return _UNREAD
        number = normalize_id_number(value)
        if "*" in number:
            return _Masked(number)
        try:
            validate_id_number(number)
        except ValidationError as exc:
            item.error(column, "invalid_id_number", exc.messages[0])
            return _UNREAD
        return id_number_digest(number)

    def _read_text(self, item: _Parsed, column: Column, value: Any) -> Any:
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, float):
            return plain_number(value)
        if isinstance(value, datetime.date):
            return value.isoformat()
        if column.key == "source_url":
            try:
                self.url(value)
            except ValidationError:
                item.error(column, "invalid_url", _("Enter a link starting with http:// or https://."))
                return _UNREAD
        if column.max_length and column.key not in rules.LIMITS and len(value) > column.max_length:
            item.error(column, "too_long", rules.too_long_message(column.max_length))
            return _UNREAD
        return value  # commitments.rules holds the text columns to their limits

    def _read_choice(self, item: _Parsed, column: Column, value: Any) -> Any:
        text = value if isinstance(value, str) else plain_number(value) if isinstance(value, float) else str(value)
        lookup = self.choices[column.key]
        # Not in the list: handed on as typed, and commitments.rules says so in its words.
        return lookup.get(text) or lookup.get(fold(text)) or text

    def _read_date(self, item: _Parsed, column: Column, value: Any) -> Any:
        day = date_of(value)
        if day is None:
            item.error(column, "invalid_date", str(NOT_A_DATE))
            return _UNREAD
        return day

    def _read_number(self, item: _Parsed, column: Column, value: Any) -> Any:
        try:
            if isinstance(value, bool) or not isinstance(value, float | str):
                raise InvalidOperation
            number = shown_number(value) if isinstance(value, float) else Decimal(value.replace(",", ""))
        except InvalidOperation:
            item.error(column, "invalid", str(rules.OTHER["amount"]))
            return _UNREAD
        return number  # commitments.rules holds it to its range

    def _read_year(self, item: _Parsed, column: Column, value: Any) -> Any:
        year: float | None = None
        if isinstance(value, float):
            year = value
        elif isinstance(value, str) and value.removesuffix("年").strip().isdigit():
            year = float(value.removesuffix("年"))
        if year is None or not year.is_integer():
            item.error(column, "invalid", str(rules.OTHER["year_range"]))
            return _UNREAD
        return int(year)

    # Every row, against the database ---------------------------------------------------------------------------

    def resolve(self, parsed: list[_Parsed]) -> list[tuple[int, CommitmentInput]]:
        """Finds each row's agency and responsible person (a query for each way of naming them, whatever the number
        of rows), holds each row to commitments.rules and reports every problem; returns the valid rows' inputs."""
        agencies = _AgencyFinder(self.actor, parsed)
        for item in parsed:
            agencies.resolve(item)
        people = _PersonFinder(parsed)
        valid = []
        for item in parsed:
            people.resolve(item)
            values = {name: value for name, value in item.values.items() if name in _INPUT_FIELDS}
            for problem in rules.commitment_problems(values):
                item.error(self._column_of(item, problem.field), problem.code, problem.message)
            for error in item.errors:
                self.report(error)
            if not item.errors:
                valid.append((item.row, _input_of(values)))
        return valid

    def _column_of(self, item: _Parsed, name: str) -> Column:
        if name == "agency":
            return COLUMN_BY_KEY["agency_uscc" if "agency_uscc" in self.positions else "agency_name"]
        if name == "responsible_person":  # a person found by ID number who works elsewhere
            return COLUMN_BY_KEY["person_id_number"]
        return COLUMN_BY_KEY[name]

    def merged(self, ranges: list[tuple[int, int, int, int]]) -> None:
        """Merged cells (listed at the end of the sheet's XML), reported on each row they touch."""
        headers = {index: COLUMN_BY_KEY[key].header for key, index in self.positions.items()}
        for first_row, first_col, last_row, last_col in ranges:
            header = next(
                (headers[c] for c in range(first_col, last_col + 1) if c in headers), column_letters(first_col)
            )
            for number in range(max(first_row, self.header_row), last_row + 1):
                self.report(
                    RowError(
                        number, header, "merged", _("Merged cells cannot be imported; unmerge them and fill each cell.")
                    )
                )


_UNREAD = object()
_INPUT_FIELDS = frozenset(
    {
        "agency",
        "responsible_person",
        *(column.key for column in COLUMNS if column.gives == "" and column.key != "person_name"),
    }
)
_TEXT_FIELDS = frozenset(
    key for key in _INPUT_FIELDS if key in COLUMN_BY_KEY and COLUMN_BY_KEY[key].kind in (TEXT, CODE)
)


def _input_of(values: dict[str, Any]) -> CommitmentInput:
    """A valid row's input: blank text columns are empty text."""
    given: dict[str, Any] = {
        name: ("" if value is None and name in _TEXT_FIELDS else value) for name, value in values.items()
    }
    for name in ("kind", "service_area"):
        given[name] = given.get(name) or ""
    return CommitmentInput(**given)


class _AgencyFinder:
    """The promising agency of each row: by code (any agency registered here, then refused if the user does not enter
    commitments for it) or by name among the agencies the user enters commitments for."""

    def __init__(self, actor: User, parsed: list[_Parsed]) -> None:
        codes = {code for item in parsed if (code := item.values.get("agency_uscc"))}
        names = {
            name for item in parsed if not item.values.get("agency_uscc") and (name := item.values.get("agency_name"))
        }
        reach = entering_agency_q(actor)
        self.by_code = {agency.uscc: agency for agency in Agency.objects.filter(reach, uscc__in=codes)}
        self.elsewhere = set(Agency.objects.filter(uscc__in=codes - self.by_code.keys()).values_list("uscc", flat=True))
        self.by_name: dict[str, list[Agency]] = defaultdict(list)
        if names:
            for agency in Agency.objects.filter(reach, name__in=names).order_by("pk"):
                self.by_name[agency.name].append(agency)

    def resolve(self, item: _Parsed) -> None:
        values = item.values
        code, name = values.pop("agency_uscc", None), values.pop("agency_name", None)
        if not code and not name:
            values["agency"] = None  # commitments.rules: name the promising agency
            return
        if code:
            column = COLUMN_BY_KEY["agency_uscc"]
            agency = self.by_code.get(code)
            if agency is None and code in self.elsewhere:
                item.error(column, "agency_out_of_scope", _("You may not enter commitments for this agency."))
            elif agency is None:
                item.error(column, "unknown_agency", str(AGENCY_NOT_FOUND) % {"text": code})
            elif name and fold(name).replace(" ", "") != fold(agency.name).replace(" ", ""):
                item.error(
                    COLUMN_BY_KEY["agency_name"],
                    "name_mismatch",
                    _("The name does not match the agency registered with this code (%(name)s).")
                    % {"name": agency.name},
                )
            else:
                values["agency"] = agency
            return
        column = COLUMN_BY_KEY["agency_name"]
        found = self.by_name.get(name, [])
        if not found:
            item.error(column, "unknown_agency", str(AGENCY_NOT_FOUND) % {"text": name})
        elif len(found) > 1:
            item.error(column, "ambiguous_agency", _("Several agencies have this name; give the agency's code."))
        else:
            values["agency"] = found[0]


class _PersonFinder:
    """The responsible person of each row: by ID number (whoever has it; commitments.rules then checks that the
    person works in the promising agency), or by name among the active people of the row's agency."""

    def __init__(self, parsed: list[_Parsed]) -> None:
        digests = {d for item in parsed if isinstance(d := item.values.get("person_id_number"), str)}
        named = [item for item in parsed if item.values.get("person_name") and item.values.get("agency") is not None]
        self.by_digest = {p.id_number_digest: p for p in CivilServant.objects.filter(id_number_digest__in=digests)}
        self.by_name: dict[tuple[int, str], list[CivilServant]] = defaultdict(list)
        if named:
            found = CivilServant.objects.filter(
                active=True,
                agency_id__in={item.values["agency"].pk for item in named},
                name__in={item.values["person_name"] for item in named},
            ).order_by("pk")
            for person in found:
                self.by_name[(person.agency_id, person.name)].append(person)

    def resolve(self, item: _Parsed) -> None:
        values = item.values
        number, name = values.pop("person_id_number", None), values.pop("person_name", None)
        agency = values.get("agency")
        id_column, name_column = COLUMN_BY_KEY["person_id_number"], COLUMN_BY_KEY["person_name"]
        if not number and not name:
            values["responsible_person"] = None
            return
        if isinstance(number, str):
            person = self.by_digest.get(number)
            if person is None:
                item.error(id_column, "person_not_found", _("No civil servant with this ID number is registered."))
            elif name and name != person.name:
                item.error(name_column, "name_mismatch", _("The name does not match the person with this ID number."))
            else:
                values["responsible_person"] = person
            return
        if agency is None:
            return  # the agency's own error is said; the person cannot be looked for
        if not name:
            item.error(name_column, "required", _("Give the name of the person whose masked ID number is given."))
            return
        found = self.by_name.get((agency.pk, name), [])
        if isinstance(number, _Masked):
            found = [person for person in found if person.id_number_masked == number.text]
        if not found and number is None:
            item.error(
                name_column,
                "person_not_found",
                _("No civil servant of %(agency)s has this name.") % {"agency": agency.name},
            )
        elif not found:
            item.error(
                id_column,
                "person_not_found",
                _("No civil servant of %(agency)s has this name and ID number.") % {"agency": agency.name},
            )
        elif len(found) > 1:
            item.error(
                name_column,
                "ambiguous_person",
                _("Several civil servants of the agency have this name; give the ID number."),
            )
        else:
            values["responsible_person"] = found[0]
