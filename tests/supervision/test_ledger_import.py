"""The work ledger's Excel import: the 22 rows of seed 004's annex become tasks with their units; a file with bad rows
(unknown unit names, bad schedules, duplicate or missing numbers) reports every one with its row and writes nothing."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from demo.supervision_ledger import fixture_workbook, ledger_units
from subjects.models import Agency, AgencyKind
from supervision.excel.ledger import COLUMNS, DATA_SHEET, ledger_export, ledger_import, ledger_template
from supervision.models import LedgerAssignment, LedgerEvent, LedgerTask
from supervision.models.ledger import AssignmentRole, ScheduleKind
from tests.factories import make_agency

pytestmark = pytest.mark.django_db


def workbook(rows: list[list[object]], headers: list[str] | None = None) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.title = DATA_SHEET
    sheet.append(headers or [c.header for c in COLUMNS])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("台账.xlsx", buffer.getvalue())


@pytest.fixture
def region(world):
    ledger_units(world.district_a)
    make_agency("东城区江滨街道办事处", parent=world.district_a, kind=AgencyKind.SUBDISTRICT)
    return world.district_a


def test_the_22_binhai_rows_import_with_their_units(world, region):
    outcome = ledger_import(actor=world.office_a, region=region, year=2026, upload=fixture_workbook())
    assert outcome.errors == []
    assert outcome.created == 22 and LedgerTask.objects.filter(region=region, year=2026).count() == 22
    first = LedgerTask.objects.get(region=region, year=2026, number=1)
    assert first.group == "探索构建广泛有效的政务诚信监督体系" and first.schedule_kind == ScheduleKind.CONTINUOUS
    assert first.check_mid_year and first.check_year_end
    # A blank 措施任务 continues the group above.
    assert LedgerTask.objects.get(region=region, year=2026, number=4).group == first.group
    leads = set(first.assignments.filter(role=AssignmentRole.LEAD).values_list("agency__name", flat=True))
    assert leads == {"东城区发展和改革局", "中国人民银行临江市东城区支行", "临江东城经济技术开发区管理委员会"}
    # 2018年12月底前完成 → 2018-12-31; 2018年1月底前完成 → 2018-01-31; 2017年底前完成 → 2017-12-31.
    dues = dict(LedgerTask.objects.filter(region=region, year=2026).values_list("number", "due_on"))
    assert str(dues[17]) == "2018-12-31" and str(dues[19]) == "2018-01-31" and str(dues[13]) == "2017-12-31"
    # 区委宣传部牵头，各功能区、各委局、各街镇参加: one lead, the region's zones, departments and streets take part.
    task21 = LedgerTask.objects.get(region=region, year=2026, number=21)
    roles = dict(task21.assignments.values_list("agency__name", "role"))
    assert roles["中共临江市东城区委宣传部"] == AssignmentRole.LEAD
    assert (
        roles["东城区江滨街道办事处"] == AssignmentRole.PARTICIPANT
        and roles["东城区财政局"] == AssignmentRole.PARTICIPANT
    )
    # 区发展改革委区建交局 (a missing 、) is read as two units.
    task15 = set(
        LedgerTask.objects.get(region=region, year=2026, number=15).assignments.values_list("agency__name", flat=True)
    )
    assert {"东城区发展和改革局", "东城区建设和交通局"} <= task15
    assert LedgerEvent.objects.count() == LedgerAssignment.objects.count()


def test_bad_rows_are_all_reported_and_nothing_is_written(world, region):
    rows = [
        ["第一组", 1, "任务一", "区发展改革委牵头", "持续实施", "每年年中检查，年底考核"],
        ["", 2, "任务二", "区发展改革委、区不存在局牵头", "持续实施", "每年年中检查，年底考核"],
        ["", 3, "任务三", "区财政局牵头", "明年再说", "每年年中检查，年底考核"],
        ["", 1, "任务四", "区财政局牵头", "2018年13月底前完成", ""],
        ["", "三", "", "", "持续实施", "年底考核"],
    ]
    outcome = ledger_import(actor=world.office_a, region=region, year=2026, upload=workbook(rows))
    found = {(e.row, e.column): e.message for e in outcome.errors}
    assert "区不存在局" in found[(3, "责任部门")]
    assert "持续实施" in found[(4, "时间进度")]
    assert "第2行" in found[(5, "序号")] or "2" in found[(5, "序号")]
    assert (5, "时间进度") in found and (5, "检查考核") in found
    assert (6, "序号") in found and (6, "工作任务") in found and (6, "责任部门") in found
    assert outcome.created == 0 and not LedgerTask.objects.exists() and not LedgerAssignment.objects.exists()


def test_a_missing_column_and_a_wrong_file_are_refused(world, region):
    headers = [c.header for c in COLUMNS][:-1]
    outcome = ledger_import(actor=world.office_a, region=region, year=2026, upload=workbook([], headers=headers))
    assert [e.column for e in outcome.errors] == ["检查考核"]
    from kernel.errors import DomainError

    with pytest.raises(DomainError) as refused:
        ledger_import(
            actor=world.office_a, region=region, year=2026, upload=SimpleUploadedFile("台账.csv", b"a,b\n1,2\n")
        )
    assert refused.value.field == "file"


def test_the_same_numbers_cannot_be_imported_twice(world, region):
    ledger_import(actor=world.office_a, region=region, year=2026, upload=fixture_workbook())
    again = ledger_import(actor=world.office_a, region=region, year=2026, upload=fixture_workbook())
    assert len(again.errors) == 22 and LedgerTask.objects.count() == 22


def test_an_outsider_may_not_import_into_another_region(world, region):
    from kernel.errors import NotAllowed

    with pytest.raises(NotAllowed):
        ledger_import(actor=world.office_b, region=region, year=2026, upload=fixture_workbook())
    assert not LedgerTask.objects.exists()


def test_the_template_and_the_export_follow_the_annex(world, region):
    template = load_workbook(io.BytesIO(ledger_template()))
    assert [c.value for c in template[DATA_SHEET][1]] == [
        "措施任务",
        "序号",
        "工作任务",
        "责任部门",
        "时间进度",
        "检查考核",
    ]
    ledger_import(actor=world.office_a, region=region, year=2026, upload=fixture_workbook())
    handle, _name = ledger_export(
        tasks=LedgerTask.objects.visible_to(world.office_a),
        assignments=LedgerAssignment.objects.visible_to(world.office_a),
    )
    exported = load_workbook(handle)
    assert exported[DATA_SHEET].max_row == 23
    # The export reads back through the import (into another year).
    handle.seek(0)
    again = ledger_import(
        actor=world.office_a, region=region, year=2027, upload=SimpleUploadedFile("导出.xlsx", handle.read())
    )
    assert again.errors == [] and again.created == 22
    assert Agency.objects.filter(name="东城区公务员局").exists()
