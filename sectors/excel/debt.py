"""Government bonds and their repayments in Excel (finance bureaus keep both in spreadsheets): a template for each,
an import that reports every bad row in the services' words and writes all rows or none, and an export in the
template's columns. The engine is the records' (records.excel: reader, file checks, template builder, cells)."""

import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from accounts.models import Sector, User
from accounts.scope import may_enter_sector_data
from kernel.errors import DomainError, NotAllowed
from records.excel.cells import clean_text, date_of, is_formula_text, shown_number
from records.excel.columns import AMOUNT, CHOICE, CODE, DATE, TEXT, Column, labels_lookup
from records.excel.export import escape_cell
from records.excel.reader import CellError, UnreadableWorkbook, XlsxReader, check_package, column_letters
from records.excel.rows import RowError
from records.excel.template import workbook_template
from records.rules import NOT_A_DATE
from records.services.imports import import_limits
from sectors.forms.debt import debt_regions_for
from sectors.models.debt import DebtBond, DebtKind, DebtRepayment, RepaymentKind
from sectors.services.debt import debt_bond_problems, debt_published_years_correct, debt_repayment_problems
from subjects.codes import normalize_uscc

NUMBER = "number"
HELP_SHEET = "填写说明"
LISTS_SHEET = "可选值"
# Allowed values in Chinese, fixed: data shared with the bureaus' own spreadsheets, not interface text.
LABELS: dict[str, tuple[Any, dict[str, str]]] = {
    "kind": (DebtKind, {DebtKind.GENERAL: "一般债券", DebtKind.SPECIAL: "专项债券"}),
    "repayment_kind": (RepaymentKind, {RepaymentKind.PRINCIPAL: "本金", RepaymentKind.INTEREST: "利息"}),
}


def _labels(key: str) -> dict[str, str]:
    return {str(code): label for code, label in LABELS[key][1].items()}


@dataclass(frozen=True)
class Sheet:
    key: str
    data_sheet: str
    template_name: str
    export_name: str
    columns: tuple[Column, ...]


BONDS = Sheet(
    key="bonds",
    data_sheet="政府债券",
    template_name="政府债券导入模板.xlsx",
    export_name="政府债券导出",
    columns=(
        Column(
            "region_uscc", "地区政府统一社会信用代码", CODE, True, gettext_lazy("The region's government."), width=24
        ),
        Column("code", "债券编码", TEXT, True, gettext_lazy("The bond's code, unique."), 40, width=20),
        Column("kind", "债券类型", CHOICE, True, gettext_lazy("General or special.")),
        Column("amount", "发行金额（万元）", AMOUNT, True, gettext_lazy("In 10,000 yuan, above zero."), width=14),
        Column("issued_on", "发行日期", DATE, True, gettext_lazy("The issue date."), width=12),
        Column("term_years", "期限（年）", NUMBER, True, gettext_lazy("1 to 50 years."), width=10),
        Column("rate", "票面利率（%）", AMOUNT, True, gettext_lazy("In percent, such as 3.25."), width=10),
        Column("use_of_funds", "资金用途", TEXT, True, gettext_lazy("What the funds are used for."), width=30),
        Column("project", "对应项目", TEXT, False, gettext_lazy("Special bonds: the project."), 200, width=24),
        Column("revenue_plan", "收益与融资平衡方案", TEXT, False, gettext_lazy("Special bonds: the plan."), width=30),
    ),
)
REPAYMENTS = Sheet(
    key="repayments",
    data_sheet="还本付息",
    template_name="还本付息导入模板.xlsx",
    export_name="还本付息导出",
    columns=(
        Column("bond_code", "债券编码", TEXT, True, gettext_lazy("The bond's code."), 40, width=20),
        Column("repayment_kind", "类型", CHOICE, True, gettext_lazy("Principal or interest.")),
        Column("due_on", "应付日期", DATE, True, gettext_lazy("The due date."), width=12),
        Column("amount_due", "应付金额（万元）", AMOUNT, True, gettext_lazy("In 10,000 yuan, above zero."), width=14),
        Column("paid_amount", "已付金额（万元）", AMOUNT, False, gettext_lazy("In 10,000 yuan."), width=14),
        Column("paid_on", "实付日期", DATE, False, gettext_lazy("The day it was paid."), width=12),
    ),
)
SHEETS = {sheet.key: sheet for sheet in (BONDS, REPAYMENTS)}


def import_max_rows() -> int:
    return int(settings.DEBT_IMPORT_MAX_ROWS)


def build_template(sheet: Sheet) -> bytes:
    return workbook_template(
        columns=sheet.columns,
        labels=_labels,
        data_sheet=sheet.data_sheet,
        help_sheet=HELP_SHEET,
        lists_sheet=LISTS_SHEET,
        intro=[
            _("Fill in one row per item of the sheet “%(sheet)s”.") % {"sheet": sheet.data_sheet},
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
    """(True, the cell's value for the column) or (False, the message)."""
    if column.kind == CODE:
        return (True, normalize_uscc(value)) if isinstance(value, str) else (False, _("Type the code as text."))
    if column.kind == TEXT:
        return True, str(value).strip()
    if column.kind == CHOICE:
        enum, labels = LABELS[column.key]
        found = labels_lookup(enum, labels).get(str(value).strip())
        return (True, found) if found else (False, _("Choose a value from the list."))
    if column.kind == DATE:
        day = date_of(value)
        return (True, day) if day is not None else (False, str(NOT_A_DATE))
    if column.kind == AMOUNT:
        try:
            return True, shown_number(value) if isinstance(value, float) else Decimal(str(value).replace(",", ""))
        except InvalidOperation:
            return False, _("Enter a number.")
    if isinstance(value, float) and value.is_integer():
        return True, int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return True, int(value.strip())
    return False, _("Enter a whole number.")


def _parse(reader: XlsxReader, sheet: Sheet, outcome: ImportOutcome) -> list[tuple[int, dict[str, Any]]]:
    rows = reader.rows(sheet.data_sheet if sheet.data_sheet in reader.sheet_names else None)
    header = next(rows, None)
    if header is None:
        outcome.errors.append(RowError(None, "", "no_rows", _("The sheet is empty.")))
        return []
    by_header = {column.header: column for column in sheet.columns}
    positions = {
        by_header[v.strip()].key: i for i, v in enumerate(header.cells) if isinstance(v, str) and v.strip() in by_header
    }
    missing = [c for c in sheet.columns if c.required and c.key not in positions]
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
        for column in sheet.columns:
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
                continue
            ok, read = _read(column, value)
            if not ok:
                outcome.errors.append(RowError(row.number, column.header, "invalid", str(read)))
                continue
            values[column.key] = read
        if any(v is not None for v in values.values()):
            parsed.append((row.number, values))
    return parsed


def _header(sheet: Sheet, name: str) -> str:
    column = next((c for c in sheet.columns if c.key == name), None)
    return column.header if column is not None else ""


def _bond_values(
    actor: User, values: dict[str, Any], regions: dict[str, Any], _bonds: dict[str, Any]
) -> dict[str, Any]:
    return {**values, "region": regions.get(values.get("region_uscc") or "")}


def _repayment_values(
    actor: User, values: dict[str, Any], _regions: dict[str, Any], bonds: dict[str, Any]
) -> dict[str, Any]:
    return {**values, "kind": values.get("repayment_kind"), "bond": bonds.get(values.get("bond_code") or "")}


def debt_import(*, actor: User, upload: Any, sheet: Sheet) -> ImportOutcome:
    """Checks the workbook (the file, then every row) and, when every row is valid, writes all rows in one
    transaction; otherwise nothing, and every problem by row and column."""
    regions = {agency.uscc: agency for agency in debt_regions_for(actor)}
    if not regions:
        raise NotAllowed(_("Your role does not enter government debt."))
    name = os.path.basename(getattr(upload, "name", "") or "")
    if os.path.splitext(name)[1].lower() != ".xlsx":
        raise DomainError(_("Upload an Excel workbook (.xlsx) made from the template."), code="not_xlsx", field="file")
    outcome = ImportOutcome()
    try:
        check_package(upload, size=int(upload.size), limits=import_limits())
        with XlsxReader(upload) as reader:
            parsed = _parse(reader, sheet, outcome)
    except UnreadableWorkbook as exc:
        raise DomainError(exc.message, code=exc.code, field="file") from exc
    outcome.rows = len(parsed)
    if not parsed and not outcome.errors:
        outcome.errors.append(RowError(None, "", "no_rows", _("The sheet has no rows below its first row.")))
    bonds = {b.code: b for b in DebtBond.objects.filter(region__in=list(regions.values()))}
    make: Callable[..., dict[str, Any]] = _bond_values if sheet is BONDS else _repayment_values
    check = debt_bond_problems if sheet is BONDS else debt_repayment_problems
    cleaned = []
    codes: set[str] = set()
    for number, raw in parsed:
        values = make(actor, raw, regions, bonds)
        problems, clean = check(values)
        if sheet is BONDS and clean.get("code") in codes:
            problems.setdefault("code", []).append(_("This code appears twice in the file."))
        codes.add(clean.get("code") or "")
        for name_, messages in problems.items():
            column = {
                "region": "region_uscc",
                "bond": "bond_code",
                "kind": "kind" if sheet is BONDS else "repayment_kind",
            }.get(name_, name_)
            for message in messages:
                outcome.errors.append(RowError(number, _header(sheet, column), "invalid", message))
        cleaned.append(clean)
    if outcome.errors:
        outcome.errors.sort(key=lambda error: error.row or 0)
        return outcome
    model: Any = DebtBond if sheet is BONDS else DebtRepayment
    for clean in cleaned:
        region = clean["region"] if sheet is BONDS else clean["bond"].region
        if not may_enter_sector_data(actor, Sector.DEBT, region):
            raise NotAllowed(
                _("Only the finance authority or the credit office of the region may enter its debt figures.")
            )
    with transaction.atomic():
        if sheet is BONDS:
            model.objects.bulk_create([DebtBond(created_by=actor, **clean) for clean in cleaned])
        else:
            model.objects.bulk_create([DebtRepayment(**clean) for clean in cleaned])
            years: dict[int, set[int]] = {}
            for clean in cleaned:
                years.setdefault(clean["bond"].region_id, set()).add(clean["due_on"].year)
            for region_id, region_years in years.items():
                debt_published_years_correct(region_id, region_years)
    outcome.created = len(cleaned)
    return outcome


def _bond_row(bond: DebtBond) -> list[Any]:
    return [
        bond.region.uscc,
        bond.code,
        _labels("kind").get(bond.kind, bond.kind),
        bond.amount,
        bond.issued_on,
        bond.term_years,
        bond.rate,
        bond.use_of_funds,
        bond.project,
        bond.revenue_plan,
    ]


def _repayment_row(repayment: DebtRepayment) -> list[Any]:
    return [
        repayment.bond.code,
        _labels("repayment_kind").get(repayment.kind, repayment.kind),
        repayment.due_on,
        repayment.amount_due,
        repayment.paid_amount,
        repayment.paid_on,
    ]


def debt_export(*, bonds: QuerySet[DebtBond], sheet: Sheet) -> tuple[IO[bytes], str]:
    """Bonds the caller has already scoped (or their repayments) as xlsx in the template's columns; rows read in
    chunks, so the number of queries does not depend on the number of rows."""
    rows: Iterator[list[Any]]
    if sheet is BONDS:
        rows = (_bond_row(b) for b in bonds.select_related("region").order_by("pk").iterator(chunk_size=2000))
    else:
        repayments = (
            DebtRepayment.objects.filter(bond__in=bonds.values("pk"))
            .select_related("bond")
            .order_by("bond_id", "due_on", "pk")
        )
        rows = (_repayment_row(r) for r in repayments.iterator(chunk_size=2000))
    workbook = Workbook(write_only=True)
    data = workbook.create_sheet(sheet.data_sheet)
    for index, column in enumerate(sheet.columns):
        data.column_dimensions[column_letters(index)].width = column.width
    data.append([column.header for column in sheet.columns])
    for row in rows:
        data.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in map(escape_cell, row)])
    spooled = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response that streams it
    workbook.save(spooled)
    spooled.seek(0)
    return spooled, f"{sheet.export_name}-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
