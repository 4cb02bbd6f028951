"""Excel import of dishonesty records: the template, every refusal with its row and column, all-or-nothing writes."""

import csv
import datetime
import io
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from kernel.errors import DomainError, NotAllowed
from records import excel
from records.excel import columns, writer
from records.excel.reader import XlsxReader, column_letters, is_date_format
from records.models import (
    DishonestyRecord,
    ImportJob,
    ImportStatus,
    RecordEvent,
    RecordResponsibility,
    RecordStatus,
    ResponsibilityKind,
)
from records.services import import_job_create, import_job_run, record_publish, record_revoke, record_submit
from records.tasks import run_import_job
from subjects.codes import make_uscc
from tests import published_ids
from tests.conftest import City
from tests.factories import make_person, make_record, next_id_number, next_uscc

D = datetime.date
COURT = make_uscc("11330100000000003")
HEADERS = [column.header for column in excel.COLUMNS]
FINE, OTHER = "罚款金额（万元）", "其他金额（万元）"
FULL_ID = "33010219850312148X"  # person_a's number (tests/conftest.py)


@pytest.fixture(autouse=True)
def _media_and_clock(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


def row_for(world: City, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "被记录单位统一社会信用代码": world.agency_a.uscc,
        "被记录单位名称": world.agency_a.name,
        "失信来源": "违约毁约",
        "行业领域": "政府采购",
        "严重程度": "一般",
        "文书号": f"临中法决〔2026〕{next_uscc()[-6:]}号",
        "决定机关名称": "临江市中级人民法院",
        "决定机关统一社会信用代码": COURT,
        "决定日期": D(2026, 6, 1),
        "失信事实": "拖欠中小企业货款逾期未支付。",
        "法律依据": "《保障中小企业款项支付条例》第八条",
    }
    values.update(overrides)
    return values


def filled(rows: list[dict[str, Any] | None], *, write_only: bool = False) -> bytes:
    """The template with `rows` below its header (None: a blank row), saved by openpyxl."""
    values = [[None] * len(HEADERS) if row is None else [row.get(header) for header in HEADERS] for row in rows]
    if write_only:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(excel.DATA_SHEET)
        sheet.append(HEADERS)
        for row_values in values:
            sheet.append(row_values)
    else:
        workbook = load_workbook(io.BytesIO(excel.build_template()))
        sheet = workbook[excel.DATA_SHEET]
        # As a person fills it: from row 2 down (the template's formatted rows are empty, not full).
        for number, row_values in enumerate(values, start=2):
            for column, value in enumerate(row_values, start=1):
                sheet.cell(row=number, column=column, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(content: bytes, name: str = "失信记录.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def imported(world: City, content: bytes, *, actor: Any = None, agency: Any = None) -> ImportJob:
    job = import_job_create(actor=actor or world.clerk_a, agency=agency or world.agency_a, upload=upload(content))
    return import_job_run(job_id=job.pk)


def problems(job: ImportJob) -> list[tuple[int | None, str, str]]:
    return [(e["row"], e["column"], e["code"]) for e in job.errors]


def rezip(content: bytes, *, add: dict[str, bytes] | None = None, level: int = 6) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info))
        for name, data in (add or {}).items():
            target.writestr(name, data)
    return buffer.getvalue()


# The template ------------------------------------------------------------------------------------------------


def test_the_template_has_the_headers_text_columns_lists_and_an_explanation() -> None:
    workbook = load_workbook(io.BytesIO(excel.build_template()))
    sheet = workbook[excel.DATA_SHEET]
    assert [cell.value for cell in sheet[1]] == HEADERS
    letters = {column.header: column_letters(i) for i, column in enumerate(excel.COLUMNS)}
    for header in ("被记录单位统一社会信用代码", "公务人员身份证号", "决定机关统一社会信用代码", "文书号"):
        assert sheet.column_dimensions[letters[header]].number_format == "@"
        # and each cell a person types into, for programs that ignore the column's format
        for row in (2, 500, 1001):
            assert sheet[f"{letters[header]}{row}"].number_format == "@", (header, row)
    validated = {str(v.sqref).split(":")[0] for v in sheet.data_validations.dataValidation}
    assert validated == {f"{letters[h]}2" for h in ("失信来源", "行业领域", "严重程度", "特殊领域")}
    lists = workbook[excel.LISTS_SHEET]
    assert lists.sheet_state == "hidden"
    assert "违约毁约" in [cell.value for cell in lists["A"]]
    explanation = [[cell.value for cell in row] for row in workbook[excel.HELP_SHEET].iter_rows()]
    described = {row[0]: row for row in explanation if row[0] in HEADERS}
    assert set(described) == set(HEADERS)
    assert "轻微、一般、严重" in described["严重程度"][3]


def test_every_choice_has_a_chinese_label_and_is_accepted_by_label_or_code() -> None:
    for key, (enum, labels) in columns.CHOICES.items():
        assert set(labels) == set(enum.values), key
        lookup = columns.choice_lookup(key)
        for code, label in labels.items():
            assert lookup[columns.fold(label)] == code
            if code:
                assert lookup[columns.fold(code)] == code


# The happy path ------------------------------------------------------------------------------------------------


def test_a_filled_template_imports_every_row_as_a_draft_with_its_event_principal_and_history(world: City) -> None:
    chief = make_person(world.agency_a, "刘局长", is_principal=True)
    content = filled(
        [
            row_for(world, 文书号="临中法决〔2026〕1号", 类别="合同违约", **{FINE: 1.5, OTHER: "2.25"}),
            row_for(
                world,
                文书号="临中法决〔2026〕2号",
                公务人员身份证号="33010219850312148X",
                失信来源="disciplinary_sanction",
                严重程度="严重",
                特殊领域="安全生产",
                决定日期="2025-03-15",
            ),
        ]
    )
    before = DishonestyRecord.history.count()
    job = imported(world, content)

    assert (job.status, job.created_records, job.error_count) == (ImportStatus.DONE, 2, 0)
    agency_record = DishonestyRecord.objects.get(document_number="临中法决〔2026〕1号")
    assert agency_record.status == RecordStatus.DRAFT
    assert (agency_record.subject_agency, agency_record.subject_person) == (world.agency_a, None)
    assert agency_record.subject_name == "东城区财政局"
    assert (agency_record.source, agency_record.sector, agency_record.severity) == (
        "breach_of_contract",
        "procurement",
        "general",
    )
    assert (agency_record.fine_amount, agency_record.other_amount) == (Decimal("1.5"), Decimal("2.25"))
    assert agency_record.categories == "合同违约"
    assert agency_record.decision_date == D(2026, 6, 1)
    assert (agency_record.earliest_repair_on, agency_record.disclosure_ends_on) == (D(2026, 9, 1), D(2027, 6, 1))
    assert (agency_record.created_by, agency_record.data_source_agency) == (world.clerk_a, world.agency_a)
    assert agency_record.version == 1
    assert "财政" in agency_record.search_grams.split()
    assert [(r.person, r.kind) for r in agency_record.responsibilities.all()] == [(chief, ResponsibilityKind.PRINCIPAL)]

    person_record = DishonestyRecord.objects.get(document_number="临中法决〔2026〕2号")
    assert person_record.subject_person == world.person_a
    assert person_record.subject_name == "张伟"
    assert (person_record.source, person_record.severity, person_record.special_field) == (
        "disciplinary_sanction",
        "serious",
        "work_safety",
    )
    # Decided in 2025, a sanction, not a penalty: the 2023 rule's periods (safety fields at least a year) are those
    # of penalties; the serious tier's 6 months to 3 years governs it (docs/disclosure-periods.md).
    assert "527号" in person_record.disclosure_rule.citation
    assert (person_record.earliest_repair_on, person_record.disclosure_ends_on) == (D(2025, 9, 15), D(2028, 3, 15))
    assert not person_record.responsibilities.exists()

    assert [(e.kind, e.from_status, e.to_status, e.actor) for e in RecordEvent.objects.all()] == [
        ("imported", "", "draft", world.clerk_a),
        ("imported", "", "draft", world.clerk_a),
    ]
    history = DishonestyRecord.history.order_by("history_id")[before:]
    assert [(h.id, h.history_type, h.history_user) for h in history] == [
        (agency_record.pk, "+", world.clerk_a),
        (person_record.pk, "+", world.clerk_a),
    ]
    assert RecordResponsibility.history.filter(record_id=agency_record.pk, history_type="+").count() == 1


def test_the_bulk_create_fallback_writes_the_same(world: City, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writer, "_use_copy", lambda: False)
    make_person(world.agency_a, "刘局长", is_principal=True)
    job = imported(world, filled([row_for(world), row_for(world, 公务人员身份证号="33010219850312148X")]))
    assert (job.status, job.created_records) == (ImportStatus.DONE, 2)
    assert RecordEvent.objects.filter(kind="imported").count() == 2
    assert RecordResponsibility.objects.count() == 1
    assert DishonestyRecord.history.filter(history_type="+").count() == 2


def test_inline_strings_as_some_tools_write_them_import_too(world: City) -> None:
    job = imported(world, filled([row_for(world), row_for(world)], write_only=True))
    assert (job.status, job.created_records) == (ImportStatus.DONE, 2)


def test_blank_rows_are_skipped_and_rows_keep_their_excel_numbers(world: City) -> None:
    content = filled([row_for(world), None, None, row_for(world, 严重程度="很严重"), None])
    job = imported(world, content)
    assert problems(job) == [(5, "严重程度", "invalid_choice")]
    job = imported(world, filled([row_for(world), None, row_for(world)]))
    assert (job.status, job.created_records) == (ImportStatus.DONE, 2)


def test_extra_columns_are_ignored(world: City) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = excel.DATA_SHEET
    sheet.append(["序号", *HEADERS, "备注"])
    sheet.append([1, *[row_for(world).get(h) for h in HEADERS], "无"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    job = imported(world, buffer.getvalue())
    assert (job.status, job.created_records) == (ImportStatus.DONE, 1)


# Queueing and running --------------------------------------------------------------------------------------------


def test_the_upload_is_stored_hashed_and_queued_after_commit(
    world: City, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    queued: list[int] = []
    monkeypatch.setattr(run_import_job, "delay", queued.append)
    content = filled([row_for(world)])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = import_job_create(actor=world.clerk_a, agency=world.agency_a, upload=upload(content))
    assert queued == []
    for callback in callbacks:
        callback()
    assert queued == [job.pk]
    assert (job.status, job.size, job.original_name, job.total_rows) == ("pending", len(content), "失信记录.xlsx", 1)
    assert len(job.sha256) == 64
    with job.file.open("rb") as stored:
        assert stored.read() == content
    assert "失信" not in job.file.name


def test_the_task_run_twice_imports_once(world: City) -> None:
    job = import_job_create(actor=world.clerk_a, agency=world.agency_a, upload=upload(filled([row_for(world)])))
    assert run_import_job.apply(args=[job.pk]).get() == ImportStatus.DONE
    assert run_import_job.apply(args=[job.pk]).get() == ImportStatus.DONE
    assert DishonestyRecord.objects.count() == 1
    assert RecordEvent.objects.count() == 1


def test_a_failure_while_writing_rolls_everything_back(world: City, monkeypatch: pytest.MonkeyPatch) -> None:
    make_person(world.agency_a, "刘局长", is_principal=True)
    real_write = writer._Table.write

    def failing_write(table: Any, rows: list[dict[str, Any]]) -> list[int]:
        if table.model is RecordEvent:  # records and their history are already written by now
            raise RuntimeError("disk full")
        return real_write(table, rows)

    monkeypatch.setattr(writer._Table, "write", failing_write)
    history = DishonestyRecord.history.count()
    job = imported(world, filled([row_for(world), row_for(world)]))
    assert job.status == ImportStatus.FAILED
    assert "disk full" in job.failure
    assert DishonestyRecord.objects.count() == 0
    assert DishonestyRecord.history.count() == history
    assert RecordResponsibility.objects.count() == 0


def test_the_outsider_may_not_upload_for_agency_a(world: City) -> None:
    with pytest.raises(NotAllowed):
        import_job_create(actor=world.outsider, agency=world.agency_a, upload=upload(filled([row_for(world)])))
    with pytest.raises(NotAllowed):
        import_job_create(actor=world.inspector_a, agency=world.agency_a, upload=upload(filled([row_for(world)])))
    assert ImportJob.objects.count() == 0


# Hostile files -----------------------------------------------------------------------------------------------


def refused(world: City, content: bytes, name: str = "失信记录.xlsx") -> str:
    with pytest.raises(DomainError) as caught:
        import_job_create(actor=world.clerk_a, agency=world.agency_a, upload=upload(content, name))
    assert caught.value.field == "file"
    assert ImportJob.objects.count() == 0
    return caught.value.code


def test_a_text_file_renamed_xlsx_is_refused(world: City) -> None:
    assert refused(world, "被记录单位,文书号\n东城区财政局,1号\n".encode()) == "not_xlsx"


def test_a_zip_that_is_not_a_workbook_is_refused(world: City) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert refused(world, buffer.getvalue()) == "not_xlsx"


def test_other_extensions_are_refused(world: City) -> None:
    assert refused(world, filled([row_for(world)]), "records.xls") == "not_xlsx"
    assert refused(world, filled([row_for(world)]), "records.csv") == "not_xlsx"


def test_a_zip_bomb_is_refused_before_any_excel_library_opens_it(world: City) -> None:
    bomb = rezip(filled([row_for(world)]), add={"xl/worksheets/sheet9.xml": b"0" * (40 * 1024 * 1024)}, level=9)
    assert len(bomb) < 200_000
    assert refused(world, bomb) == "zip_bomb"


def test_a_workbook_unpacking_past_the_total_limit_is_refused(world: City, settings: Any) -> None:
    settings.RECORD_IMPORT_MAX_UNCOMPRESSED_BYTES = 20_000
    assert refused(world, filled([row_for(world)])) == "zip_bomb"


def test_macros_are_refused(world: City) -> None:
    content = filled([row_for(world)])
    assert refused(world, content, "失信记录.xlsm") == "macros"
    assert refused(world, rezip(content, add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" * 100})) == "macros"


def test_too_large_a_file_is_refused(world: City, settings: Any) -> None:
    settings.RECORD_IMPORT_MAX_FILE_BYTES = 1000
    assert refused(world, filled([row_for(world)])) == "too_large"


def test_too_many_rows_are_refused_at_upload_and_while_reading(world: City, settings: Any) -> None:
    content = filled([row_for(world) for _ in range(5)])
    settings.RECORD_IMPORT_MAX_ROWS = 4
    assert refused(world, content) == "too_many_rows"
    settings.RECORD_IMPORT_MAX_ROWS = 5
    job = import_job_create(actor=world.clerk_a, agency=world.agency_a, upload=upload(content))
    settings.RECORD_IMPORT_MAX_ROWS = 3  # lowered between upload and run: the reader stops at the limit too
    job = import_job_run(job_id=job.pk)
    assert (job.status, problems(job)) == (ImportStatus.INVALID, [(5, "", "too_many_rows")])
    assert DishonestyRecord.objects.count() == 0


def test_numbers_in_id_and_code_columns_are_refused(world: City) -> None:
    content = filled(
        [
            row_for(world),
            row_for(world, 公务人员身份证号=330102198503121300),
            row_for(world, 决定机关统一社会信用代码=113301000000000030),
        ]
    )
    job = imported(world, content)
    assert job.status == ImportStatus.INVALID
    assert problems(job) == [(3, "公务人员身份证号", "not_text"), (4, "决定机关统一社会信用代码", "not_text")]
    assert DishonestyRecord.objects.count() == 0


def test_formulas_are_refused(world: City) -> None:
    content = filled([row_for(world), row_for(world, 失信事实="=A2&B2"), row_for(world, **{FINE: "=1+1"})])
    job = imported(world, content)
    assert problems(job) == [(3, "失信事实", "formula"), (4, "罚款金额（万元）", "formula")]
    assert DishonestyRecord.objects.count() == 0


def test_merged_rows_are_reported_on_every_row_they_cover(world: City) -> None:
    workbook = load_workbook(io.BytesIO(filled([row_for(world), row_for(world), row_for(world)])))
    workbook[excel.DATA_SHEET].merge_cells("L3:L4")
    buffer = io.BytesIO()
    workbook.save(buffer)
    job = imported(world, buffer.getvalue())
    assert problems(job) == [(4, "失信事实", "required"), (3, "失信事实", "merged"), (4, "失信事实", "merged")]
    assert DishonestyRecord.objects.count() == 0


def test_a_missing_header_stops_the_check(world: City) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([h for h in HEADERS if h != "文书号"])
    sheet.append(["x"] * (len(HEADERS) - 1))
    buffer = io.BytesIO()
    workbook.save(buffer)
    job = imported(world, buffer.getvalue())
    assert problems(job) == [(1, "文书号", "missing_column")]


def test_an_empty_sheet_is_invalid(world: City) -> None:
    job = imported(world, filled([]))
    assert problems(job) == [(None, "", "no_rows")]


# Row rules -------------------------------------------------------------------------------------------------


def test_a_person_whose_number_has_the_standard_check_character_is_imported(world: City) -> None:
    people = [make_person(world.agency_a, id_number=number) for number in published_ids.VALID if number != FULL_ID]
    rows = [row_for(world, 公务人员身份证号=person.decrypted_id_number().lower()) for person in people]

    job = imported(world, filled(rows))

    assert (job.status, job.created_records, job.errors) == (ImportStatus.DONE, len(people), [])
    assert set(DishonestyRecord.objects.values_list("subject_person", flat=True)) == {p.pk for p in people}


def test_every_number_whose_check_character_breaks_the_standard_is_reported_and_nothing_written(world: City) -> None:
    rows = [row_for(world), *(row_for(world, 公务人员身份证号=number) for number in published_ids.WRONG_CHECK)]

    job = imported(world, filled(rows))

    assert job.status == ImportStatus.INVALID
    assert [(e["row"], e["column"], e["code"], e["message"]) for e in job.errors] == [
        (row, "公务人员身份证号", "invalid_id_number", "身份证号码的校验码错误。")
        for row in range(3, 3 + len(published_ids.WRONG_CHECK))
    ]
    assert not DishonestyRecord.objects.exists()


def test_every_rule_of_a_record_is_checked_on_every_row(world: City) -> None:
    stranger = next_id_number()
    other = make_person(world.agency_b, "王芳", id_number=next_id_number())
    other_number = other.decrypted_id_number()
    content = filled(
        [
            row_for(world),  # row 2: fine
            row_for(world, 失信事实=None, 法律依据="  "),  # 3
            row_for(world, 被记录单位统一社会信用代码="11330100000000000X"),  # 4: bad check character
            row_for(world, 公务人员身份证号="330102198503121301"),  # 5: bad check digit
            row_for(world, 行业领域="农业", 特殊领域="交通"),  # 6
            row_for(world, 决定日期="2026-02-30"),  # 7
            row_for(world, 决定日期=46000),  # 8: a number without a date format
            row_for(world, 决定日期=D(2026, 11, 21)),  # 9: tomorrow
            row_for(world, **{FINE: -1, OTHER: "一万"}),  # 10
            row_for(world, 文书号="号" * 101),  # 11
            row_for(world, 被记录单位统一社会信用代码=next_uscc()),  # 12: nobody has it
            row_for(world, 被记录单位统一社会信用代码=world.agency_b.uscc, 被记录单位名称=world.agency_b.name),  # 13
            row_for(world, 被记录单位名称="东城区教育局"),  # 14
            row_for(world, 公务人员身份证号=stranger),  # 15
            row_for(world, 公务人员身份证号=other_number),  # 16
            row_for(world, 决定日期=D(1999, 5, 1)),  # 17: before any disclosure rule
        ]
    )
    job = imported(world, content)
    assert job.status == ImportStatus.INVALID
    assert problems(job) == [
        (3, "失信事实", "required"),
        (3, "法律依据", "required"),
        (4, "被记录单位统一社会信用代码", "invalid_code"),
        (5, "公务人员身份证号", "invalid_id_number"),
        (6, "行业领域", "invalid_choice"),
        (6, "特殊领域", "invalid_choice"),
        (7, "决定日期", "invalid_date"),
        (8, "决定日期", "invalid_date"),
        (9, "决定日期", "future_date"),
        (10, "罚款金额（万元）", "negative_amount"),
        (10, "其他金额（万元）", "invalid_amount"),
        (11, "文书号", "too_long"),
        (12, "被记录单位统一社会信用代码", "unknown_agency"),
        (13, "被记录单位统一社会信用代码", "agency_out_of_scope"),
        (14, "被记录单位名称", "name_mismatch"),
        (15, "公务人员身份证号", "person_not_found"),
        (16, "公务人员身份证号", "person_elsewhere"),
        (17, "决定日期", "no_disclosure_rule"),
    ]
    assert job.error_count == 18
    assert DishonestyRecord.objects.count() == 0
    assert RecordEvent.objects.count() == 0


def test_subjects_must_be_in_reach_of_both_the_uploader_and_the_source_agency(world: City) -> None:
    unit_row = row_for(world, 被记录单位统一社会信用代码=world.unit_a.uscc, 被记录单位名称=world.unit_a.name)
    elsewhere = row_for(world, 被记录单位统一社会信用代码=world.agency_b.uscc, 被记录单位名称=world.agency_b.name)
    # A clerk reaches only its own agency, not the unit below it.
    job = imported(world, filled([unit_row]))
    assert problems(job) == [(2, "被记录单位统一社会信用代码", "agency_out_of_scope")]
    # The credit office of district A reaches the whole district, and nothing in district B.
    job = imported(world, filled([unit_row, elsewhere]), actor=world.office_a, agency=world.district_a)
    assert problems(job) == [(3, "被记录单位统一社会信用代码", "agency_out_of_scope")]
    job = imported(world, filled([unit_row]), actor=world.office_a, agency=world.district_a)
    assert job.status == ImportStatus.DONE
    assert DishonestyRecord.objects.get().data_source_agency == world.district_a


def test_duplicates_inside_the_file_name_both_rows(world: City) -> None:
    content = filled(
        [
            row_for(world, 文书号="临中法决〔2026〕7号"),
            row_for(world, 文书号="临中法决〔2026〕8号"),
            row_for(world, 文书号=" 临中法决〔2026〕7号 "),
        ]
    )
    job = imported(world, content)
    assert problems(job) == [(4, "文书号", "duplicate_in_file")]
    assert job.errors[0]["related_row"] == 2
    assert "2" in job.errors[0]["message"] and "4" in job.errors[0]["message"]
    assert DishonestyRecord.objects.count() == 0


def test_duplicates_against_the_database_are_refused_unless_revoked(world: City) -> None:
    from workcalendar.services import calendar_year_seed

    calendar_year_seed(year=2026)
    kept = make_record(world.clerk_a, world.agency_a, document_number="临中法决〔2026〕9号", deciding_body_uscc=COURT)
    revoked = make_record(
        world.clerk_a, world.agency_a, document_number="临中法决〔2026〕10号", deciding_body_uscc=COURT
    )
    record_submit(actor=world.reviewer_a, record=revoked)
    record_publish(actor=world.office_a, record=revoked, today=D(2026, 11, 2))
    record_revoke(actor=world.office_a, record=revoked, reason="文书号录入错误")
    content = filled([row_for(world, 文书号="临中法决〔2026〕9号"), row_for(world, 文书号="临中法决〔2026〕10号")])
    job = imported(world, content)
    assert problems(job) == [(2, "文书号", "duplicate_in_database")]
    assert DishonestyRecord.objects.count() == 2
    job = imported(world, filled([row_for(world, 文书号="临中法决〔2026〕10号")]))
    assert job.status == ImportStatus.DONE
    assert DishonestyRecord.objects.filter(document_number="临中法决〔2026〕10号").count() == 2
    assert DishonestyRecord.objects.filter(document_number="临中法决〔2026〕9号").get() == kept


def test_duplicates_are_found_across_chunks_and_progress_is_reported(
    world: City, monkeypatch: pytest.MonkeyPatch
) -> None:
    from records.services import imports

    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    progress: list[int] = []
    real_progress = imports._progress
    monkeypatch.setattr(imports, "_progress", lambda job_id, rows: progress.append(rows) or real_progress(job_id, rows))
    rows = [row_for(world) for _ in range(5)]
    rows[4]["文书号"] = rows[0]["文书号"]
    job = imported(world, filled(rows))
    assert problems(job) == [(6, "文书号", "duplicate_in_file")]
    assert job.errors[0]["related_row"] == 2
    assert progress == [2, 4]
    assert job.processed_rows == 5


def test_text_is_kept_exactly_through_copy(world: City) -> None:
    facts = '他说："已经支付"，实际未付。\n第二行, 含逗号\\N 和反斜杠\\'
    job = imported(world, filled([row_for(world, 失信事实=facts, 类别="")]))
    assert job.status == ImportStatus.DONE
    record = DishonestyRecord.objects.get()
    assert (record.facts, record.categories, record.loss_description) == (facts, "", "")
    assert record.history.get().facts == facts


def test_every_error_is_in_the_report_and_the_first_thousand_on_the_job(world: City) -> None:
    content = filled([row_for(world, 失信事实=None, 法律依据=None) for _ in range(600)])
    job = imported(world, content)
    assert (job.status, job.error_count, len(job.errors)) == (ImportStatus.INVALID, 1200, 1000)
    assert job.processed_rows == 600
    with job.error_report.open("rb") as report:
        lines = list(csv.reader(io.StringIO(report.read().decode("utf-8-sig"))))
    assert len(lines) == 1 + 1200
    assert lines[-1][0] == "601" and lines[-1][1] == "法律依据" and lines[-1][3] == "required"


# The reader -------------------------------------------------------------------------------------------------


def raw_workbook(sheet_xml: str, *, strings: str = "", styles: str = "", date1904: bool = False) -> bytes:
    """A hand-made .xlsx, for what openpyxl never writes (prefixed namespaces, phonetic runs, cached values)."""
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>'
        ),
        "xl/workbook.xml": (
            f'<x:workbook xmlns:x="{ns}" xmlns:r="{rel}"><x:workbookPr date1904="{int(date1904)}"/>'
            f'<x:sheets><x:sheet name="{excel.DATA_SHEET}" sheetId="1" r:id="rId1"/></x:sheets></x:workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="/xl/sharedStrings.xml"/>'
            f'<Relationship Id="rId3" Type="{rel}/styles" Target="styles.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": f'<x:worksheet xmlns:x="{ns}"><x:sheetData>{sheet_xml}</x:sheetData></x:worksheet>',
        "xl/sharedStrings.xml": f'<sst xmlns="{ns}">{strings}</sst>',
        "xl/styles.xml": f'<styleSheet xmlns="{ns}">{styles}</styleSheet>',
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def read_rows(content: bytes) -> tuple[list[tuple[int, list[Any], tuple[int, ...]]], list[Any]]:
    with XlsxReader(io.BytesIO(content)) as reader:
        rows = [(row.number, row.cells, row.formulas) for row in reader.rows()]
        return rows, reader.merged_ranges


def test_the_reader_handles_prefixes_phonetic_runs_escapes_dates_and_cached_formula_values() -> None:
    styles = (
        '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>'
        '</numFmts><cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="31"/><xf numFmtId="2"/>'
        "</cellXfs>"
    )
    strings = (
        "<si><t>东城区财政局</t></si>"
        '<si><r><t>张</t></r><r><t>伟</t></r><rPh sb="0" eb="1"><t>zhang</t></rPh></si>'
        "<si><t>第一行_x000D_第二行</t></si>"
    )
    sheet = (
        '<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="C1" t="s"><x:v>1</x:v></x:c></x:row>'
        '<x:row r="3"><x:c r="A3" s="1"><x:v>46174</x:v></x:c><x:c r="B3" s="2"><x:v>46174.5</x:v></x:c>'
        '<x:c r="C3" s="3"><x:v>1.5</x:v></x:c><x:c r="D3" t="s"><x:v>2</x:v></x:c></x:row>'
        '<x:row r="4"><x:c r="A4"><x:f>1+1</x:f><x:v>2</x:v></x:c><x:c r="B4" t="str"><x:f>A1</x:f><x:v>x</x:v></x:c>'
        '<x:c r="C4" t="e"><x:v>#N/A</x:v></x:c><x:c r="D4" t="b"><x:v>1</x:v></x:c>'
        '<x:c r="E4" t="inlineStr"><x:is><x:t>内联</x:t></x:is></x:c><x:c r="F4" s="1"/></x:row>'
        '<x:row r="5"><x:c r="A5" s="1"/></x:row><x:row r="6" ht="30" customHeight="1"/>'
    )
    content = raw_workbook(sheet, strings=strings, styles=styles)
    with XlsxReader(io.BytesIO(content)) as reader:
        # The upload's cheap count: rows 1, 3 and 4; neither a self-closing row nor one of empty cells is counted.
        assert reader.count_rows() == 3
    rows, _merged = read_rows(content)
    assert rows[0] == (1, ["东城区财政局", None, "张伟"], ())
    assert rows[1] == (3, [D(2026, 6, 1), D(2026, 6, 1), 1.5, "第一行\r第二行"], ())
    number, cells, formulas = rows[2]
    assert (number, cells[:2], cells[2].text, cells[3:], formulas) == (4, [2.0, "x"], "#N/A", [True, "内联"], (0, 1))
    assert len(rows) == 3  # row 5 holds only a styled empty cell


def test_the_reader_follows_the_1904_date_system_and_reports_merged_ranges() -> None:
    sheet = '<x:row r="2"><x:c r="B2" s="1"><x:v>0</x:v></x:c></x:row>'
    content = raw_workbook(
        sheet + '</x:sheetData><x:mergeCells><x:mergeCell ref="B2:C3"/></x:mergeCells><x:sheetData>',
        styles='<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs>',
        date1904=True,
    )
    rows, merged = read_rows(content)
    assert rows == [(2, [None, D(1904, 1, 1)], ())]
    assert merged == [(2, 1, 3, 2)]


def test_a_document_type_declaration_is_refused(world: City) -> None:
    content = rezip(filled([row_for(world)]))
    archive = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in archive.infolist():
            data = archive.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>' + data.split(b"?>", 1)[-1]
            target.writestr(info.filename, data)
    job = imported(world, buffer.getvalue())
    assert (job.status, problems(job)) == (ImportStatus.INVALID, [(None, "", "not_xlsx")])


@pytest.mark.parametrize(
    ("code", "is_date"),
    [
        ("yyyy-mm-dd", True),
        ('yyyy"年"m"月"d"日"', True),
        ("[$-F800]dddd, mmmm dd, yyyy", True),
        ("0.00", False),
        ("0.00E+00", False),
        ('#,##0.00"万元"', False),
        ("General", False),
        ("@", False),
    ],
)
def test_date_formats_are_told_from_number_formats(code: str, is_date: bool) -> None:
    assert is_date_format(code) is is_date
