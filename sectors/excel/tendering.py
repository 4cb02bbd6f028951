"""Bad-behaviour records of tendering in Excel, on the engine of the records' Excel (records/excel/): the same checks
of the uploaded package, the same streaming reader and cell reading, the same escaping on export.

One row per record. Every row is held to sectors.services.tendering.behaviour_check (the form's and the API's words);
every problem of every row is reported by row and column, and nothing is written unless all rows are valid — then
all in one transaction through the service. The export writes the template's columns (so it imports again) and then
the computed ones: points, publication, public period.
"""

import datetime
import io
import os
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from accounts.models import Sector, User
from accounts.scope import may_enter_sector_data
from kernel.errors import DomainError, NotAllowed
from records.excel.cells import clean_text, date_of, is_formula_text, plain_number
from records.excel.columns import CHOICE, CODE, DATE, TEXT, Column, fold
from records.excel.export import escape_cell
from records.excel.reader import CellError, UnreadableWorkbook, XlsxReader, check_package
from records.excel.rows import RowError
from records.excel.template import workbook_template
from records.services.imports import import_limits
from sectors.models.tendering import BadBehaviour, PartyKind
from sectors.services import tendering as services
from subjects.codes import normalize_uscc
from subjects.models import Agency

DATA_SHEET = "不良行为记录"
HELP_SHEET = "填写说明"
LISTS_SHEET = "可选值"
KIND_LABELS: dict[str, str] = {
    PartyKind.BIDDER: "投标人",
    PartyKind.AGENT: "招标代理机构",
    PartyKind.EXPERT: "评标专家",
    PartyKind.TENDERER: "招标人",
}
COLUMNS: tuple[Column, ...] = (
    Column(
        "decided_by_uscc",
        "作出决定机关统一社会信用代码",
        CODE,
        True,
        gettext_lazy("The deciding authority's code."),
        width=24,
    ),
    Column(
        "party_kind", "主体类别", CHOICE, True, gettext_lazy("Bidder, tendering agent, evaluation expert or tenderer.")
    ),
    Column(
        "party_name", "主体名称", TEXT, True, gettext_lazy("The party's name (an expert's full name)."), 200, width=24
    ),
    Column(
        "party_uscc", "统一社会信用代码", CODE, False, gettext_lazy("The party's code (not for experts)."), width=24
    ),
    Column(
        "party_id_number", "身份证号码", CODE, False, gettext_lazy("The expert's ID number (experts only)."), width=22
    ),
    Column(
        "item_code", "记分事项代码", TEXT, True, gettext_lazy("The item's code in the scheme in effect that day."), 30
    ),
    Column("document_number", "决定书文号", TEXT, True, gettext_lazy("The number of the decision document."), 100),
    Column("decided_on", "决定日期", DATE, True, gettext_lazy("The day of the decision.")),
    Column("facts", "违法违规事实", TEXT, True, gettext_lazy("The facts of the bad behaviour."), 2000, width=30),
    Column("project_name", "招标项目", TEXT, False, gettext_lazy("The tender project concerned."), 200, width=24),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
FIELD_COLUMNS = {"decided_by": "decided_by_uscc"}
EXPORT_EXTRA_HEADERS = ("记分", "应公开日期", "公开日期", "公开截止日期")


def build_template() -> bytes:
    return workbook_template(
        columns=COLUMNS,
        labels=lambda key: dict(KIND_LABELS),
        data_sheet=DATA_SHEET,
        help_sheet=HELP_SHEET,
        lists_sheet=LISTS_SHEET,
        intro=[
            _("Fill in one bad-behaviour record per row of the sheet “%(sheet)s”.") % {"sheet": DATA_SHEET},
            _(
                "The points come from the scheme in effect on the day of the decision. Nothing is imported until "
                "every row is correct."
            ),
        ],
    )


@dataclass
class ImportOutcome:
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    created: int = 0


def _error(row: int | None, key: str, code: str, message: str) -> RowError:
    column = COLUMN_BY_KEY.get(FIELD_COLUMNS.get(key, key))
    return RowError(row, column.header if column else "", code, message)


def _cell(column: Column, value: Any, number: int, errors: list[RowError]) -> Any:
    if isinstance(value, CellError):
        errors.append(
            _error(
                number,
                column.key,
                "cell_error",
                _("The cell shows an Excel error (%(error)s).") % {"error": value.text},
            )
        )
        return None
    if isinstance(value, str):
        value = clean_text(value)
        if is_formula_text(value):
            errors.append(
                _error(number, column.key, "formula", _("Formulas are not accepted; paste the values instead."))
            )
            return None
    if value is None or value == "":
        return None
    if column.kind == DATE:
        day = date_of(value)
        if day is None:
            errors.append(_error(number, column.key, "invalid_date", _("Enter a date such as 2026-06-01.")))
        return day
    if column.kind == CODE:
        if not isinstance(value, str):
            errors.append(
                _error(
                    number,
                    column.key,
                    "not_text",
                    _("Type the code as text (format the column as Text), not as a number."),
                )
            )
            return None
        return value
    if column.kind == CHOICE:
        lookup = {fold(label): code for code, label in KIND_LABELS.items()}
        lookup.update({fold(code): code for code in KIND_LABELS})
        code = lookup.get(fold(str(value)))
        if code is None:
            errors.append(_error(number, column.key, "invalid_choice", _("Choose a value from the list.")))
        return code
    if isinstance(value, float):
        return plain_number(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def tendering_import(*, actor: User, upload: Any) -> ImportOutcome:
    """Checks an uploaded workbook and, when every row is valid, records its rows in one transaction. A file refused
    whole is reported as one error."""
    outcome = ImportOutcome()
    if upload is None:
        outcome.errors.append(RowError(None, "", "required", _("Choose the file to upload.")))
        return outcome
    name = os.path.basename(getattr(upload, "name", "") or "")
    if os.path.splitext(name)[1].lower() != ".xlsx":
        outcome.errors.append(
            RowError(None, "", "not_xlsx", _("Upload an Excel workbook (.xlsx) made from the template."))
        )
        return outcome
    rows: list[tuple[int, services.BehaviourInput]] = []
    try:
        check_package(upload, size=int(upload.size), limits=import_limits())
        with XlsxReader(upload) as reader:
            sheet = reader.rows(DATA_SHEET if DATA_SHEET in reader.sheet_names else None)
            header = next(sheet, None)
            by_header = {column.header: column for column in COLUMNS}
            positions = {
                by_header[value.strip()].key: index
                for index, value in enumerate(header.cells if header else [])
                if isinstance(value, str) and value.strip() in by_header
            }
            for column in COLUMNS:
                if column.required and column.key not in positions:
                    outcome.errors.append(
                        RowError(
                            1,
                            column.header,
                            "missing_column",
                            _("The first row must hold the template's column headers; this one is missing."),
                        )
                    )
            if outcome.errors:
                return outcome
            agencies: dict[str, Agency | None] = {}
            for seen, row in enumerate(sheet, start=1):
                if seen > int(settings.TENDERING_IMPORT_MAX_ROWS):
                    outcome.errors.append(
                        RowError(
                            row.number,
                            "",
                            "too_many_rows",
                            _("At most %(limit)d rows can be imported at once; split the file.")
                            % {"limit": int(settings.TENDERING_IMPORT_MAX_ROWS)},
                        )
                    )
                    return outcome
                values: dict[str, Any] = {}
                for column in COLUMNS:
                    index = positions.get(column.key)
                    raw = row.cells[index] if index is not None and index < len(row.cells) else None
                    values[column.key] = _cell(column, raw, row.number, outcome.errors)
                if all(v is None for v in values.values()):
                    continue
                code = normalize_uscc(values.pop("decided_by_uscc") or "")
                if code not in agencies:
                    agencies[code] = Agency.objects.filter(uscc=code).first() if code else None
                agency = agencies[code]
                if agency is not None and not may_enter_sector_data(actor, Sector.TENDERING, agency):
                    agency = None
                data = services.BehaviourInput(
                    decided_by=agency,
                    party_kind=values["party_kind"] or "",
                    party_name=values["party_name"] or "",
                    party_uscc=values["party_uscc"] or "",
                    party_id_number=values["party_id_number"] or "",
                    item_code=values["item_code"] or "",
                    document_number=values["document_number"] or "",
                    decided_on=values["decided_on"],
                    facts=values["facts"] or "",
                    project_name=values["project_name"] or "",
                )
                try:
                    services.behaviour_check(data)
                except DomainError as exc:
                    for key, texts in exc.field_errors().items():
                        for text in texts:
                            outcome.errors.append(_error(row.number, key, "invalid", text))
                if data.decided_by is None and code:
                    outcome.errors.append(
                        _error(
                            row.number,
                            "decided_by",
                            "agency",
                            _("No authority you may enter records for has this code."),
                        )
                    )
                rows.append((row.number, data))
    except UnreadableWorkbook as exc:
        outcome.errors.append(RowError(None, "", exc.code, str(exc.message)))
        return outcome
    outcome.rows = len(rows)
    if not rows and not outcome.errors:
        outcome.errors.append(RowError(None, "", "no_rows", _("The sheet has no rows below its first row.")))
    if outcome.errors:
        outcome.errors.sort(key=lambda error: error.row or 0)
        return outcome
    try:
        with transaction.atomic():
            for _number, data in rows:
                services.behaviour_record(actor=actor, data=data)
                outcome.created += 1
    except NotAllowed:
        raise
    except DomainError as exc:
        outcome.created = 0
        outcome.errors.append(RowError(_number, "", exc.code, str(exc.message)))
    return outcome


def tendering_export(*, queryset: QuerySet[BadBehaviour]) -> bytes:
    """The records the caller already scoped, in the template's columns (so they import again) and the computed ones.
    Experts' ID numbers are exported masked."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(DATA_SHEET)
    sheet.append([column.header for column in COLUMNS] + list(EXPORT_EXTRA_HEADERS))
    rows = queryset.select_related("party", "item", "decided_by").order_by("-decided_on", "-pk")
    for row in rows.iterator(chunk_size=2000):
        values = [
            row.decided_by.uscc,
            KIND_LABELS.get(row.party.kind, row.party.kind),
            row.party.name,
            row.party.uscc,
            row.party.id_number_masked,
            row.item.code,
            row.document_number,
            row.decided_on,
            row.facts,
            row.project_name,
            row.points,
            row.publish_by,
            row.published_on,
            row.public_until,
        ]
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in map(escape_cell, values)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
