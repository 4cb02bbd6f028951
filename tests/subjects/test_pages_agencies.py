"""The agency directory: the tree one level at a time, search by name or code, agency detail; scope everywhere."""

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from subjects.models import Agency, AgencyKind
from subjects.services import agency_merge, agency_rename
from tests.conftest import City
from tests.factories import make_agency, make_person

AssertNumQueries = Callable[..., CaptureQueriesContext]


def agency_ids(response: object) -> list[int]:
    return [agency.pk for agency in response.context["page"].object_list]  # type: ignore[attr-defined]


def child_counts(response: object) -> dict[int, int]:
    return {agency.pk: agency.child_count for agency in response.context["page"].object_list}  # type: ignore[attr-defined]


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


# The tree ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "top", "children"),
    [
        ("clerk_a", "agency_a", 0),  # the unit below agency A is outside a clerk's own-agency scope
        ("office_a", "district_a", 1),
        ("inspector_a", "district_a", 1),
        ("sector_a", "district_a", 1),
        ("outsider", "agency_b", 0),
        ("admin", "city", 2),
    ],
)
def test_the_directory_starts_at_the_top_of_the_users_scope(
    client: Client, world: City, persona: str, top: str, children: int
) -> None:
    client.force_login(getattr(world, persona))

    response = client.get("/staff/agencies/")

    assert response.status_code == 200
    top_agency = getattr(world, top)
    assert agency_ids(response) == [top_agency.pk]
    assert child_counts(response) == {top_agency.pk: children}
    assert f'data-child-count="{children}"' in response.content.decode()


def test_the_directory_needs_a_login(client: Client, world: City) -> None:
    response = client.get("/staff/agencies/")

    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")


def test_the_directory_pages_through_many_top_agencies(client: Client, world: City) -> None:
    for n in range(55):
        make_agency(f"独立单位{n}")
    client.force_login(world.admin)

    first = client.get("/staff/agencies/")
    second = client.get("/staff/agencies/?page=2")

    assert first.context["page"].paginator.count == 56
    assert len(agency_ids(first)) == 50
    assert len(agency_ids(second)) == 6
    assert not set(agency_ids(first)) & set(agency_ids(second))


def test_the_directory_runs_the_same_queries_for_3_or_30_agencies(
    client: Client, world: City, django_assert_num_queries: AssertNumQueries
) -> None:
    client.force_login(world.admin)
    for _ in range(3):
        make_agency(parent=make_agency())
    expected = count_queries(client, "/staff/agencies/")
    for _ in range(27):
        make_agency(parent=make_agency())

    with django_assert_num_queries(expected):
        response = client.get("/staff/agencies/")

    assert len(agency_ids(response)) == 31
    assert set(child_counts(response).values()) == {1, 2}


# Search ------------------------------------------------------------------------------------------------------------


def test_it_searches_by_name_fragment_inside_the_scope(client: Client, world: City) -> None:
    client.force_login(world.office_a)

    response = client.get("/staff/agencies/", {"q": "财政"})

    assert response.status_code == 200
    assert agency_ids(response) == [world.agency_a.pk, world.unit_a.pk]
    html = response.content.decode()
    assert world.agency_b.name not in html
    assert world.agency_a.uscc in html


def test_it_searches_by_code_prefix_in_any_case(client: Client, world: City) -> None:
    client.force_login(world.admin)

    response = client.get("/staff/agencies/", {"q": world.agency_b.uscc.lower()})

    assert agency_ids(response) == [world.agency_b.pk]


def test_the_outsider_finds_nothing_of_district_a(client: Client, world: City) -> None:
    client.force_login(world.outsider)

    response = client.get("/staff/agencies/", {"q": "东城"})

    assert response.status_code == 200
    assert agency_ids(response) == []
    html = response.content.decode()
    assert 'id="empty-state"' in html
    assert world.agency_a.name not in html


def test_search_results_are_paginated(client: Client, world: City) -> None:
    for n in range(55):
        make_agency(f"东城区第{n}社区居委会", parent=world.district_a, kind=AgencyKind.RESIDENTS_COMMITTEE)
    client.force_login(world.office_a)

    first = client.get("/staff/agencies/", {"q": "社区居委会"})
    second = client.get("/staff/agencies/", {"q": "社区居委会", "page": 2})

    assert first.context["page"].paginator.count == 55
    assert len(agency_ids(first)) == 50
    assert len(agency_ids(second)) == 5
    assert "q=%E7%A4%BE" in first.content.decode()  # the next-page link keeps the query


def test_search_runs_the_same_queries_for_3_or_30_results(
    client: Client, world: City, django_assert_num_queries: AssertNumQueries
) -> None:
    client.force_login(world.office_a)
    url = "/staff/agencies/?q=村委会"
    for _ in range(3):
        make_agency(f"村委会{Agency.objects.count()}", parent=world.district_a, kind=AgencyKind.VILLAGERS_COMMITTEE)
    expected = count_queries(client, url)
    for _ in range(27):
        make_agency(f"村委会{Agency.objects.count()}", parent=world.district_a, kind=AgencyKind.VILLAGERS_COMMITTEE)

    with django_assert_num_queries(expected):
        response = client.get(url)

    assert len(agency_ids(response)) == 30


def test_an_overlong_query_is_cut_not_refused(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)

    response = client.get("/staff/agencies/", {"q": "财" * 500})

    assert response.status_code == 200
    assert len(response.context["q"]) == 100


# Detail ------------------------------------------------------------------------------------------------------------


def test_the_detail_shows_the_agency_its_children_and_history(client: Client, world: City) -> None:
    client.force_login(world.office_a)

    response = client.get(f"/staff/agencies/{world.agency_a.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert world.agency_a.uscc in html
    assert [a.pk for a in response.context["children"].object_list] == [world.unit_a.pk]
    assert 'data-event-kind="created"' in html
    assert f'href="/staff/people/?agency={world.agency_a.pk}"' in html
    assert f'href="/staff/agencies/{world.agency_a.pk}/people/new/"' in html


def test_the_breadcrumb_shows_only_ancestors_in_scope(client: Client, world: City) -> None:
    client.force_login(world.office_a)

    response = client.get(f"/staff/agencies/{world.unit_a.pk}/")

    assert [a.pk for a in response.context["ancestors"]] == [world.district_a.pk, world.agency_a.pk]
    html = response.content.decode()
    assert f'href="/staff/agencies/{world.district_a.pk}/"' in html
    assert f'href="/staff/agencies/{world.city.pk}/"' not in html


def test_the_breadcrumb_costs_the_same_at_any_depth(client: Client, world: City) -> None:
    client.force_login(world.admin)
    shallow = make_agency(parent=world.city)  # two leaves: one just below the city, one seven levels down
    deep = make_agency(parent=world.city)
    for _ in range(6):
        deep = make_agency(parent=deep)

    assert count_queries(client, f"/staff/agencies/{shallow.pk}/") == count_queries(
        client, f"/staff/agencies/{deep.pk}/"
    )
    assert len(client.get(f"/staff/agencies/{deep.pk}/").context["ancestors"]) == 7


def test_a_clerk_sees_no_children_outside_their_own_agency(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)

    response = client.get(f"/staff/agencies/{world.agency_a.pk}/")

    assert response.status_code == 200
    assert list(response.context["children"].object_list) == []
    assert response.context["ancestors"] == []
    assert world.unit_a.name not in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "target"),
    [
        ("clerk_a", "agency_b"),
        ("clerk_a", "unit_a"),  # below their agency, but a clerk sees only their own
        ("clerk_a", "district_a"),
        ("outsider", "agency_a"),
        ("office_b", "agency_a"),
        ("office_a", "city"),
    ],
)
def test_an_agency_outside_scope_is_not_found(client: Client, world: City, persona: str, target: str) -> None:
    client.force_login(getattr(world, persona))

    response = client.get(f"/staff/agencies/{getattr(world, target).pk}/")

    assert response.status_code == 404


def test_the_detail_needs_a_login(client: Client, world: City) -> None:
    response = client.get(f"/staff/agencies/{world.agency_a.pk}/")

    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")


def test_a_missing_agency_is_not_found(client: Client, world: City) -> None:
    client.force_login(world.admin)

    assert client.get("/staff/agencies/999999/").status_code == 404


def test_the_sector_authority_sees_agencies_but_no_people_links(client: Client, world: City) -> None:
    client.force_login(world.sector_a)

    response = client.get(f"/staff/agencies/{world.agency_a.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="agency-people-link"' not in html
    assert 'id="add-person-link"' not in html


def test_the_inspector_reads_people_but_may_not_add_them(client: Client, world: City) -> None:
    client.force_login(world.inspector_a)

    html = client.get(f"/staff/agencies/{world.agency_a.pk}/").content.decode()

    assert 'id="agency-people-link"' in html
    assert 'id="add-person-link"' not in html


def test_the_detail_shows_reform_lineage_both_ways(client: Client, world: City) -> None:
    old = make_agency("东城区财政局（旧）", parent=world.district_a)
    agency_merge(actor=world.admin, agency=old, successor=world.agency_a, reason="东编〔2026〕3号")
    client.force_login(world.office_a)

    successor_page = client.get(f"/staff/agencies/{world.agency_a.pk}/")
    old_page = client.get(f"/staff/agencies/{old.pk}/")

    assert [a.pk for a in successor_page.context["predecessors"]] == [old.pk]
    assert 'id="predecessors"' in successor_page.content.decode()
    old_html = old_page.content.decode()
    assert 'id="successor"' in old_html
    assert f'href="/staff/agencies/{world.agency_a.pk}/"' in old_html
    assert 'data-event-kind="merged"' in old_html
    assert "东编〔2026〕3号" in old_html


def test_the_timeline_lists_renames(client: Client, world: City) -> None:
    agency_rename(actor=world.admin, agency=world.agency_a, name="东城区财政局（新）", reason="更名")
    client.force_login(world.clerk_a)

    html = client.get(f"/staff/agencies/{world.agency_a.pk}/").content.decode()

    assert 'data-event-kind="renamed"' in html
    assert "东城区财政局（新）" in html


def test_children_are_paginated_and_cost_the_same_for_3_or_30(
    client: Client, world: City, django_assert_num_queries: AssertNumQueries
) -> None:
    client.force_login(world.office_a)
    url = f"/staff/agencies/{world.agency_a.pk}/"
    for _ in range(2):
        make_agency(parent=world.agency_a)
    expected = count_queries(client, url)
    for _ in range(27):
        make_person(world.agency_a)
        make_agency(parent=make_agency(parent=world.agency_a))

    with django_assert_num_queries(expected):
        response = client.get(url)

    assert response.context["children"].paginator.count == 30
    for _ in range(25):
        make_agency(parent=world.agency_a)
    second = client.get(url, {"page": 2})
    assert len(second.context["children"].object_list) == 5
