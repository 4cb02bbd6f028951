"""Public commitments in Excel: the template with its lists and explanations, the import (every problem of every row
at once in the words of commitments.rules, nothing written until all rows are valid), hostile files refused as the
records' import refuses them, the export (scoped, filtered, escaped, masked) and its round trip through the import."""

import datetime
import io
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import Workbook, load_workbook

from commitments import rules
from commitments.excel import COLUMNS, DATA_SHEET, HELP_SHEET, LISTS_SHEET, build_template, commitments_import
from commitments.excel.export import commitments_export
from commitments.excel.rows import ImportOutcome
from commitments.models import Commitment, CommitmentEvent, CommitmentEventKind, CommitmentStatus
from kernel.errors import DomainError, NotAllowed
from subjects.codes import make_uscc
from subjects.models import PersonalDataAccess
from tests.conftest import City
from tests.factories import make_commitment, make_person

NOW = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
D = datetime.date
HEADERS = [column.header for column in COLUMNS]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FULL_ID = "33010219850312148X"  # person_a's number (tests/conftest.py)
MASKED_ID = "3301**********148X"
COUNTERPARTY = make_uscc("91330100MA2AXXXX0")


@pytest.fixture(autouse=True)
def _media_and_clock(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(NOW, tick=False), translation.override("zh-hans"):
        yield


def row_for(world: City, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "承诺单位统一社会信用代码": world.agency_a.uscc,
        "承诺单位名称": world.agency_a.name,
        "承诺类型": "办理时限承诺",
        "承诺事项": "企业开办一日办结",
        "承诺内容": "企业开办申请材料齐全的，一个工作日内办结。",
        "常态化标准": "每件不超过1个工作日",
        "承诺文件文号": "东财办〔2026〕12号",
        "承诺文件日期": D(2026, 9, 30),
        "承诺日期": D(2026, 10, 1),
        "兑现期限": D(2026, 12, 31),
        "年度": 2026,
        "违诺责任": "未按期兑现的，依照《政务诚信建设实施方案》追究责任。",
    }
    values.update(overrides)
    return values


def filled(rows: list[dict[str, Any] | None], *, headers: list[str] = HEADERS) -> bytes:
    """The template with `rows` below its header (None: a blank row), as a person fills it."""
    workbook = load_workbook(io.BytesIO(build_template()))
    sheet = workbook[DATA_SHEET]
    for column in range(1, max(len(headers), len(HEADERS)) + 1):
        # Assigned, not passed to cell(), which ignores None.
        sheet.cell(row=1, column=column).value = headers[column - 1] if column <= len(headers) else None
    for number, row in enumerate(rows, start=2):
        for column, header in enumerate(headers, start=1):
            sheet.cell(row=number, column=column, value=None if row is None else row.get(header))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(content: bytes, name: str = "公开承诺.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=XLSX)


def imported(world: City, content: bytes, *, actor: Any = None) -> ImportOutcome:
    return commitments_import(actor=actor or world.clerk_a, upload=upload(content))


def problems(outcome: ImportOutcome) -> list[tuple[int | None, str, str]]:
    return [(error.row, error.column, error.code) for error in outcome.errors]


def rezip(content: bytes, *, add: dict[str, bytes] | None = None, level: int = 6) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info))
        for name, data in (add or {}).items():
            target.writestr(name, data)
    return buffer.getvalue()


def sheet_rows(content: bytes) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(content), read_only=True)[DATA_SHEET]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


# The template ------------------------------------------------------------------------------------------------


def test_the_template_has_the_headers_drop_down_lists_and_chinese_instructions() -> None:
    workbook = load_workbook(io.BytesIO(build_template()))
    assert workbook.sheetnames == [DATA_SHEET, LISTS_SHEET, HELP_SHEET]
    sheet = workbook[DATA_SHEET]
    assert [cell.value for cell in sheet[1]] == HEADERS
    lists = workbook[LISTS_SHEET]
    assert lists.sheet_state == "hidden"
    by_column = {
        str(validation.sqref).split(":")[0].rstrip("0123456789"): validation
        for validation in sheet.data_validations.dataValidation
    }
    kind_letter = chr(ord("A") + HEADERS.index("承诺类型"))
    area_letter = chr(ord("A") + HEADERS.index("服务事项"))
    assert set(by_column) == {kind_letter, area_letter}
    assert all(validation.type == "list" for validation in by_column.values())
    kinds = [cell.value for cell in lists["A"][1:] if cell.value]
    areas = [cell.value for cell in lists["B"][1:] if cell.value]
    assert "办理时限承诺" in kinds and "街道乡镇公共服务承诺" in kinds and len(kinds) == 8
    assert "养老" in areas and "拥军优属" in areas and len(areas) == 15
    assert by_column[kind_letter].formula1 == f"'{LISTS_SHEET}'!$A$2:$A$9"

    explained = [cell for row in workbook[HELP_SHEET].iter_rows(values_only=True) for cell in row if cell]
    for header in HEADERS:
        assert header in explained
    # The rules, in the words of commitments.rules, in Chinese.
    for name in ("target", "due_before_promise", "year_of_due", "service_area_needed", "person_elsewhere"):
        message = str(rules.OTHER[name])
        assert message in explained
        assert any("\u4e00" <= char <= "\u9fff" for char in message)
    assert "填写" in explained[0]


# Importing -------------------------------------------------------------------------------------------------


def test_a_valid_file_imports_every_row_as_a_draft_with_its_event(world: City) -> None:
    colleague = make_person(world.agency_a, "王芳")
    outcome = imported(
        world,
        filled(
            [
                row_for(world),
                row_for(world, 承诺单位统一社会信用代码=None, 承诺事项="按名称找到单位"),
                None,  # a blank row is skipped; the next keeps its Excel number
                row_for(
                    world,
                    承诺类型="街道乡镇公共服务承诺",
                    服务事项="养老",
                    承诺事项="社区养老服务全覆盖",
                    常态化标准=None,
                    基准值=60,
                    目标值=95.5,
                    计量单位="%",
                    责任人姓名="王芳",
                    文件链接="https://www.example.gov.cn/zwgk/12.html",
                ),
                row_for(
                    world,
                    承诺类型="guarantee",  # a code is accepted as well as the label
                    责任人身份证号=FULL_ID,
                    相对人名称="临江市宏达建设有限公司",
                    相对人统一社会信用代码=COUNTERPARTY,
                    年度="2026",
                    承诺日期="2026年10月8日",
                ),
            ]
        ),
    )
    assert problems(outcome) == []
    assert outcome.rows == 4
    assert len(outcome.created) == 4
    created = list(Commitment.objects.order_by("pk"))
    assert [c.status for c in created] == [CommitmentStatus.DRAFT] * 4
    assert all(c.agency == world.agency_a and c.created_by == world.clerk_a for c in created)
    assert all(c.code.startswith("CN2026-") for c in created)
    assert created[1].title == "按名称找到单位"
    town = created[2]
    assert (town.kind, town.service_area, town.baseline, town.target_value, town.unit) == (
        "town_service",
        "elderly_care",
        Decimal(60),
        Decimal("95.5"),
        "%",
    )
    assert town.responsible_person == colleague
    assert town.sector == "streets_towns"
    guarantee = created[3]
    assert guarantee.kind == "guarantee"
    assert guarantee.responsible_person == world.person_a
    assert guarantee.promised_on == D(2026, 10, 8)
    assert guarantee.counterparty_uscc == COUNTERPARTY
    assert CommitmentEvent.objects.filter(kind=CommitmentEventKind.CREATED).count() == 4


def test_every_bad_row_is_reported_at_once_in_the_words_of_the_rules_and_nothing_is_written(world: City) -> None:
    make_person(world.agency_a, "李强")
    make_person(world.agency_a, "李强")
    outcome = imported(
        world,
        filled(
            [
                row_for(world),  # valid, yet not written: another row is wrong
                row_for(world, 承诺事项=None, 承诺类型="随便写的"),
                row_for(world, 兑现期限=D(2026, 9, 1), 年度=2027),
                row_for(world, 承诺类型="街道乡镇公共服务承诺", 常态化标准=None),
                row_for(world, 服务事项="养老", 承诺文件日期="下个月"),
                row_for(world, 承诺单位统一社会信用代码=COUNTERPARTY, 承诺单位名称=None),
                row_for(world, 承诺单位统一社会信用代码=None, 承诺单位名称="不存在的单位"),
                row_for(world, 责任人姓名="李强", 目标值="很多"),
                row_for(world, 责任人身份证号=world.person_b.decrypted_id_number(), 年度=1999),
                row_for(world, 承诺单位统一社会信用代码=None, 承诺单位名称=None, 违诺责任=None),
            ]
        ),
    )
    assert problems(outcome) == [
        (3, "承诺类型", "invalid_choice"),
        (3, "承诺事项", "required"),
        (4, "兑现期限", "invalid"),
        (4, "年度", "invalid"),
        (5, "服务事项", "required"),
        (5, "目标值", "required"),
        (6, "服务事项", "invalid"),
        (6, "承诺文件日期", "invalid_date"),
        (7, "承诺单位统一社会信用代码", "unknown_agency"),
        (8, "承诺单位名称", "unknown_agency"),
        (9, "目标值", "invalid"),
        (9, "责任人姓名", "ambiguous_person"),
        (10, "年度", "invalid"),
        (10, "责任人身份证号", "invalid"),
        (11, "承诺单位统一社会信用代码", "required"),
        (11, "违诺责任", "required"),
    ]
    messages = {(error.row, error.column): error.message for error in outcome.errors}
    # The one rule path: the form and the API say the same.
    assert messages[(3, "承诺类型")] == str(rules.NOT_A_CHOICE["kind"])
    assert messages[(3, "承诺事项")] == str(rules.REQUIRED["title"])
    assert messages[(4, "兑现期限")] == str(rules.OTHER["due_before_promise"])
    assert messages[(4, "年度")] == str(rules.OTHER["year_of_due"])
    assert messages[(5, "服务事项")] == str(rules.OTHER["service_area_needed"])
    assert messages[(5, "目标值")] == str(rules.OTHER["target"])
    assert messages[(6, "服务事项")] == str(rules.OTHER["service_area_only_towns"])
    assert messages[(10, "责任人身份证号")] == str(rules.OTHER["person_elsewhere"])
    assert messages[(11, "承诺单位统一社会信用代码")] == str(rules.REQUIRED["agency"])
    assert all(any("\u4e00" <= char <= "\u9fff" for char in message) for message in messages.values())
    assert outcome.created == []
    assert Commitment.objects.count() == 0


def test_a_masked_id_number_is_checked_against_the_person_named(world: City) -> None:
    outcome = imported(
        world,
        filled(
            [
                row_for(world, 责任人姓名="张伟", 责任人身份证号=MASKED_ID),
                row_for(world, 责任人姓名="张伟", 责任人身份证号="1101**********0000"),
                row_for(world, 责任人身份证号=MASKED_ID),
            ]
        ),
    )
    assert problems(outcome) == [
        (3, "责任人身份证号", "person_not_found"),
        (4, "责任人姓名", "required"),
    ]
    assert FULL_ID not in " ".join(error.message for error in outcome.errors)


def test_extra_columns_are_ignored_and_a_missing_header_stops_the_check(world: City) -> None:
    outcome = imported(world, filled([row_for(world, 序号=1)], headers=["序号", *HEADERS]))
    assert problems(outcome) == []
    assert Commitment.objects.count() == 1

    outcome = imported(world, filled([row_for(world)], headers=[h for h in HEADERS if h != "兑现期限"]))
    assert problems(outcome) == [(1, "兑现期限", "missing_column")]
    assert Commitment.objects.count() == 1


def test_an_empty_sheet_is_refused(world: City) -> None:
    assert problems(imported(world, filled([]))) == [(None, "", "no_rows")]


# Hostile files --------------------------------------------------------------------------------------------------


def refused(world: City, content: bytes, name: str = "公开承诺.xlsx") -> str:
    with pytest.raises(DomainError) as caught:
        commitments_import(actor=world.clerk_a, upload=upload(content, name))
    assert caught.value.field == "file"
    assert Commitment.objects.count() == 0
    return caught.value.code


def test_a_text_file_renamed_xlsx_is_refused(world: City) -> None:
    assert refused(world, "承诺单位,承诺事项\n东城区财政局,一日办结\n".encode()) == "not_xlsx"


def test_a_zip_that_is_not_a_workbook_is_refused(world: City) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert refused(world, buffer.getvalue()) == "not_xlsx"


def test_other_extensions_are_refused(world: City) -> None:
    assert refused(world, filled([row_for(world)]), "commitments.xls") == "not_xlsx"
    assert refused(world, filled([row_for(world)]), "commitments.csv") == "not_xlsx"


def test_a_zip_bomb_is_refused_before_any_excel_library_opens_it(world: City) -> None:
    bomb = rezip(filled([row_for(world)]), add={"xl/worksheets/sheet9.xml": b"0" * (40 * 1024 * 1024)}, level=9)
    assert len(bomb) < 200_000
    assert refused(world, bomb) == "zip_bomb"


def test_a_workbook_unpacking_past_the_total_limit_is_refused(world: City, settings: Any) -> None:
    settings.RECORD_IMPORT_MAX_UNCOMPRESSED_BYTES = 20_000
    assert refused(world, filled([row_for(world)])) == "zip_bomb"


def test_macros_are_refused(world: City) -> None:
    content = filled([row_for(world)])
    assert refused(world, content, "公开承诺.xlsm") == "macros"
    assert refused(world, rezip(content, add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" * 100})) == "macros"


def test_too_large_a_file_is_refused(world: City, settings: Any) -> None:
    settings.RECORD_IMPORT_MAX_FILE_BYTES = 1000
    assert refused(world, filled([row_for(world)])) == "too_large"


def test_too_many_rows_are_refused(world: City, settings: Any) -> None:
    content = filled([row_for(world) for _ in range(5)])
    settings.COMMITMENT_IMPORT_MAX_ROWS = 4
    assert refused(world, content) == "too_many_rows"
    settings.COMMITMENT_IMPORT_MAX_ROWS = 5
    assert problems(imported(world, content)) == []
    assert Commitment.objects.count() == 5


def test_a_document_type_declaration_is_refused(world: City) -> None:
    content = filled([row_for(world)])
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<worksheet", b'<!DOCTYPE lol [<!ENTITY lol "lol">]><worksheet', 1).replace(
                    b"?><!DOCTYPE", b"?>\n<!DOCTYPE"
                )
            target.writestr(info.filename, data)
    assert refused(world, buffer.getvalue()) == "not_xlsx"


def test_formulas_numbers_for_codes_and_merged_cells_are_refused_by_row(world: City) -> None:
    workbook = load_workbook(
        io.BytesIO(
            filled(
                [
                    row_for(world, 承诺内容="=A2&B2"),
                    row_for(world, 承诺单位统一社会信用代码=113301000000000030),
                    row_for(world),
                    row_for(world),
                ]
            )
        )
    )
    content_letter = chr(ord("A") + HEADERS.index("承诺内容"))
    workbook[DATA_SHEET].merge_cells(f"{content_letter}4:{content_letter}5")
    buffer = io.BytesIO()
    workbook.save(buffer)
    outcome = imported(world, buffer.getvalue())
    assert problems(outcome) == [
        (2, "承诺内容", "formula"),
        (3, "承诺单位统一社会信用代码", "not_text"),
        (4, "承诺内容", "merged"),
        (5, "承诺内容", "required"),
        (5, "承诺内容", "merged"),
    ]
    assert Commitment.objects.count() == 0


# Who may import ---------------------------------------------------------------------------------------------------


def test_the_outsider_cannot_import_for_agency_a(world: City) -> None:
    outcome = imported(
        world,
        filled([row_for(world), row_for(world, 承诺单位统一社会信用代码=None)]),
        actor=world.outsider,
    )
    assert problems(outcome) == [
        (2, "承诺单位统一社会信用代码", "agency_out_of_scope"),
        (3, "承诺单位名称", "unknown_agency"),
    ]
    assert Commitment.objects.count() == 0


def test_roles_that_enter_nothing_cannot_import(world: City) -> None:
    for actor in (world.inspector_a, world.sector_a):
        with pytest.raises(NotAllowed):
            commitments_import(actor=actor, upload=upload(filled([row_for(world)])))
    assert Commitment.objects.count() == 0


def test_the_credit_office_imports_for_the_agencies_of_its_region(world: City) -> None:
    outcome = imported(world, filled([row_for(world)]), actor=world.office_a)
    assert problems(outcome) == []
    assert Commitment.objects.get().created_by == world.office_a


# Exporting ------------------------------------------------------------------------------------------------------


def export(user: Any, queryset: Any = None) -> list[list[Any]]:
    stored, name = commitments_export(queryset=queryset or Commitment.objects.visible_to(user), user=user)
    assert name.startswith("公开承诺导出-") and name.endswith(".xlsx")
    with stored:
        return sheet_rows(stored.read())


def test_the_export_round_trips_through_the_import(world: City) -> None:
    colleague = make_person(world.agency_a, "王芳")
    originals = [
        make_commitment(world.clerk_a, world.agency_a, responsible_person=world.person_a),
        make_commitment(
            world.clerk_a,
            world.agency_a,
            kind="town_service",
            service_area="elderly_care",
            recurring_standard="",
            baseline=Decimal("60.25"),
            target_value=Decimal("95"),
            unit="%",
            responsible_person=colleague,
            counterparty_name="临江市宏达建设有限公司",
            counterparty_uscc=COUNTERPARTY,
            source_url="https://www.example.gov.cn/zwgk/12.html",
        ),
    ]
    rows = export(world.clerk_a, Commitment.objects.visible_to(world.clerk_a).order_by("pk"))
    assert rows[0][: len(HEADERS)] == HEADERS
    assert rows[0][len(HEADERS) :] == ["承诺编号", "状态", "进度（%）", "最近进展日期"]
    assert rows[1][HEADERS.index("责任人身份证号")] == MASKED_ID
    assert [row[len(HEADERS)] for row in rows[1:]] == [c.code for c in originals]

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    outcome = imported(world, buffer.getvalue())
    assert problems(outcome) == []
    compared = [
        "agency_id",
        "kind",
        "service_area",
        "title",
        "content",
        "baseline",
        "target_value",
        "unit",
        "recurring_standard",
        "source_document_number",
        "source_date",
        "source_url",
        "promised_on",
        "due_on",
        "year",
        "liability",
        "responsible_person_id",
        "counterparty_name",
        "counterparty_uscc",
    ]
    copies = outcome.created
    assert [[getattr(c, name) for name in compared] for c in copies] == [
        [getattr(c, name) for name in compared] for c in originals
    ]
    assert {c.code for c in copies}.isdisjoint({c.code for c in originals})


def test_cells_that_look_like_formulas_are_escaped(world: City) -> None:
    make_commitment(world.clerk_a, world.agency_a, title='=HYPERLINK("http://evil.example","点击")', unit="+1")
    row = export(world.office_a)[1]
    assert row[HEADERS.index("承诺事项")] == '\'=HYPERLINK("http://evil.example","点击")'
    assert row[HEADERS.index("计量单位")] == "'+1"


def test_id_numbers_are_masked_except_for_the_inspector_whose_reading_is_logged(world: City) -> None:
    make_commitment(world.clerk_a, world.agency_a, responsible_person=world.person_a)
    column = HEADERS.index("责任人身份证号")
    assert export(world.office_a)[1][column] == MASKED_ID
    assert PersonalDataAccess.objects.count() == 0
    assert export(world.inspector_a)[1][column] == FULL_ID
    access = PersonalDataAccess.objects.get()
    assert (access.actor, access.person, access.action) == (world.inspector_a, world.person_a, "reveal_id")


def test_the_outsider_exports_none_of_agency_as_commitments(world: City) -> None:
    make_commitment(world.clerk_a, world.agency_a)
    make_commitment(world.outsider, world.agency_b)
    rows = export(world.outsider)
    assert len(rows) == 2
    assert rows[1][0] == world.agency_b.uscc


@pytest.mark.parametrize("user", ["office_a", "inspector_a"])
def test_the_export_query_count_does_not_grow_with_rows(world: City, user: str) -> None:
    actor = getattr(world, user)

    def queries_for_export() -> int:
        with CaptureQueriesContext(connection) as captured:
            export(actor)
        return len(captured)

    for n in range(2):
        make_commitment(world.clerk_a, world.agency_a, responsible_person=world.person_a if n % 2 else None)
    few = queries_for_export()
    for n in range(20):
        make_commitment(world.clerk_a, world.agency_a, responsible_person=world.person_a if n % 2 else None)
    assert queries_for_export() == few


def test_the_import_query_count_does_not_grow_with_rows(world: City) -> None:
    """Reading and checking (creating writes each row through commitment_create)."""

    def queries_to_check(rows: int) -> int:
        content = filled([row_for(world, 承诺事项=None, 责任人姓名="张伟") for _ in range(rows)])
        with CaptureQueriesContext(connection) as captured:
            outcome = imported(world, content)
        assert len(outcome.errors) == rows
        return len(captured)

    assert queries_to_check(2) == queries_to_check(30)


# The pages --------------------------------------------------------------------------------------------------------


def test_the_pages_offer_the_template_and_take_a_good_workbook(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)
    response = client.get("/staff/commitments/excel/template/")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    assert load_workbook(io.BytesIO(response.content)).sheetnames[0] == DATA_SHEET

    page = client.get("/staff/commitments/excel/import/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    assert "/staff/commitments/excel/template/" in page.content.decode()

    response = client.post(
        "/staff/commitments/excel/import/",
        {"file": upload(filled([row_for(world), row_for(world)]))},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
        follow=True,
    )
    assert response.redirect_chain == [("/staff/commitments/excel/import/", 302)]
    assert "2 项承诺已作为草稿导入" in response.content.decode()
    assert Commitment.objects.count() == 2


def test_the_page_lists_every_problem_of_a_bad_workbook(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)
    response = client.post(
        "/staff/commitments/excel/import/",
        {"file": upload(filled([row_for(world), row_for(world, 承诺事项=None), row_for(world, 兑现期限="明年")]))},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="import-errors-table"' in html
    assert 'data-row="3" data-code="required"' in html
    assert 'data-row="4" data-code="invalid_date"' in html
    assert str(rules.REQUIRED["title"]) in html
    assert Commitment.objects.count() == 0


def test_a_hostile_file_is_a_field_error_on_the_page(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)
    response = client.post(
        "/staff/commitments/excel/import/", {"file": upload(b"not a workbook")}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert Commitment.objects.count() == 0


@pytest.mark.parametrize("name", ["inspector_a", "sector_a"])
def test_roles_that_enter_nothing_get_no_template_and_no_upload(client: Client, world: City, name: str) -> None:
    client.force_login(getattr(world, name))
    assert client.get("/staff/commitments/excel/template/").status_code == 403
    assert client.get("/staff/commitments/excel/import/").status_code == 403
    response = client.post("/staff/commitments/excel/import/", {"file": upload(filled([row_for(world)]))})
    assert response.status_code == 403
    assert Commitment.objects.count() == 0


def test_the_export_page_follows_the_filters_and_the_scope(client: Client, world: City) -> None:
    make_commitment(world.clerk_a, world.agency_a, title="今年的时限承诺", year=2026)
    make_commitment(world.clerk_a, world.agency_a, title="明年的保障承诺", kind="guarantee", year=2027)
    make_commitment(world.outsider, world.agency_b, title="乙单位的承诺")
    client.force_login(world.office_a)

    def titles(query: str) -> list[str]:
        response = client.get(f"/staff/commitments/excel/export.xlsx{query}")
        assert response.status_code == 200
        assert response["Content-Type"] == XLSX
        assert response["X-Content-Type-Options"] == "nosniff"
        rows = sheet_rows(b"".join(response.streaming_content))  # type: ignore[attr-defined]
        return sorted(row[HEADERS.index("承诺事项")] for row in rows[1:])

    assert titles("") == ["今年的时限承诺", "明年的保障承诺"]
    assert titles("?year=2027") == ["明年的保障承诺"]
    assert titles("?year=2026") == ["今年的时限承诺"]
    assert titles("?kind=time_limit&status=draft") == ["今年的时限承诺"]
    assert titles("?status=published") == []
    assert titles(f"?agency={world.agency_b.pk}") == []
    client.force_login(world.outsider)
    assert titles(f"?agency={world.agency_a.pk}") == []
    assert client.get("/staff/commitments/excel/export.xlsx?year=soon").status_code == 400


def test_the_export_needs_a_login(client: Client, world: City) -> None:
    response = client.get("/staff/commitments/excel/export.xlsx")
    assert response.status_code == 302


def test_the_excel_links_show_what_the_user_may_do(rf: Any, world: City) -> None:
    from django.template.loader import render_to_string

    request = rf.get("/staff/commitments/?year=2026&kind=guarantee")
    request.user = world.clerk_a
    html = render_to_string("commitments/_excel_actions.html", {"request": request})
    assert "/staff/commitments/excel/template/" in html and "/staff/commitments/excel/import/" in html
    assert "/staff/commitments/excel/export.xlsx?year=2026&amp;kind=guarantee" in html
    request.user = world.inspector_a
    html = render_to_string("commitments/_excel_actions.html", {"request": request})
    assert "/staff/commitments/excel/import/" not in html
    assert "/staff/commitments/excel/export.xlsx" in html
