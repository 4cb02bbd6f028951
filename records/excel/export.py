"""Exporting records to xlsx or csv: the template's columns plus state and window, formula-looking text escaped."""

import csv
import datetime
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from records.amounts import amount_text
from records.excel.columns import (
    AMOUNT,
    COLUMNS,
    DATA_SHEET,
    SECTOR_LABELS,
    SEVERITY_LABELS,
    SOURCE_LABELS,
    SPECIAL_FIELD_LABELS,
    STATUS_LABELS,
)
from records.excel.reader import column_letters
from records.models import DishonestyRecord

# 公示截止日期: the label of the last day shown everywhere (pages, API help, the platform's 公示截止期).
EXPORT_EXTRA_HEADERS = ("公务人员姓名", "状态", "公示开始日期", "可申请修复日期", "公示截止日期", "记录编号")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
AMOUNT_FORMAT = "0.00####"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def export_headers() -> list[str]:
    return [column.header for column in COLUMNS] + list(EXPORT_EXTRA_HEADERS)


def escape_cell(value: Any) -> Any:
    """A text that a spreadsheet could read as a formula gets a leading apostrophe (formula injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _amount(value: Decimal | None) -> Decimal | None:
    # As the staff pages write it (records.amounts): 5.000000 → 5.00, 1.234500 → 1.2345.
    return None if value is None else Decimal(amount_text(value))


def export_row(record: DishonestyRecord, id_number: str) -> list[Any]:
    """One record as the export's cells (dates as dates, amounts as Decimals, choices as their Chinese labels)."""
    person = record.subject_person
    values = [
        record.subject_agency.uscc,
        record.subject_agency.name,
        id_number,
        SOURCE_LABELS.get(record.source, record.source),
        SECTOR_LABELS.get(record.sector, record.sector),
        SEVERITY_LABELS.get(record.severity, record.severity),
        SPECIAL_FIELD_LABELS.get(record.special_field, record.special_field) if record.special_field else "",
        record.document_number,
        record.deciding_body_name,
        record.deciding_body_uscc,
        record.decision_date,
        record.facts,
        record.legal_basis,
        record.categories,
        _amount(record.fine_amount),
        _amount(record.other_amount),
        record.loss_description,
        record.social_impact,
        person.name if person else "",
        STATUS_LABELS.get(record.status, record.status),
        record.disclosure_starts_on,
        record.earliest_repair_on,
        record.disclosed_until,  # empty for a record that is not publicly disclosed
        record.pk,
    ]
    return [escape_cell(value) for value in values]


def export_xlsx(rows: Iterable[list[Any]]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(DATA_SHEET)
    for index, column in enumerate(COLUMNS):
        sheet.column_dimensions[column_letters(index)].width = column.width
    sheet.append(export_headers())
    amounts = {index for index, column in enumerate(COLUMNS) if column.kind == AMOUNT}

    def cell(index: int, value: Any) -> Any:
        if isinstance(value, str):
            return ILLEGAL_CHARACTERS_RE.sub("", value)
        if index in amounts and value is not None:
            # Excel shows the amount as the pages do: two decimals at least (a General cell would show 5).
            amount = WriteOnlyCell(sheet, value=value)
            amount.number_format = AMOUNT_FORMAT
            return amount
        return value

    for row in rows:
        sheet.append([cell(index, value) for index, value in enumerate(row)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_csv(rows: Iterable[list[Any]], *, flush_every: int = 500) -> Iterator[bytes]:
    """UTF-8 with a byte-order mark, so Excel opens the Chinese text correctly; yielded in pieces."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(export_headers())
    for count, row in enumerate(rows, start=1):
        writer.writerow(["" if value is None else _csv_text(value) for value in row])
        if count % flush_every == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def _csv_text(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)
