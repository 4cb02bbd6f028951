"""Procurement contracts and their payment obligations in Excel, on the engine of the records' Excel (records/excel/):
the same checks of the uploaded package (size, zip bomb, macros), the same streaming reader and cell reading, the same
escaping of formula-looking text on export.

One sheet, one row per payment obligation with its contract's columns (as agencies keep them): rows with the same
purchasing agency and contract number are one contract, and must agree on the contract's columns. A row may leave the
obligation's columns empty (a contract with no instalment yet). A contract number the agency already has receives
the rows' obligations. Every row is held to sectors.rules.procurement (the form's and the API's words); every problem
of every row is reported by row and column, and nothing is written unless all rows are valid — then all in one
transaction through the services. The export writes the template's columns (so it imports again) and then the
computed ones: legal due date, paid, status, days overdue, interest.
"""

import datetime
import os
import tempfile
from collections.abc import Iterator
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
from records.excel.cells import clean_text, date_of, is_formula_text, plain_number, shown_number
from records.excel.columns import AMOUNT, CHOICE, CODE, DATE, TEXT, Column, fold
from records.excel.export import escape_cell
from records.excel.reader import CellError, SheetRow, UnreadableWorkbook, XlsxReader, check_package, column_letters
from records.excel.rows import RowError
from records.excel.template import workbook_template
from records.services.imports import import_limits
from sectors.models.procurement import Contract, EnterpriseSize, ObligationStatus, PaymentObligation
from sectors.rules import procurement as rules
from sectors.services import procurement as services
from subjects.codes import normalize_uscc
from subjects.models import Agency

DATA_SHEET = "采购合同付款"
HELP_SHEET = "填写说明"
LISTS_SHEET = "可选值"
TEMPLATE_NAME = "采购合同付款导入模板.xlsx"
EXPORT_NAME = "采购合同付款导出"

SIZE_LABELS: dict[str, str] = {
    EnterpriseSize.MICRO: "微型企业",
    EnterpriseSize.SMALL: "小型企业",
    EnterpriseSize.MEDIUM: "中型企业",
    EnterpriseSize.LARGE: "大型企业",
}
YES_NO: dict[str, str] = {"yes": "是", "no": "否"}
STATUS_LABELS: dict[str, str] = {
    ObligationStatus.AWAITING: "待验收",
    ObligationStatus.PENDING: "未到期",
    ObligationStatus.OVERDUE: "逾期",
    ObligationStatus.DISPUTED: "仅余争议部分",
    ObligationStatus.SETTLED: "已付清",
}
LABELS: dict[str, dict[str, str]] = {
    "supplier_size": SIZE_LABELS,
    "budget_funded": YES_NO,
    "acceptance_conditions_payment": YES_NO,
}

COLUMNS: tuple[Column, ...] = (
    Column(
        "agency_uscc", "采购单位统一社会信用代码", CODE, True, gettext_lazy("The purchasing agency's code."), width=24
    ),
    Column("number", "合同编号", TEXT, True, gettext_lazy("The contract's number, unique within the agency."), 60),
    Column("supplier_name", "供应商名称", TEXT, True, gettext_lazy("The supplier's registered name."), 200, width=24),
    Column("supplier_uscc", "供应商统一社会信用代码", CODE, True, gettext_lazy("The supplier's code."), width=24),
    Column("supplier_size", "企业规模", CHOICE, True, gettext_lazy("The supplier's size at signing, as declared.")),
    Column("subject", "采购标的", TEXT, True, gettext_lazy("What the contract buys."), 300, width=24),
    Column("contract_amount", "合同金额（元）", AMOUNT, True, gettext_lazy("The contract amount in yuan.")),
    Column("signed_on", "签订日期", DATE, True, gettext_lazy("The day the contract was signed.")),
    Column("budget_funded", "财政资金", CHOICE, False, gettext_lazy("Funded by the budget (empty: yes).")),
    Column(
        "acceptance_conditions_payment",
        "以验收合格为付款条件",
        CHOICE,
        False,
        gettext_lazy("Whether payment depends on passed acceptance (empty: no)."),
    ),
    Column(
        "agreed_term_days",
        "约定付款期限（天）",
        AMOUNT,
        False,
        gettext_lazy("Days; empty if the contract is silent (30 days apply). An SME's term is at most 60 days."),
    ),
    Column(
        "agreed_daily_rate",
        "约定逾期利率（日）",
        AMOUNT,
        False,
        gettext_lazy("A fraction a day, e.g. 0.0005; empty: the statutory 0.05% a day for an SME."),
    ),
    Column("label", "款项名称", TEXT, False, gettext_lazy("The instalment (empty: a contract without one yet)."), 100),
    Column("amount", "应付金额（元）", AMOUNT, False, gettext_lazy("The instalment's amount in yuan.")),
    Column(
        "delivered_on", "交付日期", DATE, False, gettext_lazy("The day the goods, works or services were delivered.")
    ),
    Column("accepted_on", "验收合格日期", DATE, False, gettext_lazy("The day acceptance passed, if it did.")),
    Column("disputed_amount", "争议金额（元）", AMOUNT, False, gettext_lazy("The disputed part, if any.")),
    Column("dispute_note", "争议说明", TEXT, False, gettext_lazy("What is disputed."), 2000),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
EXPORT_EXTRA_HEADERS = ("法定付款期限", "已付金额（元）", "状态", "逾期天数", "逾期利息（元）")
CONTRACT_KEYS = (
    "supplier_name",
    "supplier_uscc",
    "supplier_size",
    "subject",
    "contract_amount",
    "signed_on",
    "budget_funded",
    "acceptance_conditions_payment",
    "agreed_term_days",
    "agreed_daily_rate",
)
OBLIGATION_KEYS = ("label", "amount", "delivered_on", "accepted_on", "disputed_amount", "dispute_note")
# Where a rule's field is shown.
FIELD_COLUMNS = {"amount": "amount", "agency": "agency_uscc"}


def import_max_rows() -> int:
    return int(settings.PROCUREMENT_IMPORT_MAX_ROWS)


def choice_labels(key: str) -> dict[str, str]:
    return dict(LABELS[key])


def build_template() -> bytes:
    return workbook_template(
        columns=COLUMNS,
        labels=choice_labels,
        data_sheet=DATA_SHEET,
        help_sheet=HELP_SHEET,
        lists_sheet=LISTS_SHEET,
        intro=[
            _("Fill in one payment obligation per row of the sheet “%(sheet)s”, with its contract's columns.")
            % {"sheet": DATA_SHEET},
            _(
                "Rows with the same agency code and contract number are one contract and must agree on its columns. "
                "The legal due date is computed, never typed. Nothing is imported until every row is correct."
            ),
        ],
        rules=[
            _("An SME's payment term is at most 60 days; a longer agreed term is flagged and 60 days apply."),
            _(
                "A contract that is silent gives 30 days from delivery, or from passed acceptance when that is the "
                "condition of payment."
            ),
        ],
    )


@dataclass
class ImportOutcome:
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    contracts: int = 0
    obligations: int = 0


@dataclass
class _Row:
    number: int
    values: dict[str, Any]
    errors: list[RowError] = field(default_factory=list)

    def error(self, key: str, code: str, message: str) -> None:
        column = COLUMN_BY_KEY.get(key)
        self.errors.append(RowError(self.number, column.header if column else "", code, message))


_UNREAD = object()


def _check_file(upload: Any) -> None:
    name = os.path.basename(getattr(upload, "name", "") or "")
    if os.path.splitext(name)[1].lower() != ".xlsx":
        raise DomainError(_("Upload an Excel workbook (.xlsx) made from the template."), code="not_xlsx", field="file")
    try:
        check_package(upload, size=int(upload.size), limits=import_limits())
    except UnreadableWorkbook as exc:
        raise DomainError(exc.message, code=exc.code, field="file") from exc


def _read(column: Column, value: Any, row: _Row) -> Any:
    if isinstance(value, CellError):
        row.error(column.key, "cell_error", _("The cell shows an Excel error (%(error)s).") % {"error": value.text})
        return _UNREAD
    if column.kind == CODE:
        if not isinstance(value, str):
            row.error(column.key, "not_text", _("Type the code as text (format the column as Text), not as a number."))
            return _UNREAD
        return normalize_uscc(value)
    if column.kind == DATE:
        day = date_of(value)
        if day is None:
            row.error(column.key, "invalid_date", _("Enter a date such as 2026-06-01."))
            return _UNREAD
        return day
    if column.kind == AMOUNT:
        try:
            if isinstance(value, bool) or not isinstance(value, float | str):
                raise InvalidOperation
            number = shown_number(value) if isinstance(value, float) else Decimal(value.replace(",", ""))
        except InvalidOperation:
            row.error(column.key, "invalid", _("Enter a number."))
            return _UNREAD
        if column.key == "agreed_term_days":
            if number != number.to_integral_value():
                row.error(column.key, "invalid", str(rules.MESSAGES["term"]))
                return _UNREAD
            return int(number)
        return number
    if column.kind == CHOICE:
        text = value if isinstance(value, str) else plain_number(value) if isinstance(value, float) else str(value)
        lookup = {fold(label): code for code, label in LABELS[column.key].items()}
        lookup.update({fold(code): code for code in LABELS[column.key]})
        code = lookup.get(fold(text))
        if code is None:
            row.error(column.key, "invalid_choice", _("Choose a value from the list."))
            return _UNREAD
        return code == "yes" if column.key != "supplier_size" else code
    if isinstance(value, float):
        return plain_number(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _parse(row: SheetRow, positions: dict[str, int]) -> _Row | None:
    item = _Row(row.number, {})
    blank = True
    for column in COLUMNS:
        index = positions.get(column.key)
        value: Any = row.cells[index] if index is not None and index < len(row.cells) else None
        if index is not None and index in row.formulas:
            item.error(column.key, "formula", _("Formulas are not accepted; paste the values instead."))
            blank = False
            continue
        if isinstance(value, str):
            value = clean_text(value)
            if is_formula_text(value):
                item.error(column.key, "formula", _("Formulas are not accepted; paste the values instead."))
                blank = False
                continue
        if value is None or value == "":
            item.values[column.key] = None
            continue
        blank = False
        read = _read(column, value, item)
        if read is not _UNREAD:
            item.values[column.key] = read
    return None if blank else item


def procurement_import(*, actor: User, upload: Any) -> ImportOutcome:
    """Checks an uploaded workbook (the file, then every row) and, when every row is valid, creates its contracts
    and obligations in one transaction. DomainError (field "file") for a file refused whole."""
    _check_file(upload)
    outcome = ImportOutcome()
    parsed: list[_Row] = []
    try:
        with XlsxReader(upload) as reader:
            rows = reader.rows(DATA_SHEET if DATA_SHEET in reader.sheet_names else None)
            header = next(rows, None)
            if header is None:
                outcome.errors.append(RowError(None, "", "no_rows", _("The sheet is empty.")))
                return outcome
            by_header = {column.header: column for column in COLUMNS}
            positions = {
                by_header[value.strip()].key: index
                for index, value in enumerate(header.cells)
                if isinstance(value, str) and value.strip() in by_header
            }
            missing = [column for column in COLUMNS if column.required and column.key not in positions]
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
                return outcome
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
                item = _parse(row, positions)
                if item is not None:
                    parsed.append(item)
    except UnreadableWorkbook as exc:
        raise DomainError(exc.message, code=exc.code, field="file") from exc
    outcome.rows = len(parsed)
    if not parsed:
        outcome.errors.append(RowError(None, "", "no_rows", _("The sheet has no rows below its first row.")))
        return outcome
    plan = _check_rows(actor, parsed, outcome)
    if outcome.errors:
        outcome.errors.sort(key=lambda error: error.row or 0)
        return outcome
    try:
        with transaction.atomic():
            for (agency, number), (first, contract, items) in plan.items():
                if contract is None:
                    contract = services.contract_create(actor=actor, data=_contract_input(agency, number, first))
                    outcome.contracts += 1
                for item in items:
                    services.obligation_add(actor=actor, contract=contract, data=_obligation_input(item.values))
                    outcome.obligations += 1
    except NotAllowed:
        raise
    except DomainError as exc:
        outcome.contracts = outcome.obligations = 0
        outcome.errors.append(RowError(None, "", exc.code, str(exc.message)))
    return outcome


def _contract_input(agency: Agency, number: str, row: _Row) -> services.ContractInput:
    values = row.values
    return services.ContractInput(
        agency=agency,
        number=number,
        supplier_name=values.get("supplier_name") or "",
        supplier_uscc=values.get("supplier_uscc") or "",
        supplier_size=values.get("supplier_size") or "",
        subject=values.get("subject") or "",
        amount=values.get("contract_amount"),
        signed_on=values.get("signed_on"),
        budget_funded=values.get("budget_funded") is not False,
        acceptance_conditions_payment=bool(values.get("acceptance_conditions_payment")),
        agreed_term_days=values.get("agreed_term_days"),
        agreed_daily_rate=values.get("agreed_daily_rate"),
    )


def _obligation_input(values: dict[str, Any]) -> services.ObligationInput:
    return services.ObligationInput(
        label=values.get("label") or "",
        amount=values.get("amount"),
        delivered_on=values.get("delivered_on"),
        accepted_on=values.get("accepted_on"),
        disputed_amount=values.get("disputed_amount") or Decimal("0.00"),
        dispute_note=values.get("dispute_note") or "",
    )


Plan = dict[tuple[Agency, str], tuple[_Row, Contract | None, list[_Row]]]


def _check_rows(actor: User, parsed: list[_Row], outcome: ImportOutcome) -> Plan:
    codes = {item.values.get("agency_uscc") for item in parsed} - {None}
    agencies = {agency.uscc: agency for agency in Agency.objects.filter(uscc__in=codes)}
    numbers = {item.values.get("number") for item in parsed} - {None}
    existing = {
        (contract.agency_id, contract.number): contract
        for contract in Contract.objects.filter(agency__in=list(agencies.values()), number__in=numbers).select_related(
            "agency"
        )
    }
    today = timezone.localdate()
    plan: Plan = {}
    firsts: dict[tuple[Agency, str], _Row] = {}
    for item in parsed:
        values = item.values
        agency = agencies.get(values.get("agency_uscc") or "")
        if values.get("agency_uscc") and (
            agency is None or not may_enter_sector_data(actor, Sector.PROCUREMENT, agency)
        ):
            agency = None
            item.error("agency_uscc", "agency_not_found", _("No agency in your reach has this code."))
        number = (values.get("number") or "").strip()
        contract = existing.get((agency.pk, number)) if agency is not None else None
        if contract is None and agency is not None:
            contract_values = _contract_input(agency, number, item).__dict__
            for problem in rules.contract_problems(contract_values, today=today):
                item.error(_column_of(problem.field, contract=True), problem.code, problem.message)
        key = (agency, number) if agency is not None else None
        first = firsts.setdefault(key, item) if key is not None else item
        if first is not item and contract is None:
            for name in CONTRACT_KEYS:
                if first.values.get(name) != values.get(name):
                    item.error(
                        name,
                        "contract_differs",
                        _("Row %(row)d gives this contract another value here.") % {"row": first.number},
                    )
        has_obligation = any(values.get(name) is not None for name in OBLIGATION_KEYS)
        if has_obligation:
            signed = contract.signed_on if contract is not None else values.get("signed_on")
            for problem in rules.obligation_problems(
                {name: values.get(name) for name in ("label", "amount", "delivered_on", "accepted_on")}
                | {"disputed_amount": values.get("disputed_amount") or Decimal("0")},
                signed_on=signed,
                today=today,
            ):
                item.error(_column_of(problem.field, contract=False), problem.code, problem.message)
            if values.get("disputed_amount") and not values.get("dispute_note"):
                item.error("dispute_note", "required", _("Say what is disputed."))
        outcome.errors.extend(item.errors)
        if key is not None and not item.errors:
            entry = plan.setdefault(key, (item, contract, []))
            if has_obligation:
                entry[2].append(item)
    return plan


def _column_of(name: str, *, contract: bool) -> str:
    if contract and name == "amount":
        return "contract_amount"
    if name == "agency":
        return "agency_uscc"
    return name


# The export ---------------------------------------------------------------------------------------------------------


def _bool(value: bool) -> str:
    return YES_NO["yes"] if value else YES_NO["no"]


def export_row(obligation: PaymentObligation) -> list[Any]:
    contract = obligation.contract
    values = [
        contract.agency.uscc,
        contract.number,
        contract.supplier_name,
        contract.supplier_uscc,
        SIZE_LABELS.get(contract.supplier_size, contract.supplier_size),
        contract.subject,
        contract.amount,
        contract.signed_on,
        _bool(contract.budget_funded),
        _bool(contract.acceptance_conditions_payment),
        contract.agreed_term_days,
        contract.agreed_daily_rate,
        obligation.label,
        obligation.amount,
        obligation.delivered_on,
        obligation.accepted_on,
        obligation.disputed_amount or None,
        obligation.dispute_note,
        obligation.due_on,
        obligation.paid_amount,
        STATUS_LABELS.get(obligation.status, obligation.status),
        obligation.overdue_days,
        obligation.interest,
    ]
    return [escape_cell(value) for value in values]


def procurement_export(*, queryset: QuerySet[Contract]) -> tuple[IO[bytes], str]:
    """The obligations of contracts the caller already scoped, as xlsx in a temporary file (memory stays flat, the
    number of queries does not grow with the rows), and the file's name."""
    obligations = (
        PaymentObligation.objects.filter(contract__in=queryset.values("pk"))
        .select_related("contract", "contract__agency")
        .order_by("contract_id", "delivered_on", "pk")
    )
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(DATA_SHEET)
    for index, column in enumerate(COLUMNS):
        sheet.column_dimensions[column_letters(index)].width = column.width
    sheet.append([column.header for column in COLUMNS] + list(EXPORT_EXTRA_HEADERS))
    for obligation in _chunked(obligations):
        sheet.append(
            [
                ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value
                for value in export_row(obligation)
            ]
        )
    spooled = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response that streams it
    workbook.save(spooled)
    spooled.seek(0)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return spooled, f"{EXPORT_NAME}-{stamp}.xlsx"


def _chunked(obligations: QuerySet[PaymentObligation]) -> Iterator[PaymentObligation]:
    yield from obligations.iterator(chunk_size=2000)
