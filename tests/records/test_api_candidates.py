"""Candidate records through the API (records/api/dishonesty.py): the agency explains one in writing (书面说明原因),
the credit office dismisses one; outsiders find none, the wrong role is refused, bad input writes nothing."""

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from rest_framework.test import APIClient

from accounts.authentication import api_token_issue
from accounts.models import ApiScope, User
from commitments.services import commitment_decide
from records.models import DishonestyRecord, RecordEvent, RecordStatus
from tests.client_support import api_client_for
from tests.conftest import City
from tests.factories import make_record, published_commitment

RECORDS = "/api/v1/records/"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with time_machine.travel(datetime.datetime(2026, 11, 2, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


def client_for(user: User) -> APIClient:
    _, key = api_token_issue(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response.json()["error"]["code"] == code
    return response.json()["error"]  # type: ignore[no-any-return]


@pytest.fixture
def candidate(world: City) -> DishonestyRecord:
    """The candidate record a broken commitment of agency A proposes."""
    commitment = published_commitment(world)
    commitment = commitment_decide(actor=world.office_a, commitment=commitment, outcome="broken", reason="逾期未兑现")
    assert commitment.breach_record is not None
    return commitment.breach_record


def events(record: DishonestyRecord) -> int:
    return RecordEvent.objects.filter(record=record).count()


def test_the_agency_explains_a_candidate_in_writing(world: City, candidate: DishonestyRecord) -> None:
    response = client_for(world.clerk_a).post(
        f"{RECORDS}{candidate.pk}/explain/", {"explanation": "资金拨付延迟，已于11月补办。"}, format="json"
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["explanation"]) == ("candidate", "资金拨付延迟，已于11月补办。")
    assert body["explained_at"] and body["origin_label"].startswith("公开承诺")
    assert body["events"][-1]["kind"] == "explained"


def test_an_agency_system_with_records_write_explains_for_its_agency(world: City, candidate: DishonestyRecord) -> None:
    _client, system = api_client_for(world.admin, ApiScope.RECORDS_WRITE.value, write=world.agency_a)

    response = system.post(f"{RECORDS}{candidate.pk}/explain/", {"explanation": "已整改。"}, format="json")

    assert response.status_code == 200, response.content
    assert_error(system.post(f"{RECORDS}{candidate.pk}/dismiss/", {"reason": "x"}), 403, "insufficient_scope")


def test_the_credit_office_dismisses_a_candidate(world: City, candidate: DishonestyRecord) -> None:
    response = client_for(world.office_a).post(
        f"{RECORDS}{candidate.pk}/dismiss/", {"reason": "经核实系不可抗力所致"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "dismissed"
    assert DishonestyRecord.objects.get(pk=candidate.pk).status == RecordStatus.DISMISSED
    last = RecordEvent.objects.filter(record=candidate).latest("at", "pk")
    assert (last.kind, last.to_status, last.actor, last.reason) == (
        "dismissed",
        "dismissed",
        world.office_a,
        "经核实系不可抗力所致",
    )


@pytest.mark.parametrize(("action", "body"), [("explain", {"explanation": "x"}), ("dismiss", {"reason": "x"})])
@pytest.mark.parametrize("persona", ["outsider", "office_b"])
def test_outsiders_find_no_candidate(
    world: City, candidate: DishonestyRecord, persona: str, action: str, body: dict[str, str]
) -> None:
    before = events(candidate)

    response = client_for(getattr(world, persona)).post(f"{RECORDS}{candidate.pk}/{action}/", body, format="json")

    assert_error(response, 404, "not_found")
    assert events(candidate) == before


@pytest.mark.parametrize(
    ("persona", "action", "body"),
    [("clerk_a", "dismiss", {"reason": "x"}), ("inspector_a", "explain", {"explanation": "x"})],
)
def test_the_wrong_role_gets_403_and_nothing_changes(
    world: City, candidate: DishonestyRecord, persona: str, action: str, body: dict[str, str]
) -> None:
    before = events(candidate)

    response = client_for(getattr(world, persona)).post(f"{RECORDS}{candidate.pk}/{action}/", body, format="json")

    assert_error(response, 403, "not_allowed")
    assert events(candidate) == before
    assert DishonestyRecord.objects.get(pk=candidate.pk).explanation == ""


@pytest.mark.parametrize(
    ("action", "body", "field"), [("explain", {"explanation": "  "}, "explanation"), ("dismiss", {}, "reason")]
)
def test_bad_input_is_a_400_in_chinese_and_writes_nothing(
    world: City, candidate: DishonestyRecord, action: str, body: dict[str, str], field: str
) -> None:
    actor = world.clerk_a if action == "explain" else world.office_a
    before = events(candidate)

    response = client_for(actor).post(f"{RECORDS}{candidate.pk}/{action}/", body, format="json")

    error = assert_error(response, 400, "invalid")
    assert set(error["fields"]) == {field}
    assert events(candidate) == before


@pytest.mark.parametrize("action", ["explain", "dismiss"])
def test_an_entered_record_is_no_candidate(world: City, action: str) -> None:
    record = make_record(world.clerk_a, world.agency_a)
    actor = world.clerk_a if action == "explain" else world.office_a
    before = events(record)

    response = client_for(actor).post(
        f"{RECORDS}{record.pk}/{action}/", {"explanation": "x", "reason": "x"}, format="json"
    )

    assert_error(response, 409, "illegal_transition")
    assert events(record) == before
