"""Commitments in the work queue, on the staff home page and on the agency page; candidate records in the queue."""

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from commitments.services import commitment_decide, commitment_submit, commitment_warnings_raise
from tests.conftest import City
from tests.factories import make_commitment, published_commitment

NOW = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=datetime.UTC)
D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_time() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def calendar(db: None) -> None:
    from workcalendar.services import calendar_year_seed

    calendar_year_seed(year=2026)


def sections(response: Any) -> dict[str, list[int]]:
    return {section.key: [row.pk for row in section.rows] for section in response.context["sections"]}


def warned(world: City, **overrides: Any) -> Any:
    commitment = published_commitment(world, due_on=D(2026, 11, 20), year=2026, **overrides)
    commitment_warnings_raise()
    return commitment


def test_the_credit_office_and_the_agency_see_the_warning_in_their_queue_and_on_the_home_page(
    client: Client, world: City
) -> None:
    commitment = warned(world)
    for user in (world.office_a, world.clerk_a, world.reviewer_a):
        client.force_login(user)
        response = client.get("/staff/queue/")
        assert [w for w in sections(response)["commitment_warnings"]] == [commitment.warnings.get().pk]
        assert "逾期" in response.content.decode()
        home = client.get("/staff/")
        assert "承诺预警" in home.content.decode()


def test_the_outsider_and_the_other_district_see_no_warning(client: Client, world: City) -> None:
    warned(world)
    for user in (world.outsider, world.office_b):
        client.force_login(user)
        response = client.get("/staff/queue/")
        assert sections(response).get("commitment_warnings", []) == []


def test_the_reviewer_has_drafts_to_submit_and_the_office_submissions_to_publish(client: Client, world: City) -> None:
    draft = make_commitment(world.clerk_a, world.agency_a)
    submitted = commitment_submit(actor=world.reviewer_a, commitment=make_commitment(world.clerk_a, world.agency_a))
    client.force_login(world.reviewer_a)
    assert sections(client.get("/staff/queue/"))["commitments_to_submit"] == [draft.pk]
    client.force_login(world.office_a)
    assert sections(client.get("/staff/queue/"))["commitments_to_publish"] == [submitted.pk]
    client.force_login(world.office_b)
    assert sections(client.get("/staff/queue/"))["commitments_to_publish"] == []


def test_the_queue_costs_the_same_queries_with_one_warning_or_many(client: Client, world: City) -> None:
    warned(world)
    client.force_login(world.office_a)
    with CaptureQueriesContext(connection) as one:
        client.get("/staff/queue/")
    for n in range(5):
        published_commitment(world, title=f"承诺{n}", due_on=D(2026, 11, 21), year=2026)
    commitment_warnings_raise()
    with CaptureQueriesContext(connection) as many:
        response = client.get("/staff/queue/")
    assert len(sections(response)["commitment_warnings"]) == 6
    assert len(many) == len(one)


def test_the_agency_page_shows_this_years_commitments_by_status_and_their_warnings(client: Client, world: City) -> None:
    commitment = warned(world)
    make_commitment(world.clerk_a, world.agency_a, year=2026, due_on=D(2026, 12, 31))
    client.force_login(world.office_a)
    response = client.get(f"/staff/agencies/{world.agency_a.pk}/")
    page = response.content.decode()
    assert 'id="agency-commitments"' in page
    assert 'data-status="published"' in page and 'data-status="draft"' in page
    assert f'data-commitment-id="{commitment.pk}"' in page
    client.force_login(world.outsider)
    assert client.get(f"/staff/agencies/{world.agency_a.pk}/").status_code == 404


def test_a_decided_commitment_no_longer_warns_on_the_agency_page(client: Client, world: City) -> None:
    commitment = warned(world)
    commitment_decide(actor=world.office_a, commitment=commitment, outcome="kept", reason="已按期完成")
    client.force_login(world.clerk_a)
    page = client.get(f"/staff/agencies/{world.agency_a.pk}/").content.decode()
    assert 'id="agency-warnings"' not in page


def test_a_candidate_record_waits_in_the_agencys_queue_for_its_explanation(client: Client, world: City) -> None:
    commitment = published_commitment(world)
    commitment_decide(actor=world.office_a, commitment=commitment, outcome="broken", reason="逾期未兑现")
    commitment.refresh_from_db()
    client.force_login(world.clerk_a)
    assert sections(client.get("/staff/queue/"))["to_explain"] == [commitment.breach_record_id]
    client.force_login(world.office_a)
    assert sections(client.get("/staff/queue/"))["candidates"] == [commitment.breach_record_id]
    client.force_login(world.office_b)
    assert sections(client.get("/staff/queue/"))["candidates"] == []
