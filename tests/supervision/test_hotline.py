"""12345 tickets: the Excel import reports every bad row and writes nothing until the file is valid, a re-import
updates, the list filters and counts in scope, outsiders get 404, the evaluation source counts on time and satisfied."""

import datetime
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook

from kernel.sources import source
from supervision.evaluation_sources_complaints import COMPLAINTS_ON_TIME, HOTLINE_ON_TIME_SATISFIED
from supervision.excel.hotline import COLUMNS, DATA_SHEET, hotline_import
from supervision.models.hotline import HotlineTicket
from tests.supervision.complaints_support import signed_in

pytestmark = pytest.mark.django_db


def workbook(rows: list[list[Any]]) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = DATA_SHEET
    sheet.append([column.header for column in COLUMNS])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("工单.xlsx", buffer.getvalue())


def good_rows(world: Any) -> list[list[Any]]:
    return [
        [
            "GD2026030001",
            "投诉",
            world.agency_a.name,
            "拖欠工程款",
            datetime.date(2026, 3, 2),
            datetime.date(2026, 3, 9),
            datetime.date(2026, 3, 6),
            "满意",
            0,
        ],
        [
            "GD2026030002",
            "咨询",
            world.agency_a.name,
            "",
            datetime.date(2026, 3, 2),
            datetime.date(2026, 3, 9),
            datetime.date(2026, 3, 12),
            "不满意",
            1,
        ],
        [
            "GD2026030003",
            "求助",
            world.unit_a.name,
            "",
            datetime.date(2026, 3, 3),
            datetime.date(2026, 3, 10),
            None,
            None,
            None,
        ],
    ]


def test_an_import_with_bad_rows_lists_every_error_and_writes_nothing(world: Any) -> None:
    rows = good_rows(world)
    rows[0][1] = "表扬"
    rows[1][2] = "不存在的单位"
    rows[2][5] = datetime.date(2026, 3, 1)  # due before received
    rows.append(list(rows[0]))  # the same number twice
    outcome = hotline_import(actor=world.office_a, upload=workbook(rows))
    by_row = {(e.row, e.column) for e in outcome.errors}
    assert (2, "工单类型") in by_row and (3, "承办单位") in by_row and (4, "办理时限") in by_row
    assert (5, "工单编号") in by_row
    assert not HotlineTicket.objects.exists()


def test_a_valid_import_writes_all_rows_and_a_later_one_updates(world: Any) -> None:
    outcome = hotline_import(actor=world.office_a, upload=workbook(good_rows(world)))
    assert not outcome.errors and outcome.created == 3
    rows = good_rows(world)
    rows[2][6], rows[2][7] = datetime.date(2026, 3, 9), "基本满意"
    again = hotline_import(actor=world.office_a, upload=workbook(rows[2:]))
    assert again.created == 0 and again.updated == 1
    ticket = HotlineTicket.objects.get(number="GD2026030003")
    assert ticket.closed_on == datetime.date(2026, 3, 9) and ticket.is_good


def test_the_outsider_cannot_import_units_out_of_reach(world: Any) -> None:
    outcome = hotline_import(actor=world.office_b, upload=workbook(good_rows(world)))
    assert {e.column for e in outcome.errors} == {"承办单位"}
    assert not HotlineTicket.objects.exists()


def test_the_pages_filter_count_export_and_refuse_outsiders(world: Any) -> None:
    hotline_import(actor=world.office_a, upload=workbook(good_rows(world)))
    office = signed_in(world.office_a)
    page = office.get("/staff/supervision/hotline/?closing=on_time")
    text = page.content.decode()
    assert page.status_code == 200 and text.count("data-ticket=") == 1 and "GD2026030001" in text
    ticket = HotlineTicket.objects.get(number="GD2026030002")
    assert office.get(f"/staff/supervision/hotline/{ticket.pk}/").status_code == 200
    outsider = signed_in(world.outsider)
    assert outsider.get(f"/staff/supervision/hotline/{ticket.pk}/").status_code == 404
    assert "GD2026" not in outsider.get("/staff/supervision/hotline/").content.decode()
    assert outsider.get("/staff/supervision/hotline/import/").status_code == 403
    exported = office.get("/staff/supervision/hotline/export/")
    sheet = load_workbook(io.BytesIO(b"".join(exported.streaming_content))).active  # type: ignore[attr-defined]
    assert sheet is not None and sheet.max_row == 4
    template = office.get("/staff/supervision/hotline/template/")
    assert template.status_code == 200


def test_the_import_page_shows_the_row_errors(world: Any) -> None:
    rows = good_rows(world)
    rows[0][4] = "不是日期"
    response = signed_in(world.office_a).post("/staff/supervision/hotline/import/", {"file": workbook(rows)})
    assert response.status_code == 400 and 'id="import-errors"' in response.content.decode()
    assert not HotlineTicket.objects.exists()


def test_the_list_takes_the_same_queries_for_more_rows(world: Any) -> None:
    hotline_import(actor=world.office_a, upload=workbook(good_rows(world)[:1]))
    office = signed_in(world.office_a)
    office.get("/staff/supervision/hotline/")
    with CaptureQueriesContext(connection) as few:
        office.get("/staff/supervision/hotline/")
    hotline_import(actor=world.office_a, upload=workbook(good_rows(world)))
    with CaptureQueriesContext(connection) as many:
        assert office.get("/staff/supervision/hotline/").content.decode().count("data-ticket=") == 3
    assert len(many) == len(few)


def test_the_evaluation_sources_count_on_time_and_satisfied(world: Any) -> None:
    hotline_import(actor=world.office_a, upload=workbook(good_rows(world)))
    hotline = source(HOTLINE_ON_TIME_SATISFIED)
    assert hotline is not None and source(COMPLAINTS_ON_TIME) is not None
    measures = hotline.fetch(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31), None)
    assert measures[world.agency_a.pk].total == 2 and measures[world.agency_a.pk].good == 1
    assert measures[world.unit_a.pk].total == 1 and measures[world.unit_a.pk].good == 0
    items = hotline.items(world.agency_a.pk, datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
    assert [item.good for item in items] == [True, False]
