"""REST sync for other systems: the change feed in commit order (records/api/sync.py) and conditional GET on the
detail endpoints (ETag / If-None-Match, accounts/api_support.py).

The feed shows only changes of transactions older than every transaction still running (PostgreSQL), so its tests
commit for real (`transaction=True`). That line is the whole cluster's: a transaction of another database on the same
server holds it back for a moment too, so a test that expects changes polls until they come (`poll_until`).
"""

import datetime
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg2
import pytest
import time_machine
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.authentication import api_token_issue
from accounts.models import ApiScope, User
from commitments.services import commitment_decide
from outbox.kinds import kind_names
from outbox.models import PlatformChange
from records.api.sync import START, decode_cursor, encode_cursor
from records.models import DishonestyRecord, RecordStatus
from records.services import (
    evidence_attach,
    record_correct,
    record_publish,
    record_repair,
    record_revoke,
    record_submit,
    records_expire_due,
)
from subjects.models import PersonalDataAccess
from subjects.services import agency_rename, civil_servant_update
from tests.client_support import api_client_for
from tests.conftest import City
from tests.factories import make_record, published_commitment
from workcalendar.services import calendar_year_seed

D = datetime.date
FEED = "/api/v1/sync/changes/"
PUBLISHED_ON = D(2026, 11, 2)
FULL_ID = "33010219850312148X"  # person_a's number (tests/conftest.py)
READ, WRITE, PUBLIC = ApiScope.RECORDS_READ.value, ApiScope.RECORDS_WRITE.value, ApiScope.PUBLIC_READ.value
committing = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _late_2026() -> Iterator[None]:
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC), tick=True):
        yield


@pytest.fixture
def calendar(db: None) -> None:
    calendar_year_seed(year=2026)


def token_for(user: User) -> APIClient:
    _, key = api_token_issue(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    return body["error"]  # type: ignore[no-any-return]


def submitted(world: City, subject: Any = None, **overrides: Any) -> DishonestyRecord:
    """Entered by the subject's own clerk (agencies A and B) or by district A's office (the unit below A), and
    submitted by the administrator: not by the office that publishes it (four eyes)."""
    subject = subject or world.agency_a
    if subject == world.agency_b:
        enter = world.outsider
    else:
        enter = world.clerk_a if subject == world.agency_a else world.office_a
    return record_submit(actor=world.admin, record=make_record(enter, subject, **overrides))


def published(world: City, subject: Any = None, **overrides: Any) -> DishonestyRecord:
    record = submitted(world, subject, **overrides)
    office = world.office_b if record.subject_agency == world.agency_b else world.office_a
    return record_publish(actor=office, record=record, today=PUBLISHED_ON)


def poll(api: APIClient, after: str | None = None, **params: Any) -> dict[str, Any]:
    if after is not None:
        params["after"] = after
    response = api.get(FEED, params)
    assert response.status_code == 200, response.content
    return response.json()  # type: ignore[no-any-return]


def poll_until(api: APIClient, count: int, after: str | None = None, **params: Any) -> dict[str, Any]:
    """The first page with `count` changes; a transaction elsewhere on the server may hold the line back a moment."""
    deadline = time.monotonic() + 15
    while True:
        page = poll(api, after, **params)
        if len(page["changes"]) >= count or time.monotonic() > deadline:
            return page
        time.sleep(0.05)


def seen(page: dict[str, Any]) -> list[tuple[int, str]]:
    return [(change["record_id"], change["change_type"]) for change in page["changes"]]


# The change feed ---------------------------------------------------------------------------------------------------


@committing
def test_it_returns_every_change_in_order_with_a_cursor_to_poll_on(world: City, calendar: None) -> None:
    first = published(world)
    second = published(world)
    record_correct(actor=world.office_a, record=first, changes={"facts": "更正后的事实。"}, reason="笔误")
    api = token_for(world.office_a)

    page = poll_until(api, 3)

    assert seen(page) == [(first.pk, "published"), (second.pk, "published"), (first.pk, "corrected")]
    assert page["has_more"] is False
    corrected = page["changes"][2]
    assert corrected["version"] == 3
    assert corrected["record"]["cf_sy"] == "更正后的事实。"
    assert corrected["record"]["cf_xdr_shxym"] == world.agency_a.uscc
    assert corrected["cursor"] == page["next"]
    again = poll(api, page["next"])
    assert again == {"changes": [], "next": page["next"], "has_more": False}


@committing
def test_it_pages_with_limit_and_says_when_more_are_ready(world: City, calendar: None) -> None:
    records = [published(world) for _ in range(3)]
    api = token_for(world.office_a)
    poll_until(api, 3)

    pages, after = [], None
    while True:
        page = poll(api, after, limit=2)
        pages.append(page)
        after = page["next"]
        if not page["has_more"]:
            break

    assert [len(page["changes"]) for page in pages] == [2, 1]
    assert [change["record_id"] for page in pages for change in page["changes"]] == [r.pk for r in records]


def test_an_empty_feed_still_gives_a_cursor_to_poll_on(world: City) -> None:
    page = poll(token_for(world.office_a))

    assert page == {"changes": [], "next": START, "has_more": False}
    assert decode_cursor(page["next"]) == (0, 0)


@committing
def test_a_poller_never_passes_a_change_whose_transaction_is_still_open(world: City, calendar: None) -> None:
    """Transaction A writes its change first (the lower id) and stays open; B writes and commits. A poller must not
    move past A: had it taken B and remembered B's id, A's change would fall behind its cursor for good."""
    held, late = submitted(world), submitted(world)
    api = token_for(world.office_a)
    start = poll(api)["next"]
    written, release = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def publish_and_hold() -> None:
        try:
            with transaction.atomic():
                record_publish(actor=world.office_a, record=held, today=PUBLISHED_ON)
                written.set()
                if not release.wait(30):
                    raise TimeoutError("never released")
        except BaseException as exc:  # reported by the test, not lost in the thread
            failures.append(exc)
        finally:
            connections.close_all()

    def publish() -> None:
        try:
            record_publish(actor=world.office_a, record=late, today=PUBLISHED_ON)
        except BaseException as exc:
            failures.append(exc)
        finally:
            connections.close_all()

    a = threading.Thread(target=publish_and_hold)
    a.start()
    try:
        assert written.wait(30), failures
        b = threading.Thread(target=publish)
        b.start()
        b.join(30)
        assert not b.is_alive() and not failures, failures
        late_change = PlatformChange.objects.get(record=late)  # committed, and visible to everyone

        while_open = poll(api, start)

        assert while_open == {"changes": [], "next": start, "has_more": False}
        assert not PlatformChange.objects.filter(record=held).exists()  # A's row is not even visible yet
    finally:
        release.set()
        a.join(30)
    assert not failures, failures
    held_change = PlatformChange.objects.get(record=held)
    assert held_change.pk < late_change.pk  # A's change has the lower id and committed last
    assert held_change.commit_xid is not None and late_change.commit_xid is not None
    assert held_change.commit_xid < late_change.commit_xid

    after = poll_until(api, 2, start)

    assert seen(after) == [(held.pk, "published"), (late.pk, "published")]
    assert poll(api, after["next"])["changes"] == []


@committing
def test_a_committed_change_waits_behind_an_older_open_transaction(world: City, calendar: None) -> None:
    """Transaction B began first, A commits its change, then B writes its own (the higher id) and stays open. The
    poller must not take A's change yet: B's sorts before it in commit order. Once B commits, both come, B's first,
    the same order for every poller."""
    older, younger = submitted(world), submitted(world)
    api = token_for(world.office_a)
    start = poll(api)["next"]
    started, younger_done, older_written, release = (threading.Event() for _ in range(4))
    failures: list[BaseException] = []

    def begin_early_write_late() -> None:
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_current_xact_id()")  # takes its transaction id now
                started.set()
                if not younger_done.wait(30):
                    raise TimeoutError("the younger transaction never committed")
                record_publish(actor=world.office_a, record=older, today=PUBLISHED_ON)
                older_written.set()
                if not release.wait(30):
                    raise TimeoutError("never released")
        except BaseException as exc:
            failures.append(exc)
        finally:
            connections.close_all()

    b = threading.Thread(target=begin_early_write_late)
    b.start()
    try:
        assert started.wait(30), failures
        record_publish(actor=world.office_a, record=younger, today=PUBLISHED_ON)  # commits at once
        younger_done.set()
        assert older_written.wait(30), failures

        assert PlatformChange.objects.filter(record=younger).exists()
        assert poll(api, start)["changes"] == []
    finally:
        release.set()
        b.join(30)
    assert not failures, failures
    assert PlatformChange.objects.get(record=older).pk > PlatformChange.objects.get(record=younger).pk

    page = poll_until(api, 2, start)

    assert seen(page) == [(older.pk, "published"), (younger.pk, "published")]


@committing
def test_a_transaction_in_another_database_of_the_server_does_not_hold_the_feed_back(
    world: City, calendar: None
) -> None:
    """Transaction ids are the server's: without FeedHorizon's filter, a long job next door would stall the feed."""
    settings = connection.settings_dict
    elsewhere = psycopg2.connect(
        dbname="postgres",
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"],
    )
    try:
        with elsewhere.cursor() as cursor:
            cursor.execute("SELECT pg_current_xact_id()")  # an open transaction with its id, older than ours
        record = published(world)

        page = poll(token_for(world.office_a))

        assert seen(page) == [(record.pk, "published")]
    finally:
        elsewhere.rollback()
        elsewhere.close()


@committing
def test_the_outsider_sees_none_of_a_s_changes(world: City, calendar: None) -> None:
    published(world)
    theirs = published(world, world.agency_b)
    poll_until(token_for(world.admin), 2)

    page = poll(token_for(world.office_b))

    assert seen(page) == [(theirs.pk, "published")]
    assert seen(poll(token_for(world.outsider))) == [(theirs.pk, "published")]  # B's clerk: its own agency


def test_anonymous_callers_get_401(db: None) -> None:
    assert_error(APIClient().get(FEED), 401, "not_authenticated")


@committing
def test_a_records_read_client_follows_the_changes_of_its_subtrees_only(world: City, calendar: None) -> None:
    record = published(world, subject_person=world.person_a, facts=f"张伟（身份证号{FULL_ID}）逾期未付款。")
    published(world, world.agency_b)
    _client, api = api_client_for(world.admin, READ, read=[world.district_a])
    poll_until(token_for(world.admin), 2)

    page = poll(api)

    assert seen(page) == [(record.pk, "published")]
    facts = page["changes"][0]["record"]["cf_sy"]
    assert FULL_ID not in facts and "3301**********148X" in facts


@committing
def test_a_records_write_client_follows_its_own_agency(world: City, calendar: None) -> None:
    own = published(world)
    published(world, world.unit_a, source_agency=world.unit_a)
    _client, api = api_client_for(world.admin, WRITE, write=world.agency_a)
    poll_until(token_for(world.admin), 2)

    assert seen(poll(api)) == [(own.pk, "published")]


@committing
def test_a_public_client_reads_disclosed_content_and_learns_of_everything_else_bare(
    world: City, calendar: None
) -> None:
    person = published(world, subject_person=world.person_a, facts=f"张伟（{FULL_ID}）拖欠货款。")
    minor = published(world, severity="minor")
    other = published(world, world.agency_b)
    record_revoke(actor=world.office_a, record=person, reason="错误录入")
    _client, api = api_client_for(world.admin, PUBLIC)

    page = poll_until(api, 4)

    assert seen(page) == [
        (person.pk, "published"),
        (minor.pk, "published"),
        (other.pk, "published"),
        (person.pk, "revoked"),
    ]
    disclosed, bare, elsewhere, revoked = page["changes"]
    assert disclosed["record"]["gkbz"] == "1"
    assert disclosed["record"]["cf_sy"] == "张某（******）拖欠货款。"
    assert "张伟" not in str(page) and FULL_ID not in str(page)
    assert bare["record"] is None and bare["version"] == 2  # a minor record is not public: only that it changed
    assert elsewhere["record"]["cf_xdr_mc"] == world.agency_b.name
    # The public never sees the revoked version: the bare change is what a copy needs to take the record down.
    assert revoked["record"] is None and revoked["version"] == person.version + 1


@committing
def test_a_public_client_reads_no_content_in_changes_that_take_a_record_off_the_public_site(
    world: City, calendar: None
) -> None:
    revoked, repaired, expired = published(world), published(world), published(world, severity="serious")
    record_revoke(actor=world.office_a, record=revoked, reason="错误录入")
    record_repair(actor=world.office_a, record=repaired, reason="已履行义务，信用修复")
    # Its window closes on its own (the hourly job); a serious record is disclosed for at most three years.
    records_expire_due(on=D(2030, 1, 1))
    _client, api = api_client_for(world.admin, PUBLIC)

    page = poll_until(api, 6)

    assert seen(page) == [
        (revoked.pk, "published"),
        (repaired.pk, "published"),
        (expired.pk, "published"),
        (revoked.pk, "revoked"),
        (repaired.pk, "repaired"),
        (expired.pk, "expired"),
    ]
    publications, removals = page["changes"][:3], page["changes"][3:]
    assert all(change["record"]["gkbz"] == "1" for change in publications)
    assert [change["record"] for change in removals] == [None, None, None]
    assert [change["version"] for change in removals] == [3, 3, 3]
    assert "拖欠中小企业货款" not in str(removals)


@committing
def test_a_change_made_on_the_last_day_shown_still_carries_the_public_content(world: City, calendar: None) -> None:
    last_day, day_after = published(world), published(world)
    ends_on = last_day.disclosure_ends_on  # 公示截止日期: the last day the public site shows the record
    with time_machine.travel(datetime.datetime.combine(ends_on, datetime.time(10), tzinfo=datetime.UTC)):
        record_correct(actor=world.office_a, record=last_day, changes={"facts": "更正后的事实。"}, reason="笔误")
    with time_machine.travel(
        datetime.datetime.combine(ends_on, datetime.time(10), tzinfo=datetime.UTC) + datetime.timedelta(days=1)
    ):
        record_correct(actor=world.office_a, record=day_after, changes={"facts": "更正后的事实。"}, reason="笔误")
    _client, api = api_client_for(world.admin, PUBLIC)

    corrections = [c for c in poll_until(api, 4)["changes"] if c["change_type"] == "corrected"]

    assert [c["record_id"] for c in corrections] == [last_day.pk, day_after.pk]
    assert corrections[0]["record"]["cf_gsjzq"] == ends_on.isoformat()
    assert corrections[1]["record"] is None


@committing
def test_a_public_client_reads_nothing_of_a_record_the_public_site_never_showed(world: City, calendar: None) -> None:
    minor = published(world, severity="minor")
    record_revoke(actor=world.office_a, record=minor, reason="错误录入")
    # Corrected to a decision of 2023: its window closed long before the correction, so the site stops showing it
    # at once (DishonestyRecord.objects.disclosed tests the dates) and the version the correction made is never
    # shown; the expiry job then takes it out of force.
    moved = published(world)
    record_correct(actor=world.office_a, record=moved, changes={"decision_date": D(2023, 3, 1)}, reason="决定日期录错")
    records_expire_due()
    _client, api = api_client_for(world.admin, PUBLIC)

    page = poll_until(api, 5)

    assert seen(page) == [
        (minor.pk, "published"),
        (minor.pk, "revoked"),
        (moved.pk, "published"),
        (moved.pk, "corrected"),
        (moved.pk, "expired"),
    ]
    assert [change["record"] is None for change in page["changes"]] == [True, True, False, True, True]
    assert "2023-03-01" not in str(page)


@committing
def test_a_client_with_both_scopes_reads_its_subtree_in_full_and_the_rest_as_the_public(
    world: City, calendar: None
) -> None:
    own_minor = published(world, severity="minor")
    other_minor = published(world, world.agency_b, severity="minor")
    _client, api = api_client_for(world.admin, READ, PUBLIC, read=[world.district_a])

    page = poll_until(api, 2)

    assert seen(page) == [(own_minor.pk, "published"), (other_minor.pk, "published")]
    assert page["changes"][0]["record"]["gkbz"] == "0"
    assert page["changes"][1]["record"] is None


@pytest.mark.parametrize(
    "params",
    [
        {"after": "not-a-cursor"},
        {"after": encode_cursor(1, 2)[:-2]},
        {"after": "Mi4xLjI"},
        {"after": "x" * 101},
        {"limit": 0},
        {"limit": 501},
        {"limit": "many"},
    ],
)
def test_bad_input_is_a_400_in_the_error_shape_in_chinese(world: City, params: dict[str, Any]) -> None:
    response = token_for(world.office_a).get(FEED, params)

    error = assert_error(response, 400, "invalid")
    assert error["message"] == "输入内容无效。"
    (field,) = error["fields"]
    assert field in params
    if field == "after" and len(str(params["after"])) <= 100:
        assert error["fields"]["after"] == ["游标无效。"]


def test_a_client_cursor_round_trips_and_rejects_forgeries() -> None:
    assert decode_cursor(encode_cursor(123456789, 42)) == (123456789, 42)
    for forged in ("", "MS4x", encode_cursor(0, 0) + "A", "Mi4xLjI"):  # "2.1.2": an unknown version
        with pytest.raises(ValueError):
            decode_cursor(forged)


@committing
def test_the_feed_costs_the_same_queries_whatever_the_page_size(world: City, calendar: None) -> None:
    for _ in range(6):
        published(world)
    _client, public = api_client_for(world.admin, PUBLIC, READ, read=[world.district_a])
    office = token_for(world.office_a)
    poll_until(office, 6)
    poll(public)  # the first request of a minute also notes when the key was last used

    def queries(api: APIClient, limit: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert len(poll(api, limit=limit)["changes"]) == limit
        return len(captured)

    assert queries(office, 1) == queries(office, 6)
    assert queries(public, 1) == queries(public, 6)


# Conditional GET on the detail endpoints -------------------------------------------------------------------------


def record_url(record: DishonestyRecord) -> str:
    return f"/api/v1/records/{record.pk}/"


def public_url(record: DishonestyRecord) -> str:
    return f"/api/v1/public/records/{record.pk}/"


def tag_of(response: Any) -> str:
    assert response.status_code == 200, response.content
    tag: str = response["ETag"]
    assert tag.startswith('"') and tag.endswith('"')  # strong
    return tag


def test_a_record_answers_with_a_strong_etag_and_304_while_it_holds(world: City) -> None:
    record = make_record(world.clerk_a, world.agency_a)
    api = token_for(world.office_a)

    first = api.get(record_url(record))
    tag = tag_of(first)

    assert {"Authorization", "Accept-Language"} <= {v.strip() for v in first["Vary"].split(",")}
    assert "private" in first["Cache-Control"]
    not_modified = api.get(record_url(record), HTTP_IF_NONE_MATCH=tag)
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified["ETag"] == tag
    assert "Authorization" in not_modified["Vary"]
    for header in (f'"other", {tag}', "*", f"W/{tag}"):
        assert api.get(record_url(record), HTTP_IF_NONE_MATCH=header).status_code == 304, header
    assert api.get(record_url(record), HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_a_changed_record_gets_a_new_tag(world: City, calendar: None) -> None:
    record = make_record(world.clerk_a, world.agency_a)
    api = token_for(world.office_a)
    tag = tag_of(api.get(record_url(record)))

    record_submit(actor=world.reviewer_a, record=record)

    changed = api.get(record_url(record), HTTP_IF_NONE_MATCH=tag)
    assert changed.status_code == 200
    assert changed["ETag"] != tag
    assert changed.json()["status"] == RecordStatus.SUBMITTED


def test_what_the_record_shows_from_other_rows_changes_its_tag_too(
    world: City, calendar: None, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    record = make_record(world.clerk_a, world.agency_a, subject_person=world.person_a)
    api = token_for(world.office_a)
    tags = [tag_of(api.get(record_url(record)))]

    def retagged() -> None:
        tags.append(tag_of(api.get(record_url(record), HTTP_IF_NONE_MATCH=tags[-1])))
        assert tags[-1] != tags[-2]

    with time_machine.travel(datetime.datetime(2026, 11, 20, 11, 0, tzinfo=datetime.UTC)):
        evidence_attach(
            actor=world.clerk_a,
            record=record,
            upload=SimpleUploadedFile("决定书.pdf", b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"),
        )
        retagged()
    with time_machine.travel(datetime.datetime(2026, 11, 20, 12, 0, tzinfo=datetime.UTC)):
        agency_rename(actor=world.office_a, agency=world.agency_a, name="东城区财政局（新）", reason="机构改革")
        retagged()
    with time_machine.travel(datetime.datetime(2026, 11, 20, 13, 0, tzinfo=datetime.UTC)):
        civil_servant_update(
            actor=world.office_a,
            person=world.person_a,
            name="张伟",
            position="副局长",
            rank="二级调研员",
            is_principal=True,
        )
        retagged()
    with time_machine.travel(datetime.datetime(2026, 11, 21, 13, 0, tzinfo=datetime.UTC)):
        retagged()  # a new day: "disclosed now" and "overdue" are judged again


def test_the_tag_differs_by_language(world: City) -> None:
    record = make_record(world.clerk_a, world.agency_a)
    api = token_for(world.office_a)

    chinese = tag_of(api.get(record_url(record)))
    english = tag_of(api.get(record_url(record), HTTP_ACCEPT_LANGUAGE="en"))

    assert chinese != english
    assert api.get(record_url(record), HTTP_IF_NONE_MATCH=chinese, HTTP_ACCEPT_LANGUAGE="en").status_code == 200


def test_a_304_costs_fewer_queries_than_the_body(world: City) -> None:
    record = make_record(world.clerk_a, world.agency_a)
    api = token_for(world.office_a)
    tag = tag_of(api.get(record_url(record)))

    with CaptureQueriesContext(connection) as body:
        api.get(record_url(record))
    with CaptureQueriesContext(connection) as not_modified:
        assert api.get(record_url(record), HTTP_IF_NONE_MATCH=tag).status_code == 304

    assert len(not_modified) < len(body)


@pytest.mark.parametrize("header", ["*", "tag"])
def test_the_outsider_gets_404_whatever_it_sends(world: City, header: str) -> None:
    record = make_record(world.clerk_a, world.agency_a)
    tag = tag_of(token_for(world.office_a).get(record_url(record)))

    response = token_for(world.outsider).get(record_url(record), HTTP_IF_NONE_MATCH=tag if header == "tag" else "*")

    assert_error(response, 404, "not_found")
    assert "ETag" not in response


def test_a_public_record_is_cacheable_and_revalidates(world: City, calendar: None) -> None:
    record = published(world)
    anonymous = APIClient()

    tag = tag_of(anonymous.get(public_url(record)))
    not_modified = anonymous.get(public_url(record), HTTP_IF_NONE_MATCH=tag)

    assert not_modified.status_code == 304
    assert "public" in not_modified["Cache-Control"] and "max-age=60" in not_modified["Cache-Control"]
    assert "Accept-Language" in not_modified["Vary"]
    record_correct(actor=world.office_a, record=record, changes={"facts": "更正。"}, reason="笔误")
    assert anonymous.get(public_url(record), HTTP_IF_NONE_MATCH=tag).status_code == 200


def test_a_record_off_the_public_site_is_404_even_with_its_old_tag(world: City, calendar: None) -> None:
    record = published(world)
    tag = tag_of(APIClient().get(public_url(record)))
    record_revoke(actor=world.office_a, record=record, reason="错误录入")

    assert_error(APIClient().get(public_url(record), HTTP_IF_NONE_MATCH=tag), 404, "not_found")
    assert_error(APIClient().get(public_url(record), HTTP_IF_NONE_MATCH="*"), 404, "not_found")


def test_an_agency_answers_with_an_etag_and_304(world: City) -> None:
    api = token_for(world.office_a)
    url = f"/api/v1/agencies/{world.agency_a.pk}/"
    tag = tag_of(api.get(url))

    assert api.get(url, HTTP_IF_NONE_MATCH=tag).status_code == 304
    agency_rename(actor=world.office_a, agency=world.agency_a, name="东城区财政局（新）", reason="机构改革")
    assert api.get(url, HTTP_IF_NONE_MATCH=tag).status_code == 200
    assert_error(token_for(world.outsider).get(url, HTTP_IF_NONE_MATCH="*"), 404, "not_found")


def test_a_civil_servant_answers_with_an_etag_and_every_read_is_logged(world: City) -> None:
    api = token_for(world.office_a)
    url = f"/api/v1/civil-servants/{world.person_a.pk}/"
    tag = tag_of(api.get(url))

    assert api.get(url, HTTP_IF_NONE_MATCH=tag).status_code == 304
    assert PersonalDataAccess.objects.filter(person=world.person_a, actor=world.office_a).count() == 2
    assert_error(token_for(world.outsider).get(url, HTTP_IF_NONE_MATCH="*"), 404, "not_found")


def test_a_client_key_gets_the_same_conditional_answers(world: City) -> None:
    record = make_record(world.clerk_a, world.agency_a)
    _client, api = api_client_for(world.admin, READ, read=[world.district_a])

    tag = tag_of(api.get(record_url(record)))

    assert api.get(record_url(record), HTTP_IF_NONE_MATCH=tag).status_code == 304
    _other, public = api_client_for(world.admin, PUBLIC)
    assert_error(public.get(record_url(record), HTTP_IF_NONE_MATCH="*"), 403, "insufficient_scope")


# The schema -------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = tmp_path_factory.mktemp("schema") / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    return yaml.safe_load(path.read_text())  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/records/{id}/",
        "/api/v1/public/records/{id}/",
        "/api/v1/agencies/{id}/",
        "/api/v1/civil-servants/{id}/",
    ],
)
def test_the_schema_documents_conditional_get(schema: dict[str, Any], path: str) -> None:
    get = schema["paths"][path]["get"]

    assert {"in": "header", "name": "If-None-Match"}.items() <= next(
        p for p in get["parameters"] if p["name"] == "If-None-Match"
    ).items()
    assert "304" in get["responses"]
    assert "ETag" in get["responses"]["200"]["headers"]


def test_the_schema_documents_the_feed_and_client_keys(schema: dict[str, Any]) -> None:
    feed = schema["paths"]["/api/v1/sync/changes/"]["get"]

    assert {p["name"] for p in feed["parameters"]} == {"after", "limit", "kind"}
    kind = next(p for p in feed["parameters"] if p["name"] == "kind")
    # Every kind of object that sends the platform its changes (outbox.kinds), named in the schema.
    assert set(kind["schema"]["items"]["enum"]) == set(kind_names())
    assert {"record", "commitment"} <= set(kind_names())
    assert {"400", "401", "403"} <= set(feed["responses"])
    assert {"apiClientAuth": []} in feed["security"]
    assert schema["components"]["securitySchemes"]["apiClientAuth"]["scheme"] == "bearer"


# Changes of other kinds ---------------------------------------------------------------------------------------------


@committing
def test_a_client_written_for_records_reads_no_other_kind(world: City, calendar: None) -> None:
    record = published(world)
    published_commitment(world)
    poll_until(token_for(world.admin), 2, kind=["record", "commitment"])

    page = poll(token_for(world.office_a))

    assert seen(page) == [(record.pk, "published")]
    change = page["changes"][0]
    assert (change["kind"], change["object_id"], change["object"]) == ("record", record.pk, None)


@committing
def test_commitments_changes_come_by_name_in_commit_order_with_the_commitment(world: City, calendar: None) -> None:
    record = published(world)
    commitment = published_commitment(world, content=f"由张伟（{FULL_ID}）负责。")
    commitment_decide(actor=world.office_a, commitment=commitment, outcome="kept", reason="如期兑现")
    api = token_for(world.office_a)

    both = poll_until(api, 3, kind=["record", "commitment"])
    only = poll(api, kind="commitment")

    assert [(c["kind"], c["object_id"], c["change_type"]) for c in both["changes"]] == [
        ("record", record.pk, "published"),
        ("commitment", commitment.pk, "published"),
        ("commitment", commitment.pk, "corrected"),
    ]
    assert [c["version"] for c in only["changes"]] == [2, 3]
    decided = only["changes"][1]
    assert decided["record_id"] is None and decided["record"] is None
    assert (decided["object"]["code"], decided["object"]["status"]) == (commitment.code, "kept")
    # Staff in scope read the commitment as the platform does.
    assert FULL_ID in decided["object"]["content"]
    assert poll(token_for(world.outsider), kind="commitment")["changes"] == []


@committing
def test_a_public_client_reads_published_commitments_without_id_numbers(world: City, calendar: None) -> None:
    commitment = published_commitment(world, content=f"由张伟（{FULL_ID}）负责。")
    _client, api = api_client_for(world.admin, PUBLIC)

    page = poll_until(api, 1, kind="commitment")

    (change,) = page["changes"]
    assert (change["kind"], change["object_id"], change["object"]["title"]) == (
        "commitment",
        commitment.pk,
        commitment.title,
    )
    assert FULL_ID not in str(page) and "******" in change["object"]["content"]


def test_an_unknown_kind_is_a_400(world: City) -> None:
    error = assert_error(token_for(world.office_a).get(FEED, {"kind": "sector_finding"}), 400, "invalid")

    assert set(error["fields"]) == {"kind.0"}
