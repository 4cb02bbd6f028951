"""NPC suggestions and CPPCC proposals in Excel (the government office keeps its assignment list in a spreadsheet): a
template, an import that reports every bad row in the services' words and writes all rows or none, and an export in
the template's columns plus the handling. The engine is the records' (records.excel: reader, file checks, template
builder, cells)."""

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
from records.excel.columns import CHOICE, CODE, DATE, TEXT, Column, labels_lookup
from records.excel.export import escape_cell
from records.excel.reader import CellError, UnreadableWorkbook, XlsxReader, check_package, column_letters
from records.excel.rows import RowError
from records.excel.template import workbook_template
from records.rules import NOT_A_DATE
from records.services.imports import import_limits
from subjects.codes import normalize_uscc
from subjects.models import Agency
from supervision.forms.suggestions import lead_units
from supervision.models.suggestions import Satisfaction, Suggestion, SuggestionKind, SuggestionStatus
from supervision.services.suggestions import SuggestionInput, suggestions_create_many, suggestions_refusals

DATA_SHEET = "建议提案"
HELP_SHEET = "填写说明"
LISTS_SHEET = "可选值"
TEMPLATE_NAME = "人大建议政协提案导入模板.xlsx"
EXPORT_NAME = "人大建议政协提案导出"
# Allowed values in Chinese, fixed: data shared with the offices' own spreadsheets, not interface text.
LABELS: dict[str, tuple[Any, dict[str, str]]] = {
    "kind": (SuggestionKind, {SuggestionKind.SUGGESTION: "人大代表建议", SuggestionKind.PROPOSAL: "政协提案"}),
}
STATUS_LABELS = {
    SuggestionStatus.ASSIGNED: "办理中",
    SuggestionStatus.REPLIED: "已答复",
    SuggestionStatus.REHANDLING: "重新办理",
    SuggestionStatus.REREPLIED: "已再次答复",
    SuggestionStatus.CLOSED: "已办结",
}
SATISFACTION_LABELS = {
    Satisfaction.SATISFIED: "满意",
    Satisfaction.BASICALLY: "基本满意",
    Satisfaction.UNSATISFIED: "不满意",
}
CO_UNITS = "co_units"

COLUMNS: tuple[Column, ...] = (
    Column("number", "编号", TEXT, True, gettext_lazy("The number, unique, such as 建议第0123号."), 40, width=16),
    Column("kind", "类别", CHOICE, True, gettext_lazy("NPC suggestion or CPPCC proposal.")),
    Column("session", "届次", TEXT, True, gettext_lazy("The session, such as 市十七届人大三次会议."), 100, width=24),
    Column("title", "标题", TEXT, True, gettext_lazy("The title."), 300, width=36),
    Column("deputy", "代表或委员", TEXT, True, gettext_lazy("The deputy or member (the first signer)."), 100),
    Column("deputy_contact", "联系方式", TEXT, False, gettext_lazy("Never published."), 100),
    Column("lead_unit_uscc", "主办单位统一社会信用代码", CODE, True, gettext_lazy("The lead unit."), width=24),
    Column(
        CO_UNITS,
        "协办单位统一社会信用代码",
        TEXT,
        False,
        gettext_lazy("The co-handling units' codes, separated by commas or semicolons."),
        width=30,
    ),
    Column("assigned_on", "交办日期", DATE, True, gettext_lazy("The day it was assigned."), width=12),
    Column(
        "due_on", "答复期限", DATE, False, gettext_lazy("Empty: three calendar months after the assignment."), width=12
    ),
    Column("content", "内容摘要", TEXT, False, gettext_lazy("What it asks."), width=40),
)
EXPORT_HEADERS = ("状态", "面商日期", "答复类别", "答复日期", "答复摘要", "满意度", "重新办理期限")


def _labels(key: str) -> dict[str, str]:
    return {str(code): label for code, label in LABELS[key][1].items()}


def import_max_rows() -> int:
    return int(settings.SUPERVISION_SUGGESTION_IMPORT_MAX_ROWS)


def build_template() -> bytes:
    return workbook_template(
        columns=COLUMNS,
        labels=_labels,
        data_sheet=DATA_SHEET,
        help_sheet=HELP_SHEET,
        lists_sheet=LISTS_SHEET,
        intro=[
            _("Fill in one row per suggestion or proposal of the sheet “%(sheet)s”.") % {"sheet": DATA_SHEET},
            _(
                "Do not change the first row, merge cells or use formulas. Type codes as text. Columns in red are "
                "required. Nothing is imported until every row is correct; the check lists every error with its row."
            ),
            _("At most %(rows)d rows can be imported at once.") % {"rows": import_max_rows()},
        ],
        max_rows=import_max_rows(),
    )


@dataclass
class ImportOutcome:
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    created: int = 0


def _read(column: Column, value: Any) -> tuple[bool, Any]:
    if column.kind == CODE:
        return (True, normalize_uscc(value)) if isinstance(value, str) else (False, _("Type the code as text."))
    if column.kind == TEXT:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return True, str(value).strip()
    if column.kind == CHOICE:
        enum, labels = LABELS[column.key]
        found = labels_lookup(enum, labels).get(str(value).strip())
        return (True, found) if found else (False, _("Choose a value from the list."))
    day = date_of(value)
    return (True, day) if day is not None else (False, str(NOT_A_DATE))


def _header(name: str) -> str:
    column = next((c for c in COLUMNS if c.key == name), None)
    return column.header if column is not None else ""


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
        unreadable: set[str] = set()
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
                unreadable.add(column.key)
                continue
            ok, read = _read(column, value)
            if not ok:
                outcome.errors.append(RowError(row.number, column.header, "invalid", str(read)))
                unreadable.add(column.key)
                continue
            values[column.key] = read
        values["_unreadable"] = unreadable
        if any(v is not None for k, v in values.items() if k != "_unreadable"):
            parsed.append((row.number, values))
    return parsed


def _codes(text: str | None) -> list[str]:
    if not text:
        return []
    for separator in ("，", "；", ";", "、", "\n"):
        text = text.replace(separator, ",")
    return [normalize_uscc(code) for code in text.split(",") if code.strip()]


def suggestions_import(*, actor: User, upload: Any) -> ImportOutcome:
    """Checks the workbook (the file, then every row) and, when every row is valid, writes all rows in one
    transaction; otherwise nothing, and every problem by row and column."""
    units = {agency.uscc: agency for agency in lead_units(actor)}
    if not units:
        raise NotAllowed(_("Your role does not enter suggestions and proposals."))
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
    co_codes = {code for _number, raw in parsed for code in _codes(raw.get(CO_UNITS))}
    others = {a.uscc: a for a in Agency.objects.filter(uscc__in=co_codes, active=True)}
    items: list[SuggestionInput] = []
    numbers: list[int] = []
    for number, raw in parsed:
        unreadable = raw["_unreadable"]
        lead_code = raw.get("lead_unit_uscc") or ""
        lead = units.get(lead_code)
        if lead is None and lead_code and "lead_unit_uscc" not in unreadable:
            outcome.errors.append(
                RowError(number, _header("lead_unit_uscc"), "invalid", _("No unit you may enter for has this code."))
            )
            unreadable.add("lead_unit_uscc")
        co_units = []
        for code in _codes(raw.get(CO_UNITS)):
            unit = others.get(code)
            if unit is None:
                outcome.errors.append(
                    RowError(number, _header(CO_UNITS), "invalid", _("No unit has the code %(code)s.") % {"code": code})
                )
            else:
                co_units.append(unit)
        items.append(
            SuggestionInput(
                number=raw.get("number") or "",
                kind=raw.get("kind") or "",
                session=raw.get("session") or "",
                title=raw.get("title") or "",
                content=raw.get("content") or "",
                deputy=raw.get("deputy") or "",
                deputy_contact=raw.get("deputy_contact") or "",
                lead_unit=lead,
                co_units=co_units,
                assigned_on=raw.get("assigned_on"),
                due_on=raw.get("due_on"),
            )
        )
        numbers.append(number)
    for index, problems in suggestions_refusals(actor=actor, items=items).items():
        unreadable = parsed[index][1]["_unreadable"]
        for name_, messages in problems.items():
            column = {"lead_unit": "lead_unit_uscc"}.get(name_, name_)
            if column in unreadable:
                continue  # the cell's own problem is reported already
            for message in messages:
                outcome.errors.append(RowError(numbers[index], _header(column), "invalid", message))
    if not outcome.errors:
        outcome.created = len(suggestions_create_many(actor=actor, items=items))
    outcome.errors.sort(key=lambda error: error.row or 0)
    return outcome


def _row(s: Suggestion) -> list[Any]:
    return [
        s.number,
        _labels("kind").get(s.kind, s.kind),
        s.session,
        s.title,
        s.deputy,
        s.deputy_contact,
        s.lead_unit.uscc,
        ",".join(unit.uscc for unit in s.co_units.all()),
        s.assigned_on,
        s.due_on,
        s.content,
        STATUS_LABELS.get(SuggestionStatus(s.status), s.status),
        s.consulted_on,
        s.last_class,
        s.rereplied_on or s.replied_on,
        s.reply_summary,
        SATISFACTION_LABELS.get(Satisfaction(s.last_satisfaction), "") if s.last_satisfaction else "",
        s.rehandle_due_on,
    ]


def suggestions_export(*, queryset: QuerySet[Suggestion]) -> tuple[IO[bytes], str]:
    """Suggestions the caller has already scoped, in the template's columns and then their handling; rows read in
    chunks (co-handling units prefetched per chunk), so the number of queries does not grow with the rows."""
    rows: Iterator[Suggestion] = (
        queryset.select_related("lead_unit")
        .prefetch_related("co_units")
        .order_by("due_on", "pk")
        .iterator(chunk_size=2000)
    )
    workbook = Workbook(write_only=True)
    data = workbook.create_sheet(DATA_SHEET)
    headers = [column.header for column in COLUMNS] + list(EXPORT_HEADERS)
    for index in range(len(headers)):
        data.column_dimensions[column_letters(index)].width = COLUMNS[index].width if index < len(COLUMNS) else 14
    data.append(headers)
    for suggestion in rows:
        data.append(
            [ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in map(escape_cell, _row(suggestion))]
        )
    spooled = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response that streams it
    workbook.save(spooled)
    spooled.seek(0)
    return spooled, f"{EXPORT_NAME}-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
