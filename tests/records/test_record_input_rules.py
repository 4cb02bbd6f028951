"""One rule path for a record's input: the staff form, the REST API and the Excel import refuse the same bad value
with the same message on the same field (records/rules.py holds the rules and their words), every problem at once,
and write nothing."""

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client

from records import rules
from records.excel import COLUMNS
from records.models import DishonestyRecord, RecordEvent
from subjects.codes import make_uscc
from tests.conftest import City
from tests.factories import make_record, next_uscc
from tests.records.test_api_records import client_for, record_body
from tests.records.test_excel_import import filled, imported, row_for
from tests.records.test_pages_records import form_data

COURT = make_uscc("11330100000000003")  # the deciding body of all three base inputs
FIELD_OF_HEADER = {column.header: column.field for column in COLUMNS}

# The same input, named as each way in names it: the form's and the API's keys are RecordInput's, the Excel's its
# column headers (records.excel.COLUMNS).
EXCEL_HEADER = {
    "subject_agency": "被记录单位统一社会信用代码",
    "severity": "严重程度",
    "document_number": "文书号",
    "deciding_body_uscc": "决定机关统一社会信用代码",
    "decision_date": "决定日期",
    "facts": "失信事实",
    "legal_basis": "法律依据",
    "fine_amount": "罚款金额（万元）",
    "other_amount": "其他金额（万元）",
}


@pytest.fixture(autouse=True)
def _clock(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


def through_the_form(client: Client, world: City, values: dict[str, Any]) -> dict[str, list[str]]:
    client.force_login(world.clerk_a)
    response = client.post("/staff/records/new/", form_data(world, **values))
    assert response.status_code == 200, "the form was accepted"
    return {name: list(messages) for name, messages in response.context["form"].errors.items()}


def through_the_api(world: City, values: dict[str, Any]) -> dict[str, list[str]]:
    response = client_for(world.clerk_a).post("/api/v1/records/", record_body(world, **values), format="json")
    assert response.status_code == 400, response.content
    return response.json()["error"]["fields"]  # type: ignore[no-any-return]


def through_excel(world: City, cells: dict[str, Any]) -> dict[str, list[str]]:
    job = imported(world, filled([row_for(world, **{EXCEL_HEADER[name]: value for name, value in cells.items()})]))
    assert job.status == "invalid", job.failure
    assert {error["row"] for error in job.errors} == {2}
    found: dict[str, list[str]] = {}
    for error in job.errors:
        found.setdefault(FIELD_OF_HEADER[error["column"]], []).append(error["message"])
    return found


def nothing_written() -> bool:
    return not DishonestyRecord.objects.exists() and not RecordEvent.objects.exists()


TOO_LONG_FACTS = "拖欠货款。" * 1001  # 5,005 characters; the national item takes 5,000
BAD_CHECK_CHARACTER = "11330100000000003X"


# (form and API value, the same value as an Excel cell, the field at fault, what everyone reads)
CASES = {
    "a negative fine": ("-1", -1, "fine_amount", "金额不能为负数。"),
    "a fine with seven decimal places": (
        "1.1234567",
        1.1234567,
        "fine_amount",
        "最多6位小数（单位为万元，即精确到分）。",
    ),
    "a fine of 10^8 万元": ("100000000", 100000000, "fine_amount", "金额过大（单位：万元）。"),
    "an amount that is not a number": ("一万", "一万", "other_amount", "请输入数字（单位：万元）。"),
    "a deciding body's code with a wrong check character": (
        BAD_CHECK_CHARACTER,
        BAD_CHECK_CHARACTER,
        "deciding_body_uscc",
        f"校验码错误：以{BAD_CHECK_CHARACTER[:17]}开头的代码，最后一位应为{COURT[-1]}。",
    ),
    "a decision date after today": (
        "2026-12-01",
        datetime.date(2026, 12, 1),
        "decision_date",
        "决定日期不能晚于今天。",
    ),
    "a decision date before every disclosure rule": (
        "1999-05-01",
        datetime.date(1999, 5, 1),
        "decision_date",
        "没有适用于1999-05-01作出决定的“一般”记录的公示规则，须由系统管理员添加。",
    ),
    "a date that does not exist": ("2026-02-30", "2026-02-30", "decision_date", "请输入日期，例如2026-06-01。"),
    "facts longer than the national data item": (
        TOO_LONG_FACTS,
        TOO_LONG_FACTS,
        "facts",
        "最多5000个字符，当前为5005个。",
    ),
    "a document number longer than its column": (
        "号" * 101,
        "号" * 101,
        "document_number",
        "最多100个字符，当前为101个。",
    ),
    "blank facts": ("   ", "   ", "facts", "请填写失信事实。"),
    "a severity not in the list": ("catastrophic", "很严重", "severity", "请选择轻微、一般或严重。"),
}


@pytest.mark.parametrize("case", CASES)
def test_the_same_bad_value_reads_the_same_through_the_form_the_api_and_excel(
    client: Client, world: City, case: str
) -> None:
    value, cell, field, message = CASES[case]
    values = {field: value}

    from_the_form = through_the_form(client, world, values)
    from_the_api = through_the_api(world, values)
    from_excel = through_excel(world, {field: cell})

    assert from_the_form == from_the_api == from_excel == {field: [message]}
    assert nothing_written()


def test_a_repeated_document_number_reads_the_same_everywhere(client: Client, world: City) -> None:
    make_record(world.clerk_a, world.agency_a, document_number="临中法决〔2026〕1号", deciding_body_uscc=COURT)
    values = {"document_number": "临中法决〔2026〕1号", "deciding_body_uscc": COURT}

    from_the_form = through_the_form(client, world, values)
    from_the_api = through_the_api(world, values)
    from_excel = through_excel(world, values)

    expected = {"document_number": ["同一决定机关已存在该文书号的记录。"]}
    assert from_the_form == from_the_api == from_excel == expected
    assert DishonestyRecord.objects.count() == 1


def test_an_unknown_agency_reads_the_same_everywhere(client: Client, world: City) -> None:
    unregistered = next_uscc()

    from_the_form = through_the_form(client, world, {"subject_agency": unregistered})
    from_excel = through_excel(world, {"subject_agency": unregistered})
    # The API names agencies by id; the same words, with what it was sent.
    from_the_api = through_the_api(world, {"subject_agency": 999_999})

    assert from_the_form == from_excel == {"subject_agency": [f"您的权限范围内没有与“{unregistered}”相符的单位。"]}
    assert from_the_api == {"subject_agency": ["您的权限范围内没有与“999999”相符的单位。"]}
    assert nothing_written()


def test_every_problem_of_an_input_is_reported_at_once_in_the_same_words(client: Client, world: City) -> None:
    values = {
        "fine_amount": "-5",
        "other_amount": "1.1234567",
        "deciding_body_uscc": BAD_CHECK_CHARACTER,
        "decision_date": "2026-12-01",
        "facts": TOO_LONG_FACTS,
        "legal_basis": " ",
        "document_number": "号" * 101,
        "severity": "catastrophic",
    }
    cells = {
        **values,
        "fine_amount": -5,
        "other_amount": 1.1234567,
        "decision_date": datetime.date(2026, 12, 1),
        "severity": "很严重",
    }

    from_the_form = through_the_form(client, world, values)
    from_the_api = through_the_api(world, values)
    from_excel = through_excel(world, cells)

    assert from_the_form == from_the_api == from_excel
    assert set(from_excel) == set(values)
    assert all(len(messages) == 1 for messages in from_excel.values())
    assert from_excel["legal_basis"] == ["请填写法律依据。"]
    assert nothing_written()


def test_the_words_are_those_of_records_rules() -> None:
    assert rules.amount_problem("fine_amount", rules.AMOUNT_LIMIT - rules.AMOUNT_QUANTUM) is None
    assert rules.amount_problem("fine_amount", rules.AMOUNT_LIMIT).code == "invalid_amount"  # type: ignore[union-attr]
    assert rules.too_long("facts", "x" * 5000) is None
    assert rules.too_long("social_impact", "x" * 50_000) is None  # no national limit
    assert rules.required("subject_name").message == "此列为必填项。"  # an Excel column that is not a record field
