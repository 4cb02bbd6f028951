"""PPP projects and their payment obligations in Excel (agencies keep both in spreadsheets): a template for each, an
import that reports every bad row in the services' words and writes all rows or none, and an export in the
template's columns. The engine is the records' (records.excel: reader, file checks, template builder, cells)."""

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
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
from records.excel.cells import clean_text, date_of, is_formula_text, plain_number, shown_number
from records.excel.columns import AMOUNT, CHOICE, CODE, DATE, TEXT, Column, labels_lookup
from records.excel.export import escape_cell
from records.excel.reader import CellError, SheetRow, UnreadableWorkbook, XlsxReader, check_package, column_letters
from records.excel.rows import RowError
from records.excel.template import workbook_template
from records.rules import AGENCY_NOT_FOUND, NOT_A_DATE
from records.services.imports import import_limits
from sectors.forms.ppp import ppp_entering_agencies
from sectors.models.ppp import (
    PppIndustry,
    PppMode,
    PppPaymentKind,
    PppPaymentObligation,
    PppProject,
    PppRegime,
    PppReturn,
    PppStage,
)
from sectors.services.ppp import (
    PppPaymentInput,
    PppProjectInput,
    PppRowsRefused,
    ppp_payment_problems,
    ppp_payments_create_many,
    ppp_project_problems,
    ppp_projects_create_many,
)
from subjects.codes import normalize_uscc

NUMBER = "number"
HELP_SHEET = "填写说明"
LISTS_SHEET = "可选值"

# Allowed values in Chinese, fixed: data shared with the agencies' own spreadsheets, not interface text (as
# records/excel/columns.py says of its own). A value is accepted by its label here, its code or its catalogue label.
LABELS: dict[str, tuple[Any, dict[str, str]]] = {
    "industry": (
        PppIndustry,
        {
            PppIndustry.MUNICIPAL: "市政工程",
            PppIndustry.TRANSPORT: "交通运输",
            PppIndustry.WATER: "水务",
            PppIndustry.ENVIRONMENT: "生态环保",
            PppIndustry.EDUCATION: "教育",
            PppIndustry.HEALTH: "医疗卫生和养老",
            PppIndustry.CULTURE_SPORTS: "文化体育",
            PppIndustry.OTHER: "其他",
        },
    ),
    "mode": (
        PppMode,
        {
            PppMode.BOT: "BOT",
            PppMode.TOT: "TOT",
            PppMode.ROT: "ROT",
            PppMode.BOO: "BOO",
            PppMode.OM: "O&M",
            PppMode.MC: "MC",
            PppMode.OTHER: "其他",
        },
    ),
    "return_mechanism": (
        PppReturn,
        {
            PppReturn.USER_PAYS: "使用者付费",
            PppReturn.VIABILITY_GAP: "可行性缺口补助",
            PppReturn.GOVERNMENT_PAYS: "政府付费",
        },
    ),
    "regime": (
        PppRegime,
        {PppRegime.LEGACY: "存量项目（原机制）", PppRegime.NEW_2023: "新机制（国办函〔2023〕115号）"},
    ),
    "kind": (
        PppPaymentKind,
        {
            PppPaymentKind.AVAILABILITY: "可用性付费",
            PppPaymentKind.OPERATIONS_SUBSIDY: "运营补贴",
            PppPaymentKind.VIABILITY_GAP: "可行性缺口补助",
            PppPaymentKind.OTHER: "其他政府支出",
        },
    ),
}
STAGE_LABELS: dict[str, str] = {
    PppStage.IDENTIFICATION: "识别",
    PppStage.PREPARATION: "准备",
    PppStage.PROCUREMENT: "采购",
    PppStage.EXECUTION: "执行",
    PppStage.HANDOVER: "移交",
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
    extra_headers: tuple[str, ...]


PROJECTS = Sheet(
    key="projects",
    data_sheet="PPP项目",
    template_name="PPP项目导入模板.xlsx",
    export_name="PPP项目导出",
    columns=(
        Column(
            "agency_uscc",
            "实施机构统一社会信用代码",
            CODE,
            True,
            gettext_lazy("The implementing agency's code."),
            width=24,
            gives="agency",
        ),
        Column("code", "项目编号", TEXT, False, gettext_lazy("Left empty, the system gives one."), 40),
        Column("name", "项目名称", TEXT, True, gettext_lazy("The project's name."), 200, width=30),
        Column("industry", "所属行业", CHOICE, True, gettext_lazy("The project's industry.")),
        Column("mode", "运作方式", CHOICE, True, gettext_lazy("How the project is run."), width=10),
        Column("return_mechanism", "回报机制", CHOICE, True, gettext_lazy("How the private partner is paid.")),
        Column("regime", "适用机制", CHOICE, True, gettext_lazy("Legacy, or the 2023 new mechanism."), width=24),
        Column(
            "term_years",
            "合作期限（年）",
            NUMBER,
            True,
            gettext_lazy("1 to 99 years."),
            allowed=gettext_lazy("A whole number"),
            width=10,
        ),
        Column(
            "total_investment", "总投资（万元）", AMOUNT, True, gettext_lazy("In 10,000 yuan, above zero."), width=14
        ),
        Column(
            "identification_on",
            "项目识别日期",
            DATE,
            True,
            gettext_lazy("The day the project was identified."),
            width=12,
        ),
        Column(
            "partner_name", "社会资本方", TEXT, False, gettext_lazy("The private partner, once chosen."), 200, width=24
        ),
        Column(
            "partner_uscc",
            "社会资本方统一社会信用代码",
            CODE,
            False,
            gettext_lazy("The private partner's code."),
            width=24,
        ),
        Column(
            "company_name", "项目公司", TEXT, False, gettext_lazy("The project company (SPV), if any."), 200, width=24
        ),
        Column(
            "company_uscc",
            "项目公司统一社会信用代码",
            CODE,
            False,
            gettext_lazy("The project company's code."),
            width=24,
        ),
        Column(
            "contract_signed_on",
            "合同签订日期",
            DATE,
            False,
            gettext_lazy("The day the PPP contract was signed."),
            width=12,
        ),
        Column(
            "contract_summary",
            "合同摘要",
            TEXT,
            False,
            gettext_lazy("What the contract provides; shown on the public card."),
            5000,
            width=40,
        ),
    ),
    extra_headers=("所处阶段", "是否已公开"),
)
PAYMENTS = Sheet(
    key="payments",
    data_sheet="政府支出责任",
    template_name="PPP政府支出责任导入模板.xlsx",
    export_name="PPP政府支出责任导出",
    columns=(
        Column(
            "project_code",
            "项目编号",
            TEXT,
            True,
            gettext_lazy("The code of a project you may enter payments for."),
            40,
            gives="project",
        ),
        Column(
            "year",
            "年度",
            NUMBER,
            True,
            gettext_lazy("The year the payment is for."),
            allowed=gettext_lazy("A year such as 2026"),
            width=8,
        ),
        Column("kind", "支出类型", CHOICE, True, gettext_lazy("The kind of government payment.")),
        Column("amount_due", "应付金额（万元）", AMOUNT, True, gettext_lazy("In 10,000 yuan, above zero."), width=14),
        Column("due_on", "应付日期", DATE, True, gettext_lazy("In the year or the next."), width=12),
    ),
    extra_headers=("项目名称", "已付金额（万元）", "付款日期", "是否逾期"),
)
SHEETS = {sheet.key: sheet for sheet in (PROJECTS, PAYMENTS)}


def import_max_rows() -> int:
    return int(settings.PPP_IMPORT_MAX_ROWS)


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


# The import -----------------------------------------------------------------------------------------------------------


@dataclass
class ImportOutcome:
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    created: int = 0


_UNREAD = object()


def _check_file(upload: Any) -> None:
    name = os.path.basename(getattr(upload, "name", "") or "")
    if os.path.splitext(name)[1].lower() != ".xlsx":
        raise DomainError(_("Upload an Excel workbook (.xlsx) made from the template."), code="not_xlsx", field="file")
    try:
        check_package(upload, size=int(upload.size), limits=import_limits())
    except UnreadableWorkbook as exc:
        raise DomainError(exc.message, code=exc.code, field="file") from exc


def _read(column: Column, value: Any) -> Any:
    """One cell's value for the column, or (_UNREAD, message)."""
    if column.kind == CODE:
        if not isinstance(value, str):
            return _UNREAD, _("Type the code as text (format the column as Text), not as a number.")
        return normalize_uscc(value)
    if column.kind == TEXT:
        return plain_number(value) if isinstance(value, float) else str(value)
    if column.kind == CHOICE:
        enum, labels = LABELS[column.key]
        found = labels_lookup(enum, labels).get(str(value).strip()) or labels_lookup(enum, labels).get(
            str(value).strip().lower()
        )
        return found if found else (_UNREAD, _("Choose a value from the list."))
    if column.kind == DATE:
        day = date_of(value)
        return day if day is not None else (_UNREAD, str(NOT_A_DATE))
    if column.kind == AMOUNT:
        try:
            return shown_number(value) if isinstance(value, float) else Decimal(str(value).replace(",", ""))
        except InvalidOperation:
            return _UNREAD, _("Enter a number.")
    if column.kind == NUMBER:
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and value.strip().isdigit():
            return int(value.strip())
        return _UNREAD, _("Enter a whole number.")
    raise ValueError(column.kind)


def _rows(reader: XlsxReader, sheet: Sheet, outcome: ImportOutcome) -> list[tuple[int, dict[str, Any]]]:
    rows = reader.rows(sheet.data_sheet if sheet.data_sheet in reader.sheet_names else None)
    header: SheetRow | None = next(rows, None)
    if header is None:
        outcome.errors.append(RowError(None, "", "no_rows", _("The sheet is empty.")))
        return []
    by_header = {column.header: column for column in sheet.columns}
    positions: dict[str, int] = {}
    for index, value in enumerate(header.cells):
        column = by_header.get(value.strip()) if isinstance(value, str) else None
        if column is not None:
            positions[column.key] = index
    missing = [column for column in sheet.columns if column.required and column.key not in positions]
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
        blank = True
        for column in sheet.columns:
            position = positions.get(column.key)
            value = row.cells[position] if position is not None and position < len(row.cells) else None
            if isinstance(value, str):
                value = clean_text(value)
            if value is None or value == "":
                values[column.key] = None
                continue
            blank = False
            if (
                isinstance(value, CellError)
                or (position in row.formulas)
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
            read = _read(column, value)
            if isinstance(read, tuple) and read and read[0] is _UNREAD:
                outcome.errors.append(RowError(row.number, column.header, "invalid", str(read[1])))
                continue
            values[column.key] = read
        if not blank:
            parsed.append((row.number, values))
    return parsed


def _header_of(sheet: Sheet, name: str) -> str:
    column = next((c for c in sheet.columns if c.key == name or c.gives == name), None)
    return column.header if column is not None else ""


def _project_inputs(
    actor: User, parsed: list[tuple[int, dict[str, Any]]], outcome: ImportOutcome
) -> list[tuple[int, Any]]:
    agencies = {
        a.uscc: a for a in ppp_entering_agencies(actor).filter(uscc__in=[v.get("agency_uscc") for _n, v in parsed])
    }
    inputs = []
    for number, values in parsed:
        code = values.pop("agency_uscc")
        agency = agencies.get(code) if code else None
        if code and agency is None:
            outcome.errors.append(
                RowError(number, _header_of(PROJECTS, "agency"), "not_found", str(AGENCY_NOT_FOUND % {"text": code}))
            )
        values["agency"] = agency
        for name, messages in ppp_project_problems(values).items():
            if name == "agency" and code:
                continue  # said above
            for message in messages:
                outcome.errors.append(RowError(number, _header_of(PROJECTS, name), "invalid", message))
        text = ("code", "partner_name", "partner_uscc", "company_name", "company_uscc", "contract_summary")
        given = {name: values.get(name) for name in PppProjectInput.__dataclass_fields__}
        # Missing values stay None here: the rules above said so, and nothing is written while any row has an error.
        data = PppProjectInput(**{**given, **{k: values.get(k) or "" for k in text}})  # type: ignore[arg-type]
        inputs.append((number, data))
    return inputs


def _payment_inputs(
    actor: User, parsed: list[tuple[int, dict[str, Any]]], outcome: ImportOutcome
) -> list[tuple[int, Any]]:
    projects = {
        p.code: p
        for p in PppProject.objects.visible_to(actor)
        .filter(agency__in=ppp_entering_agencies(actor), code__in=[v.get("project_code") for _n, v in parsed])
        .select_related("agency")
    }
    inputs = []
    for number, values in parsed:
        code = values.pop("project_code")
        project = projects.get(code) if code else None
        if project is None:
            message = _("No project you may enter payments for has the code “%(code)s”.") % {"code": code or ""}
            outcome.errors.append(RowError(number, _header_of(PAYMENTS, "project"), "not_found", message))
        for name, messages in ppp_payment_problems(values).items():
            for message in messages:
                outcome.errors.append(RowError(number, _header_of(PAYMENTS, name), "invalid", message))
        given = {name: values.get(name) for name in ("year", "kind", "amount_due", "due_on")}
        inputs.append((number, PppPaymentInput(project=project, **given)))  # type: ignore[arg-type]
    return inputs


def ppp_import(*, actor: User, upload: Any, sheet: Sheet) -> ImportOutcome:
    """Checks the workbook (the file, then every row) and, when every row is valid, writes all rows in one
    transaction; otherwise nothing, and every problem by row and column."""
    if not ppp_entering_agencies(actor).exists():
        raise NotAllowed(_("Your role does not enter PPP projects."))
    _check_file(upload)
    outcome = ImportOutcome()
    try:
        with XlsxReader(upload) as reader:
            parsed = _rows(reader, sheet, outcome)
    except UnreadableWorkbook as exc:
        raise DomainError(exc.message, code=exc.code, field="file") from exc
    outcome.rows = len(parsed)
    if not parsed and not outcome.errors:
        outcome.errors.append(RowError(None, "", "no_rows", _("The sheet has no rows below its first row.")))
    make = _project_inputs if sheet is PROJECTS else _payment_inputs
    inputs = make(actor, parsed, outcome) if parsed else []
    if outcome.errors:
        outcome.errors.sort(key=lambda error: error.row or 0)
        return outcome
    try:
        if sheet is PROJECTS:
            outcome.created = len(ppp_projects_create_many(actor=actor, items=[data for _n, data in inputs]))
        else:
            outcome.created = len(ppp_payments_create_many(actor=actor, items=[data for _n, data in inputs]))
    except PppRowsRefused as exc:
        for index, errors in sorted(exc.refusals.items()):
            for name, messages in errors.items():
                for message in messages:
                    outcome.errors.append(RowError(inputs[index][0], _header_of(sheet, name), "refused", message))
    return outcome


# The export -----------------------------------------------------------------------------------------------------------


def _yes_no(value: bool) -> str:
    return "是" if value else "否"


def _project_row(project: PppProject) -> list[Any]:
    return [
        project.agency.uscc,
        project.code,
        project.name,
        _labels("industry").get(project.industry, project.industry),
        _labels("mode").get(project.mode, project.mode),
        _labels("return_mechanism").get(project.return_mechanism, project.return_mechanism),
        _labels("regime").get(project.regime, project.regime),
        project.term_years,
        project.total_investment,
        project.identification_on,
        project.partner_name,
        project.partner_uscc,
        project.company_name,
        project.company_uscc,
        project.contract_signed_on,
        project.contract_summary,
        STAGE_LABELS.get(project.stage, project.stage),
        _yes_no(project.published_at is not None),
    ]


def _payment_row(payment: PppPaymentObligation) -> list[Any]:
    return [
        payment.project.code,
        payment.year,
        _labels("kind").get(payment.kind, payment.kind),
        payment.amount_due,
        payment.due_on,
        payment.project.name,
        payment.paid_amount,
        payment.paid_on,
        _yes_no(payment.late),
    ]


def ppp_export(*, projects: QuerySet[PppProject], sheet: Sheet) -> tuple[IO[bytes], str]:
    """Projects the caller has already scoped (or their payment obligations) as xlsx, in the template's columns so
    the file imports again; rows read in chunks, so the number of queries does not depend on the number of rows."""
    rows: Iterator[list[Any]]
    if sheet is PROJECTS:
        rows = (_project_row(p) for p in projects.select_related("agency").order_by("pk").iterator(chunk_size=2000))
    else:
        payments = (
            PppPaymentObligation.objects.filter(project__in=projects.values("pk"))
            .select_related("project")
            .order_by("project_id", "year", "pk")
        )
        rows = (_payment_row(p) for p in payments.iterator(chunk_size=2000))
    workbook = Workbook(write_only=True)
    data = workbook.create_sheet(sheet.data_sheet)
    for index, column in enumerate(sheet.columns):
        data.column_dimensions[column_letters(index)].width = column.width
    data.append([column.header for column in sheet.columns] + list(sheet.extra_headers))
    for row in rows:
        data.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in map(escape_cell, row)])
    spooled = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response that streams it
    workbook.save(spooled)
    spooled.seek(0)
    return spooled, f"{sheet.export_name}-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
