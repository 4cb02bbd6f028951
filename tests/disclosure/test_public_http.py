"""The public site over HTTP: cacheable, cookie-free, GET only, and a constant number of queries per page."""

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from urllib.parse import unquote

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext

from records.models import DishonestyRecord
from tests.conftest import City
from tests.factories import make_person
from tests.public_support import copies, fixed_today, html, published, record_ids

AssertNumQueries = Callable[..., CaptureQueriesContext]
CaptureOnCommit = Callable[..., AbstractContextManager[list[Callable[[], None]]]]


@pytest.fixture(autouse=True)
def _today(db: None) -> Iterator[time_machine.Traveller]:
    yield from fixed_today()


@pytest.fixture
def record(world: City) -> DishonestyRecord:
    return published(world)


def cache_control(response: HttpResponse) -> set[str]:
    return {part.strip() for part in response["Cache-Control"].split(",")}


def public_urls(world: City, record: DishonestyRecord) -> list[str]:
    return [
        "/",
        "/search/?q=财政",
        f"/search/?q={world.agency_a.uscc[:6]}",
        f"/agencies/{world.agency_a.pk}/",
        "/records/",
        f"/records/{record.pk}/",
    ]


def test_anonymous_visitors_get_every_page_cacheable_and_without_cookies(
    client: Client, world: City, record: DishonestyRecord
) -> None:
    for url in [*public_urls(world, record), "/records/999999/"]:
        response = client.get(url)

        assert response.status_code in {200, 404}, url
        assert cache_control(response) == {"public", "max-age=60"}, url
        assert "Set-Cookie" not in response.headers, url
        assert not response.cookies, url
        vary = {v.strip() for v in response["Vary"].split(",")}
        assert {"Accept-Language", "Cookie"} <= vary, url
        if response.status_code == 200:
            assert response["ETag"].startswith('"'), url


def test_the_cache_lifetime_is_configurable(client: Client, world: City, settings: object) -> None:
    settings.DISCLOSURE_CACHE_SECONDS = 300  # type: ignore[attr-defined]

    assert cache_control(client.get("/")) == {"public", "max-age=300"}


def test_a_client_revalidates_with_the_etag(client: Client, world: City, record: DishonestyRecord) -> None:
    for url in public_urls(world, record):
        etag = client.get(url)["ETag"]

        again = client.get(url, headers={"if-none-match": etag})

        assert again.status_code == 304, url
        assert again.content == b""


def test_a_changed_page_gets_a_new_etag(
    client: Client, world: City, record: DishonestyRecord, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    before = client.get("/records/")["ETag"]
    with django_capture_on_commit_callbacks(execute=True):  # committed: the kept page is stale
        published(world, world.unit_a)

    assert client.get("/records/", headers={"if-none-match": before}).status_code == 200


def test_the_record_page_has_a_last_modified_date(client: Client, world: City, record: DishonestyRecord) -> None:
    response = client.get(f"/records/{record.pk}/")
    last_modified = response["Last-Modified"]

    assert client.get(f"/records/{record.pk}/", headers={"if-modified-since": last_modified}).status_code == 304


def test_signed_in_staff_get_private_copies(client: Client, world: City, record: DishonestyRecord) -> None:
    client.force_login(world.clerk_a)

    response = client.get(f"/records/{record.pk}/")

    assert response.status_code == 200
    assert cache_control(response) == {"private", "no-cache"}


def test_the_pages_carry_no_csrf_token_and_a_get_language_switch(
    client: Client, world: City, record: DishonestyRecord
) -> None:
    for url in public_urls(world, record):
        page = html(client, url)
        assert "csrfmiddlewaretoken" not in page
        assert 'method="post"' not in page.lower()
        assert 'action="/language/" method="get"' in page


def test_the_language_switch_sets_only_the_language_cookie_and_returns(client: Client, world: City) -> None:
    response = client.get("/language/", {"language": "en", "next": "/search/?q=财政"})

    assert response.status_code == 302
    assert unquote(response["Location"]) == "/search/?q=财政"
    assert set(response.cookies) == {"django_language"}
    assert response.cookies["django_language"].value == "en"
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    assert '<html lang="en">' in html(client, "/")


def test_the_language_switch_refuses_other_sites_and_unknown_languages(client: Client, world: City) -> None:
    response = client.get("/language/", {"language": "xx", "next": "https://example.com/"})

    assert response["Location"] == "/"
    assert not response.cookies


def test_the_site_speaks_simplified_chinese_by_default(client: Client, world: City) -> None:
    assert '<html lang="zh-Hans">' in html(client, "/")


@pytest.mark.parametrize("url", ["/", "/search/?q=财政", "/records/", "/language/?language=en", "/healthz"])
def test_posts_are_refused(client: Client, world: City, url: str) -> None:
    assert client.post(url).status_code == 405


def test_posts_to_record_and_agency_pages_are_refused(client: Client, world: City, record: DishonestyRecord) -> None:
    assert client.post(f"/records/{record.pk}/").status_code == 405
    assert client.post(f"/agencies/{world.agency_a.pk}/").status_code == 405
    assert client.put(f"/records/{record.pk}/").status_code == 405


def test_head_requests_are_answered(client: Client, world: City, record: DishonestyRecord) -> None:
    assert client.head(f"/records/{record.pk}/").status_code == 200


def test_healthz_checks_the_database_and_is_never_cached(client: Client, world: City) -> None:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert [q["sql"] for q in queries.captured_queries] == ["SELECT 1"]
    assert "no-cache" in response["Cache-Control"]


def test_the_pages_are_accessible_landmarks_headings_labels_and_tables(
    client: Client, world: City, record: DishonestyRecord
) -> None:
    for url in public_urls(world, record):
        page = html(client, url)
        assert 'href="#main"' in page and '<main id="main"' in page
        assert page.count("<h1") == 1, url
        assert '<label for="language-select">' in page
        assert 'name="viewport"' in page
    for url in ("/", "/records/", f"/agencies/{world.agency_a.pk}/"):
        page = html(client, url)
        assert "<caption>" in page and '<th scope="col">' in page and '<th scope="row"' in page


# Query counts: every list runs the same queries for 3 rows as for 33.


def _queries(client: Client, url: str) -> int:
    cache.clear()  # the home page's counts are cached: measure the uncached path each time
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url_of", ["home", "search", "agency", "recent", "code search"])
def test_lists_run_the_same_queries_for_3_or_33_rows(
    client: Client, world: City, django_assert_num_queries: AssertNumQueries, url_of: str
) -> None:
    people = [make_person(world.agency_a, f"王{n}") for n in range(3)]
    first = [published(world, subject_person=person) for person in people]
    url = {
        "home": "/",
        "search": "/search/?q=财政",
        "code search": f"/search/?q={world.agency_a.uscc[:8]}",
        "agency": f"/agencies/{world.agency_a.pk}/",
        "recent": "/records/",
    }[url_of]
    few = _queries(client, url)

    for row in first:
        copies(row, 10)
    cache.clear()
    with django_assert_num_queries(few):
        response = client.get(url)

    assert response.status_code == 200
    if url_of in {"agency", "recent"}:
        assert len(record_ids(response.content.decode())) == 20


def test_the_record_page_runs_two_queries_however_many_measures_it_lists(
    client: Client, world: City, record: DishonestyRecord, django_assert_num_queries: AssertNumQueries
) -> None:
    # The record with its agencies, then its measures in force.
    assert record.measures.count() > 1
    with django_assert_num_queries(2):
        assert client.get(f"/records/{record.pk}/").status_code == 200
