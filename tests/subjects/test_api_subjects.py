"""Agencies and civil servants through the API (records/api.py): scope for every role, filters, masking, the access
log, bad input, and query counts that do not grow with rows."""

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.authentication import api_token_issue
from accounts.models import User
from subjects.models import AccessAction, Agency, AgencyKind, CivilServant, PersonalDataAccess
from subjects.services import (
    agency_set_active,
    assessment_record,
    civil_servant_move,
    matters_report_record,
    training_record,
)
from tests import published_ids
from tests.conftest import City
from tests.factories import make_agency, make_person

FULL_ID = "33010219850312148X"
MASKED_ID = "3301**********148X"
AGENCIES = "/api/v1/agencies/"
PEOPLE = "/api/v1/civil-servants/"
LOOKUP = "/api/v1/civil-servants/lookup/"

# What each persona of tests/conftest.py may see, by the attribute names of City.
VISIBLE_AGENCIES = {
    "clerk_a": {"agency_a"},
    "reviewer_a": {"agency_a"},
    "office_a": {"district_a", "agency_a", "unit_a"},
    "inspector_a": {"district_a", "agency_a", "unit_a"},
    "sector_a": {"district_a", "agency_a", "unit_a"},
    "admin": {"city", "district_a", "agency_a", "unit_a", "district_b", "agency_b"},
    "outsider": {"agency_b"},
    "office_b": {"district_b", "agency_b"},
}
VISIBLE_PEOPLE = {
    "clerk_a": {"person_a"},
    "reviewer_a": {"person_a"},
    "office_a": {"person_a"},
    "inspector_a": {"person_a"},
    "sector_a": set(),
    "admin": {"person_a", "person_b"},
    "outsider": {"person_b"},
    "office_b": {"person_b"},
}
ALL_AGENCIES = VISIBLE_AGENCIES["admin"]
ALL_PEOPLE = VISIBLE_PEOPLE["admin"]
PERSONAS = sorted(VISIBLE_AGENCIES)


def client_for(user: User) -> APIClient:
    _, key = api_token_issue(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def pks(world: City, names: set[str]) -> set[int]:
    return {getattr(world, name).pk for name in names}


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    return body["error"]  # type: ignore[no-any-return]


@pytest.fixture
def as_user(world: City) -> Callable[[str], APIClient]:
    return lambda persona: client_for(getattr(world, persona))


# Agencies: scope ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_role_lists_exactly_the_agencies_in_its_scope(
    world: City, as_user: Callable[[str], APIClient], persona: str
) -> None:
    assert ids(as_user(persona).get(AGENCIES)) == pks(world, VISIBLE_AGENCIES[persona])


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_role_reads_agencies_in_scope_and_gets_404_for_the_others(
    world: City, as_user: Callable[[str], APIClient], persona: str
) -> None:
    client = as_user(persona)
    for name in ALL_AGENCIES:
        response = client.get(f"{AGENCIES}{getattr(world, name).pk}/")
        if name in VISIBLE_AGENCIES[persona]:
            assert response.status_code == 200
            assert response.json()["id"] == getattr(world, name).pk
        else:
            assert_error(response, 404, "not_found")


def test_an_agency_reads_with_its_place_in_the_tree(world: City, as_user: Callable[[str], APIClient]) -> None:
    body = as_user("office_a").get(f"{AGENCIES}{world.agency_a.pk}/").json()

    assert body == {
        "id": world.agency_a.pk,
        "name": "东城区财政局",
        "kind": "department",
        "uscc": world.agency_a.uscc,
        "region_code": "330100",
        "parent": world.district_a.pk,
        "successor": None,
        "active": True,
        "depth": 3,
        "updated_at": body["updated_at"],
    }
    assert datetime.datetime.fromisoformat(body["updated_at"]) <= timezone.now()


# Agencies: filters -------------------------------------------------------------------------------------------------


def agency_ids(world: City, query: dict[str, Any], persona: str = "admin") -> set[int]:
    return ids(client_for(getattr(world, persona)).get(AGENCIES, query))


def test_agencies_filter_by_name_fragment_or_code_prefix(world: City) -> None:
    assert agency_ids(world, {"q": "财政局"}) == pks(world, {"agency_a", "unit_a", "agency_b"})
    assert agency_ids(world, {"q": world.agency_a.uscc.lower()}) == {world.agency_a.pk}
    assert agency_ids(world, {"q": "财政局"}, persona="outsider") == {world.agency_b.pk}


def test_agencies_filter_by_kind_parent_and_subtree(world: City) -> None:
    assert agency_ids(world, {"kind": AgencyKind.PUBLIC_INSTITUTION}) == {world.unit_a.pk}
    assert agency_ids(world, {"parent": world.city.pk}) == pks(world, {"district_a", "district_b"})
    assert agency_ids(world, {"subtree_of": world.agency_a.pk}) == pks(world, {"agency_a", "unit_a"})


def test_a_subtree_outside_the_callers_scope_yields_nothing(world: City) -> None:
    assert agency_ids(world, {"subtree_of": world.district_b.pk}, persona="office_a") == set()
    assert agency_ids(world, {"subtree_of": world.city.pk}, persona="office_a") == set()
    assert agency_ids(world, {"subtree_of": 999_999}, persona="office_a") == set()


def test_a_subtree_stays_inside_the_callers_scope(world: City) -> None:
    assert agency_ids(world, {"subtree_of": world.agency_a.pk}, persona="clerk_a") == {world.agency_a.pk}


def test_agencies_filter_by_active_flag_and_exact_codes(world: City) -> None:
    agency_set_active(actor=world.admin, agency=world.unit_a, active=False, reason="撤销")

    assert agency_ids(world, {"active": "false"}) == {world.unit_a.pk}
    assert world.unit_a.pk not in agency_ids(world, {"active": "true"})
    assert agency_ids(world, {"uscc": world.agency_b.uscc.lower()}) == {world.agency_b.pk}
    assert agency_ids(world, {"region_code": "330100"}) == pks(world, ALL_AGENCIES)
    assert agency_ids(world, {"region_code": "110100"}) == set()


def test_agencies_filter_by_update_time(world: City) -> None:
    before = timezone.now() - datetime.timedelta(seconds=1)
    agency_set_active(actor=world.admin, agency=world.unit_a, active=False, reason="撤销")
    after_changes = timezone.now() + datetime.timedelta(seconds=1)

    assert agency_ids(world, {"updated_after": after_changes.isoformat()}) == set()
    changed = agency_ids(world, {"updated_after": world.unit_a.updated_at.isoformat()})
    assert world.unit_a.pk in changed  # inclusive: the last seen moment is asked again
    assert agency_ids(world, {"updated_after": before.isoformat()}) >= {world.unit_a.pk}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"kind": "spaceship"}, "kind"),
        ({"active": "maybe"}, "active"),
        ({"parent": "abc"}, "parent"),
        ({"parent": "1.5"}, "parent"),
        ({"subtree_of": "-3"}, "subtree_of"),
        ({"region_code": "12"}, "region_code"),
        ({"updated_after": "yesterday"}, "updated_after"),
        ({"updated_after": "2026-13-45T25:00:00"}, "updated_after"),
        ({"q": "x" * 101}, "q"),
        ({"cursor": "not-a-cursor"}, "cursor"),
    ],
)
def test_agency_filters_refuse_values_they_cannot_read(world: City, query: dict[str, str], field: str) -> None:
    error = assert_error(client_for(world.admin).get(AGENCIES, query), 400, "invalid")

    assert set(error["fields"]) == {field}


def test_agencies_page_with_a_cursor(world: City) -> None:
    client = client_for(world.admin)
    seen: list[int] = []
    url: str | None = f"{AGENCIES}?page_size=2"
    while url:
        body = client.get(url).json()
        assert len(body["results"]) <= 2
        seen += [row["id"] for row in body["results"]]
        url = body["next"]

    assert seen == sorted(pks(world, ALL_AGENCIES))


# Civil servants: scope ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_role_lists_exactly_the_people_in_its_scope(
    world: City, as_user: Callable[[str], APIClient], persona: str
) -> None:
    assert ids(as_user(persona).get(PEOPLE)) == pks(world, VISIBLE_PEOPLE[persona])


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("suffix", ["", "integrity-file/"])
def test_every_role_reads_people_in_scope_and_gets_404_for_the_others(
    world: City, as_user: Callable[[str], APIClient], persona: str, suffix: str
) -> None:
    client = as_user(persona)
    for name in ALL_PEOPLE:
        person = getattr(world, name)
        response = client.get(f"{PEOPLE}{person.pk}/{suffix}")
        if name in VISIBLE_PEOPLE[persona]:
            assert response.status_code == 200
        else:
            assert_error(response, 404, "not_found")
            assert not PersonalDataAccess.objects.filter(person=person).exists()


def test_a_civil_servant_reads_masked(world: City, as_user: Callable[[str], APIClient]) -> None:
    body = as_user("inspector_a").get(f"{PEOPLE}{world.person_a.pk}/").json()

    assert body == {
        "id": world.person_a.pk,
        "name": "张伟",
        "id_number_masked": MASKED_ID,
        "agency": {"id": world.agency_a.pk, "name": "东城区财政局"},
        "position": "科员",
        "rank": "一级科员",
        "is_principal": False,
        "active": True,
        "updated_at": body["updated_at"],
    }


def test_reading_a_civil_servant_is_logged(world: City, as_user: Callable[[str], APIClient]) -> None:
    as_user("office_a").get(f"{PEOPLE}{world.person_a.pk}/")

    access = PersonalDataAccess.objects.get()
    assert (access.actor, access.person, access.action, access.channel) == (
        world.office_a,
        world.person_a,
        AccessAction.VIEW_FILE,
        "api",
    )


def test_listing_people_is_not_a_file_read(world: City, as_user: Callable[[str], APIClient]) -> None:
    as_user("office_a").get(PEOPLE)

    assert not PersonalDataAccess.objects.exists()


# Civil servants: filters -------------------------------------------------------------------------------------------


def people_ids(world: City, query: dict[str, Any], persona: str = "admin") -> set[int]:
    return ids(client_for(getattr(world, persona)).get(PEOPLE, query))


def test_people_filter_by_agency_subtree_name_and_flags(world: City) -> None:
    chief = make_person(world.unit_a, "赵敏", is_principal=True)

    assert people_ids(world, {"agency": world.agency_a.pk}) == {world.person_a.pk}
    assert people_ids(world, {"subtree_of": world.district_a.pk}) == {world.person_a.pk, chief.pk}
    assert people_ids(world, {"subtree_of": world.district_b.pk}, persona="office_a") == set()
    assert people_ids(world, {"q": "张"}) == {world.person_a.pk}
    assert people_ids(world, {"is_principal": "true"}) == {chief.pk}
    assert people_ids(world, {"active": "true"}) == {world.person_a.pk, world.person_b.pk, chief.pk}
    assert people_ids(world, {"active": "false"}) == set()
    assert people_ids(world, {"updated_after": (timezone.now() + datetime.timedelta(minutes=1)).isoformat()}) == set()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"agency": "agency-a"}, "agency"),
        ({"is_principal": "yes please"}, "is_principal"),
        ({"updated_after": "2026-02-30"}, "updated_after"),
        ({"cursor": "bz1hYmM="}, "cursor"),
    ],
)
def test_people_filters_refuse_values_they_cannot_read(world: City, query: dict[str, str], field: str) -> None:
    error = assert_error(client_for(world.admin).get(PEOPLE, query), 400, "invalid")

    assert set(error["fields"]) == {field}


# Look-up by ID number ----------------------------------------------------------------------------------------------


def test_a_person_is_found_by_full_id_number_and_the_search_is_logged(
    world: City, as_user: Callable[[str], APIClient]
) -> None:
    response = as_user("office_a").post(LOOKUP, {"id_number": FULL_ID.lower()}, format="json")

    assert response.status_code == 200
    assert response.json()["id"] == world.person_a.pk
    assert response.json()["id_number_masked"] == MASKED_ID
    access = PersonalDataAccess.objects.get()
    assert (access.actor, access.person, access.action, access.channel) == (
        world.office_a,
        world.person_a,
        AccessAction.LOOKUP_BY_ID,
        "api",
    )


@pytest.mark.parametrize("persona", ["outsider", "office_b", "sector_a"])
def test_a_look_up_outside_the_scope_finds_nobody_but_is_logged(
    world: City, as_user: Callable[[str], APIClient], persona: str
) -> None:
    response = as_user(persona).post(LOOKUP, {"id_number": FULL_ID}, format="json")

    assert_error(response, 404, "not_found")
    access = PersonalDataAccess.objects.get()
    assert (access.actor, access.person, access.action) == (getattr(world, persona), None, AccessAction.LOOKUP_BY_ID)


@pytest.mark.parametrize("body", [{"id_number": "330102198503121301"}, {"id_number": "12345"}, {}])
def test_a_look_up_with_an_invalid_id_number_names_the_field_and_logs_nothing(
    world: City, as_user: Callable[[str], APIClient], body: dict[str, str]
) -> None:
    error = assert_error(as_user("office_a").post(LOOKUP, body, format="json"), 400, error_code_for(body))

    assert set(error["fields"]) == {"id_number"}
    assert not PersonalDataAccess.objects.exists()


@pytest.mark.parametrize("number", [n for n in published_ids.VALID if n != FULL_ID])
def test_a_look_up_finds_a_person_by_a_number_with_the_standard_check_character(
    world: City, as_user: Callable[[str], APIClient], number: str
) -> None:
    person = make_person(world.agency_a, "刘洋", id_number=number)

    response = as_user("office_a").post(LOOKUP, {"id_number": number.lower()}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["id"] == person.pk
    assert number not in response.content.decode()


@pytest.mark.parametrize("number", published_ids.WRONG_CHECK)
def test_a_look_up_refuses_a_number_whose_check_character_breaks_the_standard(
    world: City, as_user: Callable[[str], APIClient], number: str
) -> None:
    error = assert_error(as_user("office_a").post(LOOKUP, {"id_number": number}, format="json"), 400, "id_check")

    assert error["fields"] == {"id_number": ["身份证号码的校验码错误。"]}
    assert number not in str(error)
    assert not PersonalDataAccess.objects.exists()


def error_code_for(body: dict[str, str]) -> str:
    # A missing field fails the input serializer ("invalid"); a malformed number fails the service's validator.
    return "invalid" if not body else ("id_check" if len(body["id_number"]) == 18 else "id_number_format")


# Revealing the full ID number --------------------------------------------------------------------------------------


def reveal(client: APIClient, person: CivilServant, purpose: str | None = "晋升信用审查") -> Any:
    body = {} if purpose is None else {"purpose": purpose}
    return client.post(f"{PEOPLE}{person.pk}/reveal-id-number/", body, format="json")


def test_an_inspector_sees_the_full_id_number_and_the_reveal_is_logged(
    world: City, as_user: Callable[[str], APIClient]
) -> None:
    response = reveal(as_user("inspector_a"), world.person_a)

    assert response.status_code == 200
    assert response.json() == {"id_number": FULL_ID}
    assert "no-store" in response["Cache-Control"]
    access = PersonalDataAccess.objects.get()
    assert (access.actor, access.person, access.action, access.channel, access.purpose) == (
        world.inspector_a,
        world.person_a,
        AccessAction.REVEAL_ID,
        "api",
        "晋升信用审查",
    )


@pytest.mark.parametrize("persona", ["clerk_a", "reviewer_a", "office_a", "admin"])
def test_no_other_role_may_reveal_an_id_number(world: City, as_user: Callable[[str], APIClient], persona: str) -> None:
    response = reveal(as_user(persona), world.person_a)

    assert_error(response, 403, "not_allowed")
    assert FULL_ID.encode() not in response.content
    assert not PersonalDataAccess.objects.exists()


@pytest.mark.parametrize(("persona", "person"), [("outsider", "person_a"), ("inspector_a", "person_b")])
def test_a_reveal_outside_the_scope_is_404(
    world: City, as_user: Callable[[str], APIClient], persona: str, person: str
) -> None:
    assert_error(reveal(as_user(persona), getattr(world, person)), 404, "not_found")
    assert not PersonalDataAccess.objects.exists()


@pytest.mark.parametrize("purpose", [None, "", "x" * 201])
def test_a_reveal_needs_a_purpose(world: City, as_user: Callable[[str], APIClient], purpose: str | None) -> None:
    error = assert_error(reveal(as_user("inspector_a"), world.person_a, purpose), 400, "invalid")

    assert set(error["fields"]) == {"purpose"}
    assert not PersonalDataAccess.objects.exists()


# The integrity file ------------------------------------------------------------------------------------------------


def test_the_integrity_file_holds_assessments_trainings_reports_and_moves(
    world: City, as_user: Callable[[str], APIClient]
) -> None:
    assessment_record(actor=world.admin, person=world.person_a, year=2025, result="competent")
    training_record(
        actor=world.admin,
        person=world.person_a,
        title="诚信教育专题培训",
        attended_on=datetime.date(2026, 3, 1),
        hours=Decimal("2.5"),
    )
    matters_report_record(
        actor=world.admin,
        person=world.person_a,
        year=2025,
        reported_on=datetime.date(2026, 1, 15),
        summary="本人婚姻状况无变化",
    )
    civil_servant_move(
        actor=world.admin, person=world.person_a, to_agency=world.unit_a, moved_on=datetime.date(2026, 6, 1)
    )

    response = as_user("inspector_a").get(f"{PEOPLE}{world.person_a.pk}/integrity-file/")

    assert response.status_code == 200
    body = response.json()
    assert body["person"]["id"] == world.person_a.pk
    assert body["person"]["agency"] == {"id": world.unit_a.pk, "name": world.unit_a.name}
    assert [(a["year"], a["result"]) for a in body["assessments"]] == [(2025, "competent")]
    assert [(t["title"], t["hours"]) for t in body["trainings"]] == [("诚信教育专题培训", "2.5")]
    assert [r["summary"] for r in body["matters_reports"]] == ["本人婚姻状况无变化"]
    assert [(m["from_agency"]["id"], m["to_agency"]["id"], m["moved_on"]) for m in body["moves"]] == [
        (world.agency_a.pk, world.unit_a.pk, "2026-06-01")
    ]
    access = PersonalDataAccess.objects.get()
    assert (access.actor, access.person, access.action, access.channel) == (
        world.inspector_a,
        world.person_a,
        AccessAction.VIEW_FILE,
        "api",
    )


# Masking: the full ID number appears nowhere but in the inspector's reveal -----------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_full_id_number_never_appears_in_a_response_body(
    world: City, as_user: Callable[[str], APIClient], persona: str
) -> None:
    client = as_user(persona)
    person = world.person_a.pk
    responses = [
        client.get(PEOPLE),
        client.get(f"{PEOPLE}?q=张"),
        client.get(f"{PEOPLE}{person}/"),
        client.get(f"{PEOPLE}{person}/integrity-file/"),
        client.post(LOOKUP, {"id_number": FULL_ID}, format="json"),
        client.post(LOOKUP, {"id_number": FULL_ID[:-1] + "1"}, format="json"),
        client.get(AGENCIES),
        client.get("/api/v1/me/"),
    ]
    for response in responses:
        assert FULL_ID.encode() not in response.content
        assert FULL_ID.lower().encode() not in response.content
    if VISIBLE_PEOPLE[persona] >= {"person_a"}:
        assert MASKED_ID.encode() in responses[2].content


# Query counts ------------------------------------------------------------------------------------------------------


def count_queries(client: APIClient, url: str, django_assert_num_queries: Any, expected: int) -> None:
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("extra_rows", [3, 30])
@pytest.mark.parametrize("persona", ["admin", "office_a", "clerk_a"])
def test_the_agency_list_runs_a_constant_number_of_queries(
    world: City, django_assert_num_queries: Any, extra_rows: int, persona: str
) -> None:
    parent = world.agency_a if persona == "clerk_a" else world.unit_a
    for _ in range(extra_rows):
        make_agency(parent=parent)
    client = client_for(getattr(world, persona))
    client.get("/api/v1/me/")  # the token's first use writes last_used_at once

    # The token with its user and agency; the page of agencies.
    count_queries(client, AGENCIES, django_assert_num_queries, 2)
    count_queries(client, f"{AGENCIES}?subtree_of={world.agency_a.pk}&q=测试", django_assert_num_queries, 3)


@pytest.mark.parametrize("extra_rows", [3, 30])
@pytest.mark.parametrize("persona", ["admin", "office_a", "clerk_a"])
def test_the_civil_servant_list_runs_a_constant_number_of_queries(
    world: City, django_assert_num_queries: Any, extra_rows: int, persona: str
) -> None:
    for _ in range(extra_rows):
        make_person(world.agency_a)
    client = client_for(getattr(world, persona))
    client.get("/api/v1/me/")

    count_queries(client, PEOPLE, django_assert_num_queries, 2)
    count_queries(client, f"{PEOPLE}?subtree_of={world.agency_a.pk}&is_principal=false", django_assert_num_queries, 3)


@pytest.mark.parametrize("extra_rows", [3, 30])
def test_the_integrity_file_runs_a_constant_number_of_queries(
    world: City, django_assert_num_queries: Any, extra_rows: int
) -> None:
    for year in range(2025 - extra_rows, 2025):
        assessment_record(actor=world.admin, person=world.person_a, year=year, result="competent")
    for _ in range(extra_rows):
        training_record(
            actor=world.admin,
            person=world.person_a,
            title="培训",
            attended_on=datetime.date(2026, 1, 1),
            hours=Decimal(1),
        )
    client = client_for(world.inspector_a)
    client.get("/api/v1/me/")

    # Token; person; four prefetches; the access-log insert.
    count_queries(client, f"{PEOPLE}{world.person_a.pk}/integrity-file/", django_assert_num_queries, 7)


def test_agencies_of_a_large_subtree_are_all_reachable_through_the_cursor(world: City) -> None:
    created = {make_agency(parent=world.unit_a).pk for _ in range(7)}
    client = client_for(world.office_a)
    seen: set[int] = set()
    url: str | None = f"{AGENCIES}?subtree_of={world.unit_a.pk}&page_size=3"
    while url:
        body = client.get(url).json()
        seen |= {row["id"] for row in body["results"]}
        url = body["next"]

    assert seen == created | {world.unit_a.pk}
    assert Agency.objects.filter(pk__in=seen).count() == 8
