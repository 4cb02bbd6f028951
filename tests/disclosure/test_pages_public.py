"""The public disclosure site: anonymous, its own layout, agency search showing public facts only."""

from collections.abc import Callable
from contextlib import AbstractContextManager

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from subjects.models import AgencyKind
from tests.conftest import City
from tests.factories import make_agency

AssertNumQueries = Callable[..., CaptureQueriesContext]
CaptureOnCommit = Callable[..., AbstractContextManager[list[Callable[[], None]]]]


def result_ids(response: object) -> list[int]:
    return [agency.pk for agency in response.context["page"].object_list]  # type: ignore[attr-defined]


def test_the_home_page_is_public_and_has_a_search_box(client: Client, world: City) -> None:
    response = client.get("/")

    assert response.status_code == 200
    templates = [t.name for t in response.templates]
    assert "disclosure/base.html" in templates
    assert "base.html" not in templates
    html = response.content.decode()
    assert 'action="/search/"' in html
    assert '<label for="home-q"' in html
    assert 'id="site-name"' in html
    assert "/staff/people/" not in html
    assert 'href="#main"' in html


def test_a_signed_in_clerk_still_gets_the_public_layout(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)

    response = client.get("/")

    assert "base.html" not in [t.name for t in response.templates]
    assert "clerk-a" not in response.content.decode()


def test_it_finds_agencies_by_name_fragment_with_public_facts_only(client: Client, world: City) -> None:
    response = client.get("/search/", {"q": "财政局"})

    assert response.status_code == 200
    assert set(result_ids(response)) == {world.agency_a.pk, world.unit_a.pk, world.agency_b.pk}
    html = response.content.decode()
    assert world.agency_a.uscc in html
    assert f'data-uscc="{world.agency_b.uscc}"' in html
    for private in ("张伟", "李娜", world.person_a.id_number_masked, "/staff/"):
        assert private not in html


def test_it_finds_an_agency_by_code_prefix(client: Client, world: City) -> None:
    response = client.get("/search/", {"q": f" {world.agency_a.uscc.lower()} "})

    assert result_ids(response) == [world.agency_a.pk]


def test_an_empty_query_shows_the_prompt_and_no_results(client: Client, world: City) -> None:
    response = client.get("/search/")

    assert response.status_code == 200
    assert response.context["page"] is None
    assert 'id="empty-state"' in response.content.decode()


def test_an_unmatched_query_says_nothing_was_found(client: Client, world: City) -> None:
    response = client.get("/search/", {"q": "不存在的单位"})

    assert result_ids(response) == []
    html = response.content.decode()
    assert 'id="no-results"' in html
    assert 'id="empty-state"' not in html  # a miss is not the prompt of an empty search


def test_results_are_paginated(client: Client, world: City) -> None:
    for n in range(25):
        make_agency(f"南湖街道第{n:02d}社区居民委员会", parent=world.district_a, kind=AgencyKind.RESIDENTS_COMMITTEE)

    first = client.get("/search/", {"q": "南湖街道"})
    last = client.get("/search/", {"q": "南湖街道", "page": 3})

    assert first.context["page"].paginator.count == 25
    assert len(result_ids(first)) == 10  # ten results a page, as public search engines show them
    assert len(result_ids(last)) == 5
    assert 'rel="next"' in first.content.decode()
    assert 'data-total="25"' in first.content.decode()


def test_search_runs_the_same_queries_for_3_or_30_results(
    client: Client,
    world: City,
    django_assert_num_queries: AssertNumQueries,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    url = "/search/?q=北湖镇"
    for n in range(3):
        make_agency(f"北湖镇{n}村民委员会", kind=AgencyKind.VILLAGERS_COMMITTEE)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):  # committed: the kept search page is stale
        for n in range(3, 30):
            make_agency(f"北湖镇{n}村民委员会", kind=AgencyKind.VILLAGERS_COMMITTEE)

    with django_assert_num_queries(len(queries)):
        response = client.get(url)

    assert len(result_ids(response)) == 10
    assert response.context["page"].paginator.count == 30


def test_the_search_page_keeps_the_query_in_its_box(client: Client, world: City) -> None:
    html = client.get("/search/", {"q": "财政"}).content.decode()

    assert 'value="财政"' in html


def test_a_post_to_search_is_refused(client: Client, world: City) -> None:
    assert client.post("/search/", {"q": "财政"}).status_code == 405
