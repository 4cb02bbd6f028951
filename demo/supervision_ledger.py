"""The work ledger of the demo city: seed 004's annex (政务诚信体系建设工作台账, 22 tasks) imported into 东城区's ledger
through the same import as an uploaded workbook (supervision.excel.ledger.ledger_import), then each unit's status in
every state, evidence notes and results.

The annex names Binhai's units (区发展改革委, 人民银行滨海新区中心支行, …): the demo maps each name to a unit of 东城区
(a ledger unit name, supervision.models.LedgerUnitAlias), creating the units 东城区 lacks, and one development zone so
that 各功能区 names somebody."""

import csv
import datetime
import io
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from accounts.models import User
from subjects.codes import make_uscc
from subjects.models import Agency, AgencyKind, CivilServant
from subjects.personal_data import make_id_number
from subjects.services import agency_create, civil_servant_create
from supervision.excel.ledger import COLUMNS, DATA_SHEET, ImportOutcome, ledger_import
from supervision.models import LedgerAssignment, LedgerTask, LedgerUnitAlias
from supervision.models.ledger import LedgerStatus
from supervision.services.ledger import ledger_overdue_run, result_set, status_set

PRINCIPALS = ("王建国", "李志强", "张秀英", "刘海涛", "陈立新", "杨红梅", "赵国平", "周明华")
FIXTURE = Path(__file__).resolve().parent / "data" / "binhai_ledger.csv"
REGION = "临江市东城区人民政府"
REGION_CODE = "330102"
# The annex's names → 东城区's unit (created when missing, with its kind).
UNITS: list[tuple[str, str, str]] = [
    ("区发展改革委", "东城区发展和改革局", AgencyKind.DEPARTMENT),
    ("区发改委", "东城区发展和改革局", AgencyKind.DEPARTMENT),
    ("区财政局", "东城区财政局", AgencyKind.DEPARTMENT),
    ("区招商服务局", "东城区投资促进局", AgencyKind.DEPARTMENT),
    ("人民银行滨海新区中心支行", "中国人民银行临江市东城区支行", AgencyKind.OTHER),
    ("区政府办", "临江市东城区人民政府办公室", AgencyKind.DEPARTMENT),
    ("区委宣传部", "中共临江市东城区委宣传部", AgencyKind.OTHER),
    ("区网信办", "中共临江市东城区委网络安全和信息化委员会办公室", AgencyKind.OTHER),
    ("区公务员局", "东城区公务员局", AgencyKind.DEPARTMENT),
    ("区委组织部", "中共临江市东城区委组织部", AgencyKind.OTHER),
    ("区法院", "临江市东城区人民法院", AgencyKind.OTHER),
    ("区检察院", "临江市东城区人民检察院", AgencyKind.OTHER),
    ("区监察局", "临江市东城区监察委员会", AgencyKind.OTHER),
    ("区纪委", "中共临江市东城区纪律检查委员会", AgencyKind.OTHER),
    ("区建交局", "东城区建设和交通局", AgencyKind.DEPARTMENT),
    ("区规国局", "东城区规划和自然资源局", AgencyKind.DEPARTMENT),
    ("区商务委", "东城区商务局", AgencyKind.DEPARTMENT),
    ("区民政局", "东城区民政局", AgencyKind.DEPARTMENT),
    ("东城经济技术开发区", "临江东城经济技术开发区管理委员会", AgencyKind.DEVELOPMENT_ZONE),
]


def demo_ledger_loaded() -> bool:
    return LedgerTask.objects.filter(region__name=REGION).exists()


def _unit(name: str, kind: str, region: Agency, serial: int) -> Agency:
    found = Agency.objects.filter(name=name, path__startswith=region.path).first()
    if found is not None:
        return found
    number = serial
    while True:
        uscc = make_uscc(f"11{REGION_CODE}77{number:07d}")
        if not Agency.objects.filter(uscc=uscc).exists():
            break
        number += 100
    agency = agency_create(
        actor=None, name=name, kind=kind, uscc=uscc, region_code=REGION_CODE, parent=region, reason="演示数据"
    )
    # Every unit of the demo city has its principal, as the units the demo builds first do.
    while True:
        id_number = make_id_number(REGION_CODE, datetime.date(1975, 1, 1) + datetime.timedelta(days=number), number)
        if not CivilServant.objects.with_id_number(id_number).exists():
            break
        number += 1
    civil_servant_create(
        actor=None,
        name=PRINCIPALS[serial % len(PRINCIPALS)],
        id_number=id_number,
        agency=agency,
        position="主要负责人",
        is_principal=True,
    )
    return agency


def ledger_units(region: Agency) -> None:
    """The annex's names as ledger unit names of `region`, with the units they stand for."""
    for serial, (alias, name, kind) in enumerate(UNITS, start=1):
        agency = _unit(name, kind, region, serial)
        LedgerUnitAlias.objects.get_or_create(region=region, alias=alias, defaults={"agency": agency})


def fixture_workbook(path: Path = FIXTURE) -> SimpleUploadedFile:
    """The fixture's rows as the workbook a unit would upload (the annex's layout)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = DATA_SHEET
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == [column.header for column in COLUMNS], rows[0]
    for row in rows:
        sheet.append([int(v) if i == 1 and v.isdigit() else v for i, v in enumerate(row)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(
        "binhai_ledger.xlsx",
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def import_binhai(office: User, region: Agency, year: int) -> ImportOutcome:
    ledger_units(region)
    return ledger_import(actor=office, region=region, year=year, upload=fixture_workbook())


def demo_ledger(users: dict[str, User], today: datetime.date | None = None) -> str:
    today = today or timezone.localdate()
    office = users["demo-office"]
    region = Agency.objects.get(name=REGION)
    outcome = import_binhai(office, region, today.year)
    if outcome.errors:
        raise RuntimeError("; ".join(f"{e.row} {e.column} {e.message}" for e in outcome.errors))
    admin = users["demo-admin"]
    rows = list(
        LedgerAssignment.objects.filter(task__region=region, task__year=today.year)
        .select_related("task", "agency")
        .order_by("task__number", "pk")
    )
    for index, row in enumerate(rows):
        dated = row.task.due_on is not None
        if index % 5 in (0, 1) or (dated and index % 4 != 3):
            status_set(
                actor=admin,
                assignment=row,
                status=LedgerStatus.DONE,
                note=f"{row.agency.name}已按台账要求完成：制度已印发，落实情况已报区发展改革委。",
                done_on=row.task.due_on if dated and row.task.due_on and row.task.due_on < today else today,
            )
        elif index % 5 in (2, 3):
            status_set(
                actor=admin,
                assignment=row,
                status=LedgerStatus.IN_PROGRESS,
                note="正在推进，已完成阶段性工作。",
            )
        # the rest stay not started; those with a deadline passed become overdue below
    ledger_overdue_run(today)
    for row in rows[: len(rows) // 2]:
        if row.task.check_mid_year and today.month >= 7:
            result_set(
                actor=office, assignment=row, mid_year_result="合格" if row.pk % 7 else "基本合格", year_end_result=""
            )
    counts = {
        status: LedgerAssignment.objects.filter(task__region=region, status=status).count()
        for status in LedgerStatus.values
    }
    return f"{outcome.created} tasks, {outcome.assignments} unit assignments ({counts})"


def create_ledger_rows(*, creator: User, agency_ids: list[int], count: int, batch_size: int) -> int:
    """Scale volumes: `count` unit assignments over ledger tasks of the first agency's region (20 units a task), in
    every status, dated and continuous. Returns the assignments written."""
    if not agency_ids or count < 1:
        return 0
    region = Agency.objects.get(pk=agency_ids[0])
    year = timezone.localdate().year
    first = (
        LedgerTask.objects.filter(region=region, year=year).order_by("-number").values_list("number", flat=True).first()
        or 0
    ) + 1
    statuses = LedgerStatus.values
    per_task = 20
    tasks = LedgerTask.objects.bulk_create(
        [
            LedgerTask(
                region=region,
                year=year,
                number=first + n,
                group="规模测试",
                content=f"规模测试任务{first + n}",
                responsibility="规模测试单位",
                schedule_kind="dated" if n % 2 else "continuous",
                schedule_text=f"{year}年12月底前完成" if n % 2 else "持续实施",
                due_on=datetime.date(year, 12, 31) if n % 2 else None,
                check_plan="每年年中检查，年底考核",
                check_mid_year=True,
                check_year_end=True,
                created_by=creator,
            )
            for n in range((count + per_task - 1) // per_task)
        ],
        batch_size=batch_size,
    )
    rows = []
    for index in range(count):
        task = tasks[index // per_task]
        status = statuses[index % len(statuses)]
        if status == LedgerStatus.OVERDUE and task.due_on is None:
            status = LedgerStatus.IN_PROGRESS
        rows.append(
            LedgerAssignment(
                task=task,
                agency_id=agency_ids[(index * 7 + index // per_task) % len(agency_ids)],
                role="lead" if index % per_task < 3 else "participant",
                status=status,
                done_on=timezone.localdate() if status == LedgerStatus.DONE else None,
            )
        )
    unique = {(row.task.pk, row.agency_id): row for row in rows}
    return len(LedgerAssignment.objects.bulk_create(list(unique.values()), batch_size=batch_size))
