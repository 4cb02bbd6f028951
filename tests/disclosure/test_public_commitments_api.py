"""Public commitments in the public API (`/api/v1/public/commitments/`): published ones only, filtered, with no
personal data beyond the public pages' (the responsible civil servant as 张某), and list queries that do not grow."""

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from commitments.models import Commitment
from commitments.services import commitment_publish, commitment_submit, commitment_withdraw
from tests.conftest import City
from tests.factories import make_commitment, published_commitment

PUBLIC = "/api/v1/public/commitments/"
FULL_ID = "33010219850312148X"  # person_a's number (tests/conftest.py)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with time_machine.travel(datetime.datetime(2026, 11, 2, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


def listed(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def every_state(world: City) -> dict[str, Commitment]:
    draft = make_commitment(world.clerk_a, world.agency_a, title="草稿")
    submitted = commitment_submit(
        actor=world.reviewer_a, commitment=make_commitment(world.clerk_a, world.agency_a, title="已提交")
    )
    withdrawn = commitment_withdraw(
        actor=world.clerk_a, commitment=make_commitment(world.clerk_a, world.agency_a, title="撤回"), reason="重复"
    )
    return {
        "draft": draft,
        "submitted": submitted,
        "withdrawn": withdrawn,
        "published": published_commitment(world, title="已公开"),
    }


def test_only_published_commitments_are_listed_and_found(every_state: dict[str, Commitment]) -> None:
    client = APIClient()

    assert listed(client.get(PUBLIC)) == [every_state["published"].pk]
    assert client.get(f"{PUBLIC}{every_state['published'].pk}/").status_code == 200
    for state in ("draft", "submitted", "withdrawn"):
        response = client.get(f"{PUBLIC}{every_state[state].pk}/")
        assert response.status_code == 404, state
        assert response.json()["error"]["code"] == "not_found"


def test_the_responsible_person_is_named_as_surname_and_mou_and_no_id_number_appears(world: City) -> None:
    commitment = published_commitment(
        world,
        responsible_person=world.person_a,
        content=f"由张伟（身份证号{FULL_ID}）负责，一个工作日内办结。",
        counterparty_name="临江某科技有限公司",
    )

    response = APIClient().get(f"{PUBLIC}{commitment.pk}/")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["responsible_person"] == "张某"
    assert body["agency"] == {"id": world.agency_a.pk, "name": world.agency_a.name, "uscc": world.agency_a.uscc}
    text = response.content.decode()
    assert "张伟" not in text and FULL_ID not in text and "3301" not in body["content"]
    assert "counterparty_name" not in body and "created_by" not in body and "临江某科技" not in text


def test_a_commitment_without_a_responsible_person_names_none(world: City) -> None:
    commitment = published_commitment(world)

    assert APIClient().get(f"{PUBLIC}{commitment.pk}/").json()["responsible_person"] is None


def test_public_commitments_filter_by_agency_year_kind_and_status(world: City) -> None:
    kept = published_commitment(world, title="已兑现的承诺", kind="guarantee")
    kept.status = "kept"
    kept.save(update_fields=["status"])
    of_2026 = published_commitment(
        world, title="2026年承诺", promised_on=datetime.date(2026, 1, 1), due_on=datetime.date(2026, 12, 1), year=2026
    )
    below = commitment_publish(
        actor=world.office_a,
        commitment=commitment_submit(
            actor=world.office_a, commitment=make_commitment(world.office_a, world.unit_a, title="支付中心承诺")
        ),
    )
    client = APIClient()

    assert listed(client.get(PUBLIC, {"agency": world.unit_a.pk})) == [below.pk]
    assert listed(client.get(PUBLIC, {"year": 2026})) == [of_2026.pk]
    assert listed(client.get(PUBLIC, {"kind": "guarantee"})) == [kept.pk]
    assert listed(client.get(PUBLIC, {"status": ["kept"]})) == [kept.pk]
    assert listed(client.get(PUBLIC)) == [below.pk, of_2026.pk, kept.pk]  # newest first


@pytest.mark.parametrize(
    ("query", "field"),
    [({"status": "draft"}, "status"), ({"year": "1999"}, "year"), ({"kind": "x"}, "kind"), ({"agency": "x"}, "agency")],
)
def test_public_filters_refuse_values_they_cannot_read(world: City, query: dict[str, str], field: str) -> None:
    response = APIClient().get(PUBLIC, query)

    assert response.status_code == 400, response.content
    assert set(response.json()["error"]["fields"]) == {field}


def test_public_responses_may_be_cached_and_the_detail_revalidates(world: City) -> None:
    commitment = published_commitment(world)
    client = APIClient()

    response = client.get(f"{PUBLIC}{commitment.pk}/")

    assert "public" in response["Cache-Control"] and "max-age=60" in response["Cache-Control"]
    assert client.get(f"{PUBLIC}{commitment.pk}/", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def count_queries(url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert APIClient().get(url).status_code == 200
    return len(queries)


def test_the_public_list_takes_the_same_queries_for_3_or_30_commitments(world: City) -> None:
    for i in range(3):
        published_commitment(world, title=f"承诺{i}", responsible_person=world.person_a)
    few = count_queries(PUBLIC)

    for i in range(3, 30):
        published_commitment(world, title=f"承诺{i}", responsible_person=world.person_a)

    assert count_queries(PUBLIC) == few
