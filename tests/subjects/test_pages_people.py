"""Civil servants: the list, look-up by ID number, the integrity file, the inspector's reveal, and the edit forms.

The full ID number of person_a (33010219850312148X) must appear in no page for anyone except, once, in the
inspector's reveal response.
"""

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kernel.errors import NotAllowed
from subjects.models import (
    AccessAction,
    AnnualAssessment,
    CivilServant,
    CivilServantMove,
    IntegrityTraining,
    PersonalDataAccess,
    PersonalMattersReport,
)
from subjects.services import assessment_record, civil_servant_move, matters_report_record, training_record
from tests import published_ids
from tests.conftest import City
from tests.factories import make_agency, make_person, next_id_number

AssertNumQueries = Callable[..., CaptureQueriesContext]

FULL_ID = "33010219850312148X"
MASKED_ID = "3301**********148X"
LAST_YEAR = datetime.date.today().year - 1
NON_INSPECTORS = ["clerk_a", "reviewer_a", "office_a", "admin"]


def person_ids(response: object) -> list[int]:
    return [person.pk for person in response.context["page"].object_list]  # type: ignore[attr-defined]


def accesses(person: CivilServant, action: str) -> int:
    return PersonalDataAccess.objects.filter(person=person, action=action).count()


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


# The list ----------------------------------------------------------------------------------------------------------


def test_the_list_shows_people_in_scope_with_masked_ids(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)

    response = client.get("/staff/people/")

    assert response.status_code == 200
    assert person_ids(response) == [world.person_a.pk]
    html = response.content.decode()
    assert "张伟" in html
    assert MASKED_ID in html
    assert FULL_ID not in html
    assert world.person_b.name not in html


def test_the_outsider_sees_only_their_own_people(client: Client, world: City) -> None:
    client.force_login(world.outsider)

    response = client.get("/staff/people/")

    assert person_ids(response) == [world.person_b.pk]
    assert "张伟" not in response.content.decode()


def test_the_sector_authority_may_not_read_people(client: Client, world: City) -> None:
    client.force_login(world.sector_a)

    assert client.get("/staff/people/").status_code == 403
    assert client.get(f"/staff/people/{world.person_a.pk}/").status_code == 403
    assert client.get("/staff/people/lookup/").status_code == 403
    assert client.post("/staff/people/lookup/", {"id_number": FULL_ID}).status_code == 403
    assert client.get(f"/staff/agencies/{world.agency_a.pk}/people/new/").status_code == 403
    assert not PersonalDataAccess.objects.exists()


@pytest.mark.parametrize(
    "url", ["/staff/people/", "/staff/people/lookup/", "/staff/people/1/", "/staff/agencies/1/people/new/"]
)
def test_people_pages_need_a_login(client: Client, world: City, url: str) -> None:
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")


def test_it_filters_by_agency_with_or_without_the_units_below(client: Client, world: City) -> None:
    person_in_unit = make_person(world.unit_a, "王芳")
    client.force_login(world.office_a)

    only_agency = client.get("/staff/people/", {"agency": world.agency_a.pk})
    with_units = client.get("/staff/people/", {"agency": world.agency_a.pk, "subtree": "on"})
    everyone = client.get("/staff/people/")

    assert person_ids(only_agency) == [world.person_a.pk]
    assert set(person_ids(with_units)) == {world.person_a.pk, person_in_unit.pk}
    assert set(person_ids(everyone)) == {world.person_a.pk, person_in_unit.pk}


def test_it_filters_by_name_fragment(client: Client, world: City) -> None:
    make_person(world.agency_a, "王芳")
    client.force_login(world.clerk_a)

    response = client.get("/staff/people/", {"q": "张"})

    assert person_ids(response) == [world.person_a.pk]


def test_it_shows_active_people_unless_asked_otherwise(client: Client, world: City) -> None:
    retired = make_person(world.agency_a, "赵强")
    CivilServant.objects.filter(pk=retired.pk).update(active=False)  # no deactivation service exists yet
    client.force_login(world.clerk_a)

    assert person_ids(client.get("/staff/people/")) == [world.person_a.pk]
    assert person_ids(client.get("/staff/people/", {"active": "inactive"})) == [retired.pk]
    assert set(person_ids(client.get("/staff/people/", {"active": "all"}))) == {world.person_a.pk, retired.pk}


def test_an_agency_outside_scope_is_a_filter_error_not_a_peek(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)

    response = client.get("/staff/people/", {"agency": world.agency_b.pk})

    assert response.status_code == 200
    assert "agency" in response.context["form"].errors
    assert person_ids(response) == []
    assert world.person_b.name not in response.content.decode()


def test_the_agency_choices_are_the_users_scope(client: Client, world: City) -> None:
    client.force_login(world.office_a)

    response = client.get("/staff/people/")

    choices = list(response.context["form"].fields["agency"].queryset)
    assert choices == [world.district_a, world.agency_a, world.unit_a]


def test_the_list_is_paginated(client: Client, world: City) -> None:
    for _ in range(55):
        make_person(world.agency_a)
    client.force_login(world.clerk_a)

    first = client.get("/staff/people/")
    second = client.get("/staff/people/", {"page": 2})

    assert first.context["page"].paginator.count == 56
    assert len(person_ids(first)) == 50
    assert len(person_ids(second)) == 6


def test_the_list_runs_the_same_queries_for_3_or_30_people(
    client: Client, world: City, django_assert_num_queries: AssertNumQueries
) -> None:
    client.force_login(world.office_a)
    url = "/staff/people/"
    for _ in range(3):
        make_person(make_agency(parent=world.agency_a))
    expected = count_queries(client, url)
    for _ in range(27):
        make_person(make_agency(parent=world.agency_a))

    with django_assert_num_queries(expected):
        response = client.get(url)

    assert len(person_ids(response)) == 31


def test_the_empty_list_says_so(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)

    response = client.get("/staff/people/", {"q": "不存在的人"})

    assert person_ids(response) == []
    assert 'id="empty-state"' in response.content.decode()


# Look-up by ID number ----------------------------------------------------------------------------------------------


def test_lookup_by_id_number_goes_to_the_person_without_the_number_in_any_url(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)

    response = client.post("/staff/people/lookup/", {"id_number": FULL_ID.lower()})

    assert response.status_code == 302
    assert response["Location"] == f"/staff/people/{world.person_a.pk}/"
    assert FULL_ID not in response["Location"]
    assert accesses(world.person_a, AccessAction.LOOKUP_BY_ID) == 1


def test_lookup_outside_scope_finds_nobody_and_is_logged(client: Client, world: City) -> None:
    client.force_login(world.outsider)

    response = client.post("/staff/people/lookup/", {"id_number": FULL_ID})

    assert response.status_code == 200
    assert "id_number" in response.context["form"].errors
    assert FULL_ID not in response.content.decode()
    assert PersonalDataAccess.objects.filter(action=AccessAction.LOOKUP_BY_ID, person=None).count() == 1


def test_lookup_with_a_bad_check_digit_is_a_field_error(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)
    wrong = FULL_ID[:-1] + "1"

    response = client.post("/staff/people/lookup/", {"id_number": wrong})

    assert response.status_code == 200
    assert "id_number" in response.context["form"].errors
    assert wrong not in response.content.decode()  # the number is never echoed back
    assert not PersonalDataAccess.objects.exists()


def test_lookup_finds_the_person_holding_the_standard_s_example_number(client: Client, world: City) -> None:
    person = make_person(world.agency_a, "刘洋", id_number=published_ids.STANDARD_EXAMPLE)
    client.force_login(world.clerk_a)

    response = client.post("/staff/people/lookup/", {"id_number": published_ids.STANDARD_EXAMPLE.lower()})

    assert response.status_code == 302
    assert response["Location"] == f"/staff/people/{person.pk}/"


def test_lookup_refuses_the_standard_s_example_with_a_wrong_check_digit(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)

    response = client.post("/staff/people/lookup/", {"id_number": published_ids.STANDARD_EXAMPLE_WRONG})

    assert response.status_code == 200
    assert response.context["form"].errors == {"id_number": ["身份证号码的校验码错误。"]}
    assert not PersonalDataAccess.objects.exists()


def test_lookup_with_an_empty_number_is_a_field_error(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)

    response = client.post("/staff/people/lookup/", {"id_number": ""})

    assert response.status_code == 200
    assert "id_number" in response.context["form"].errors


def test_lookup_ignores_a_number_in_the_query_string(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)

    response = client.get("/staff/people/lookup/", {"id_number": FULL_ID})

    assert response.status_code == 200
    assert not PersonalDataAccess.objects.exists()
    assert FULL_ID not in response.content.decode()


def test_the_lookup_forms_post(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)

    for url in ("/staff/people/", "/staff/people/lookup/"):
        html = client.get(url).content.decode()
        assert '<form method="post" action="/staff/people/lookup/"' in html


# The integrity file ------------------------------------------------------------------------------------------------


def test_the_file_shows_the_person_their_postings_and_their_file(client: Client, world: City) -> None:
    civil_servant_move(
        actor=world.office_a, person=world.person_a, to_agency=world.unit_a, moved_on=datetime.date(2024, 3, 1)
    )
    person = CivilServant.objects.get(pk=world.person_a.pk)
    assessment_record(actor=world.office_a, person=person, year=LAST_YEAR, result="competent")
    training_record(
        actor=world.office_a,
        person=person,
        title="廉政教育专题培训",
        attended_on=datetime.date(2025, 5, 6),
        hours=Decimal(4),
    )
    matters_report_record(
        actor=world.office_a, person=person, year=LAST_YEAR, reported_on=datetime.date(2026, 1, 20), summary="房产一处"
    )
    client.force_login(world.office_a)

    response = client.get(f"/staff/people/{person.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="moves-table"' in html
    assert world.unit_a.name in html
    assert f'data-year="{LAST_YEAR}" data-result="competent"' in html
    assert "廉政教育专题培训" in html
    assert "房产一处" in html
    assert MASKED_ID in html
    assert FULL_ID not in html


def test_every_read_of_the_file_is_logged(client: Client, world: City) -> None:
    client.force_login(world.reviewer_a)

    client.get(f"/staff/people/{world.person_a.pk}/")
    client.get(f"/staff/people/{world.person_a.pk}/")

    rows = PersonalDataAccess.objects.filter(person=world.person_a, action=AccessAction.VIEW_FILE)
    assert rows.count() == 2
    assert {(row.actor_id, row.channel) for row in rows} == {(world.reviewer_a.pk, "web")}


def test_the_file_is_not_cached_by_the_browser(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)

    response = client.get(f"/staff/people/{world.person_a.pk}/")

    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("persona", "target"), [("outsider", "person_a"), ("office_b", "person_a"), ("clerk_a", "person_b")]
)
def test_a_person_outside_scope_is_not_found_and_nothing_is_logged(
    client: Client, world: City, persona: str, target: str
) -> None:
    client.force_login(getattr(world, persona))

    response = client.get(f"/staff/people/{getattr(world, target).pk}/")

    assert response.status_code == 404
    assert not PersonalDataAccess.objects.exists()


def test_a_clerk_may_not_see_people_of_the_unit_below(client: Client, world: City) -> None:
    below = make_person(world.unit_a)
    client.force_login(world.clerk_a)

    assert client.get(f"/staff/people/{below.pk}/").status_code == 404


# Reveal ------------------------------------------------------------------------------------------------------------


def test_an_inspector_sees_the_full_number_once_in_the_reveal_response(client: Client, world: City) -> None:
    client.force_login(world.inspector_a)
    detail = client.get(f"/staff/people/{world.person_a.pk}/")
    assert 'id="reveal-form"' in detail.content.decode()
    assert FULL_ID not in detail.content.decode()

    response = client.post(f"/staff/people/{world.person_a.pk}/reveal-id/", {"purpose": "2026年公务员晋升信用审查"})

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<span class="code code-strong" id="id-number-full">{FULL_ID}</span>' in html
    assert "no-store" in response["Cache-Control"]
    reveal = PersonalDataAccess.objects.get(person=world.person_a, action=AccessAction.REVEAL_ID)
    assert (reveal.actor_id, reveal.channel, reveal.purpose) == (
        world.inspector_a.pk,
        "web",
        "2026年公务员晋升信用审查",
    )
    assert accesses(world.person_a, AccessAction.VIEW_FILE) == 2  # the plain read and the reveal page
    assert all(FULL_ID not in str(value) for value in client.session.values())
    assert list(get_messages(response.wsgi_request)) == []

    again = client.get(f"/staff/people/{world.person_a.pk}/")
    assert FULL_ID not in again.content.decode()


@pytest.mark.parametrize("persona", NON_INSPECTORS)
def test_no_other_role_may_reveal(client: Client, world: City, persona: str) -> None:
    client.force_login(getattr(world, persona))

    detail = client.get(f"/staff/people/{world.person_a.pk}/")
    response = client.post(f"/staff/people/{world.person_a.pk}/reveal-id/")

    assert 'id="reveal-form"' not in detail.content.decode()
    assert response.status_code == 403
    assert FULL_ID not in response.content.decode()
    assert accesses(world.person_a, AccessAction.REVEAL_ID) == 0


def test_reveal_is_post_only(client: Client, world: City) -> None:
    client.force_login(world.inspector_a)

    assert client.get(f"/staff/people/{world.person_a.pk}/reveal-id/").status_code == 405
    assert accesses(world.person_a, AccessAction.REVEAL_ID) == 0


def test_an_inspector_may_not_reveal_outside_their_region(client: Client, world: City) -> None:
    client.force_login(world.inspector_a)

    response = client.post(f"/staff/people/{world.person_b.pk}/reveal-id/")

    assert response.status_code == 404
    assert not PersonalDataAccess.objects.exists()


@pytest.mark.parametrize("purpose", ["", "   "])
def test_a_reveal_without_a_purpose_reveals_nothing(client: Client, world: City, purpose: str) -> None:
    client.force_login(world.inspector_a)

    response = client.post(f"/staff/people/{world.person_a.pk}/reveal-id/", {"purpose": purpose})

    assert response.status_code == 200
    assert "purpose" in response.context["reveal_form"].errors
    assert 'id="id_purpose_error"' in response.content.decode()
    assert FULL_ID not in response.content.decode()
    assert accesses(world.person_a, AccessAction.REVEAL_ID) == 0


def test_the_revealed_number_is_hidden_without_asking_again(client: Client, world: City) -> None:
    client.force_login(world.inspector_a)

    html = client.post(f"/staff/people/{world.person_a.pk}/reveal-id/", {"purpose": "晋升考察"}).content.decode()

    # No "reload to hide" (a reload sends the reveal again): a button that works in the page, and a plain link back.
    assert 'id="id-number-hide"' in html
    assert 'id="id-number-close"' in html and f'href="/staff/people/{world.person_a.pk}/"' in html
    assert "刷新" not in html and "重新加载" not in html


def test_an_overlong_purpose_reveals_nothing(client: Client, world: City) -> None:
    client.force_login(world.inspector_a)

    response = client.post(f"/staff/people/{world.person_a.pk}/reveal-id/", {"purpose": "x" * 201})

    assert response.status_code == 200
    assert "purpose" in response.context["reveal_form"].errors
    assert FULL_ID not in response.content.decode()
    assert accesses(world.person_a, AccessAction.REVEAL_ID) == 0


# Masking on every page that shows person_a ---------------------------------------------------------------------------


def person_pages(world: City) -> list[str]:
    pk = world.person_a.pk
    return [
        "/staff/people/",
        f"/staff/people/?agency={world.agency_a.pk}",
        "/staff/people/?q=张",
        f"/staff/people/{pk}/",
        f"/staff/people/{pk}/edit/",
        f"/staff/people/{pk}/move/",
        f"/staff/people/{pk}/assessments/new/",
        f"/staff/people/{pk}/trainings/new/",
        f"/staff/people/{pk}/matters-reports/new/",
    ]


@pytest.mark.parametrize("persona", [*NON_INSPECTORS, "inspector_a"])
def test_no_staff_page_shows_the_full_number(client: Client, world: City, persona: str) -> None:
    client.force_login(getattr(world, persona))
    shown = 0

    for url in person_pages(world):
        response = client.get(url)
        assert response.status_code in {200, 403}, url
        html = response.content.decode()
        assert FULL_ID not in html, url
        if response.status_code == 200:
            assert MASKED_ID in html, url
            shown += 1

    assert shown >= 4  # the list pages and the file, at least
    assert accesses(world.person_a, AccessAction.REVEAL_ID) == 0


def test_failed_form_posts_do_not_show_the_full_number(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)

    duplicate = client.post(f"/staff/agencies/{world.agency_a.pk}/people/new/", {"name": "张伟", "id_number": FULL_ID})
    bad_edit = client.post(f"/staff/people/{world.person_a.pk}/edit/", {"name": ""})

    assert "id_number" in duplicate.context["form"].errors
    for response in (duplicate, bad_edit):
        assert response.status_code == 200
        assert FULL_ID not in response.content.decode()


# Forms: edit, move, assessments, training, reports, add ------------------------------------------------------------


def test_a_clerk_edits_a_person(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)
    url = f"/staff/people/{world.person_a.pk}/edit/"
    assert client.get(url).context["form"].initial["name"] == "张伟"

    response = client.post(url, {"name": "张伟", "position": "副局长", "rank": "二级调研员", "is_principal": "on"})

    assert response.status_code == 302
    assert response["Location"] == f"/staff/people/{world.person_a.pk}/"
    person = CivilServant.objects.get(pk=world.person_a.pk)
    assert (person.position, person.rank, person.is_principal) == ("副局长", "二级调研员", True)
    assert person.history.count() == 2


def test_an_empty_name_changes_nothing(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)

    response = client.post(f"/staff/people/{world.person_a.pk}/edit/", {"name": "  ", "position": "局长"})

    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert CivilServant.objects.get(pk=world.person_a.pk).position == "科员"


def test_a_refusal_from_the_service_is_a_403(client: Client, world: City, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(**kwargs: object) -> CivilServant:
        raise NotAllowed("You may not change this person.")

    monkeypatch.setattr("subjects.services.civil_servant_update", refuse)
    client.force_login(world.clerk_a)

    response = client.post(f"/staff/people/{world.person_a.pk}/edit/", {"name": "张伟"})

    assert response.status_code == 403
    assert 'id="refusal-reason"' in response.content.decode()


@pytest.mark.parametrize("path", ["edit/", "move/", "assessments/new/", "trainings/new/", "matters-reports/new/"])
def test_the_inspector_reads_but_may_not_write(client: Client, world: City, path: str) -> None:
    client.force_login(world.inspector_a)

    assert client.get(f"/staff/people/{world.person_a.pk}/{path}").status_code == 403
    assert client.post(f"/staff/people/{world.person_a.pk}/{path}", {"name": "x"}).status_code == 403
    assert 'id="person-actions"' not in client.get(f"/staff/people/{world.person_a.pk}/").content.decode()


@pytest.mark.parametrize("path", ["edit/", "move/", "assessments/new/", "trainings/new/", "matters-reports/new/"])
def test_the_outsider_cannot_reach_the_forms(client: Client, world: City, path: str) -> None:
    client.force_login(world.outsider)

    assert client.get(f"/staff/people/{world.person_a.pk}/{path}").status_code == 404
    assert client.post(f"/staff/people/{world.person_a.pk}/{path}", {"name": "x"}).status_code == 404
    assert CivilServant.objects.get(pk=world.person_a.pk).name == "张伟"


def test_the_credit_office_moves_a_person_within_its_region(client: Client, world: City) -> None:
    client.force_login(world.office_a)

    response = client.post(
        f"/staff/people/{world.person_a.pk}/move/",
        {"to_agency": world.unit_a.pk, "moved_on": "2026-03-01", "reason": "工作需要"},
    )

    assert response.status_code == 302
    move = CivilServantMove.objects.get(person=world.person_a)
    assert (move.from_agency, move.to_agency, move.moved_on) == (
        world.agency_a,
        world.unit_a,
        datetime.date(2026, 3, 1),
    )
    assert CivilServant.objects.get(pk=world.person_a.pk).agency == world.unit_a


def test_a_move_to_the_same_agency_is_a_field_error(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)

    response = client.post(
        f"/staff/people/{world.person_a.pk}/move/", {"to_agency": world.agency_a.pk, "moved_on": "2026-03-01"}
    )

    assert response.status_code == 200
    assert "to_agency" in response.context["form"].errors
    assert not CivilServantMove.objects.exists()


def test_a_move_out_of_scope_is_not_offered(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)

    response = client.post(
        f"/staff/people/{world.person_a.pk}/move/", {"to_agency": world.agency_b.pk, "moved_on": "2026-03-01"}
    )

    assert response.status_code == 200
    assert "to_agency" in response.context["form"].errors
    assert not CivilServantMove.objects.exists()
    assert CivilServant.objects.get(pk=world.person_a.pk).agency == world.agency_a


def test_a_clerk_records_an_annual_assessment(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)

    response = client.post(
        f"/staff/people/{world.person_a.pk}/assessments/new/", {"year": LAST_YEAR, "result": "excellent"}
    )

    assert response.status_code == 302
    assessment = AnnualAssessment.objects.get(person=world.person_a)
    assert (assessment.year, assessment.result, assessment.recorded_by) == (LAST_YEAR, "excellent", world.clerk_a)
    detail = client.get(response["Location"])
    assert f'data-year="{LAST_YEAR}" data-result="excellent"' in detail.content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"year": LAST_YEAR + 5, "result": "competent"}, "year"),  # the service refuses future years
        ({"year": 1980, "result": "competent"}, "year"),
        ({"year": "abc", "result": "competent"}, "year"),
        ({"year": LAST_YEAR, "result": "superb"}, "result"),
        ({"result": "competent"}, "year"),
    ],
)
def test_a_bad_assessment_writes_nothing(client: Client, world: City, data: dict[str, object], field: str) -> None:
    client.force_login(world.clerk_a)

    response = client.post(f"/staff/people/{world.person_a.pk}/assessments/new/", data)

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not AnnualAssessment.objects.exists()


def test_a_second_assessment_for_the_same_year_is_refused(client: Client, world: City) -> None:
    assessment_record(actor=world.clerk_a, person=world.person_a, year=LAST_YEAR, result="competent")
    client.force_login(world.clerk_a)

    response = client.post(
        f"/staff/people/{world.person_a.pk}/assessments/new/", {"year": LAST_YEAR, "result": "excellent"}
    )

    assert response.status_code == 200
    assert "year" in response.context["form"].errors
    assert AnnualAssessment.objects.get(person=world.person_a).result == "competent"


def test_a_clerk_records_training(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)

    response = client.post(
        f"/staff/people/{world.person_a.pk}/trainings/new/",
        {"title": "诚信教育", "organizer": "区纪委", "attended_on": "2026-04-02", "hours": "2.5"},
    )

    assert response.status_code == 302
    training = IntegrityTraining.objects.get(person=world.person_a)
    assert (training.title, training.hours) == ("诚信教育", Decimal("2.5"))


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "诚信教育", "attended_on": "2026-04-02", "hours": "0"}, "hours"),
        ({"title": "诚信教育", "attended_on": "2999-04-02", "hours": "2"}, "attended_on"),
        ({"title": "", "attended_on": "2026-04-02", "hours": "2"}, "title"),
        ({"title": "诚信教育", "attended_on": "not a date", "hours": "2"}, "attended_on"),
    ],
)
def test_bad_training_writes_nothing(client: Client, world: City, data: dict[str, object], field: str) -> None:
    client.force_login(world.clerk_a)

    response = client.post(f"/staff/people/{world.person_a.pk}/trainings/new/", data)

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not IntegrityTraining.objects.exists()


def test_a_clerk_records_a_personal_matters_report(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)

    response = client.post(
        f"/staff/people/{world.person_a.pk}/matters-reports/new/",
        {"year": LAST_YEAR, "reported_on": "2026-01-15", "summary": "本人及配偶房产一处"},
    )

    assert response.status_code == 302
    assert PersonalMattersReport.objects.get(person=world.person_a).summary == "本人及配偶房产一处"


def test_an_empty_report_writes_nothing(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)

    response = client.post(
        f"/staff/people/{world.person_a.pk}/matters-reports/new/",
        {"year": LAST_YEAR, "reported_on": "2026-01-15", "summary": "   "},
    )

    assert response.status_code == 200
    assert "summary" in response.context["form"].errors
    assert not PersonalMattersReport.objects.exists()


def test_a_clerk_adds_a_civil_servant_to_their_agency(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)
    number = next_id_number()

    response = client.post(
        f"/staff/agencies/{world.agency_a.pk}/people/new/",
        {"name": "陈静", "id_number": number, "position": "科长", "rank": "一级主任科员"},
    )

    person = CivilServant.objects.get(name="陈静")
    assert response.status_code == 302
    assert response["Location"] == f"/staff/people/{person.pk}/"
    assert number not in response["Location"]
    assert (person.agency, person.position, person.is_principal) == (world.agency_a, "科长", False)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "陈静", "id_number": "330102198503121301"}, "id_number"),  # wrong check digit
        ({"name": "陈静", "id_number": "123"}, "id_number"),
        ({"name": "陈静", "id_number": FULL_ID}, "id_number"),  # already registered
        ({"name": "", "id_number": "110101199003074514"}, "name"),
    ],
)
def test_a_bad_new_person_writes_nothing(client: Client, world: City, data: dict[str, str], field: str) -> None:
    client.force_login(world.clerk_a)
    before = CivilServant.objects.count()

    response = client.post(f"/staff/agencies/{world.agency_a.pk}/people/new/", data)

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert CivilServant.objects.count() == before
    assert data["id_number"] not in response.content.decode()


@pytest.mark.parametrize("number", [n for n in published_ids.VALID if n != FULL_ID])
def test_a_number_with_the_standard_check_character_is_accepted(client: Client, world: City, number: str) -> None:
    client.force_login(world.clerk_a)

    response = client.post(
        f"/staff/agencies/{world.agency_a.pk}/people/new/", {"name": "陈静", "id_number": number.lower()}
    )

    assert response.status_code == 302
    person = CivilServant.objects.get(name="陈静")
    assert person == CivilServant.objects.with_id_number(number).get()
    assert person.id_number_masked == f"{number[:4]}{'*' * 10}{number[-4:]}"


@pytest.mark.parametrize("number", published_ids.WRONG_CHECK)
def test_a_number_whose_check_character_breaks_the_standard_is_a_field_error(
    client: Client, world: City, number: str
) -> None:
    client.force_login(world.clerk_a)
    before = CivilServant.objects.count()

    response = client.post(
        f"/staff/agencies/{world.agency_a.pk}/people/new/", {"name": "陈静", "id_number": number, "position": "科长"}
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {"id_number": ["身份证号码的校验码错误。"]}
    assert form["position"].value() == "科长"  # what was typed is kept
    assert CivilServant.objects.count() == before
    assert number not in response.content.decode()


@pytest.mark.parametrize(("persona", "status"), [("inspector_a", 403), ("outsider", 404), ("office_b", 404)])
def test_only_editors_in_scope_may_add_people(client: Client, world: City, persona: str, status: int) -> None:
    client.force_login(getattr(world, persona))
    before = CivilServant.objects.count()

    response = client.post(
        f"/staff/agencies/{world.agency_a.pk}/people/new/", {"name": "陈静", "id_number": next_id_number()}
    )

    assert response.status_code == status
    assert CivilServant.objects.count() == before


def test_the_success_message_carries_no_personal_data(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)
    number = next_id_number()

    response = client.post(
        f"/staff/agencies/{world.agency_a.pk}/people/new/", {"name": "陈静", "id_number": number}, follow=True
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="message message-success"' in html
    assert number not in html
