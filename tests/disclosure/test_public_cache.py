"""The server-side cache of whole public pages (disclosure/cache.py): a page many people open is rendered once per
change, the next request after any change that alters a public page shows it, and staff never share a page.

Changes are made inside `django_capture_on_commit_callbacks(execute=True)`: the cache is made stale after commit,
and a test's transaction never commits otherwise.
"""

import contextlib
import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest
import time_machine
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from disclosure import cache as response_cache
from records.models import DishonestyRecord, MeasureState
from records.services import measure_set_state, record_correct, record_repair, record_revoke
from repair.services import objection_accept, objection_file
from subjects.models import Agency
from subjects.services import agency_merge, agency_rename
from tests.conftest import City
from tests.factories import make_agency
from tests.public_support import D, at, fixed_today, html, published, record_ids

AssertNumQueries = Callable[..., CaptureQueriesContext]
CaptureOnCommit = Callable[..., AbstractContextManager[list[Callable[[], None]]]]
UNREACHABLE_REDIS = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
}


@pytest.fixture(autouse=True)
def _today(db: None) -> Iterator[time_machine.Traveller]:
    yield from fixed_today()


@pytest.fixture(autouse=True)
def _cache_on(settings: Any) -> Iterator[None]:
    settings.DISCLOSURE_RESPONSE_CACHE_SECONDS = 300
    yield
    response_cache._Health.failing = False
    response_cache._Health.down_until = 0.0


@pytest.fixture
def audit_office(world: City) -> Agency:
    return make_agency("东城区审计局", parent=world.district_a)


@pytest.fixture
def record(world: City, audit_office: Agency) -> DishonestyRecord:
    return published(world, audit_office, document_number="临审决〔2026〕1号")


def outcome(response: Any) -> str:
    """hit, miss or pass: what the cache did for the request (disclosure.cache.ENVIRON_KEY)."""
    return str(response.wsgi_request.META[response_cache.ENVIRON_KEY])


def queries_of(client: Client, url: str, **extra: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, **extra).status_code in {200, 404}
    return len(captured)


def public_urls(record: DishonestyRecord) -> list[str]:
    return [
        "/",
        "/search/?q=审计",
        f"/search/?q={record.subject_agency.uscc[:8]}",
        f"/agencies/{record.subject_agency_id}/",
        f"/agencies/{record.subject_agency_id}/?page=1",
        "/records/",
        f"/records/{record.pk}/",
        "/records/999999999/",
    ]


# Hits


def test_a_second_identical_request_is_served_without_queries(
    client: Client, record: DishonestyRecord, django_assert_num_queries: AssertNumQueries
) -> None:
    for url in public_urls(record):
        first = client.get(url)
        assert outcome(first) == "miss", url
        with django_assert_num_queries(0):
            second = client.get(url)
        assert outcome(second) == "hit", url
        assert second.status_code == first.status_code, url
        assert second.content == first.content, url
        assert second["Content-Type"] == first["Content-Type"], url
        assert second["Cache-Control"] == first["Cache-Control"] == "public, max-age=60", url
        assert second.get("ETag") == first.get("ETag"), url


def test_a_kept_page_still_answers_conditional_requests_with_304(
    client: Client, record: DishonestyRecord, django_assert_num_queries: AssertNumQueries
) -> None:
    url = f"/records/{record.pk}/"
    first = client.get(url)

    with django_assert_num_queries(0):
        by_etag = client.get(url, headers={"if-none-match": first["ETag"]})
        by_date = client.get(url, headers={"if-modified-since": first["Last-Modified"]})
        head = client.head(url)

    assert by_etag.status_code == by_date.status_code == 304
    assert by_etag["ETag"] == first["ETag"]
    assert head.status_code == 200 and head["ETag"] == first["ETag"]
    assert head["Last-Modified"] == first["Last-Modified"]


def test_another_client_gets_the_kept_page(client: Client, record: DishonestyRecord) -> None:
    client.get("/records/")

    assert outcome(Client().get("/records/")) == "hit"


def test_each_language_has_its_own_copy(client: Client, record: DishonestyRecord) -> None:
    url = f"/records/{record.pk}/"
    chinese = client.get(url, headers={"accept-language": "zh-hans"})
    english = client.get(url, headers={"accept-language": "en"})
    english_again = client.get(url, headers={"accept-language": "en"})
    by_cookie = Client(headers={"cookie": "django_language=en"}).get(url)
    chinese_again = client.get(url, headers={"accept-language": "zh-hans"})

    assert [outcome(r) for r in (chinese, english, english_again, by_cookie, chinese_again)] == [
        "miss",
        "miss",
        "hit",
        "hit",
        "hit",
    ]
    assert '<html lang="zh-Hans">' in chinese_again.content.decode()
    assert '<html lang="en">' in english_again.content.decode() and '<html lang="en">' in by_cookie.content.decode()
    assert english_again["Content-Language"] == "en" and chinese_again["Content-Language"] == "zh-hans"


def test_the_next_day_is_rendered_afresh_and_the_repair_button_turns_on(
    client: Client, world: City, audit_office: Agency, _today: time_machine.Traveller
) -> None:
    record = published(world, audit_office, decision_date=D(2026, 8, 21))
    url = f"/records/{record.pk}/"
    assert record.earliest_repair_on > D(2026, 11, 20)
    before = client.get(url)
    assert 'id="record-repair-closed"' in before.content.decode()
    assert outcome(client.get(url)) == "hit"

    _today.move_to(at(record.earliest_repair_on, hour=0))
    after = client.get(url)

    assert outcome(after) == "miss"
    assert f'href="/repair/apply/{record.pk}/"' in after.content.decode()


# Freshness: the next request after a committed change shows it.


def test_a_publication_shows_on_the_next_request(
    client: Client,
    world: City,
    record: DishonestyRecord,
    audit_office: Agency,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    agency_url, search_url = f"/agencies/{audit_office.pk}/", "/search/?q=审计局"
    for url in ("/", "/records/", agency_url, search_url):
        client.get(url)
    assert outcome(client.get("/records/")) == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        newer = published(world, audit_office, document_number="临审决〔2026〕2号")

    assert newer.pk in record_ids(html(client, "/"))
    assert newer.pk in record_ids(html(client, "/records/"))
    assert newer.pk in record_ids(html(client, agency_url))
    assert 'data-records="2"' in html(client, search_url)


def test_a_revocation_takes_the_record_off_at_once(
    client: Client, world: City, record: DishonestyRecord, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    url = f"/records/{record.pk}/"
    assert client.get(url).status_code == 200
    assert record.pk in record_ids(html(client, "/records/"))

    with django_capture_on_commit_callbacks(execute=True):
        record_revoke(actor=world.office_a, record=record, reason="判决被撤销")

    assert client.get(url).status_code == 404
    assert record.pk not in record_ids(html(client, "/records/"))


def test_a_correction_shows_on_the_next_request(
    client: Client, world: City, record: DishonestyRecord, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    url = f"/records/{record.pk}/"
    old_etag = client.get(url)["ETag"]

    with django_capture_on_commit_callbacks(execute=True):
        record_correct(
            actor=world.office_a, record=record, changes={"document_number": "临审决〔2026〕1号（更正）"}, reason="笔误"
        )

    response = client.get(url, headers={"if-none-match": old_etag})
    assert response.status_code == 200
    assert "临审决〔2026〕1号（更正）" in response.content.decode()
    assert 'id="record-corrected"' in response.content.decode()


def test_a_repair_takes_the_record_off_at_once(
    client: Client, world: City, record: DishonestyRecord, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    url = f"/records/{record.pk}/"
    assert client.get(url).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        record_repair(actor=world.office_a, record=record, reason="已履行并作出信用承诺")

    assert client.get(url).status_code == 404


def test_an_accepted_objection_shows_on_the_next_request(
    client: Client, world: City, record: DishonestyRecord, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    url = f"/records/{record.pk}/"
    objection, _code = objection_file(
        record=record,
        grounds="wrong",
        statement="事实有误",
        filer_name="王某",
        filer_contact="138",
        commitment_signed=True,
    )
    assert 'id="record-under-objection"' not in html(client, url)

    with django_capture_on_commit_callbacks(execute=True):
        objection_accept(actor=world.office_a, objection=objection)

    assert 'id="record-under-objection"' in html(client, url)


def test_a_measure_suspended_or_lifted_shows_on_the_next_request(
    client: Client, world: City, record: DishonestyRecord, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    url = f"/records/{record.pk}/"
    first, second = record.measures.order_by("pk")[:2]
    assert 'data-suspended="1"' not in html(client, url)
    assert outcome(client.get(url)) == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        measure_set_state(actor=world.office_a, measure=first, to_state=MeasureState.SUSPENDED, reason="异议核查")
        measure_set_state(actor=world.office_a, measure=second, to_state=MeasureState.LIFTED, reason="不应适用")

    page = html(client, url)
    assert 'data-suspended="1"' in page
    assert second.measure_type.name not in page


def test_each_search_and_each_combination_of_filters_is_kept_apart(
    client: Client, world: City, record: DishonestyRecord
) -> None:
    other = published(world, severity="serious", document_number="临财决〔2026〕2号")
    urls = {
        "/search/?q=东城&kind=records": {record.pk, other.pk},
        "/search/?q=东城&kind=records&severity=general": {record.pk},
        "/search/?q=东城&kind=records&severity=serious": {other.pk},
        "/search/?q=东城&kind=records&severity=serious&district=": {other.pk},
        "/search/?q=审计&kind=records&severity=serious": set(),
        "/search/?q=临审决": {record.pk},
    }
    for url, expected in urls.items():
        first = client.get(url)
        assert outcome(first) == "miss", url
        assert set(record_ids(first.content.decode())) == expected, url
    for url, expected in urls.items():
        kept = client.get(url)
        assert outcome(kept) == "hit", url
        assert set(record_ids(kept.content.decode())) == expected, url


def test_an_agency_rename_shows_on_the_next_request(
    client: Client,
    world: City,
    record: DishonestyRecord,
    audit_office: Agency,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    # (A record's subject keeps the name it was decided under; its page names the agency as it is now.)
    urls = ["/search/?q=审计", f"/agencies/{audit_office.pk}/", f"/records/{record.pk}/"]
    for url in urls:
        assert "东城区审计局" in html(client, url)

    with django_capture_on_commit_callbacks(execute=True):
        agency_rename(actor=world.admin, agency=audit_office, name="东城区审计监督局", reason="机构更名")

    for url in urls:
        assert "东城区审计监督局" in html(client, url), url


def test_a_new_agency_and_a_merge_show_on_the_next_request(
    client: Client,
    world: City,
    record: DishonestyRecord,
    audit_office: Agency,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    assert "东城区审计服务中心" not in html(client, "/search/?q=审计")

    with django_capture_on_commit_callbacks(execute=True):
        successor = make_agency("东城区审计服务中心", parent=world.district_a)
    assert "东城区审计服务中心" in html(client, "/search/?q=审计")
    assert record.pk not in record_ids(html(client, f"/agencies/{successor.pk}/"))

    with django_capture_on_commit_callbacks(execute=True):
        agency_merge(actor=world.admin, agency=audit_office, successor=successor, reason="2026年机构改革")

    assert record.pk in record_ids(html(client, f"/agencies/{successor.pk}/"))


def test_a_change_is_seen_only_once_committed(
    client: Client,
    world: City,
    record: DishonestyRecord,
    django_capture_on_commit_callbacks: CaptureOnCommit,
    django_assert_num_queries: AssertNumQueries,
) -> None:
    url = f"/records/{record.pk}/"
    client.get(url)

    with django_capture_on_commit_callbacks(execute=True), contextlib.suppress(RuntimeError), transaction.atomic():
        record_revoke(actor=world.office_a, record=record, reason="判决被撤销")
        raise RuntimeError("rolled back")

    with django_assert_num_queries(0):
        assert client.get(url).status_code == 200


# Who never shares a page


def test_signed_in_staff_neither_get_nor_fill_the_kept_pages(
    client: Client, world: City, record: DishonestyRecord
) -> None:
    url = f"/records/{record.pk}/"
    staff = Client()
    staff.force_login(world.clerk_a)

    first = staff.get(url)
    assert outcome(first) == "pass" and "private" in first["Cache-Control"]
    assert outcome(client.get(url)) == "miss", "the staff request filled nothing"
    assert outcome(client.get(url)) == "hit"
    assert queries_of(staff, url) > 0
    second = staff.get(url)
    assert outcome(second) == "pass" and "private" in second["Cache-Control"]


@pytest.mark.parametrize(
    "url", ["/records/?before=not-a-cursor", "/records/?utm_source=feed", "/search/?x=1&q=审计", "/search/?severity=x"]
)
def test_bad_requests_and_unknown_parameters_are_not_kept(client: Client, record: DishonestyRecord, url: str) -> None:
    client.get(url)

    assert outcome(client.get(url)) == "pass"


@pytest.mark.parametrize("taint", ["cookie", "csrf token"])
def test_a_response_that_sets_a_cookie_or_uses_a_csrf_token_is_not_kept(
    rf: RequestFactory, world: City, taint: str
) -> None:
    request = rf.get("/records/")
    slot, kept = response_cache.lookup(request)
    assert slot is not None and kept is None
    response = HttpResponse("<p>page</p>")
    if taint == "cookie":
        response.set_cookie("visitor", "1")
    else:
        request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True

    response_cache.keep(request, slot, response)

    assert response_cache.lookup(rf.get("/records/"))[1] is None


def test_a_lifetime_of_zero_turns_the_cache_off(client: Client, record: DishonestyRecord, settings: Any) -> None:
    settings.DISCLOSURE_RESPONSE_CACHE_SECONDS = 0
    client.get("/records/")

    assert outcome(client.get("/records/")) == "pass"
    assert queries_of(client, "/records/") > 0


# Faults


def test_without_a_reachable_cache_the_site_still_answers_and_says_so_once(
    client: Client,
    world: City,
    record: DishonestyRecord,
    settings: Any,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    settings.CACHES = UNREACHABLE_REDIS
    caplog.set_level(logging.WARNING, logger="disclosure.cache")

    for url in [*public_urls(record), *public_urls(record)]:
        response = client.get(url)
        assert response.status_code in {200, 404}, url
        assert outcome(response) == "pass"
    with django_capture_on_commit_callbacks(execute=True):
        record_revoke(actor=world.office_a, record=record, reason="判决被撤销")  # the bump fails quietly

    assert client.get(f"/records/{record.pk}/").status_code == 404
    warnings = [r for r in caplog.records if r.name == "disclosure.cache"]
    assert len(warnings) == 1 and "unavailable" in warnings[0].getMessage()
