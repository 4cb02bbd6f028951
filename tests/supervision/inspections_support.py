"""Factories of the inspection and ledger tests: the city inspects 东城区 (district_a), whose 财政局 (agency_a) has a
finding with one rectification item due on 2026-11-30; a small ledger of 东城区 with a dated and a continuous task."""

import datetime
from typing import Any

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from supervision.models import InspectionFinding, LedgerAssignment, LedgerTask, RectificationItem
from supervision.services.inspections import FindingInput, InspectionInput, finding_add, inspection_create
from supervision.services.ledger import TaskInput, task_create

D = datetime.date
TODAY = D(2026, 11, 2)
DUE = D(2026, 11, 30)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def at(day: datetime.date) -> time_machine.travel:
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(6, 30), tzinfo=datetime.UTC), tick=False)


def evidence(name: str = "整改材料.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def inspection_input(world: Any, **overrides: Any) -> InspectionInput:
    values: dict[str, Any] = {
        "region": world.district_a,
        "kind": "mid_year",
        "year": 2026,
        "title": "2026年政务诚信建设年中专项督查",
        "inspecting_body": "临江市社会信用体系建设领导小组办公室",
        "starts_on": D(2026, 10, 20),
        "ends_on": D(2026, 10, 30),
    }
    values.update(overrides)
    return InspectionInput(**values)


def make_item(world: Any, *, agency: Any = None, due_on: datetime.date = DUE, actor: Any = None) -> RectificationItem:
    actor = actor or world.office_a
    inspection = inspection_create(actor=actor, data=inspection_input(world))
    finding = finding_add(
        actor=actor,
        inspection=inspection,
        data=FindingInput(
            agency=agency or world.agency_a,
            text="政务诚信承诺未按要求公开。",
            severity="general",
            item_text="在门户网站公开全部公开承诺并建立更新机制。",
            item_due_on=due_on,
        ),
    )
    return RectificationItem.objects.get(finding=finding)


def finding_of(item: RectificationItem) -> InspectionFinding:
    return item.finding


def make_task(world: Any, *, number: int = 1, schedule: str = "2026年11月底前完成", year: int = 2026) -> LedgerTask:
    return task_create(
        actor=world.office_a,
        region=world.district_a,
        year=year,
        data=TaskInput(
            number=number,
            group="建立健全政务信用管理体系",
            content="建立政务失信记录归集机制。",
            responsibility="东城区财政局牵头，东城区财政局国库支付中心参加",
            schedule_text=schedule,
            check_plan="每年年中检查，年底考核",
        ),
    )


def lead_of(task: LedgerTask) -> LedgerAssignment:
    return task.assignments.get(role="lead")
