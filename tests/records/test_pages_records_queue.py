"""The work queue per role and its counts on the dashboard."""

import datetime
from collections.abc import Callable, Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from records.models import DishonestyRecord, Rectification
from records.services import (
    record_publish,
    record_request_review,
    record_return,
    record_send_back,
    record_submit,
    rectification_submit,
)
from tests.conftest import City
from tests.factories import make_agency, make_record

AssertNumQueries = Callable[..., CaptureQueriesContext]

NOW = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
AFTER_DEADLINES = datetime.datetime(2026, 12, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
FULL_ID = "33010219850312148X"


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


def counts(response: Any) -> dict[str, int]:
    return {section.key: section.count for section in response.context["sections"]}


def submitted(world: City, subject: Any = None, **overrides: Any) -> DishonestyRecord:
    subject = subject or world.agency_a
    record = make_record(world.clerk_a, subject, source_agency=world.agency_a, **overrides)
    return record_submit(actor=world.reviewer_a, record=record)


def published(world: City, subject: Any = None) -> DishonestyRecord:
    return record_publish(actor=world.office_a, record=submitted(world, subject))


def test_the_clerk_finishes_its_agencys_drafts_and_returned_records(client: Client, world: City) -> None:
    draft = make_record(world.clerk_a, world.agency_a)
    returned = record_return(actor=world.office_a, record=submitted(world), reason="缺少附件")
    with_office = submitted(world)
    in_review = record_request_review(actor=world.clerk_a, record=make_record(world.clerk_a, world.agency_a))
    make_record(world.outsider, world.agency_b)
    client.force_login(world.clerk_a)

    response = client.get("/staff/queue/")

    assert response.status_code == 200
    assert set(sections(response)) == {
        "to_explain",
        "to_finish",
        "in_review",
        "with_office",
        "rectification_due",
        "commitment_warnings",
    }
    assert sections(response)["to_finish"] == [draft.pk, returned.pk]
    assert counts(response)["to_finish"] == 2
    # The clerk's hand-offs: waiting for the reviewer, then with the credit office.
    assert sections(response)["in_review"] == [in_review.pk]
    assert sections(response)["with_office"] == [with_office.pk]
    # Why a record came back shows in the queue.
    assert "缺少附件" in response.content.decode()


def test_the_reviewer_reviews_what_the_clerks_sent(client: Client, world: City) -> None:
    draft = make_record(world.clerk_a, world.agency_a)
    returned = record_return(actor=world.office_a, record=submitted(world), reason="缺少附件")
    sent = record_request_review(actor=world.clerk_a, record=make_record(world.clerk_a, world.agency_a))
    client.force_login(world.reviewer_a)

    response = client.get("/staff/queue/")

    assert sections(response)["to_review"] == [sent.pk]
    assert sections(response)["with_clerks"] == [draft.pk, returned.pk]
    assert 'id="to_review"' in response.content.decode()


def test_a_record_the_reviewer_returned_moves_back_to_the_clerks_queue(client: Client, world: City) -> None:
    sent = record_request_review(actor=world.clerk_a, record=make_record(world.clerk_a, world.agency_a))
    record_send_back(actor=world.reviewer_a, record=sent, reason="请补充违约金额")
    client.force_login(world.clerk_a)

    response = client.get("/staff/queue/")

    assert sections(response)["to_finish"] == [sent.pk]
    assert sections(response)["in_review"] == []
    assert "请补充违约金额" in response.content.decode()


def test_the_credit_office_sees_what_it_returned_waiting_for_the_agency(client: Client, world: City) -> None:
    returned = record_return(actor=world.office_a, record=submitted(world), reason="缺少附件")
    client.force_login(world.office_a)

    response = client.get("/staff/queue/")
    home = client.get("/staff/")

    assert sections(response)["returned"] == [returned.pk]
    # A hand-off waits on someone else: the start page counts only the office's own work.
    assert 'id="stat-returned"' not in home.content.decode()


def test_the_credit_office_has_its_regions_submitted_records_to_publish(client: Client, world: City) -> None:
    first = submitted(world)
    second = submitted(world, world.unit_a)
    make_record(world.clerk_a, world.agency_a)  # a draft is not the office's yet
    theirs = record_submit(actor=world.office_b, record=make_record(world.outsider, world.agency_b))
    client.force_login(world.office_a)

    response = client.get("/staff/queue/")

    assert set(sections(response)) == {
        "to_publish",
        "returned",
        "candidates",
        "rectification_overdue",
        "rectification_due",
        "commitment_warnings",
        "commitments_to_publish",
    }
    assert sections(response)["to_publish"] == [first.pk, second.pk]
    assert theirs.pk not in sections(response)["to_publish"]
    section = next(s for s in response.context["sections"] if s.key == "to_publish")
    assert section.more_url == f"/staff/records/?status=submitted&subtree_of={world.district_a.pk}"


def test_the_office_of_another_district_sees_nothing_of_district_a(client: Client, world: City) -> None:
    submitted(world)
    published(world)
    client.force_login(world.office_b)

    with time_machine.travel(AFTER_DEADLINES, tick=False):
        client.force_login(world.office_b)
        response = client.get("/staff/queue/")

    assert sections(response) == {
        "to_publish": [],
        "returned": [],
        "candidates": [],
        "rectification_overdue": [],
        "rectification_due": [],
        "commitment_warnings": [],
        "commitments_to_publish": [],
    }


def test_overdue_rectifications_appear_for_the_credit_office(client: Client, world: City) -> None:
    record = published(world)
    answered = published(world)
    rectification_submit(
        actor=world.clerk_a, rectification=Rectification.objects.get(measure__record=answered), explanation="已整改"
    )
    rectification = Rectification.objects.get(measure__record=record)

    client.force_login(world.office_a)
    before = client.get("/staff/queue/")
    with time_machine.travel(AFTER_DEADLINES, tick=False):
        client.force_login(world.office_a)
        after = client.get("/staff/queue/")

    assert sections(before)["rectification_overdue"] == []
    assert sections(after)["rectification_overdue"] == [rectification.pk]
    assert f'data-rectification-id="{rectification.pk}"' in after.content.decode()


def test_the_agency_sees_the_rectifications_it_must_answer(client: Client, world: City) -> None:
    record = published(world)
    answered = published(world)
    rectification_submit(
        actor=world.clerk_a, rectification=Rectification.objects.get(measure__record=answered), explanation="已整改"
    )
    client.force_login(world.reviewer_a)

    response = client.get("/staff/queue/")

    assert sections(response)["rectification_due"] == [Rectification.objects.get(measure__record=record).pk]


def test_the_outsider_sees_nothing_of_agency_a(client: Client, world: City) -> None:
    make_record(world.clerk_a, world.agency_a)
    published(world)
    client.force_login(world.outsider)

    response = client.get("/staff/queue/")

    assert sections(response) == {
        "to_explain": [],
        "to_finish": [],
        "in_review": [],
        "with_office": [],
        "rectification_due": [],
        "commitment_warnings": [],
    }


@pytest.mark.parametrize("name", ["inspector_a", "sector_a"])
def test_readers_see_only_their_own_agencys_rectifications(client: Client, world: City, name: str) -> None:
    published(world)
    client.force_login(getattr(world, name))

    response = client.get("/staff/queue/")

    assert sections(response) == {"rectification_due": [], "commitment_warnings": []}


def test_the_queue_needs_a_login(client: Client, world: City) -> None:
    response = client.get("/staff/queue/")

    assert response.status_code == 302


def test_the_dashboard_counts_the_queue_and_links_to_it(client: Client, world: City) -> None:
    submitted(world)
    submitted(world)
    client.force_login(world.office_a)

    response = client.get("/staff/")

    html = response.content.decode()
    assert 'id="stat-to_publish"' in html
    assert '<span class="stat-value" data-count="2">2</span>' in html
    assert 'href="/staff/queue/#to_publish"' in html
    assert 'id="nav-queue"' in html and 'id="nav-records"' in html
    assert 'id="home-new-record-link"' in html


def test_the_dashboard_does_not_offer_entry_to_readers(client: Client, world: City) -> None:
    client.force_login(world.inspector_a)

    html = client.get("/staff/").content.decode()

    assert 'id="home-new-record-link"' not in html
    assert 'id="home-records-link"' in html


def test_the_queue_runs_the_same_queries_for_3_or_30_more_rows(
    client: Client, world: City, django_assert_num_queries: AssertNumQueries
) -> None:
    def add(n: int) -> None:
        for _ in range(n):
            unit = make_agency(parent=world.agency_a)
            submitted(world, unit)
            published(world, unit)

    def measure() -> int:
        client.force_login(world.office_a)
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/staff/queue/")
        assert response.status_code == 200
        assert FULL_ID not in response.content.decode()
        return len(queries)

    add(3)
    with time_machine.travel(AFTER_DEADLINES, tick=False):
        expected = measure()
    add(30)

    with time_machine.travel(AFTER_DEADLINES, tick=False):
        client.force_login(world.office_a)
        with django_assert_num_queries(expected):
            response = client.get("/staff/queue/")

    assert counts(response)["to_publish"] == 33
    assert counts(response)["rectification_overdue"] == 33
    assert len(sections(response)["to_publish"]) == 20
