"""12345 hotline tickets in Excel (the hotline platform exports spreadsheets): a template, an import that reports
every bad row and writes all rows or none, and an export in the template's columns. The engine is the records'
(records.excel: reader, file checks, template builder, cells)."""

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from accounts.models import User
from kernel.errors import DomainError, NotAllowed
from records.excel.cells import clean_text, date_of, is_formula_text
from records.excel.columns import CHOICE, DATE, TEXT, Column, fold, labels_lookup
from records.excel.export import escape_cell
from records.excel.reader import CellError, UnreadableWorkbook, XlsxReader, check_package, column_letters
from records.excel.rows import RowError
from records.excel.template import workbook_template
from records.rules import NOT_A_DATE
from records.services.imports import import_limits
from supervision.models.hotline import HotlineTicket, Satisfaction, TicketType
from supervision.services.hotline import hotline_import_write, hotline_units_for, ticket_problems

NUMBER = "number"
DATA_SHEET = "12345工单"
HELP_SHEET = "填写说明"
LISTS_SHEET = "可选值"
TEMPLATE_NAME = "12345工单导入模板.xlsx"
EXPORT_NAME = "12345工单导出"
# Allowed values in Chinese, fixed: the hotline platform's own words, not interface text.
LABELS: dict[str, tuple[Any, dict[str, str]]] = {
    "type": (
        TicketType,
        {
            TicketType.CONSULTATION: "咨询",
            TicketType.HELP: "求助",
            TicketType.COMPLAINT: "投诉",
            TicketType.REPORT: "举报",
            TicketType.SUGGESTION: "建议",
        },
    ),
    "satisfaction": (
        Satisfaction,
        {
            Satisfaction.SATISFIED: "满意",
            Satisfaction.BASICALLY: "基本满意",
            Satisfaction.UNSATISFIED: "不满意",
            Satisfaction.NONE: "未评价",
        },
    ),
}
COLUMNS: tuple[Column, ...] = (
    Column("number", "工单编号", TEXT, True, gettext_lazy("The ticket's number on the hotline platform, unique."), 40),
    Column("type", "工单类型", CHOICE, True, gettext_lazy("Consultation, help, complaint, report or suggestion.")),
    Column("unit", "承办单位", TEXT, True, gettext_lazy("The handling unit's full name, as in this system."), 200, 28),
    Column("summary", "诉求摘要", TEXT, False, gettext_lazy("What the caller asked."), 500, 30),
    Column("received_on", "受理日期", DATE, True, gettext_lazy("The day the ticket was received."), width=12),
    Column("due_on", "办理时限", DATE, True, gettext_lazy("The day it was due."), width=12),
    Column("closed_on", "办结日期", DATE, False, gettext_lazy("The day it was closed; empty while open."), width=12),
    Column("satisfaction", "满意度", CHOICE, False, gettext_lazy("The caller's rating; empty: not rated.")),
    Column("reopened_count", "重办次数", NUMBER, False, gettext_lazy("Times reopened, 0 when empty."), width=10),
)


def _labels(key: str) -> dict[str, str]:
    return {str(code): label for code, label in LABELS[key][1].items()}


def import_max_rows() -> int:
    return int(getattr(settings, "HOTLINE_IMPORT_MAX_ROWS", 5000))


def hotline_template() -> bytes:
    return workbook_template(
        columns=COLUMNS,
        labels=_labels,
        data_sheet=DATA_SHEET,
        help_sheet=HELP_SHEET,
        lists_sheet=LISTS_SHEET,
        intro=[
            _("Fill in one row per ticket of the sheet “%(sheet)s”.") % {"sheet": DATA_SHEET},
            _(
                "Do not change the first row, merge cells or use formulas. Columns in red are required. Nothing is "
                "imported until every row is correct; the check lists every error with its row."
            ),
            _("A ticket number already imported is updated with the row (a later export of the platform)."),
            _("At most %(rows)d rows can be imported at once.") % {"rows": import_max_rows()},
        ],
        max_rows=import_max_rows(),
    )


@dataclass
class ImportOutcome:
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0


def _read(column: Column, value: Any) -> tuple[bool, Any]:
    """(True, the cell's value for the column) or (False, the message)."""
    if column.kind == TEXT:
        if isinstance(value, float) and value.is_integer():
            return True, str(int(value))
        return True, str(value).strip()
    if column.kind == CHOICE:
        enum, labels = LABELS[column.key]
        lookup = labels_lookup(enum, labels)
        text = str(value).strip()
        found = lookup.get(text) or lookup.get(fold(text))
        return (True, found) if found else (False, _("Choose a value from the list."))
    if column.kind == DATE:
        day = date_of(value)
        return (True, day) if day is not None else (False, str(NOT_A_DATE))
    if isinstance(value, float) and value.is_integer():
        return True, int(value)
    if isinstance(value, int):
        return True, value
    if isinstance(value, str) and value.strip().isdigit():
        return True, int(value.strip())
    return False, _("Enter a whole number.")


def _parse(reader: XlsxReader, outcome: ImportOutcome) -> list[tuple[int, dict[str, Any]]]:
    rows = reader.rows(DATA_SHEET if DATA_SHEET in reader.sheet_names else None)
    header = next(rows, None)
    if header is None:
        outcome.errors.append(RowError(None, "", "no_rows", _("The sheet is empty.")))
        return []
    by_header = {column.header: column for column in COLUMNS}
    positions = {
        by_header[v.strip()].key: i for i, v in enumerate(header.cells) if isinstance(v, str) and v.strip() in by_header
    }
    missing = [c for c in COLUMNS if c.required and c.key not in positions]
    for column in missing:
        outcome.errors.append(
            RowError(
                header.number,
                column.header,
                "missing_column",
                _("The first row must hold the template's column headers; this one is missing."),
            )
        )
    if missing:
        return []
    parsed = []
    for seen, row in enumerate(rows, start=1):
        if seen > import_max_rows():
            outcome.errors.append(
                RowError(
                    row.number,
                    "",
                    "too_many_rows",
                    _("At most %(limit)d rows can be imported at once; split the file.") % {"limit": import_max_rows()},
                )
            )
            return []
        values: dict[str, Any] = {}
        refused: list[str] = []
        for column in COLUMNS:
            position = positions.get(column.key)
            value = row.cells[position] if position is not None and position < len(row.cells) else None
            if isinstance(value, str):
                value = clean_text(value)
            if value is None or value == "":
                values[column.key] = None
                continue
            if (
                isinstance(value, CellError)
                or position in row.formulas
                or (isinstance(value, str) and is_formula_text(value))
            ):
                outcome.errors.append(
                    RowError(
                        row.number,
                        column.header,
                        "formula",
                        _("Formulas and Excel errors are not accepted; paste the values instead."),
                    )
                )
                refused.append(column.key)
                continue
            ok, read = _read(column, value)
            if not ok:
                outcome.errors.append(RowError(row.number, column.header, "invalid", str(read)))
                refused.append(column.key)
                continue
            values[column.key] = read
        if any(v is not None for v in values.values()):
            parsed.append((row.number, {**values, "_refused": refused}))
    return parsed


HEADERS = {column.key: column.header for column in COLUMNS}


def hotline_import(*, actor: User, upload: Any) -> ImportOutcome:
    """Checks the workbook (the file, then every row) and, when every row is valid, writes all rows in one
    transaction; otherwise nothing, and every problem by row and column."""
    units = hotline_units_for(actor)
    if not units:
        raise NotAllowed(_("Your role does not import hotline tickets."))
    name = os.path.basename(getattr(upload, "name", "") or "")
    if os.path.splitext(name)[1].lower() != ".xlsx":
        raise DomainError(_("Upload an Excel workbook (.xlsx) made from the template."), code="not_xlsx", field="file")
    outcome = ImportOutcome()
    try:
        check_package(upload, size=int(upload.size), limits=import_limits())
        with XlsxReader(upload) as reader:
            parsed = _parse(reader, outcome)
    except UnreadableWorkbook as exc:
        raise DomainError(exc.message, code=exc.code, field="file") from exc
    outcome.rows = len(parsed)
    if not parsed and not outcome.errors:
        outcome.errors.append(RowError(None, "", "no_rows", _("The sheet has no rows below its first row.")))
    cleaned = []
    numbers: set[str] = set()
    for number, raw in parsed:
        unit_name = raw.get("unit") or ""
        values = {**raw, "unit": units.get(unit_name)}
        problems = ticket_problems(values)
        # A cell the reader refused was reported already: its rule message would repeat it.
        for key in raw["_refused"]:
            problems.pop(key, None)
        if not unit_name:
            problems["unit"] = [_("Give the handling unit.")]
        if values.get("number") in numbers:
            problems.setdefault("number", []).append(_("This ticket number appears twice in the file."))
        numbers.add(values.get("number") or "")
        for key, messages in problems.items():
            for message in messages:
                outcome.errors.append(RowError(number, HEADERS.get(key, ""), "invalid", message))
        cleaned.append(values)
    if outcome.errors:
        outcome.errors.sort(key=lambda error: error.row or 0)
        return outcome
    outcome.created, outcome.updated = hotline_import_write(actor=actor, rows=cleaned)
    return outcome


def _row(ticket: HotlineTicket) -> list[Any]:
    return [
        ticket.number,
        _labels("type").get(ticket.type, ticket.type),
        ticket.unit.name,
        ticket.summary,
        ticket.received_on,
        ticket.due_on,
        ticket.closed_on,
        _labels("satisfaction").get(ticket.satisfaction, ticket.satisfaction),
        ticket.reopened_count,
    ]


def hotline_export(*, tickets: QuerySet[HotlineTicket]) -> tuple[IO[bytes], str]:
    """Tickets the caller has already scoped, as xlsx in the template's columns; rows read in chunks, so the number
    of queries does not depend on the number of rows."""
    rows: Iterator[list[Any]] = (
        _row(t) for t in tickets.select_related("unit").order_by("pk").iterator(chunk_size=2000)
    )
    workbook = Workbook(write_only=True)
    data = workbook.create_sheet(DATA_SHEET)
    for index, column in enumerate(COLUMNS):
        data.column_dimensions[column_letters(index)].width = column.width
    data.append([column.header for column in COLUMNS])
    for row in rows:
        data.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in map(escape_cell, row)])
    spooled = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response that streams it
    workbook.save(spooled)
    spooled.seek(0)
    return spooled, f"{EXPORT_NAME}-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
