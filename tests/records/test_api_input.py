"""Bad input anywhere in the API — a query parameter it cannot read, a body it cannot parse, a path it does not know —
is answered in the one error shape (accounts/api_support.py), in Chinese, and nothing is written."""

import datetime
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from records.models import DishonestyRecord
from subjects.services import agency_rename
from tests.conftest import City
from tests.factories import make_record
from tests.subjects.test_api_subjects import assert_error, client_for

AGENCIES = "/api/v1/agencies/"
PEOPLE = "/api/v1/civil-servants/"
RECORDS = "/api/v1/records/"
LISTS = [AGENCIES, PEOPLE, RECORDS]
# Every list paged by the id cursor, each with its own filters.
PAGED_LISTS = [
    *LISTS,
    "/api/v1/public/records/",
    "/api/v1/objections/",
    "/api/v1/complaints/",
    "/api/v1/repairs/",
]
SIXTEEN_EAST = datetime.timezone(datetime.timedelta(hours=16))
SIXTEEN_WEST = datetime.timezone(datetime.timedelta(hours=-16))


def listed(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


# Query parameters -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("offset", [SIXTEEN_EAST, SIXTEEN_WEST], ids=["+16:00", "-16:00"])
def test_updated_after_takes_any_offset_iso_8601_allows(world: City, url: str, offset: datetime.timezone) -> None:
    # PostgreSQL refuses offsets beyond ±15:59 in a literal: this was a 500. The same moment written with another
    # offset must select the same rows.
    make_record(world.clerk_a, world.agency_a)
    client = client_for(world.admin)
    before = timezone.now() - datetime.timedelta(days=1)
    after = timezone.now() + datetime.timedelta(days=1)

    for moment in (before, after):
        same_moment = moment.astimezone(offset).isoformat()
        assert same_moment.endswith(("+16:00", "-16:00"))
        assert listed(client.get(url, {"updated_after": same_moment})) == listed(
            client.get(url, {"updated_after": moment.isoformat()})
        )
    assert listed(client.get(url, {"updated_after": before.astimezone(offset).isoformat()}))
    assert not listed(client.get(url, {"updated_after": after.astimezone(offset).isoformat()}))


def test_updated_after_compares_the_moment_not_the_clock_time(world: City) -> None:
    agency_rename(actor=world.office_a, agency=world.unit_a, name="东城区财政局国库集中支付中心", reason="更名")
    changed_at = type(world.unit_a).objects.get(pk=world.unit_a.pk).updated_at
    client = client_for(world.admin)
    # 16 hours east of UTC the wall clock is far ahead: as a clock time it would be "later" than the change.
    just_after = (changed_at + datetime.timedelta(seconds=1)).astimezone(SIXTEEN_EAST).isoformat()

    assert world.unit_a.pk not in listed(client.get(AGENCIES, {"updated_after": just_after}))
    assert world.unit_a.pk in listed(client.get(AGENCIES, {"updated_after": changed_at.astimezone(SIXTEEN_WEST)}))


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("value", ["9999-12-31T23:59:59-16:00", "0001-01-01T00:00:00+01:00"])
def test_a_moment_outside_the_years_1_to_9999_in_utc_is_refused(world: City, url: str, value: str) -> None:
    error = assert_error(client_for(world.admin).get(url, {"updated_after": value}), 400, "invalid")

    assert error["message"] == "输入内容无效。"
    assert error["fields"] == {"updated_after": ["该时刻超出范围：请使用公元1年至9999年之间的日期。"]}


@pytest.mark.parametrize("url", PAGED_LISTS)
@pytest.mark.parametrize("value", ["abc", "0", "-5", "1.5", "501", "１０", " 10"])
def test_a_page_size_out_of_1_to_500_is_refused_not_ignored(world: City, url: str, value: str) -> None:
    # DRF's pagination fell back to 50 rows without a word: a client asking for 1000 believed it had everything.
    error = assert_error(client_for(world.admin).get(url, {"page_size": value}), 400, "invalid")

    assert error["fields"] == {"page_size": ["请输入1到500之间的整数。"]}


@pytest.mark.parametrize("url", PAGED_LISTS)
def test_page_size_pages_within_its_range(world: City, url: str) -> None:
    client = client_for(world.admin)

    assert client.get(url, {"page_size": "1"}).status_code == 200
    assert client.get(url, {"page_size": "500"}).status_code == 200


def test_page_size_is_honoured(world: City) -> None:
    made = {make_record(world.clerk_a, world.agency_a).pk for _ in range(3)}
    client = client_for(world.admin)

    first = client.get(RECORDS, {"page_size": "2"}).json()
    assert len(first["results"]) == 2
    assert {row["id"] for row in first["results"]} | listed(client.get(first["next"])) == made


def test_every_bad_paging_parameter_is_named_at_once(world: City) -> None:
    error = assert_error(client_for(world.admin).get(AGENCIES, {"page_size": "all", "cursor": "x"}), 400, "invalid")

    assert set(error["fields"]) == {"page_size", "cursor"}


def test_a_cursor_whose_position_is_not_an_id_is_refused(world: City) -> None:
    # base64 of "p=abc": a well-formed DRF cursor whose position would reach the database as a comparison with ids.
    error = assert_error(client_for(world.admin).get(RECORDS, {"cursor": "cD1hYmM="}), 400, "invalid")

    assert error["fields"] == {"cursor": ["游标无效。"]}


@pytest.mark.parametrize(
    ("url", "query"),
    [
        (AGENCIES, {"parent": "0"}),
        (AGENCIES, {"subtree_of": "0"}),
        (AGENCIES, {"region_code": "33010"}),
        (AGENCIES, {"region_code": "3301000"}),
        (AGENCIES, {"uscc": "1" * 19}),
        (PEOPLE, {"agency": "0"}),
        (PEOPLE, {"q": "张" * 51}),
        (RECORDS, {"subject_person": "0"}),
        (RECORDS, {"q": "x" * 101}),
        ("/api/v1/public/records/", {"subject_agency": "0"}),
        ("/api/v1/objections/", {"record": "9223372036854775808"}),
    ],
)
def test_filters_refuse_what_the_schema_says_they_refuse(world: City, url: str, query: dict[str, str]) -> None:
    error = assert_error(client_for(world.admin).get(url, query), 400, "invalid")

    assert set(error["fields"]) == set(query)


# Bodies the parsers cannot read -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "body", "code", "message"),
    [
        ("application/json", "{bad", "parse_error", "请求正文不是有效的 JSON。"),
        ("application/json", "\xff", "parse_error", "请求正文不是有效的 JSON。"),
        ("multipart/form-data", "xx", "parse_error", "请求正文不是有效的 multipart 表单。"),
    ],
)
def test_an_unreadable_body_is_a_400_in_chinese(
    world: City, content_type: str, body: str, code: str, message: str
) -> None:
    response = client_for(world.clerk_a).post(RECORDS, body, content_type=content_type)

    assert assert_error(response, 400, code) == {"code": code, "message": message}
    assert not DishonestyRecord.objects.exists()


def test_a_json_null_body_says_no_data_was_sent_in_chinese(world: City) -> None:
    response = client_for(world.clerk_a).post(RECORDS, "null", content_type="application/json")

    error = assert_error(response, 400, "invalid")
    assert error["fields"] == {"non_field_errors": ["没有收到数据：请发送一个 JSON 对象。"]}
    assert not DishonestyRecord.objects.exists()


def test_the_public_endpoints_answer_unreadable_bodies_in_chinese_too(db: None) -> None:
    response = APIClient().post("/api/v1/public/track/", "{bad", content_type="application/json")

    assert assert_error(response, 400, "parse_error")["message"] == "请求正文不是有效的 JSON。"


def test_an_unreadable_body_is_answered_in_english_when_asked(world: City) -> None:
    response = client_for(world.clerk_a).post(
        RECORDS, "{bad", content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert assert_error(response, 400, "parse_error")["message"] == "The request body is not valid JSON."


def test_a_body_over_the_field_limit_is_a_400_in_the_error_shape(world: City, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 3
    body = "&".join(f"f{n}=x" for n in range(10))

    response = client_for(world.clerk_a).post(RECORDS, body, content_type="application/x-www-form-urlencoded")

    assert assert_error(response, 400, "too_many_fields")["message"] == "请求包含的字段或文件过多。"


# 404 --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/agencies/not-a-number/",
        "/api/v1/records/-1/",
        "/api/v1/records/1/nonsense/",
        "/api/v1/nothing-here/",
        "/api/v2/",
        "/api/",
    ],
)
@pytest.mark.parametrize("debug", [True, False], ids=["development", "production"])
def test_every_api_404_is_json_in_the_error_shape(world: City, settings: Any, url: str, debug: bool) -> None:
    # With DEBUG the URL resolver answered ids that are not numbers and unknown paths with its HTML page.
    settings.DEBUG = debug

    response = client_for(world.admin).get(url)

    assert response["Content-Type"] == "application/json"
    assert assert_error(response, 404, "not_found") == {"code": "not_found", "message": "未找到。"}


def test_a_missing_slash_is_still_redirected(world: City, settings: Any) -> None:
    settings.DEBUG = True

    response = client_for(world.admin).get("/api/v1/agencies")

    assert response.status_code == 301
    assert response["Location"] == "/api/v1/agencies/"


def test_pages_outside_the_api_keep_their_html_404(db: None, settings: Any) -> None:
    settings.DEBUG = False

    response = APIClient().get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
