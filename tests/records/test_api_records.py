"""Dishonesty records through the API (records/api/): the staff and client API with its workflow steps, and the
anonymous public API. Scope for every role, refusals that write nothing, masking, incremental pulls, and query
counts that do not grow with rows."""

import datetime
import itertools
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle

from accounts.authentication import api_token_issue
from accounts.models import User
from records.api.dishonesty import RecordChangesSerializer
from records.models import (
    AppliedMeasure,
    DishonestyRecord,
    RecordEvent,
    RecordResponsibility,
    RecordStatus,
)
from records.services import (
    record_correct,
    record_create,
    record_publish,
    record_return,
    record_revoke,
    record_submit,
    records_expire_due,
)
from records.services.dishonesty import CORRECTABLE_FIELDS
from subjects.codes import make_uscc
from tests.conftest import City
from tests.factories import make_person, make_record, record_input
from workcalendar.services import calendar_year_seed

D = datetime.date
FULL_ID = "33010219850312148X"  # person_a's number (tests/conftest.py)
MASKED_ID = "3301**********148X"
COURT_USCC = make_uscc("11330100000000003")
RECORDS = "/api/v1/records/"
PUBLIC = "/api/v1/public/records/"
PUBLISHED_ON = D(2026, 11, 2)
_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _late_2026() -> Iterator[None]:
    # Windows are judged against today: the suite runs on a fixed day (time still passes, for `updated_after`).
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC)):
        yield


@pytest.fixture
def calendar(db: None) -> None:
    calendar_year_seed(year=2026)


def client_for(user: User) -> APIClient:
    _, key = api_token_issue(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def session_for(user: User) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    return body["error"]  # type: ignore[no-any-return]


def record_body(world: City, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "subject_agency": world.agency_a.pk,
        "source": "breach_of_contract",
        "sector": "procurement",
        "severity": "general",
        "document_number": f"东财决〔2026〕{next(_numbers)}号",
        "deciding_body_name": "临江市中级人民法院",
        "deciding_body_uscc": COURT_USCC,
        "decision_date": "2026-06-01",
        "facts": "拖欠中小企业货款逾期未支付。",
        "legal_basis": "《保障中小企业款项支付条例》第八条",
        "fine_amount": "12.5",
    }
    body.update(overrides)
    return body


def submitted(world: City, **overrides: Any) -> DishonestyRecord:
    record = make_record(world.clerk_a, overrides.pop("subject", world.agency_a), **overrides)
    return record_submit(actor=world.reviewer_a, record=record)


def published(world: City, *, on: datetime.date = PUBLISHED_ON, **overrides: Any) -> DishonestyRecord:
    return record_publish(actor=world.office_a, record=submitted(world, **overrides), today=on)


def written() -> tuple[int, int, int, int]:
    """Rows a refused request must not have written."""
    return (
        DishonestyRecord.objects.count(),
        RecordEvent.objects.count(),
        RecordResponsibility.objects.count(),
        AppliedMeasure.objects.count(),
    )


def event_kinds(record: DishonestyRecord) -> list[str]:
    return list(RecordEvent.objects.filter(record=record).order_by("at", "pk").values_list("kind", flat=True))


# Scope ------------------------------------------------------------------------------------------------------------

# Records by the attribute names of `scoped_records` below, as each persona of tests/conftest.py should see them.
VISIBLE_RECORDS = {
    "clerk_a": {"a"},
    "reviewer_a": {"a"},
    "office_a": {"a", "unit"},
    "inspector_a": {"a", "unit"},
    "sector_a": {"a"},  # procurement only; the unit's record is about debt
    "admin": {"a", "unit", "b"},
    "outsider": {"b"},
    "office_b": {"b"},
}
PERSONAS = sorted(VISIBLE_RECORDS)


@pytest.fixture
def scoped_records(world: City) -> dict[str, DishonestyRecord]:
    return {
        "a": make_record(world.clerk_a, world.agency_a),
        "unit": make_record(world.office_a, world.unit_a, sector="debt"),
        "b": make_record(world.outsider, world.agency_b),
    }


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_role_lists_exactly_the_records_in_its_scope(
    world: City, scoped_records: dict[str, DishonestyRecord], persona: str
) -> None:
    expected = {scoped_records[name].pk for name in VISIBLE_RECORDS[persona]}

    assert ids(client_for(getattr(world, persona)).get(RECORDS)) == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_role_reads_records_in_scope_and_gets_404_for_the_others(
    world: City, scoped_records: dict[str, DishonestyRecord], persona: str
) -> None:
    client = client_for(getattr(world, persona))
    for name, record in scoped_records.items():
        response = client.get(f"{RECORDS}{record.pk}/")
        if name in VISIBLE_RECORDS[persona]:
            assert response.status_code == 200
            assert response.json()["id"] == record.pk
        else:
            assert_error(response, 404, "not_found")


@pytest.mark.parametrize("make_client", [client_for, session_for], ids=["token", "session"])
def test_token_and_session_clients_are_served_alike(
    world: City, scoped_records: dict[str, DishonestyRecord], make_client: Callable[[User], APIClient]
) -> None:
    client = make_client(world.clerk_a)

    created = client.post(RECORDS, record_body(world), format="json")

    assert created.status_code == 201, created.content
    assert ids(client.get(RECORDS)) == {scoped_records["a"].pk, created.json()["id"]}


def test_anonymous_callers_get_401(world: City, scoped_records: dict[str, DishonestyRecord]) -> None:
    client = APIClient()

    assert_error(client.get(RECORDS), 401, "not_authenticated")
    assert_error(client.get(f"{RECORDS}{scoped_records['a'].pk}/"), 401, "not_authenticated")
    assert_error(client.post(f"{RECORDS}{scoped_records['a'].pk}/submit/"), 401, "not_authenticated")


# Reading ----------------------------------------------------------------------------------------------------------


def test_a_record_reads_with_its_window_people_measures_and_timeline(world: City, calendar: None) -> None:
    chief = make_person(world.agency_a, "刘局长", is_principal=True)
    record = published(world, fine_amount=None, other_amount=None)

    body = client_for(world.office_a).get(f"{RECORDS}{record.pk}/").json()

    assert body["status"] == "published"
    assert body["subject_agency"] == {"id": world.agency_a.pk, "name": "东城区财政局", "uscc": world.agency_a.uscc}
    assert body["subject_person"] is None
    assert body["window"] == {
        "rule_id": record.disclosure_rule_id,
        "rule_citation": "国家发展改革委令第36号《信用修复管理办法》",
        "publicly_disclosed": True,
        "disclosure_starts_on": "2026-06-01",
        "earliest_repair_on": "2026-09-01",
        "disclosure_ends_on": "2027-06-01",
        "disclosed_now": True,
    }
    assert body["version"] == 2
    assert body["created_by"] == "clerk-a"
    assert body["responsible"] == [
        {"person": {"id": chief.pk, "name": "刘局长", "id_number_masked": chief.id_number_masked}, "kind": "principal"}
    ]
    measures = {m["code"]: m for m in body["measures"]}
    assert set(measures) == {"written_explanation", "rectification", "performance_assessment"}
    assert {m["state"] for m in measures.values()} == {"active"}
    assert measures["rectification"]["rectification"]["deadline"] == "2026-11-30"  # 20 working days after 2 Nov
    assert measures["rectification"]["rectification"]["overdue"] is False
    assert measures["written_explanation"]["rectification"] is None
    assert [(e["kind"], e["actor"]) for e in body["events"]] == [
        ("created", "clerk-a"),
        ("submitted", "reviewer-a"),
        ("published", "office-a"),
    ]
    assert body["evidence"] == []


def test_the_list_has_no_timeline_but_everything_else(world: City, scoped_records: dict[str, DishonestyRecord]) -> None:
    listed = client_for(world.clerk_a).get(RECORDS).json()["results"][0]
    detail = client_for(world.clerk_a).get(f"{RECORDS}{listed['id']}/").json()

    assert set(detail) - set(listed) == {"events", "evidence"}
    assert {"status", "window", "version", "measures", "responsible", "updated_at"} <= set(listed)


def test_a_record_about_a_civil_servant_never_shows_the_full_id_number(world: City, calendar: None) -> None:
    witness = make_person(world.agency_a, "王芳")
    record = published(
        world,
        subject_person=world.person_a,
        source="disciplinary_sanction",
        facts=f"张伟（身份证号{FULL_ID}）违规决策造成损失。",
        responsible=[(witness, "direct")],
    )
    client = client_for(world.office_a)

    responses = [
        client.get(RECORDS),
        client.get(f"{RECORDS}{record.pk}/"),
        client.post(f"{RECORDS}{record.pk}/correct/", {"changes": {"categories": "违规决策"}, "reason": "补充类别"}),
    ]

    for response in responses:
        assert response.status_code == 200, response.content
        assert FULL_ID not in response.content.decode()
    body = responses[1].json()
    assert body["subject_person"] == {"id": world.person_a.pk, "name": "张伟", "id_number_masked": MASKED_ID}
    assert MASKED_ID in body["facts"]
    assert body["responsible"][0]["person"]["id_number_masked"] == witness.id_number_masked
    assert {m["code"] for m in body["measures"]} == {"no_honours", "no_excellent_rating", "credit_review"}
    assert {m["target_person"]["id_number_masked"] for m in body["measures"]} == {MASKED_ID}


def test_records_filter_by_status_and_refuse_values_they_cannot_read(world: City) -> None:
    draft = make_record(world.clerk_a, world.agency_a)
    sent = submitted(world)
    client = client_for(world.clerk_a)

    assert ids(client.get(RECORDS, {"status": "submitted"})) == {sent.pk}
    assert ids(client.get(RECORDS, {"status": ["draft", "submitted"]})) == {draft.pk, sent.pk}
    for query, field in [
        ({"status": "nonsense"}, "status"),
        ({"decided_from": "yesterday"}, "decided_from"),
        ({"subject_agency": "abc"}, "subject_agency"),
        ({"updated_after": "2026-13-45T25:00:00"}, "updated_after"),
        ({"cursor": "not-a-cursor"}, "cursor"),
    ]:
        error = assert_error(client.get(RECORDS, query), 400, "invalid")
        assert set(error["fields"]) == {field}


def test_records_page_with_an_id_cursor(world: City) -> None:
    made = [make_record(world.clerk_a, world.agency_a).pk for _ in range(5)]
    client = client_for(world.clerk_a)
    seen: list[int] = []
    url: str | None = f"{RECORDS}?page_size=2"
    while url:
        body = client.get(url).json()
        assert len(body["results"]) <= 2
        seen += [row["id"] for row in body["results"]]
        url = body["next"]

    assert seen == sorted(made)


def test_updated_after_returns_the_records_changed_since(world: City) -> None:
    untouched = make_record(world.clerk_a, world.agency_a)
    changed = make_record(world.clerk_a, world.agency_a)
    with time_machine.travel(datetime.datetime(2026, 11, 21, 9, 0, tzinfo=datetime.UTC)):
        mark = datetime.datetime.now(tz=datetime.UTC)
        changed = record_submit(actor=world.reviewer_a, record=changed)
        client = client_for(world.clerk_a)

        since_mark = ids(client.get(RECORDS, {"updated_after": mark.isoformat()}))
        inclusive = ids(client.get(RECORDS, {"updated_after": changed.updated_at.isoformat()}))
        later = ids(client.get(RECORDS, {"updated_after": (mark + datetime.timedelta(hours=1)).isoformat()}))

    assert since_mark == {changed.pk}
    assert inclusive == {changed.pk}  # the last moment seen is asked again: a pull misses nothing
    assert later == set()
    assert untouched.pk in ids(client_for(world.clerk_a).get(RECORDS, {"updated_after": "2026-01-01T00:00:00Z"}))


# Entering and editing ---------------------------------------------------------------------------------------------


def test_a_clerk_enters_a_draft(world: City) -> None:
    chief = make_person(world.agency_a, "刘局长", is_principal=True)

    response = client_for(world.clerk_a).post(
        RECORDS, record_body(world, responsible=[{"person": world.person_a.pk, "kind": "direct"}])
    )

    assert response.status_code == 201, response.content
    body = response.json()
    record = DishonestyRecord.objects.get(pk=body["id"])
    assert (record.status, record.data_source_agency, record.created_by) == ("draft", world.agency_a, world.clerk_a)
    assert body["fine_amount"] == "12.500000"
    assert body["other_amount"] is None
    assert body["window"]["disclosure_ends_on"] == "2027-06-01"
    assert {(r["person"]["id"], r["kind"]) for r in body["responsible"]} == {
        (world.person_a.pk, "direct"),
        (chief.pk, "principal"),  # 惩戒到人: added by the service
    }
    assert [(e["kind"], e["to_status"], e["actor"]) for e in body["events"]] == [("created", "draft", "clerk-a")]
    assert FULL_ID not in response.content.decode()


def test_a_deciding_agency_given_by_id_names_the_deciding_body(world: City) -> None:
    response = client_for(world.office_a).post(
        RECORDS,
        record_body(world, deciding_agency=world.district_a.pk, deciding_body_name="", deciding_body_uscc=""),
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["deciding_agency"]["id"] == world.district_a.pk
    assert (body["deciding_body_name"], body["deciding_body_uscc"]) == (world.district_a.name, world.district_a.uscc)


def test_an_outside_deciding_body_is_given_by_name_and_code(world: City) -> None:
    response = client_for(world.clerk_a).post(RECORDS, record_body(world, deciding_body_uscc=COURT_USCC.lower()))

    assert response.status_code == 201, response.content
    assert response.json()["deciding_body_uscc"] == COURT_USCC
    assert response.json()["deciding_agency"] is None


def test_the_credit_office_enters_records_for_agencies_below_it(world: City) -> None:
    response = client_for(world.office_a).post(
        RECORDS, record_body(world, subject_agency=world.unit_a.pk, data_source_agency=world.unit_a.pk)
    )

    assert response.status_code == 201, response.content
    assert response.json()["data_source_agency"]["id"] == world.unit_a.pk


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"facts": "   "}, "facts"),
        ({"severity": "catastrophic"}, "severity"),
        ({"decision_date": "2026-02-30"}, "decision_date"),
        ({"decision_date": "2027-01-01"}, "decision_date"),  # in the future: the service's rule
        ({"fine_amount": "a lot"}, "fine_amount"),
        ({"fine_amount": "1.1234567"}, "fine_amount"),
        ({"fine_amount": "-3"}, "fine_amount"),  # the service's rule
        ({"deciding_body_name": ""}, "deciding_body_name"),
        ({"deciding_body_uscc": "123"}, "deciding_body_uscc"),
        ({"subject_agency": 999_999}, "subject_agency"),
        ({"subject_person": "person_b"}, "subject_person"),  # outside the clerk's scope
        ({"responsible": [{"person": "person_b", "kind": "direct"}]}, "responsible.0.person"),
        ({"responsible": [{"person": "person_a", "kind": "bystander"}]}, "responsible.0.kind"),
        (
            {"responsible": [{"person": "person_a", "kind": "direct"}, {"person": "person_a", "kind": "other"}]},
            "responsible",
        ),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(
    world: City, overrides: dict[str, Any], field: str
) -> None:
    def resolve(value: Any) -> Any:
        if isinstance(value, str) and value.startswith("person_"):
            return getattr(world, value).pk
        if isinstance(value, list):
            return [{key: resolve(v) for key, v in row.items()} for row in value]
        return value

    before = written()

    response = client_for(world.clerk_a).post(
        RECORDS, record_body(world, **{key: resolve(v) for key, v in overrides.items()}), format="json"
    )

    error = assert_error(response, 400, "invalid")
    assert set(error["fields"]) == {field}
    assert written() == before


def test_every_rule_the_input_breaks_is_named_in_one_answer(world: City) -> None:
    before = written()
    body = record_body(
        world, fine_amount="-5", deciding_body_uscc="11330100000000003X", decision_date="2026-12-01", facts=" "
    )

    with time_machine.travel(datetime.datetime(2026, 11, 2, 10, 0, tzinfo=datetime.UTC), tick=False):
        response = client_for(world.clerk_a).post(RECORDS, body, format="json")

    error = assert_error(response, 400, "invalid")
    assert {"fine_amount", "deciding_body_uscc", "decision_date", "facts"} <= set(error["fields"])
    assert all(messages for messages in error["fields"].values())
    assert written() == before


def test_a_duplicate_document_number_is_refused(world: City) -> None:
    existing = make_record(world.clerk_a, world.agency_a, deciding_body_uscc=COURT_USCC)
    before = written()

    response = client_for(world.clerk_a).post(RECORDS, record_body(world, document_number=existing.document_number))

    error = assert_error(response, 400, "duplicate")
    assert set(error["fields"]) == {"document_number"}
    assert written() == before


def test_an_agency_outside_the_scope_reads_as_unknown(world: City) -> None:
    before = written()

    response = client_for(world.outsider).post(RECORDS, record_body(world, subject_agency=world.agency_a.pk))

    error = assert_error(response, 400, "invalid")
    assert set(error["fields"]) == {"subject_agency"}
    assert written() == before


def test_an_administrator_without_an_agency_names_the_data_source(world: City) -> None:
    client = client_for(world.admin)

    missing = client.post(RECORDS, record_body(world))
    named = client.post(RECORDS, record_body(world, data_source_agency=world.agency_a.pk))

    assert set(assert_error(missing, 400, "invalid")["fields"]) == {"data_source_agency"}
    assert named.status_code == 201, named.content


@pytest.mark.parametrize("persona", ["inspector_a", "sector_a"])
def test_roles_that_only_read_may_not_enter_records(world: City, persona: str) -> None:
    before = written()

    response = client_for(getattr(world, persona)).post(
        RECORDS, record_body(world, data_source_agency=world.agency_a.pk)
    )

    assert_error(response, 403, "not_allowed")
    assert written() == before


def test_a_draft_is_edited_with_patch_and_put(world: City) -> None:
    record = make_record(world.clerk_a, world.agency_a, fine_amount=None)
    client = client_for(world.clerk_a)

    patched = client.patch(f"{RECORDS}{record.pk}/", {"facts": "补充后的事实。", "fine_amount": "3.25"}, format="json")
    replaced = client.put(
        f"{RECORDS}{record.pk}/", record_body(world, document_number=record.document_number, severity="serious")
    )

    assert patched.status_code == 200, patched.content
    assert (patched.json()["facts"], patched.json()["fine_amount"]) == ("补充后的事实。", "3.250000")
    assert patched.json()["document_number"] == record.document_number  # a PATCH keeps what it does not name
    assert replaced.status_code == 200, replaced.content
    record.refresh_from_db()
    assert (record.severity, record.facts, record.disclosure_ends_on) == (
        "serious",
        "拖欠中小企业货款逾期未支付。",
        D(2029, 6, 1),
    )
    edits = RecordEvent.objects.filter(record=record, kind="edited").order_by("pk")
    assert [e.actor for e in edits] == [world.clerk_a, world.clerk_a]
    assert edits[0].changes["facts"] == ["拖欠中小企业货款逾期未支付。", "补充后的事实。"]


def test_a_patch_with_bad_input_changes_nothing(world: City) -> None:
    record = make_record(world.clerk_a, world.agency_a)
    before = written()

    response = client_for(world.clerk_a).patch(f"{RECORDS}{record.pk}/", {"decision_date": "soon"}, format="json")

    assert set(assert_error(response, 400, "invalid")["fields"]) == {"decision_date"}
    assert written() == before


def test_a_published_record_is_not_edited_but_corrected(world: City, calendar: None) -> None:
    record = published(world)
    before = written()

    response = client_for(world.office_a).patch(f"{RECORDS}{record.pk}/", {"facts": "改写。"}, format="json")

    assert_error(response, 409, "illegal_transition")
    assert written() == before
    record.refresh_from_db()
    assert record.facts == "拖欠中小企业货款逾期未支付。"


def test_editing_is_refused_to_outsiders_and_readers(world: City) -> None:
    record = make_record(world.clerk_a, world.agency_a)
    before = written()

    outsider = client_for(world.outsider).patch(f"{RECORDS}{record.pk}/", {"facts": "改写。"}, format="json")
    inspector = client_for(world.inspector_a).patch(f"{RECORDS}{record.pk}/", {"facts": "改写。"}, format="json")

    assert_error(outsider, 404, "not_found")
    assert_error(inspector, 403, "not_allowed")
    assert written() == before


def test_records_are_never_deleted(world: City) -> None:
    record = make_record(world.clerk_a, world.agency_a)

    response = client_for(world.admin).delete(f"{RECORDS}{record.pk}/")

    assert_error(response, 405, "method_not_allowed")
    assert DishonestyRecord.objects.filter(pk=record.pk).exists()


# The workflow -----------------------------------------------------------------------------------------------------


def step(client: APIClient, record: DishonestyRecord, action: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(f"{RECORDS}{record.pk}/{action}/", body or {}, format="json")


def test_the_whole_workflow_runs_through_the_api_with_an_event_per_step(world: City, calendar: None) -> None:
    clerk, reviewer, office = client_for(world.clerk_a), client_for(world.reviewer_a), client_for(world.office_a)
    record = DishonestyRecord.objects.get(pk=clerk.post(RECORDS, record_body(world)).json()["id"])

    def moved(response: Any, status: str, event: str, actor: User) -> dict[str, Any]:
        assert response.status_code == 200, response.content
        body: dict[str, Any] = response.json()
        assert body["status"] == status
        last = RecordEvent.objects.filter(record=record).latest("at", "pk")
        assert (last.kind, last.to_status, last.actor) == (event, status, actor)
        assert body["events"][-1]["kind"] == event
        return body

    moved(step(reviewer, record, "submit"), "submitted", "submitted", world.reviewer_a)
    returned = moved(
        step(office, record, "return", {"reason": "缺少判决书附件"}), "returned", "returned", world.office_a
    )
    assert returned["events"][-1]["reason"] == "缺少判决书附件"
    moved(
        clerk.patch(f"{RECORDS}{record.pk}/", {"facts": "补充后的事实。"}, format="json"),
        "returned",
        "edited",
        world.clerk_a,
    )
    moved(step(reviewer, record, "submit"), "submitted", "submitted", world.reviewer_a)
    body = moved(step(office, record, "publish"), "published", "published", world.office_a)
    assert body["published_at"] and body["version"] == 2
    assert {m["state"] for m in body["measures"]} == {"active"}
    corrected = moved(
        step(
            office, record, "correct", {"changes": {"severity": "serious", "fine_amount": "20"}, "reason": "文书笔误"}
        ),
        "corrected",
        "corrected",
        world.office_a,
    )
    assert (corrected["severity"], corrected["fine_amount"]) == ("serious", "20.000000")
    assert corrected["window"]["disclosure_ends_on"] == "2029-06-01"
    assert corrected["events"][-1]["changes"]["severity"] == ["general", "serious"]
    revoked = moved(step(office, record, "revoke", {"reason": "判决被撤销"}), "revoked", "revoked", world.office_a)
    assert {m["state"] for m in revoked["measures"]} == {"lifted"}
    assert revoked["version"] == 4
    assert event_kinds(record) == [
        "created",
        "submitted",
        "returned",
        "edited",
        "submitted",
        "published",
        "corrected",
        "revoked",
    ]


@pytest.mark.parametrize(
    ("persona", "action", "body"),
    [
        ("clerk_a", "submit", {}),  # a clerk enters; the reviewer submits
        ("reviewer_a", "publish", {}),
        ("reviewer_a", "return", {"reason": "退回"}),
        ("sector_a", "publish", {}),
        ("inspector_a", "publish", {}),
        ("clerk_a", "revoke", {"reason": "撤销"}),
        ("reviewer_a", "correct", {"changes": {"facts": "更正。"}, "reason": "更正"}),
    ],
)
def test_the_wrong_role_gets_403_and_nothing_moves(
    world: City, calendar: None, persona: str, action: str, body: dict[str, Any]
) -> None:
    if action == "submit":
        record = make_record(world.clerk_a, world.agency_a)
    elif action in {"publish", "return"}:
        record = submitted(world)
    else:
        record = published(world)
    before = written()

    response = step(client_for(getattr(world, persona)), record, action, body)

    assert_error(response, 403, "not_allowed")
    assert written() == before
    assert DishonestyRecord.objects.get(pk=record.pk).status == record.status


@pytest.mark.parametrize("action", ["submit", "return", "publish", "correct", "revoke"])
@pytest.mark.parametrize("persona", ["outsider", "office_b"])
def test_outsiders_find_no_record_to_move(world: City, calendar: None, persona: str, action: str) -> None:
    record = submitted(world) if action in {"return", "publish"} else make_record(world.clerk_a, world.agency_a)
    before = written()

    response = step(client_for(getattr(world, persona)), record, action, {"reason": "x", "changes": {"facts": "x"}})

    assert_error(response, 404, "not_found")
    assert written() == before


def test_another_regions_office_sees_what_its_agency_supplied_but_may_not_publish_it(
    world: City, calendar: None
) -> None:
    # Agency B reports a breach by agency A: B's region sees the record, only A's credit office decides on it.
    data = record_input(world.agency_a, source_agency=world.agency_b)
    record = record_submit(actor=world.office_b, record=record_create(actor=world.outsider, data=data))
    before = written()

    seen = client_for(world.office_b).get(f"{RECORDS}{record.pk}/")
    refused = step(client_for(world.office_b), record, "publish")
    outsider_refused = step(client_for(world.outsider), record, "publish")

    assert seen.status_code == 200
    assert_error(refused, 403, "not_allowed")
    assert_error(outsider_refused, 403, "not_allowed")
    assert written() == before
    assert step(client_for(world.office_a), record, "publish").status_code == 200


@pytest.mark.parametrize(
    ("state", "action", "body"),
    [
        ("draft", "publish", {}),
        ("draft", "return", {"reason": "退回"}),
        ("draft", "correct", {"changes": {"facts": "更正。"}, "reason": "更正"}),
        ("submitted", "submit", {}),
        ("submitted", "revoke", {"reason": "撤销"}),
        ("published", "submit", {}),
        ("published", "publish", {}),  # the second of two reviewers pressing the button
        ("revoked", "revoke", {"reason": "撤销"}),
        ("revoked", "correct", {"changes": {"facts": "更正。"}, "reason": "更正"}),
    ],
)
def test_an_illegal_move_is_a_409_and_writes_nothing(
    world: City, calendar: None, state: str, action: str, body: dict[str, Any]
) -> None:
    if state == "draft":
        record = make_record(world.clerk_a, world.agency_a)
    elif state == "submitted":
        record = submitted(world)
    else:
        record = published(world)
        if state == "revoked":
            record = record_revoke(actor=world.office_a, record=record, reason="判决被撤销")
    before = written()

    response = step(client_for(world.office_a), record, action, body)

    assert_error(response, 409, "illegal_transition")
    assert written() == before
    assert DishonestyRecord.objects.get(pk=record.pk).status == state


@pytest.mark.parametrize(
    ("action", "body", "field", "code"),
    [
        ("return", {}, "reason", "invalid"),
        ("return", {"reason": "   "}, "reason", "invalid"),
        ("revoke", {"reason": ""}, "reason", "invalid"),
        ("correct", {"changes": {"facts": "更正。"}}, "reason", "invalid"),
        ("correct", {"changes": {"subject_agency": 1}, "reason": "更正"}, "changes.subject_agency", "invalid"),
        ("correct", {"changes": {"decision_date": "soon"}, "reason": "更正"}, "changes.decision_date", "invalid"),
        ("correct", {"changes": {"decision_date": "2027-01-01"}, "reason": "更正"}, "decision_date", "invalid"),
        ("correct", {"changes": {"severity": "huge"}, "reason": "更正"}, "changes.severity", "invalid"),
        ("correct", {"changes": "facts", "reason": "更正"}, "changes.non_field_errors", "invalid"),
    ],
)
def test_a_step_with_bad_input_is_a_400_and_writes_nothing(
    world: City, calendar: None, action: str, body: dict[str, Any], field: str, code: str
) -> None:
    record = submitted(world) if action == "return" else published(world)
    before = written()

    response = step(client_for(world.office_a), record, action, body)

    assert set(assert_error(response, 400, code)["fields"]) == {field}
    assert written() == before
    assert DishonestyRecord.objects.get(pk=record.pk).status == record.status


def test_a_correction_that_changes_nothing_is_refused(world: City, calendar: None) -> None:
    record = published(world)
    before = written()

    response = step(client_for(world.office_a), record, "correct", {"changes": {}, "reason": "核对"})

    assert_error(response, 400, "no_change")
    assert written() == before


def test_the_correction_input_offers_exactly_the_correctable_fields() -> None:
    assert set(RecordChangesSerializer().fields) == CORRECTABLE_FIELDS


def test_a_record_whose_window_closed_cannot_be_published(world: City, calendar: None) -> None:
    calendar_year_seed(year=2022)
    record = submitted(world, decision_date=D(2022, 3, 1))  # 2019 rule: a general record is public for a year
    before = written()

    response = step(client_for(world.office_a), record, "publish")

    assert set(assert_error(response, 400, "window_closed")["fields"]) == {"decision_date"}
    assert written() == before


# Query counts -----------------------------------------------------------------------------------------------------


def count_queries(client: APIClient, url: str) -> int:
    assert client.get(url).status_code == 200  # warm: a token's first use of the minute is also written down
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200
    return len(queries)


def add_published_records(world: City, count: int) -> None:
    for n in range(count):
        person = make_person(world.agency_a)
        published(
            world,
            subject_person=person if n % 3 == 0 else None,
            responsible=[(world.person_a, "direct")],
            severity="serious" if n % 2 else "general",
        )


def test_the_staff_list_takes_the_same_queries_for_3_or_30_records(world: City, calendar: None) -> None:
    make_person(world.agency_a, "刘局长", is_principal=True)
    client = client_for(world.office_a)
    add_published_records(world, 3)
    few = count_queries(client, RECORDS)

    add_published_records(world, 27)

    assert count_queries(client, RECORDS) == few
    assert len(client.get(RECORDS).json()["results"]) == 30


def test_the_public_list_takes_the_same_queries_for_3_or_30_records(world: City, calendar: None) -> None:
    client = APIClient()
    add_published_records(world, 3)
    few = count_queries(client, PUBLIC)

    add_published_records(world, 27)

    assert count_queries(client, PUBLIC) == few
    assert len(client.get(PUBLIC).json()["results"]) == 30


# The public API ---------------------------------------------------------------------------------------------------


@pytest.fixture
def every_state(world: City, calendar: None) -> dict[str, DishonestyRecord]:
    """A record in every state, and the two published ones the public must not see either."""
    calendar_year_seed(year=2022)
    old = published(world, decision_date=D(2022, 3, 1), on=D(2022, 3, 21))  # 2019 rule: public until 1 March 2023
    records_expire_due(on=D(2026, 11, 20))
    returned = submitted(world)
    corrected = published(world)
    records = {
        "draft": make_record(world.clerk_a, world.agency_a),
        "submitted": submitted(world),
        "returned": record_return(actor=world.office_a, record=returned, reason="退回"),
        "published": published(world),
        "corrected": record_correct(actor=world.office_a, record=corrected, changes={"facts": "更正。"}, reason="更正"),
        "revoked": record_revoke(actor=world.office_a, record=published(world), reason="撤销"),
        "expired": DishonestyRecord.objects.get(pk=old.pk),
        "minor": published(world, severity="minor", decision_date=D(2026, 10, 1)),  # the 2026 rule keeps it off
        "window_closed": published(world, decision_date=D(2022, 4, 1), on=D(2022, 4, 20)),  # the job has not run
    }
    assert records["expired"].status == RecordStatus.EXPIRED
    assert records["window_closed"].status == RecordStatus.PUBLISHED
    return records


PUBLICLY_VISIBLE = {"published", "corrected"}


def test_the_public_list_shows_only_disclosed_records(every_state: dict[str, DishonestyRecord]) -> None:
    expected = {every_state[name].pk for name in PUBLICLY_VISIBLE}

    assert ids(APIClient().get(PUBLIC)) == expected


@pytest.mark.parametrize(
    "state",
    ["draft", "submitted", "returned", "published", "corrected", "revoked", "expired", "minor", "window_closed"],
)
def test_a_public_record_page_exists_only_while_disclosed(every_state: dict[str, DishonestyRecord], state: str) -> None:
    response = APIClient().get(f"{PUBLIC}{every_state[state].pk}/")

    if state in PUBLICLY_VISIBLE:
        assert response.status_code == 200
        assert response.json()["corrected"] is (state == "corrected")
    else:
        assert_error(response, 404, "not_found")


def test_an_unknown_public_record_is_not_found(world: City) -> None:
    assert_error(APIClient().get(f"{PUBLIC}999999/"), 404, "not_found")


PUBLIC_FIELDS = {
    "id",
    "subject_kind",
    "subject_name",
    "subject_agency",
    "source",
    "sector",
    "severity",
    "special_field",
    "document_number",
    "deciding_body_name",
    "deciding_body_uscc",
    "decision_date",
    "facts",
    "legal_basis",
    "categories",
    "fine_amount",
    "other_amount",
    "data_source_agency",
    "corrected",
    "under_objection",
    "disclosure_starts_on",
    "earliest_repair_on",
    "disclosure_ends_on",
    "published_at",
    "updated_at",
}


def test_a_public_record_about_a_civil_servant_names_only_the_surname(world: City, calendar: None) -> None:
    record = published(
        world,
        subject_person=world.person_a,
        source="government_sanction",
        facts=f"张伟（身份证号{FULL_ID}）违规决策。",
        loss_description="造成财政资金损失。",
        responsible=[(make_person(world.agency_a, "王芳"), "direct")],
    )
    client = APIClient()

    listed = client.get(PUBLIC)
    page = client.get(f"{PUBLIC}{record.pk}/")

    for response in (listed, page):
        assert response.status_code == 200
        text = response.content.decode()
        assert FULL_ID not in text
        assert MASKED_ID not in text
        assert "张伟" not in text
        assert "王芳" not in text
        assert "造成财政资金损失" not in text
    body = page.json()
    assert set(body) == PUBLIC_FIELDS
    assert (body["subject_kind"], body["subject_name"]) == ("person", "张某")
    assert body["subject_agency"] == {"id": world.agency_a.pk, "name": "东城区财政局", "uscc": world.agency_a.uscc}
    assert body["facts"].startswith("张某（身份证号")
    assert listed.json()["results"][0] == body


def test_a_public_record_about_an_agency_names_it(world: City, calendar: None) -> None:
    record = published(world, fine_amount=Decimal("10"))

    body = APIClient().get(f"{PUBLIC}{record.pk}/").json()

    assert (body["subject_kind"], body["subject_name"]) == ("agency", "东城区财政局")
    assert (body["decision_date"], body["disclosure_ends_on"], body["earliest_repair_on"]) == (
        "2026-06-01",
        "2027-06-01",
        "2026-09-01",
    )
    assert (body["fine_amount"], body["other_amount"]) == ("10.000000", None)


def test_public_records_filter_by_agency_name_code_and_more(world: City, calendar: None) -> None:
    a = published(world, decision_date=D(2026, 5, 10))
    about_person = published(world, subject_person=world.person_a, sector="debt", severity="serious")
    b = record_publish(
        actor=world.office_b,
        record=record_submit(actor=world.admin, record=make_record(world.outsider, world.agency_b)),
        today=D(2026, 11, 10),
    )
    client = APIClient()

    def found(query: dict[str, Any]) -> set[int]:
        return ids(client.get(PUBLIC, query))

    assert found({"q": "东城"}) == {a.pk, about_person.pk}
    assert found({"q": "财政"}) == {a.pk, about_person.pk, b.pk}
    assert found({"q": world.agency_b.uscc[:17].lower()}) == {b.pk}
    assert found({"q": "张伟"}) == set()  # people's names are not searched
    assert found({"subject_agency": world.agency_b.pk}) == {b.pk}
    assert found({"sector": "debt"}) == {about_person.pk}
    assert found({"severity": ["serious"]}) == {about_person.pk}
    assert found({"decided_to": "2026-05-31"}) == {a.pk}
    assert found({"decided_from": "2026-06-01"}) == {about_person.pk, b.pk}
    assert found({"published_from": "2026-11-21"}) == set()  # published_at is when the button was pressed
    assert found({"published_from": "2026-11-20", "published_to": "2026-11-20"}) == {a.pk, about_person.pk, b.pk}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"severity": "catastrophic"}, "severity"),
        ({"decided_from": "yesterday"}, "decided_from"),
        ({"subject_agency": "-1"}, "subject_agency"),
        ({"q": "x" * 101}, "q"),
        ({"cursor": "not-a-cursor"}, "cursor"),
    ],
)
def test_public_filters_refuse_values_they_cannot_read(world: City, query: dict[str, str], field: str) -> None:
    error = assert_error(APIClient().get(PUBLIC, query), 400, "invalid")

    assert set(error["fields"]) == {field}


def test_the_public_list_pages_newest_first(world: City, calendar: None) -> None:
    made = [published(world).pk for _ in range(3)]
    client = APIClient()

    first = client.get(PUBLIC, {"page_size": 2}).json()
    second = client.get(first["next"]).json()

    assert [r["id"] for r in first["results"] + second["results"]] == sorted(made, reverse=True)


def test_public_responses_may_be_cached_for_a_minute(world: City, calendar: None) -> None:
    record = published(world)
    anonymous = APIClient()
    signed_in = session_for(world.clerk_a)

    for url in (PUBLIC, f"{PUBLIC}{record.pk}/"):
        response = anonymous.get(url)
        assert set(response["Cache-Control"].split(", ")) == {"public", "max-age=60"}
        assert "Cookie" in response["Vary"]
        staff_response = signed_in.get(url)
        assert staff_response.status_code == 200
        assert "public" not in staff_response["Cache-Control"]
        assert "private" in staff_response["Cache-Control"]
    assert "public" not in anonymous.get(f"{PUBLIC}999999/").get("Cache-Control", "")


def test_the_public_api_ignores_credentials_and_takes_no_writes(world: City, calendar: None) -> None:
    published(world)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")

    assert client.get(PUBLIC).status_code == 200
    assert_error(client.post(PUBLIC, {}), 405, "method_not_allowed")


def test_the_public_api_is_throttled_at_the_anonymous_rate(world: City, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {**AnonRateThrottle.THROTTLE_RATES, "anon": "3/min"})
    client = APIClient()
    for _ in range(3):
        assert client.get(PUBLIC).status_code == 200

    response = client.get(PUBLIC)

    assert_error(response, 429, "throttled")
    assert 0 < int(response["Retry-After"]) <= 60


def test_the_anonymous_rate_is_configured() -> None:
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["anon"]
    assert AnonRateThrottle.THROTTLE_RATES["anon"]


# The schema -------------------------------------------------------------------------------------------------------


def test_the_schema_documents_the_record_endpoints(tmp_path: Any) -> None:
    import yaml
    from django.core.management import call_command

    path = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    paths = yaml.safe_load(path.read_text())["paths"]

    assert set(paths["/api/v1/records/"]) >= {"get", "post"}
    assert set(paths["/api/v1/records/{id}/"]) >= {"get", "put", "patch"}
    assert "delete" not in paths["/api/v1/records/{id}/"]
    for action in ("submit", "return", "publish", "correct", "revoke"):
        responses = paths[f"/api/v1/records/{{id}}/{action}/"]["post"]["responses"]
        assert {"200", "401", "403", "404", "409", "429"} <= set(responses), action
    for public in ("/api/v1/public/records/", "/api/v1/public/records/{id}/"):
        responses = paths[public]["get"]["responses"]
        assert "429" in responses
        assert not {"401", "403"} & set(responses)
