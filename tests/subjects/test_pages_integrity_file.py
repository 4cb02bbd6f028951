"""The civil servant's integrity file as the inspector reads it for a promotion check: the dishonesty records that
name the person (as subject or as a responsible person, 惩戒到人), the measures in force on the person, and the years
the person cannot be rated 优秀; the record page links back to the persons it names."""

import datetime
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from records.models import AppliedMeasure, DishonestyRecord, MeasureState, ResponsibilityKind
from records.services import record_create, record_publish, record_revoke, record_submit
from tests.conftest import City
from tests.factories import make_agency, make_person, make_record, record_input

NOW = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _frozen_time() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def calendar(db: None) -> None:
    from workcalendar.services import calendar_year_seed

    calendar_year_seed(year=2026)


def published(world: City, record: DishonestyRecord) -> DishonestyRecord:
    return record_publish(actor=world.office_a, record=record_submit(actor=world.reviewer_a, record=record))


def about_person(world: City, **overrides: Any) -> DishonestyRecord:
    data = record_input(world.agency_a, subject_person=world.person_a, severity="serious", **overrides)
    return published(world, record_create(actor=world.clerk_a, data=data))


def naming_as_principal(world: City, **overrides: Any) -> DishonestyRecord:
    data = record_input(world.agency_a, responsible=[(world.person_a, ResponsibilityKind.PRINCIPAL)], **overrides)
    return published(world, record_create(actor=world.clerk_a, data=data))


def rows(response: Any) -> dict[int, str]:
    return {
        record.pk: ("subject" if record.as_subject else record.responsibility_kind)
        for record in response.context["person_records"]
    }


def test_the_file_lists_the_records_naming_the_person_as_subject_and_as_responsible(
    client: Client, world: City
) -> None:
    as_subject = about_person(world)
    as_principal = naming_as_principal(world)
    draft = record_create(actor=world.clerk_a, data=record_input(world.agency_a, subject_person=world.person_a))
    revoked = record_revoke(actor=world.office_a, record=about_person(world), reason="重复录入")
    someone_else = make_record(world.clerk_a, world.agency_a, subject_person=make_person(world.agency_a, "王芳"))
    client.force_login(world.inspector_a)

    response = client.get(f"/staff/people/{world.person_a.pk}/")

    assert rows(response) == {as_subject.pk: "subject", as_principal.pk: ResponsibilityKind.PRINCIPAL}
    html = response.content.decode()
    for record in (as_subject, as_principal):
        assert f'href="/staff/records/{record.pk}/"' in html
    assert 'data-as="principal"' in html
    # Unverified, revoked and other people's records are not the person's record.
    for record in (draft, revoked, someone_else):
        assert record.pk not in rows(response)


def test_the_file_shows_the_measures_in_force_on_the_person(client: Client, world: City) -> None:
    record = about_person(world)
    personal = AppliedMeasure.objects.filter(record=record, target_person=world.person_a)
    assert personal.exists()
    lifted = personal.first()
    assert lifted is not None
    AppliedMeasure.objects.filter(pk=lifted.pk).update(state=MeasureState.LIFTED)
    in_force = set(personal.exclude(pk=lifted.pk).values_list("pk", flat=True))
    client.force_login(world.inspector_a)

    response = client.get(f"/staff/people/{world.person_a.pk}/")

    assert {measure.pk for measure in response.context["person_measures"]} == in_force
    html = response.content.decode()
    for pk in in_force:
        assert f'data-measure-id="{pk}"' in html
    assert f'data-measure-id="{lifted.pk}"' not in html


def test_the_file_says_the_person_cannot_be_rated_excellent_this_year(client: Client, world: City) -> None:
    naming_as_principal(world)
    client.force_login(world.inspector_a)

    html = client.get(f"/staff/people/{world.person_a.pk}/").content.decode()

    assert 'id="excellent-barred" data-years="2026"' in html
    assert "2026年度不得评为“优秀”等次" in html


def test_a_clean_file_says_so(client: Client, world: City) -> None:
    client.force_login(world.inspector_a)

    html = client.get(f"/staff/people/{world.person_a.pk}/").content.decode()

    assert 'id="excellent-barred"' not in html
    assert 'id="no-person-records"' in html
    assert 'id="no-person-measures"' in html


def test_the_outsider_reads_nothing_of_the_file(client: Client, world: City) -> None:
    about_person(world)
    client.force_login(world.outsider)

    assert client.get(f"/staff/people/{world.person_a.pk}/").status_code == 404


def test_the_file_costs_the_same_queries_for_one_or_ten_records(client: Client, world: City) -> None:
    def measure() -> int:
        client.force_login(world.inspector_a)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/staff/people/{world.person_a.pk}/").status_code == 200
        return len(queries)

    about_person(world)
    naming_as_principal(world)
    before = measure()
    for _ in range(5):
        about_person(world)
        naming_as_principal(world, subject_agency=make_agency(parent=world.agency_a), data_source_agency=world.agency_a)

    assert measure() == before


def test_the_record_page_links_to_the_persons_it_names(client: Client, world: City) -> None:
    record = about_person(world, responsible=[(world.person_a, ResponsibilityKind.DIRECT)])
    client.force_login(world.inspector_a)

    html = client.get(f"/staff/records/{record.pk}/").content.decode()

    assert 'id="subject-person-link"' in html
    assert html.count(f'href="/staff/people/{world.person_a.pk}/"') == 2  # as subject, and among the responsible


def test_the_sector_authority_reads_the_record_without_links_to_people(client: Client, world: City) -> None:
    record = about_person(world)
    client.force_login(world.sector_a)

    html = client.get(f"/staff/records/{record.pk}/").content.decode()

    assert "/staff/people/" not in html
