"""The work ledger in Excel, in the layout of seed 004's annex (政务诚信体系建设工作台账): 措施任务, 序号, 工作任务,
责任部门, 时间进度, 检查考核 — one row per task, the measure group written once above its tasks (a blank or merged
措施任务 cell continues the group above). The import checks the file and every row (unknown unit names, schedules that
are neither 持续实施 nor a deadline) and writes all tasks or none; the export gives the same columns and, on a second
sheet, each unit's status and results. The engine is the records' (records.excel: reader, file checks, template)."""

import os
import tempfile
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
from records.excel.cells import clean_text, is_formula_text
from records.excel.columns import TEXT, Column
from records.excel.export import escape_cell
from records.excel.reader import CellError, UnreadableWorkbook, XlsxReader, check_package
from records.excel.rows import RowError
from records.excel.template import workbook_template
from records.services.imports import import_limits
from subjects.models import Agency
from supervision.models.ledger import LedgerAssignment, LedgerStatus, LedgerTask
from supervision.services.ledger import CheckedTask, TaskInput, UnitNames, may_run, task_problems, tasks_create

DATA_SHEET = "工作台账"
UNITS_SHEET = "各单位进展"
HELP_SHEET = "填写说明"
LISTS_SHEET = "可选值"
NUMBER = "number"
# Headers in Chinese, fixed: they are the annex's own, shared with the units' spreadsheets, not interface text.
COLUMNS: tuple[Column, ...] = (
    Column(
        "group", "措施任务", TEXT, False, gettext_lazy("The measure group; blank continues the group above."), 200, 24
    ),
    Column("number", "序号", NUMBER, True, gettext_lazy("The task's number in the ledger, a whole number."), None, 8),
    Column("content", "工作任务", TEXT, True, gettext_lazy("What must be done."), 5000, 60),
    Column(
        "responsibility",
        "责任部门",
        TEXT,
        True,
        gettext_lazy(
            "Units separated by 、; a clause ending in 参加 names participating units, the others lead. 各功能区, "
            "各街镇 and 各委局 stand for the region's units of that kind."
        ),
        2000,
        40,
    ),
    Column(
        "schedule_text",
        "时间进度",
        TEXT,
        True,
        gettext_lazy("持续实施, or a deadline such as 2018年12月底前完成 or 2018-12-31."),
        200,
        20,
    ),
    Column("check_plan", "检查考核", TEXT, True, gettext_lazy("E.g. 每年年中检查，年底考核."), 200, 20),
)
FIELD_COLUMN = {column.key: column.header for column in COLUMNS}


def import_max_rows() -> int:
    return int(getattr(settings, "LEDGER_IMPORT_MAX_ROWS", 2000))


def ledger_template() -> bytes:
    return workbook_template(
        columns=COLUMNS,
        labels=lambda _key: {},
        data_sheet=DATA_SHEET,
        help_sheet=HELP_SHEET,
        lists_sheet=LISTS_SHEET,
        intro=[
            _("Fill in one row per task of the ledger, as in the annex of the implementation plan."),
            _(
                "Do not change the first row or use formulas. Columns in red are required. Nothing is imported "
                "until every row is correct; the check lists every error with its row."
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
    assignments: int = 0


def _number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


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
    missing = [c for c in COLUMNS if c.key not in positions]
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
    parsed: list[tuple[int, dict[str, Any]]] = []
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
        for column in COLUMNS:
            position = positions[column.key]
            value = row.cells[position] if position < len(row.cells) else None
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
                values[column.key] = None
                continue
            if column.kind == NUMBER:
                number = _number(value)
                if number is None:
                    outcome.errors.append(RowError(row.number, column.header, "invalid", _("Enter a whole number.")))
                values[column.key] = number
                continue
            text = str(value).strip()
            if column.max_length and len(text) > column.max_length:
                outcome.errors.append(
                    RowError(
                        row.number,
                        column.header,
                        "too_long",
                        _("At most %(limit)d characters.") % {"limit": column.max_length},
                    )
                )
            values[column.key] = text
        if any(v is not None for v in values.values()):
            parsed.append((row.number, values))
    return parsed


def ledger_import(*, actor: User, region: Agency, year: int, upload: Any) -> ImportOutcome:
    """Checks the workbook (the file, then every row) and, when every row is valid, writes every task with its units
    in one transaction; otherwise nothing, and every problem by row and column."""
    if not may_run(actor, region):
        raise NotAllowed(_("Only the credit office over the region keeps its ledger."))
    if not 2000 <= year <= 2100:
        raise DomainError(_("Give a year between 2000 and 2100."), field="year")
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
    names = UnitNames(region)
    taken = set(LedgerTask.objects.filter(region=region, year=year).values_list("number", flat=True))
    seen: dict[int, int] = {}
    group = ""
    checked: list[CheckedTask] = []
    for number, raw in parsed:
        group = raw.get("group") or group
        data = TaskInput(
            number=raw.get("number"),
            group=group,
            content=raw.get("content") or "",
            responsibility=raw.get("responsibility") or "",
            schedule_text=raw.get("schedule_text") or "",
            check_plan=raw.get("check_plan") or "",
        )
        problems, task = task_problems(data, names)
        if data.number is not None:
            if data.number in seen:
                problems.setdefault("number", []).append(
                    _("This number appears twice in the file (row %(row)d).") % {"row": seen[data.number]}
                )
            elif data.number in taken:
                problems.setdefault("number", []).append(
                    _("The ledger of %(year)d already has task %(number)d.") % {"year": year, "number": data.number}
                )
            seen.setdefault(data.number, number)
        if raw.get("number") is None and any(e.row == number and e.column == "序号" for e in outcome.errors):
            problems.pop("number", None)  # already said: not a whole number
        for key, messages in problems.items():
            for message in messages:
                outcome.errors.append(RowError(number, FIELD_COLUMN.get(key, ""), "invalid", message))
        if task is not None:
            checked.append(task)
    if outcome.errors:
        outcome.errors.sort(key=lambda error: error.row or 0)
        return outcome
    tasks = tasks_create(actor=actor, region=region, year=year, tasks=checked)
    outcome.created = len(tasks)
    outcome.assignments = sum(len(c.units.leads) + len(c.units.participants) for c in checked)
    return outcome


STATUS_LABELS: dict[str, str] = {
    LedgerStatus.NOT_STARTED: "未开始",
    LedgerStatus.IN_PROGRESS: "推进中",
    LedgerStatus.DONE: "已完成",
    LedgerStatus.OVERDUE: "已逾期",
}


def _clean(values: list[Any]) -> list[Any]:
    return [ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in map(escape_cell, values)]


def ledger_export(*, tasks: QuerySet[LedgerTask], assignments: QuerySet[LedgerAssignment]) -> tuple[IO[bytes], str]:
    """Tasks (already scoped) in the template's columns, and their units' progress (already scoped) on a second
    sheet; read in chunks, so the queries do not grow with the rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(DATA_SHEET)
    sheet.append([column.header for column in COLUMNS])
    previous = None
    for task in tasks.order_by("region_id", "year", "number").iterator(chunk_size=2000):
        group = "" if task.group == previous else task.group
        previous = task.group
        sheet.append(
            _clean([group, task.number, task.content, task.responsibility, task.schedule_text, task.check_plan])
        )
    units = workbook.create_sheet(UNITS_SHEET)
    units.append(
        ["年度", "序号", "单位", "角色", "截止日期", "状态", "完成日期", "说明", "年中检查结果", "年底考核结果"]
    )
    rows = assignments.select_related("task", "agency").order_by("task__year", "task__number", "role", "agency__name")
    for row in rows.iterator(chunk_size=2000):
        units.append(
            _clean(
                [
                    row.task.year,
                    row.task.number,
                    row.agency.name,
                    "牵头" if row.role == "lead" else "参加",
                    row.task.due_on or "持续实施",
                    STATUS_LABELS.get(row.status, row.status),
                    row.done_on,
                    row.note,
                    row.mid_year_result,
                    row.year_end_result,
                ]
            )
        )
    spooled = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response that streams it
    workbook.save(spooled)
    spooled.seek(0)
    return spooled, f"work-ledger-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
