"""Investment-promotion agreements and their obligations in Excel, on the records' engine (records/excel/): the same
checks of the uploaded package (size, zip bomb, macros), the same streaming reader and cell reading, the same
escaping of formula-looking text on export.

One row per government-side obligation; the agreement's columns repeat on each of its rows (rows with the same
agency and agreement number are one agreement, its particulars taken from its first row). Every row is held to the
rules of sectors.services.investment (the form's and the API's), every problem reported by row and column, and
nothing is written unless every row is valid; then all agreements are entered in one transaction.
"""

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from accounts.models import User
from kernel.errors import DomainError, NotAllowed
from records.excel.cells import clean_text, date_of, is_formula_text, shown_number
from records.excel.columns import AMOUNT, CHOICE, CODE, DATE, TEXT, Column
from records.excel.export import escape_cell
from records.excel.reader import CellError, SheetRow, UnreadableWorkbook, XlsxReader, check_package, column_letters
from records.excel.rows import RowError
from records.excel.template import workbook_template
from records.services.imports import import_limits
from sectors.forms.investment import investment_entering_agencies
from sectors.models import InvestmentAgreement, InvestmentObligation
from sectors.services.investment import (
    AgreementInput,
    AgreementsRefused,
    ObligationInput,
    agreement_problems,
    agreements_create_many,
    obligation_problems,
)
from subjects.codes import normalize_uscc
from subjects.models import Agency

DATA_SHEET = "招商引资协议"
HELP_SHEET = "填写说明"
LISTS_SHEET = "可选值"
TEMPLATE_NAME = "招商引资协议导入模板.xlsx"
EXPORT_NAME = "招商引资协议导出"
YES, NO = "是", "否"
STATUS_LABELS = {"pending": "待履行", "fulfilled": "已履行", "overdue": "逾期", "changed": "依法变更", "broken": "违约"}

COLUMNS: tuple[Column, ...] = (
    Column(
        "agency_uscc",
        "承诺单位统一社会信用代码",
        CODE,
        False,
        gettext_lazy("The promising agency's code (or give its name)."),
        width=24,
        gives="agency",
    ),
    Column(
        "agency_name",
        "承诺单位名称",
        TEXT,
        False,
        gettext_lazy("The promising agency's name as registered here."),
        200,
        width=24,
        gives="agency",
    ),
    Column(
        "number",
        "协议编号",
        TEXT,
        True,
        gettext_lazy("The agreement number; rows with the same number are one agreement."),
        100,
        width=20,
    ),
    Column("investor_name", "投资方名称", TEXT, True, gettext_lazy("The investor."), 200, width=24),
    Column(
        "investor_uscc",
        "投资方统一社会信用代码",
        CODE,
        True,
        gettext_lazy("The investor's Unified Social Credit Code."),
        width=24,
    ),
    Column("signed_on", "签订日期", DATE, True, gettext_lazy("The date the agreement was signed."), width=12),
    Column("project", "项目名称", TEXT, True, gettext_lazy("The project."), 200, width=24),
    Column("total_investment", "总投资额（元）", AMOUNT, True, gettext_lazy("The total investment in yuan."), width=16),
    Column(
        "investment_is_secret",
        "投资额属商业秘密",
        CHOICE,
        False,
        gettext_lazy("是 to withhold the amount from the public."),
        width=10,
    ),
    Column("summary", "协议摘要", TEXT, True, gettext_lazy("What the agreement provides."), 5000, width=40),
    Column(
        "secret_terms",
        "商业秘密条款",
        TEXT,
        False,
        gettext_lazy("Terms that are trade secrets; never public."),
        5000,
        width=30,
    ),
    Column("description", "政府方义务", TEXT, True, gettext_lazy("What the government side must do."), 500, width=30),
    Column("amount", "义务金额（元）", AMOUNT, False, gettext_lazy("The amount of the obligation, if any."), width=16),
    Column(
        "amount_is_secret",
        "金额属商业秘密",
        CHOICE,
        False,
        gettext_lazy("是 to withhold the amount from the public."),
        width=10,
    ),
    Column(
        "due_on",
        "履行期限",
        DATE,
        True,
        gettext_lazy("The date the obligation is due by; not before signing."),
        width=12,
    ),
)
AGREEMENT_KEYS = (
    "number",
    "investor_name",
    "investor_uscc",
    "signed_on",
    "project",
    "total_investment",
    "investment_is_secret",
    "summary",
    "secret_terms",
)
BY_KEY = {column.key: column for column in COLUMNS}
BY_FIELD = {column.field: column for column in COLUMNS}
EXPORT_EXTRA_HEADERS = ("状态", "履行日期")


def _labels(key: str) -> dict[str, str]:
    return {"yes": YES, "no": NO}


def import_max_rows() -> int:
    return int(settings.INVESTMENT_IMPORT_MAX_ROWS)


def build_template() -> bytes:
    return workbook_template(
        columns=COLUMNS,
        labels=_labels,
        data_sheet=DATA_SHEET,
        help_sheet=HELP_SHEET,
        lists_sheet=LISTS_SHEET,
        intro=[
            _("Fill in one government-side obligation per row of the sheet “%(sheet)s”.") % {"sheet": DATA_SHEET},
            _(
                "Rows with the same promising agency and agreement number are one agreement: its particulars are "
                "read from its first row. Columns in red are required. Nothing is imported until every row is "
                "correct; the check lists every error with its row."
            ),
            _("At most %(rows)d rows can be imported at once.") % {"rows": import_max_rows()},
        ],
        max_rows=import_max_rows(),
    )


# Import -----------------------------------------------------------------------------------------------------------


@dataclass
class ImportOutcome:
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    created: list[InvestmentAgreement] = field(default_factory=list)


@dataclass
class _Group:
    first_row: int
    data: AgreementInput
    obligations: list[ObligationInput] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)


def _check_file(upload: Any) -> None:
    name = os.path.basename(getattr(upload, "name", "") or "")
    if os.path.splitext(name)[1].lower() != ".xlsx":
        raise DomainError(_("Upload an Excel workbook (.xlsx) made from the template."), code="not_xlsx", field="file")
    try:
        check_package(upload, size=int(upload.size), limits=import_limits())
    except UnreadableWorkbook as exc:
        raise DomainError(exc.message, code=exc.code, field="file") from exc


def agreements_import(*, actor: User, upload: Any) -> ImportOutcome:
    """Checks an uploaded workbook and, when every row is valid, enters its agreements and obligations."""
    agencies = investment_entering_agencies(actor)
    if not agencies.exists():
        raise NotAllowed(_("You may not enter investment-promotion agreements."))
    _check_file(upload)
    outcome = ImportOutcome()
    report = outcome.errors.append
    parsed: list[tuple[int, dict[str, Any]]] = []
    try:
        with XlsxReader(upload) as reader:
            rows = reader.rows(DATA_SHEET if DATA_SHEET in reader.sheet_names else None)
            header = next(rows, None)
            if header is None:
                report(RowError(None, "", "no_rows", _("The sheet is empty.")))
                return outcome
            positions = _positions(header, report)
            if positions is None:
                return outcome
            for seen, row in enumerate(rows, start=1):
                if seen > import_max_rows():
                    report(
                        RowError(
                            row.number,
                            "",
                            "too_many_rows",
                            _("At most %(limit)d rows can be imported at once; split the file.")
                            % {"limit": import_max_rows()},
                        )
                    )
                    return outcome
                values = _parse(row, positions, report)
                if values is not None:
                    parsed.append((row.number, values))
    except UnreadableWorkbook as exc:
        raise DomainError(exc.message, code=exc.code, field="file") from exc
    outcome.rows = len(parsed)
    if not parsed and not outcome.errors:
        report(RowError(None, "", "no_rows", _("The sheet has no agreements below its first row.")))
    groups = _group(parsed, agencies, report)
    if outcome.errors:
        outcome.errors.sort(key=lambda error: (error.row or 0, error.column))
        return outcome
    try:
        outcome.created = agreements_create_many(
            actor=actor, items=[(group.data, group.obligations) for group in groups]
        )
    except AgreementsRefused as exc:
        for index, errors in sorted(exc.refusals.items()):
            for name, found in errors.items():
                for message in found:
                    report(RowError(groups[index].first_row, _header(name), "refused", message))
    return outcome


def _header(name: str) -> str:
    key = name.rsplit(".", 1)[-1]
    column = BY_FIELD.get(key)
    return column.header if column else ""


def _positions(header: SheetRow, report: Any) -> dict[str, int] | None:
    by_header = {column.header: column for column in COLUMNS}
    positions: dict[str, int] = {}
    for index, value in enumerate(header.cells):
        column = by_header.get(value.strip()) if isinstance(value, str) else None
        if column is not None:
            positions[column.key] = index
    missing = [c for c in COLUMNS if c.required and c.key not in positions]
    if "agency_uscc" not in positions and "agency_name" not in positions:
        missing.insert(0, BY_KEY["agency_uscc"])
    for column in missing:
        report(
            RowError(
                header.number,
                column.header,
                "missing_column",
                _("The first row must hold the template's column headers; this one is missing."),
            )
        )
    return None if missing else positions


def _parse(row: SheetRow, positions: dict[str, int], report: Any) -> dict[str, Any] | None:
    values: dict[str, Any] = {}
    blank = True

    def error(column: Column, code: str, message: str) -> None:
        report(RowError(row.number, column.header, code, message))

    for column in COLUMNS:
        index = positions.get(column.key)
        value: Any = row.cells[index] if index is not None and index < len(row.cells) else None
        if index is not None and index in row.formulas:
            error(column, "formula", _("Formulas are not accepted; paste the values instead."))
            blank = False
            continue
        if isinstance(value, str):
            value = clean_text(value)
            if is_formula_text(value):
                error(column, "formula", _("Formulas are not accepted; paste the values instead."))
                blank = False
                continue
        if value is None or value == "":
            values[column.key] = None
            continue
        blank = False
        if isinstance(value, CellError):
            error(column, "cell_error", _("The cell shows an Excel error (%(error)s).") % {"error": value.text})
            continue
        if column.kind == DATE:
            day = date_of(value)
            if day is None:
                error(column, "not_a_date", _("Enter a date such as 2026-06-01."))
                continue
            values[column.key] = day
        elif column.kind == AMOUNT:
            try:
                values[column.key] = shown_number(value) if isinstance(value, float) else Decimal(str(value))
            except InvalidOperation:
                error(column, "not_a_number", _("Enter a number."))
        elif column.kind == CHOICE:
            if str(value) not in (YES, NO):
                error(column, "invalid_choice", _("Choose 是 or 否."))
                continue
            values[column.key] = str(value) == YES
        elif column.kind == CODE:
            if not isinstance(value, str):
                error(column, "not_text", _("Type the code as text (format the column as Text), not as a number."))
                continue
            values[column.key] = normalize_uscc(value)
        else:
            text = value if isinstance(value, str) else str(value)
            if column.max_length and len(text) > column.max_length:
                error(column, "too_long", _("At most %(limit)d characters.") % {"limit": column.max_length})
                continue
            values[column.key] = text
    return None if blank else values


def _group(parsed: list[tuple[int, dict[str, Any]]], agencies: QuerySet[Agency], report: Any) -> list[_Group]:
    codes = {v["agency_uscc"] for _n, v in parsed if v.get("agency_uscc")}
    names = {v["agency_name"] for _n, v in parsed if v.get("agency_name") and not v.get("agency_uscc")}
    by_code = {a.uscc: a for a in agencies.filter(uscc__in=codes)}
    by_name: dict[str, list[Agency]] = {}
    for agency in agencies.filter(name__in=names):
        by_name.setdefault(agency.name, []).append(agency)
    groups: dict[tuple[int, str], _Group] = {}
    for number, values in parsed:
        found: Agency | None = None
        if values.get("agency_uscc"):
            found = by_code.get(values["agency_uscc"])
        elif values.get("agency_name") and len(by_name.get(values["agency_name"], [])) == 1:
            found = by_name[values["agency_name"]][0]
        if found is None:
            report(
                RowError(
                    number,
                    BY_KEY["agency_uscc"].header,
                    "agency_not_found",
                    _("No agency in your reach has this code or name."),
                )
            )
            continue
        key = (found.pk, (values.get("number") or "").strip())
        group = groups.get(key)
        if group is None:
            data = AgreementInput(
                agency=found,
                number=values.get("number") or "",
                investor_name=values.get("investor_name") or "",
                investor_uscc=values.get("investor_uscc") or "",
                signed_on=values.get("signed_on"),
                project=values.get("project") or "",
                total_investment=values.get("total_investment"),
                summary=values.get("summary") or "",
                secret_terms=values.get("secret_terms") or "",
                investment_is_secret=bool(values.get("investment_is_secret")),
            )
            for problem in agreement_problems({k: getattr(data, k) for k in AGREEMENT_KEYS if k in values}):
                report(RowError(number, _header(problem.field), problem.code, problem.message))
            group = groups[key] = _Group(number, data)
        item = ObligationInput(
            description=values.get("description") or "",
            due_on=values.get("due_on"),
            amount=values.get("amount"),
            amount_is_secret=bool(values.get("amount_is_secret")),
        )
        for problem in obligation_problems(
            {"description": item.description, "due_on": item.due_on, "amount": item.amount},
            signed_on=group.data.signed_on,
        ):
            report(RowError(number, _header(problem.field), problem.code, problem.message))
        group.obligations.append(item)
        group.rows.append(number)
    return list(groups.values())


# Export -----------------------------------------------------------------------------------------------------------


def _export_row(agreement: InvestmentAgreement, obligation: InvestmentObligation) -> list[Any]:
    return [
        agreement.agency.uscc,
        agreement.agency.name,
        agreement.number,
        agreement.investor_name,
        agreement.investor_uscc,
        agreement.signed_on,
        agreement.project,
        agreement.total_investment,
        YES if agreement.investment_is_secret else NO,
        agreement.summary,
        agreement.secret_terms,
        obligation.description,
        obligation.amount,
        YES if obligation.amount_is_secret else NO,
        obligation.due_on,
        STATUS_LABELS.get(obligation.status, obligation.status),
        obligation.fulfilled_on,
    ]


def agreements_export(*, queryset: QuerySet[InvestmentAgreement]) -> tuple[IO[bytes], str]:
    """A scoped list of agreements as xlsx in the template's columns (so it imports again), one row per obligation;
    read in chunks with the obligations prefetched per chunk, so the queries do not grow with the rows."""
    agreements = queryset.select_related("agency").prefetch_related(
        Prefetch("obligations", queryset=InvestmentObligation.objects.order_by("due_on", "pk"))
    )

    def rows() -> Iterator[list[Any]]:
        for agreement in agreements.iterator(chunk_size=500):
            for obligation in agreement.obligations.all():
                yield [escape_cell(value) for value in _export_row(agreement, obligation)]

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(DATA_SHEET)
    for index, column in enumerate(COLUMNS):
        sheet.column_dimensions[column_letters(index)].width = column.width
    sheet.append([column.header for column in COLUMNS] + list(EXPORT_EXTRA_HEADERS))
    for row in rows():
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
    spooled = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response that streams it
    workbook.save(spooled)
    spooled.seek(0)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return spooled, f"{EXPORT_NAME}-{stamp}.xlsx"


__all__ = [
    "COLUMNS",
    "DATA_SHEET",
    "TEMPLATE_NAME",
    "ImportOutcome",
    "agreements_export",
    "agreements_import",
    "build_template",
]
