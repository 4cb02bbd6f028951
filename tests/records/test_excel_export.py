"""Export of a filtered record list to xlsx and csv: scoped, formula text escaped, ID numbers masked by role."""

import csv
import datetime
import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from kernel.errors import DomainError
from records.excel import COLUMNS, DATA_SHEET
from records.models import DishonestyRecord
from records.services import records_export
from subjects.models import PersonalDataAccess
from tests.conftest import City
from tests.factories import make_record

HEADERS = [column.header for column in COLUMNS]
ID_COLUMN = HEADERS.index("公务人员身份证号")
FACTS_COLUMN = HEADERS.index("失信事实")


def xlsx_rows(content: bytes) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(content), read_only=True)[DATA_SHEET]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def csv_rows(pieces: Iterator[bytes]) -> list[list[str]]:
    content = b"".join(pieces)
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def export(user: Any, fmt: str) -> list[list[Any]]:
    content, content_type, filename = records_export(
        queryset=DishonestyRecord.objects.visible_to(user), user=user, fmt=fmt
    )
    assert filename.endswith(f".{fmt}")
    if fmt == "xlsx":
        assert isinstance(content, bytes)
        assert content_type.startswith("application/vnd.openxmlformats")
        return xlsx_rows(content)
    assert content_type.startswith("text/csv")
    return csv_rows(content)  # type: ignore[arg-type]


@pytest.fixture
def records(world: City) -> list[DishonestyRecord]:
    return [
        make_record(world.clerk_a, world.agency_a, document_number="临中法决〔2026〕1号", fine_amount=1.5),
        make_record(
            world.clerk_a,
            world.agency_a,
            subject_person=world.person_a,
            facts='=HYPERLINK("http://evil.example","点击")',
            legal_basis="@SUM(A1:A9)",
            categories="+违约",
            document_number="-1号",
        ),
    ]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_export_opens_and_holds_every_visible_row(world: City, records: list[DishonestyRecord], fmt: str) -> None:
    rows = export(world.office_a, fmt)
    assert rows[0][: len(HEADERS)] == HEADERS
    assert rows[0][len(HEADERS) :] == [
        "公务人员姓名",
        "状态",
        "公示开始日期",
        "可申请修复日期",
        "公示截止日期",
        "记录编号",
    ]
    body = sorted(rows[1:], key=lambda row: str(row[-1]))
    assert len(body) == 2
    first = body[0]
    assert first[:4] == [world.agency_a.uscc, "东城区财政局", None if fmt == "xlsx" else "", "违约毁约"]
    assert first[HEADERS.index("文书号")] == "临中法决〔2026〕1号"
    # Written as the record page writes it: 1.50 (xlsx: the number 1.5 in a cell formatted to show 1.50).
    assert str(first[HEADERS.index("罚款金额（万元）")]) == ("1.5" if fmt == "xlsx" else "1.50")
    decided = first[HEADERS.index("决定日期")]
    assert str(decided)[:10] == "2026-06-01"
    assert first[len(HEADERS) + 1] == "草稿"
    assert str(first[len(HEADERS) + 4])[:10] == "2027-06-01"
    assert str(first[-1]) == str(records[0].pk)


def test_amounts_show_two_decimals_in_excel(world: City, records: list[DishonestyRecord]) -> None:
    content = records_export(queryset=DishonestyRecord.objects.all(), user=world.office_a, fmt="xlsx")[0]
    assert isinstance(content, bytes)
    sheet = load_workbook(io.BytesIO(content))[DATA_SHEET]
    column = HEADERS.index("罚款金额（万元）") + 1

    amounts = [sheet.cell(row=row, column=column) for row in range(2, sheet.max_row + 1)]

    assert [cell.number_format for cell in amounts if cell.value is not None] == ["0.00####"]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_export_file_is_named_in_chinese_like_the_template(
    world: City, records: list[DishonestyRecord], fmt: str
) -> None:
    _content, _type, filename = records_export(queryset=DishonestyRecord.objects.all(), user=world.office_a, fmt=fmt)

    assert filename.startswith("政务失信记录导出-")
    assert filename.endswith(f".{fmt}")


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_record_that_is_not_publicly_disclosed_has_no_disclosure_end_date(world: City, fmt: str) -> None:
    general = make_record(world.clerk_a, world.agency_a, document_number="东财罚〔2026〕1号", severity="general")
    minor = make_record(world.clerk_a, world.agency_a, document_number="东财罚〔2026〕2号", severity="minor")
    assert (general.publicly_disclosed, minor.publicly_disclosed) == (True, False)

    rows = {str(row[-1]): row for row in export(world.office_a, fmt)[1:]}

    until = len(HEADERS) + 4
    assert str(rows[str(general.pk)][until])[:10] == "2027-06-01"
    assert rows[str(minor.pk)][until] == (None if fmt == "xlsx" else "")
    assert str(rows[str(minor.pk)][len(HEADERS) + 3])[:10] == "2026-06-01"  # repair: once the obligation is met


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_cells_that_look_like_formulas_are_escaped(world: City, records: list[DishonestyRecord], fmt: str) -> None:
    rows = export(world.office_a, fmt)
    person_row = next(row for row in rows[1:] if str(row[-1]) == str(records[1].pk))
    assert person_row[FACTS_COLUMN] == '\'=HYPERLINK("http://evil.example","点击")'
    assert person_row[HEADERS.index("法律依据")] == "'@SUM(A1:A9)"
    assert person_row[HEADERS.index("类别")] == "'+违约"
    assert person_row[HEADERS.index("文书号")] == "'-1号"
    if fmt == "xlsx":
        content = records_export(queryset=DishonestyRecord.objects.all(), user=world.office_a, fmt="xlsx")[0]
        workbook = load_workbook(io.BytesIO(content))  # type: ignore[arg-type]
        assert all(cell.data_type != "f" for row in workbook[DATA_SHEET].iter_rows() for cell in row)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_id_numbers_are_masked_except_for_the_inspector(world: City, records: list[DishonestyRecord], fmt: str) -> None:
    def person_row(user: Any) -> list[Any]:
        return next(row for row in export(user, fmt)[1:] if str(row[-1]) == str(records[1].pk))

    assert person_row(world.office_a)[ID_COLUMN] == "3301**********148X"
    assert person_row(world.clerk_a)[ID_COLUMN] == "3301**********148X"
    assert PersonalDataAccess.objects.count() == 0
    revealed = person_row(world.inspector_a)
    assert (revealed[ID_COLUMN], revealed[len(HEADERS)]) == ("33010219850312148X", "张伟")
    # The reveal is logged, once per person whose number the file shows, before the file is made.
    log = PersonalDataAccess.objects.get()
    assert (log.actor, log.person, log.action, log.channel) == (world.inspector_a, world.person_a, "reveal_id", "web")


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_outsider_exports_none_of_agency_as_records(world: City, records: list[DishonestyRecord], fmt: str) -> None:
    make_record(world.outsider, world.agency_b)
    rows = export(world.outsider, fmt)
    assert len(rows) == 2
    assert rows[1][0] == world.agency_b.uscc


@pytest.mark.parametrize("user", ["office_a", "inspector_a"])
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_query_count_does_not_grow_with_rows(world: City, user: str, fmt: str) -> None:
    actor = getattr(world, user)

    def queries_for_export() -> int:
        with CaptureQueriesContext(connection) as captured:
            content, _type, _name = records_export(
                queryset=DishonestyRecord.objects.visible_to(actor), user=actor, fmt=fmt
            )
            if not isinstance(content, bytes):
                b"".join(content)
        return len(captured)

    for n in range(3):
        make_record(world.clerk_a, world.agency_a, subject_person=world.person_a if n % 2 else None)
    few = queries_for_export()
    for n in range(27):
        make_record(world.clerk_a, world.agency_a, subject_person=world.person_a if n % 2 else None)
    assert DishonestyRecord.objects.count() == 30
    assert queries_for_export() == few


def test_only_xlsx_and_csv_are_offered(world: City) -> None:
    with pytest.raises(DomainError):
        records_export(queryset=DishonestyRecord.objects.none(), user=world.office_a, fmt="pdf")


def test_dates_are_real_dates_in_the_workbook(world: City, records: list[DishonestyRecord]) -> None:
    rows = export(world.office_a, "xlsx")
    assert isinstance(rows[1][HEADERS.index("决定日期")], datetime.datetime)
