"""Objections, complaints and credit repair through the API (repair/api.py): the staff workflow with one service per
step, scope for every role, refusals that write nothing, the public filing and tracking endpoints with their throttles,
and query counts that do not grow with rows."""

import datetime
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.authentication import api_token_issue
from accounts.models import User
from notices.models import Notification
from outbox.models import PlatformChange
from records.models import AppliedMeasure, DishonestyRecord, MeasureEvent
from records.services import record_create, record_publish, record_submit
from repair.models import (
    CaseAttachment,
    CaseEvent,
    Complaint,
    Mitigation,
    Objection,
    RepairApplication,
    RepairStatus,
)
from repair.query_codes import query_code_digest
from repair.services import (
    complaint_accept,
    complaint_file,
    objection_accept,
    objection_file,
    objection_reject,
    repair_accept,
    repair_apply,
    repair_not_accept,
    repair_request_material,
    repair_supply_material,
)
from tests.conftest import City
from tests.factories import make_record, record_input
from workcalendar.models import CalendarYear
from workcalendar.services import calendar_year_seed

D = datetime.date
TODAY = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=datetime.UTC)  # a Monday
REPAIR_DAY = datetime.datetime(2027, 7, 1, 10, 0, tzinfo=datetime.UTC)  # a serious record of June 2026 is repairable
FULL_ID = "33010219850312148X"  # person_a's number (tests/conftest.py)
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
API = "/api/v1"
OBJECTIONS = f"{API}/objections/"
COMPLAINTS = f"{API}/complaints/"
REPAIRS = f"{API}/repairs/"
PUBLIC_OBJECTIONS = f"{API}/public/objections/"
PUBLIC_COMPLAINTS = f"{API}/public/complaints/"
PUBLIC_REPAIRS = f"{API}/public/repairs/"
TRACK = f"{API}/public/track/"
SUPPLY = f"{API}/public/repairs/material/"


@pytest.fixture(autouse=True)
def _monday_and_media(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def record(world: City) -> DishonestyRecord:
    """A serious record about agency A, published: on public disclosure, repairable from June 2027."""
    calendar_year_seed(year=2026)
    return published(world, severity="serious")


@pytest.fixture
def in_july_2027(record: DishonestyRecord) -> Iterator[DishonestyRecord]:
    CalendarYear.objects.get_or_create(year=2027, defaults={"source": "测试"})
    with time_machine.travel(REPAIR_DAY, tick=False):
        yield record


def published(world: City, **overrides: Any) -> DishonestyRecord:
    overrides.setdefault("decision_date", D(2026, 6, 1))
    record = record_submit(actor=world.reviewer_a, record=make_record(world.clerk_a, world.agency_a, **overrides))
    return record_publish(actor=world.office_a, record=record, today=D(2026, 11, 2))


def client_for(user: User) -> APIClient:
    _, key = api_token_issue(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    return body["error"]  # type: ignore[no-any-return]


def ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def step(client: APIClient, url: str, case: Any, action: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(f"{url}{case.pk}/{action}/", body or {}, format="json")


def written() -> tuple[int, ...]:
    """Rows a refused request must not have written."""
    return (
        Objection.objects.count(),
        Complaint.objects.count(),
        RepairApplication.objects.count(),
        CaseEvent.objects.count(),
        CaseAttachment.objects.count(),
        Notification.objects.count(),
        MeasureEvent.objects.count(),
        Mitigation.objects.count(),
    )


def filer(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "statement": "文书号与法院判决不一致。",
        "filer_name": "王律师",
        "filer_contact": "13800000000",
        "filer_email": "filer@example.com",
        "commitment_signed": True,
    }
    body.update(overrides)
    return body


def file_objection(record: DishonestyRecord, grounds: str = "wrong", **overrides: Any) -> tuple[Objection, str]:
    values = {k: v for k, v in filer(**overrides).items()}
    return objection_file(record=record, grounds=grounds, **values)


def file_complaint(record: DishonestyRecord, **overrides: Any) -> tuple[Complaint, str]:
    return complaint_file(record=record, **filer(statement="异议超期未处理。", **overrides))


def apply_for_repair(world: City, record: DishonestyRecord) -> RepairApplication:
    application, _code = repair_apply(
        record=record,
        statement="已全额支付拖欠款项。",
        filer_name="东城区财政局",
        filer_contact="0571-0000000",
        commitment_signed=True,
        filed_by=world.office_a,
    )
    return application


def measure_states(client: APIClient, record: DishonestyRecord) -> set[str]:
    response = client.get(f"{API}/records/{record.pk}/")
    assert response.status_code == 200, response.content
    return {measure["state"] for measure in response.json()["measures"]}


def pdf(name: str = "付款凭证.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


# Objections: the workflow -------------------------------------------------------------------------------------------


def test_an_objection_suspends_the_measures_until_it_is_rejected(world: City, record: DishonestyRecord) -> None:
    objection, _code = file_objection(record)
    office = client_for(world.office_a)
    assert measure_states(office, record) == {"active"}

    accepted = step(office, OBJECTIONS, objection, "accept")
    suspended = measure_states(office, record)
    verifying = step(office, OBJECTIONS, objection, "send-for-verification")
    rejected = step(office, OBJECTIONS, objection, "reject", {"reason": "经核实，信息准确。"})

    assert accepted.status_code == 200, accepted.content
    assert (accepted.json()["status"], accepted.json()["stage_due_on"]) == ("checking", "2026-11-04")
    assert suspended == {"suspended"}
    assert (verifying.json()["status"], verifying.json()["stage_due_on"]) == ("verifying", "2026-11-16")
    body = rejected.json()
    assert (body["status"], body["decision_reason"], body["stage_due_on"]) == ("rejected", "经核实，信息准确。", None)
    assert body["closed_at"] is not None
    assert [(e["to_status"], e["actor"]) for e in body["events"]] == [
        ("filed", None),
        ("checking", "office-a"),
        ("verifying", "office-a"),
        ("rejected", "office-a"),
    ]
    assert measure_states(office, record) == {"active"}


def test_an_objection_not_accepted_closes_with_its_reasons(world: City, record: DishonestyRecord) -> None:
    objection, _code = file_objection(record)

    response = step(client_for(world.office_a), OBJECTIONS, objection, "not-accept", {"reason": "不属于受理范围。"})

    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["decision_reason"]) == ("not_accepted", "不属于受理范围。")
    assert CaseEvent.objects.filter(objection=objection).latest("pk").actor == world.office_a


def test_an_upheld_objection_corrects_the_record_and_lifts_the_wrongful_measures(
    world: City, record: DishonestyRecord
) -> None:
    objection, _code = file_objection(record)
    office = client_for(world.office_a)
    step(office, OBJECTIONS, objection, "accept")
    criticism = record.measures.get(measure_type__code="public_criticism")

    response = step(
        office,
        OBJECTIONS,
        objection,
        "uphold",
        {
            "outcome": "corrected",
            "reason": "应为一般失信。",
            "changes": {"severity": "general"},
            "wrongful_measures": [criticism.pk],
        },
    )

    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["outcome"]) == ("upheld", "corrected")
    shown = office.get(f"{API}/records/{record.pk}/").json()
    assert (shown["status"], shown["severity"]) == ("corrected", "general")
    measures = {m["id"]: m for m in shown["measures"]}
    assert (measures[criticism.pk]["state"], measures[criticism.pk]["wrongful"]) == ("lifted", True)
    others = [m for pk, m in measures.items() if pk != criticism.pk]
    assert {(m["state"], m["wrongful"]) for m in others} == {("active", False)}


def test_an_objection_upheld_by_revocation_takes_the_record_off_the_public_site(
    world: City, record: DishonestyRecord
) -> None:
    objection, _code = file_objection(record, grounds="should_not_disclose")
    office = client_for(world.office_a)
    step(office, OBJECTIONS, objection, "accept")

    response = step(office, OBJECTIONS, objection, "uphold", {"outcome": "revoked", "reason": "判决已撤销。"})

    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "revoked"
    assert measure_states(office, record) == {"lifted"}
    assert APIClient().get(f"{API}/public/records/{record.pk}/").status_code == 404


# Scope ----------------------------------------------------------------------------------------------------------------

SEES_AGENCY_A = ["clerk_a", "reviewer_a", "office_a", "inspector_a", "sector_a", "admin"]
OUTSIDERS = ["outsider", "office_b"]


@pytest.fixture
def one_of_each(world: City, record: DishonestyRecord) -> dict[str, Any]:
    objection, _code = file_objection(record)
    complaint, _code = file_complaint(record)
    CalendarYear.objects.get_or_create(year=2027, defaults={"source": "测试"})
    with time_machine.travel(REPAIR_DAY, tick=False):
        repair = apply_for_repair(world, record)
    return {OBJECTIONS: objection, COMPLAINTS: complaint, REPAIRS: repair}


@pytest.mark.parametrize("persona", SEES_AGENCY_A + OUTSIDERS)
def test_every_role_lists_and_reads_exactly_the_cases_in_its_scope(
    world: City, one_of_each: dict[str, Any], persona: str
) -> None:
    client = client_for(getattr(world, persona))
    for url, case in one_of_each.items():
        listed = ids(client.get(url))
        detail = client.get(f"{url}{case.pk}/")
        if persona in SEES_AGENCY_A:
            assert listed == {case.pk}, url
            assert detail.status_code == 200, url
        else:
            assert listed == set(), url
            assert_error(detail, 404, "not_found")


def test_anonymous_callers_get_401_from_the_staff_endpoints(world: City, one_of_each: dict[str, Any]) -> None:
    client = APIClient()
    for url, case in one_of_each.items():
        assert_error(client.get(url), 401, "not_authenticated")
        assert_error(client.get(f"{url}{case.pk}/"), 401, "not_authenticated")
        assert_error(step(client, url, case, "accept"), 401, "not_authenticated")


STEPS = [
    (OBJECTIONS, "accept", {}),
    (OBJECTIONS, "not-accept", {"reason": "不予受理"}),
    (OBJECTIONS, "send-for-verification", {}),
    (OBJECTIONS, "uphold", {"outcome": "revoked", "reason": "撤销"}),
    (OBJECTIONS, "reject", {"reason": "驳回"}),
    (COMPLAINTS, "accept", {}),
    (COMPLAINTS, "not-accept", {"reason": "不予受理"}),
    (COMPLAINTS, "resolve", {"reason": "已督促"}),
    (COMPLAINTS, "dismiss", {"reason": "不成立"}),
    (REPAIRS, "accept", {}),
    (REPAIRS, "not-accept", {"reason": "不予受理"}),
    (REPAIRS, "request-material", {"request": "补充凭证"}),
    (REPAIRS, "grant", {"reason": "准予修复"}),
    (REPAIRS, "refuse", {"reason": "不予修复"}),
]


@pytest.mark.parametrize(("url", "action", "body"), STEPS)
@pytest.mark.parametrize("persona", OUTSIDERS)
def test_outsiders_find_no_case_to_move(
    world: City, one_of_each: dict[str, Any], persona: str, url: str, action: str, body: dict[str, Any]
) -> None:
    before = written()

    response = step(client_for(getattr(world, persona)), url, one_of_each[url], action, body)

    assert_error(response, 404, "not_found")
    assert written() == before


@pytest.mark.parametrize(("url", "action", "body"), STEPS)
@pytest.mark.parametrize("persona", ["clerk_a", "reviewer_a", "inspector_a", "sector_a"])
def test_the_wrong_role_gets_403_and_nothing_moves(
    world: City, one_of_each: dict[str, Any], persona: str, url: str, action: str, body: dict[str, Any]
) -> None:
    case = one_of_each[url]
    before = written()

    response = step(client_for(getattr(world, persona)), url, case, action, body)

    assert_error(response, 403, "not_allowed")
    assert written() == before
    assert type(case).objects.get(pk=case.pk).status == case.status


def test_another_regions_office_sees_the_cases_on_what_its_agency_supplied_but_may_not_decide(
    world: City, record: DishonestyRecord
) -> None:
    # Agency B reported a breach by agency A: B's region sees the record and its cases, A's credit office decides.
    supplied = record_create(actor=world.outsider, data=record_input(world.agency_a, source_agency=world.agency_b))
    supplied = record_submit(actor=world.office_b, record=supplied)
    supplied = record_publish(actor=world.office_a, record=supplied, today=D(2026, 11, 2))
    objection, _code = file_objection(supplied)
    complaint, _code = file_complaint(supplied)
    office_b = client_for(world.office_b)
    before = written()

    assert ids(office_b.get(OBJECTIONS)) == {objection.pk}
    assert ids(office_b.get(COMPLAINTS)) == {complaint.pk}
    assert_error(step(office_b, OBJECTIONS, objection, "accept"), 403, "not_allowed")
    assert_error(step(office_b, COMPLAINTS, complaint, "accept"), 403, "not_allowed")
    assert written() == before
    assert step(client_for(world.office_a), OBJECTIONS, objection, "accept").status_code == 200


# Bad input and illegal steps -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "action", "body", "field"),
    [
        (OBJECTIONS, "not-accept", {}, "reason"),
        (OBJECTIONS, "not-accept", {"reason": "   "}, "reason"),
        (OBJECTIONS, "uphold", {"outcome": "maybe", "reason": "x"}, "outcome"),
        (OBJECTIONS, "uphold", {"outcome": "corrected", "reason": "x"}, "changes"),
        (OBJECTIONS, "uphold", {"outcome": "corrected", "reason": "x", "changes": {"severity": 9}}, "changes.severity"),
        (OBJECTIONS, "uphold", {"outcome": "revoked"}, "reason"),
        (COMPLAINTS, "not-accept", {"reason": ""}, "reason"),
        (REPAIRS, "not-accept", {}, "reason"),
        (REPAIRS, "request-material", {"reason": "补充"}, "request"),
    ],
)  # fmt: skip
def test_a_step_with_bad_input_is_a_400_naming_the_field_and_writes_nothing(
    world: City, one_of_each: dict[str, Any], url: str, action: str, body: dict[str, Any], field: str
) -> None:
    case = one_of_each[url]
    if action == "uphold":
        objection_accept(actor=world.office_a, objection=case)
    before = written()

    response = step(client_for(world.office_a), url, case, action, body)

    assert set(assert_error(response, 400, "invalid")["fields"]) == {field}
    assert written() == before


def test_only_the_records_own_measures_can_be_named_wrongful(world: City, one_of_each: dict[str, Any]) -> None:
    objection = objection_accept(actor=world.office_a, objection=one_of_each[OBJECTIONS])
    elsewhere = published(world)
    foreign = AppliedMeasure.objects.filter(record=elsewhere).first()
    assert foreign is not None
    before = written()

    response = step(
        client_for(world.office_a),
        OBJECTIONS,
        objection,
        "uphold",
        {"outcome": "corrected", "reason": "x", "changes": {"severity": "general"}, "wrongful_measures": [foreign.pk]},
    )

    assert set(assert_error(response, 400, "invalid")["fields"]) == {"wrongful_measures"}
    assert written() == before


@pytest.mark.parametrize(
    ("url", "action", "body"),
    [
        (OBJECTIONS, "send-for-verification", {}),
        (OBJECTIONS, "uphold", {"outcome": "revoked", "reason": "撤销"}),
        (OBJECTIONS, "reject", {"reason": "驳回"}),
        (COMPLAINTS, "resolve", {"reason": "已督促"}),
        (COMPLAINTS, "dismiss", {"reason": "不成立"}),
        (REPAIRS, "request-material", {"request": "补充凭证"}),
        (REPAIRS, "grant", {"reason": "准予修复"}),
        (REPAIRS, "refuse", {"reason": "不予修复"}),
    ],
)
def test_a_step_the_status_does_not_allow_is_a_409_and_writes_nothing(
    world: City, one_of_each: dict[str, Any], url: str, action: str, body: dict[str, Any]
) -> None:
    case = one_of_each[url]  # every case is still filed
    before = written()

    response = step(client_for(world.office_a), url, case, action, body)

    assert_error(response, 409, "illegal_transition")
    assert written() == before
    assert type(case).objects.get(pk=case.pk).status == "filed"


def test_the_second_of_two_offices_pressing_accept_gets_a_409(world: City, one_of_each: dict[str, Any]) -> None:
    objection = one_of_each[OBJECTIONS]
    assert step(client_for(world.admin), OBJECTIONS, objection, "accept").status_code == 200
    before = written()

    assert_error(step(client_for(world.office_a), OBJECTIONS, objection, "accept"), 409, "illegal_transition")
    assert written() == before


# Lists: filters, paging, what a case shows --------------------------------------------------------------------------


def test_cases_filter_by_status_record_and_overdue(world: City, record: DishonestyRecord) -> None:
    other = published(world)
    open_one, _code = file_objection(record)
    accepted, _code = file_objection(other)
    objection_accept(actor=world.office_a, objection=accepted)
    client = client_for(world.office_a)

    assert ids(client.get(OBJECTIONS, {"status": "checking"})) == {accepted.pk}
    assert ids(client.get(OBJECTIONS, {"status": ["filed", "checking"]})) == {open_one.pk, accepted.pk}
    assert ids(client.get(OBJECTIONS, {"record": record.pk})) == {open_one.pk}
    assert ids(client.get(OBJECTIONS, {"overdue": "true"})) == set()
    with time_machine.travel(datetime.datetime(2026, 11, 5, 10, 0, tzinfo=datetime.UTC), tick=False):
        # Filed Monday with two working days to accept: late on Thursday; the accepted one is due that Wednesday too.
        assert ids(client.get(OBJECTIONS, {"overdue": "true"})) == {open_one.pk, accepted.pk}
        assert client.get(f"{OBJECTIONS}{open_one.pk}/").json()["overdue"] is True
        objection_reject(actor=world.office_a, objection=accepted, reason="驳回")
        assert ids(client.get(OBJECTIONS, {"overdue": "false"})) == {accepted.pk}
    for query, field in [
        ({"status": "nonsense"}, "status"),
        ({"overdue": "perhaps"}, "overdue"),
        ({"record": "abc"}, "record"),
        ({"cursor": "not-a-cursor"}, "cursor"),
    ]:
        assert set(assert_error(client.get(OBJECTIONS, query), 400, "invalid")["fields"]) == {field}


def test_cases_page_with_an_id_cursor(world: City, record: DishonestyRecord) -> None:
    made = [file_complaint(record)[0].pk for _ in range(5)]
    client = client_for(world.office_a)
    seen: list[int] = []
    url: str | None = f"{COMPLAINTS}?page_size=2"
    while url:
        body = client.get(url).json()
        assert len(body["results"]) <= 2
        seen += [row["id"] for row in body["results"]]
        url = body["next"]

    assert seen == sorted(made)


def test_a_case_shows_its_timeline_and_attachments_but_never_its_query_code(
    world: City, record: DishonestyRecord
) -> None:
    filed = APIClient().post(
        PUBLIC_OBJECTIONS,
        {"record": record.pk, "grounds": "wrong", **filer(), "attachments": [pdf("判决书.pdf")]},
        format="multipart",
    )
    assert filed.status_code == 201, filed.content
    code = filed.json()["query_code"]
    objection = Objection.objects.get()
    client = client_for(world.office_a)

    listed = client.get(OBJECTIONS)
    detail = client.get(f"{OBJECTIONS}{objection.pk}/")

    body = detail.json()
    assert body["record"] == {
        "id": record.pk,
        "document_number": record.document_number,
        "subject_name": "东城区财政局",
        "status": "published",
    }
    assert (body["filer_name"], body["filer_email"], body["filed_by"]) == ("王律师", "filer@example.com", None)
    assert body["events"] == [
        {"id": body["events"][0]["id"], "from_status": "", "to_status": "filed", "reason": "", "actor": None,
         "at": body["events"][0]["at"]}
    ]  # fmt: skip
    attachment = CaseAttachment.objects.get(objection=objection)
    assert body["attachments"] == [
        {
            "id": attachment.pk,
            "original_name": "判决书.pdf",
            "content_type": "application/pdf",
            "size": len(PDF),
            "sha256": attachment.sha256,
            "uploaded_at": body["attachments"][0]["uploaded_at"],
        }
    ]
    assert set(body) - set(listed.json()["results"][0]) == {
        "filer_contact",
        "filer_email",
        "statement",
        "commitment_signed",
        "decision_reason",
        "events",
        "attachments",
    }
    for response in (listed, detail):
        text = response.content.decode()
        assert code not in text
        assert objection.query_code_digest not in text
        assert "query_code" not in text
        assert attachment.file.name not in text


# Staff filing on a subject's behalf ---------------------------------------------------------------------------------


def test_staff_file_an_objection_for_a_subject_and_get_its_query_code_once(
    world: City, record: DishonestyRecord
) -> None:
    client = client_for(world.clerk_a)

    response = client.post(OBJECTIONS, {"record": record.pk, "grounds": "mismatch", **filer()}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    objection = Objection.objects.get(pk=body["id"])
    assert (body["status"], body["filed_by"], body["stage_due_on"]) == ("filed", "clerk-a", "2026-11-04")
    assert objection.filed_by == world.clerk_a
    assert objection.query_code_digest == query_code_digest(body["query_code"])
    assert "query_code" not in client.get(f"{OBJECTIONS}{objection.pk}/").json()
    tracked = APIClient().post(TRACK, {"query_code": body["query_code"]}, format="json")
    assert (tracked.status_code, tracked.json()["kind"]) == (200, "objection")


def test_staff_filing_is_refused_outside_the_scope_or_against_a_draft(world: City, record: DishonestyRecord) -> None:
    draft = make_record(world.clerk_a, world.agency_a)
    before = written()

    outside = client_for(world.outsider).post(OBJECTIONS, {"record": record.pk, "grounds": "wrong", **filer()})
    on_draft = client_for(world.clerk_a).post(OBJECTIONS, {"record": draft.pk, "grounds": "wrong", **filer()})
    bad = client_for(world.clerk_a).post(OBJECTIONS, {"record": record.pk, "grounds": "bored", **filer(filer_name="")})

    assert set(assert_error(outside, 400, "invalid")["fields"]) == {"record"}
    assert_error(on_draft, 403, "not_allowed")
    assert set(assert_error(bad, 400, "invalid")["fields"]) == {"grounds", "filer_name"}
    assert written() == before


def test_a_second_open_objection_on_the_same_grounds_is_refused(world: City, record: DishonestyRecord) -> None:
    file_objection(record)
    before = written()

    response = client_for(world.office_a).post(OBJECTIONS, {"record": record.pk, "grounds": "wrong", **filer()})

    assert set(assert_error(response, 400, "duplicate")["fields"]) == {"grounds"}
    assert written() == before


# Complaints -------------------------------------------------------------------------------------------------------


def test_the_credit_office_above_the_agency_handles_a_complaint(world: City, record: DishonestyRecord) -> None:
    resolved, _code = file_complaint(record)
    dismissed, _code = file_complaint(record)
    refused, _code = file_complaint(record)
    office = client_for(world.office_a)

    accepted = step(office, COMPLAINTS, resolved, "accept")
    done = step(office, COMPLAINTS, resolved, "resolve", {"reason": "已督促办理。"})
    step(office, COMPLAINTS, dismissed, "accept")
    not_upheld = step(office, COMPLAINTS, dismissed, "dismiss", {"reason": "投诉不成立。"})
    not_accepted = step(office, COMPLAINTS, refused, "not-accept", {"reason": "不属于受理范围。"})

    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["handling_agency"] == {"id": world.district_a.pk, "name": world.district_a.name}
    assert accepted.json()["status"] == "handling"
    assert (done.json()["status"], done.json()["decision_reason"]) == ("resolved", "已督促办理。")
    assert not_upheld.json()["status"] == "dismissed"
    assert not_accepted.json()["status"] == "not_accepted"
    assert [e["to_status"] for e in done.json()["events"]] == ["filed", "handling", "resolved"]


# Credit repair ----------------------------------------------------------------------------------------------------


def test_staff_apply_for_repair_and_granting_it_takes_the_record_off_disclosure(
    world: City, in_july_2027: DishonestyRecord
) -> None:
    record = in_july_2027
    office = client_for(world.office_a)

    filed = office.post(REPAIRS, {"record": record.pk, **filer(statement="已全额支付拖欠款项。")}, format="json")
    application = RepairApplication.objects.get(pk=filed.json()["id"])
    accepted = step(office, REPAIRS, application, "accept")
    granted = step(office, REPAIRS, application, "grant", {"reason": "已履行义务并作出信用承诺。"})

    assert filed.status_code == 201, filed.content
    assert (filed.json()["status"], filed.json()["stage_due_on"]) == ("filed", "2027-07-06")
    assert application.query_code_digest == query_code_digest(filed.json()["query_code"])
    assert (accepted.json()["status"], accepted.json()["stage_due_on"]) == ("accepted", "2027-07-15")
    body = granted.json()
    assert (body["status"], body["decided_by"], body["record"]["status"]) == ("granted", "office-a", "repaired")
    assert len(body["verification_code"]) == 16
    assert measure_states(office, record) == {"lifted"}
    assert APIClient().get(f"{API}/public/records/{record.pk}/").status_code == 404
    assert PlatformChange.objects.filter(record=record).last().change_type == "repaired"


def test_missing_material_is_requested_once_and_a_refusal_keeps_the_record(
    world: City, in_july_2027: DishonestyRecord
) -> None:
    application = repair_accept(actor=world.office_a, application=apply_for_repair(world, in_july_2027))
    office = client_for(world.office_a)

    requested = step(office, REPAIRS, application, "request-material", {"request": "请补充付款凭证。"})
    repair_supply_material(application=application, statement="付款凭证见附件说明。")
    before = written()
    again = step(office, REPAIRS, application, "request-material", {"request": "再补充"})
    after_again = written()
    refused = step(office, REPAIRS, application, "refuse", {"reason": "仍未履行全部义务。"})

    assert requested.status_code == 200, requested.content
    body = requested.json()
    assert (body["status"], body["material_request"], body["material_due_on"]) == (
        "material_requested",
        "请补充付款凭证。",
        "2027-07-08",
    )
    assert_error(again, 400, "already_requested")
    assert after_again == before
    assert refused.json()["status"] == "refused"
    assert measure_states(office, in_july_2027) == {"active"}


def test_a_repair_applied_for_too_early_is_refused(world: City, record: DishonestyRecord) -> None:
    before = written()

    response = client_for(world.office_a).post(REPAIRS, {"record": record.pk, **filer()}, format="json")

    error = assert_error(response, 400, "too_early")
    assert set(error["fields"]) == {"record"}
    assert written() == before


def test_a_repair_not_accepted_frees_the_record_for_a_new_application(
    world: City, in_july_2027: DishonestyRecord
) -> None:
    application = apply_for_repair(world, in_july_2027)
    office = client_for(world.office_a)

    response = step(office, REPAIRS, application, "not-accept", {"reason": "材料不齐。"})
    again = office.post(REPAIRS, {"record": in_july_2027.pk, **filer()}, format="json")

    assert response.json()["status"] == "not_accepted"
    assert again.status_code == 201, again.content


# Mitigation (主动自新) --------------------------------------------------------------------------------------------


@pytest.fixture
def personal_measure(world: City, record: DishonestyRecord) -> AppliedMeasure:
    about_person = published(world, subject_person=world.person_a)
    return about_person.measures.get(measure_type__code="no_honours")


def test_the_credit_office_exempts_a_civil_servant_who_made_amends(
    world: City, personal_measure: AppliedMeasure
) -> None:
    office = client_for(world.office_a)

    response = office.post(
        f"{API}/measures/{personal_measure.pk}/mitigate/", {"kind": "exempted", "reason": "主动挽回全部损失"}
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["measure"], body["kind"], body["approved_by"], body["measure_state"]) == (
        personal_measure.pk,
        "exempted",
        "office-a",
        "lifted",
    )
    shown = {m["id"]: m["state"] for m in office.get(f"{API}/records/{personal_measure.record_id}/").json()["measures"]}
    assert shown[personal_measure.pk] == "lifted"


def test_mitigation_is_refused_to_others_and_for_bad_input(
    world: City, record: DishonestyRecord, personal_measure: AppliedMeasure
) -> None:
    unit_measure = record.measures.first()
    assert unit_measure is not None
    office = client_for(world.office_a)
    url = f"{API}/measures/{personal_measure.pk}/mitigate/"
    body = {"kind": "mitigated", "reason": "主动挽回损失"}
    before = written()

    assert_error(client_for(world.outsider).post(url, body), 404, "not_found")
    assert_error(client_for(world.clerk_a).post(url, body), 403, "not_allowed")
    assert set(assert_error(office.post(url, {"kind": "pardoned", "reason": "x"}), 400, "invalid")["fields"]) == {
        "kind"
    }
    assert set(assert_error(office.post(url, {"kind": "mitigated"}), 400, "invalid")["fields"]) == {"reason"}
    unit = office.post(f"{API}/measures/{unit_measure.pk}/mitigate/", body)
    assert set(assert_error(unit, 400, "invalid")["fields"]) == {"measure"}
    assert written() == before
    assert office.post(url, body).status_code == 201
    assert_error(office.post(url, body), 400, "duplicate")
    personal_measure.refresh_from_db()
    assert personal_measure.state == "active"  # mitigated: the measure stays, marked so


# The public: filing -------------------------------------------------------------------------------------------------


def test_anyone_files_an_objection_and_follows_it_with_the_query_code(world: City, record: DishonestyRecord) -> None:
    public = APIClient()

    filed = public.post(PUBLIC_OBJECTIONS, {"record": record.pk, "grounds": "wrong", **filer()}, format="json")
    code = filed.json()["query_code"]
    objection = Objection.objects.get()
    objection_accept(actor=world.office_a, objection=objection)
    objection_reject(actor=world.office_a, objection=objection, reason="经核实，信息准确。")
    tracked = public.post(TRACK, {"query_code": code}, format="json")

    assert filed.status_code == 201, filed.content
    assert filed.json() == {
        "query_code": code,
        "status": "filed",
        "stage_due_on": "2026-11-04",
        "stage_due_provisional": False,
    }
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", code)
    assert objection.query_code_digest == query_code_digest(code)
    assert objection.filed_by is None
    assert tracked.status_code == 200, tracked.content
    body = tracked.json()
    assert body["kind"] == "objection"
    assert body["record"] == {"id": record.pk, "document_number": record.document_number}
    assert (body["status"], body["stage_due_on"], body["decision_reason"]) == ("rejected", None, "经核实，信息准确。")
    assert [(e["from_status"], e["to_status"]) for e in body["events"]] == [
        ("", "filed"),
        ("filed", "checking"),
        ("checking", "rejected"),
    ]
    assert set(body["events"][0]) == {"from_status", "to_status", "reason", "at"}
    text = tracked.content.decode()
    assert "office-a" not in text and str(world.office_a.pk) not in {str(v) for v in body.values()}
    assert tracked["Cache-Control"] == "no-store"


def test_the_public_files_with_evidence_as_multipart(world: City, record: DishonestyRecord) -> None:
    response = APIClient().post(
        PUBLIC_OBJECTIONS,
        {"record": record.pk, "grounds": "duplicated", **filer(), "attachments": [pdf("a.pdf"), pdf("b.pdf")]},
        format="multipart",
    )

    assert response.status_code == 201, response.content
    names = set(CaseAttachment.objects.values_list("original_name", flat=True))
    assert names == {"a.pdf", "b.pdf"}


@pytest.mark.parametrize(
    ("body", "fields", "code"),
    [
        ({"grounds": "wrong"}, {"record", "statement", "filer_name", "filer_contact", "commitment_signed"}, "invalid"),
        ({"grounds": "bored", **filer()}, {"grounds"}, "invalid"),
        ({"grounds": "wrong", **filer(commitment_signed=False)}, {"commitment_signed"}, "invalid"),
        ({"grounds": "wrong", **filer(filer_email="not-an-address")}, {"filer_email"}, "invalid"),
        ({"grounds": "wrong", **filer(statement="   ")}, {"statement"}, "invalid"),
    ],
)
def test_a_public_objection_with_bad_input_is_a_400_and_writes_nothing(
    world: City, record: DishonestyRecord, body: dict[str, Any], fields: set[str], code: str
) -> None:
    body = {"record": record.pk, **body} if "statement" in body else body
    before = written()

    response = APIClient().post(PUBLIC_OBJECTIONS, body, format="json")

    assert set(assert_error(response, 400, code)["fields"]) == fields
    assert written() == before


def test_a_file_that_is_not_what_its_name_says_is_refused(world: City, record: DishonestyRecord) -> None:
    fake = SimpleUploadedFile("判决书.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")
    before = written()

    response = APIClient().post(
        PUBLIC_OBJECTIONS,
        {"record": record.pk, "grounds": "wrong", **filer(), "attachments": [fake]},
        format="multipart",
    )

    assert set(assert_error(response, 400, "content_mismatch")["fields"]) == {"attachments"}
    assert written() == before


@pytest.mark.parametrize("url", [PUBLIC_OBJECTIONS, PUBLIC_COMPLAINTS, PUBLIC_REPAIRS])
def test_the_public_cannot_file_about_a_record_that_is_not_disclosed(world: City, url: str) -> None:
    calendar_year_seed(year=2026)
    draft = make_record(world.clerk_a, world.agency_a)
    before = written()

    response = APIClient().post(
        url, {"record": draft.pk, "grounds": "wrong", **filer(), "attachments": [pdf()]}, format="multipart"
    )

    assert set(assert_error(response, 400, "invalid")["fields"]) == {"record"}
    assert written() == before


def test_a_public_complaint_can_name_the_objection_by_its_query_code(world: City, record: DishonestyRecord) -> None:
    objection, objection_code = file_objection(record)
    public = APIClient()
    before = written()

    wrong = public.post(
        PUBLIC_COMPLAINTS, {"record": record.pk, **filer(), "objection_query_code": "not-a-code"}, format="json"
    )
    after_wrong = written()
    filed = public.post(
        PUBLIC_COMPLAINTS, {"record": record.pk, **filer(), "objection_query_code": objection_code}, format="json"
    )

    assert set(assert_error(wrong, 400, "invalid")["fields"]) == {"objection_query_code"}
    assert after_wrong == before
    assert filed.status_code == 201, filed.content
    complaint = Complaint.objects.get()
    assert (complaint.objection, complaint.handling_agency) == (objection, world.district_a)
    tracked = public.post(TRACK, {"query_code": filed.json()["query_code"]}, format="json").json()
    assert (tracked["kind"], tracked["status"]) == ("complaint", "filed")


def test_the_public_applies_for_repair_with_the_proof_attached(world: City, in_july_2027: DishonestyRecord) -> None:
    public = APIClient()
    body = {"record": in_july_2027.pk, **filer(statement="已全额支付拖欠款项。")}
    before = written()

    without_proof = public.post(PUBLIC_REPAIRS, body, format="multipart")
    after_refusal = written()
    filed = public.post(PUBLIC_REPAIRS, {**body, "attachments": [pdf()]}, format="multipart")
    application = RepairApplication.objects.get()
    repair_accept(actor=world.office_a, application=application)
    repair_request_material(actor=world.office_a, application=application, request="请补充银行回单。")
    tracked = public.post(TRACK, {"query_code": filed.json()["query_code"]}, format="json").json()

    assert set(assert_error(without_proof, 400, "invalid")["fields"]) == {"attachments"}
    assert after_refusal == before
    assert filed.status_code == 201, filed.content
    assert (filed.json()["status"], filed.json()["stage_due_on"]) == ("filed", "2027-07-06")
    assert (tracked["kind"], tracked["status"]) == ("repair", "material_requested")
    assert (tracked["material_request"], tracked["material_due_on"]) == ("请补充银行回单。", "2027-07-08")
    assert tracked["verification_code"] == ""


def test_a_public_complaint_carries_its_evidence_files(world: City, record: DishonestyRecord) -> None:
    response = APIClient().post(
        PUBLIC_COMPLAINTS,
        {"record": record.pk, **filer(statement="异议超期未处理。"), "attachments": [pdf("催办记录.pdf")]},
        format="multipart",
    )

    assert response.status_code == 201, response.content
    assert list(Complaint.objects.get().attachments.values_list("original_name", flat=True)) == ["催办记录.pdf"]


@pytest.fixture
def waiting_for_material(world: City, in_july_2027: DishonestyRecord) -> tuple[RepairApplication, str]:
    filed = APIClient().post(
        PUBLIC_REPAIRS,
        {"record": in_july_2027.pk, **filer(statement="已全额支付拖欠款项。"), "attachments": [pdf()]},
        format="multipart",
    )
    application = RepairApplication.objects.get()
    repair_accept(actor=world.office_a, application=application)
    repair_request_material(actor=world.office_a, application=application, request="请补充银行回单。")
    return application, filed.json()["query_code"]


def test_the_filer_supplies_the_material_asked_for_through_the_api(
    world: City, waiting_for_material: tuple[RepairApplication, str]
) -> None:
    application, code = waiting_for_material

    response = APIClient().post(
        SUPPLY,
        {"query_code": code, "statement": "补充银行回单一份。", "attachments": [pdf("银行回单.pdf")]},
        format="multipart",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["kind"], body["status"]) == ("repair", "accepted")
    assert body["stage_due_on"] is not None
    application.refresh_from_db()
    assert application.status == RepairStatus.ACCEPTED
    assert "补充银行回单一份。" in application.statement
    assert sorted(application.attachments.values_list("original_name", flat=True)) == ["付款凭证.pdf", "银行回单.pdf"]


def test_supplying_material_with_a_wrong_code_is_not_found_and_writes_nothing(
    world: City, record: DishonestyRecord, waiting_for_material: tuple[RepairApplication, str]
) -> None:
    application, _code = waiting_for_material
    _objection, objection_code = file_objection(record)
    before = written()

    for code in (secrets.token_urlsafe(16), objection_code):
        assert_error(APIClient().post(SUPPLY, {"query_code": code, "statement": "x"}, format="json"), 404, "not_found")

    assert written() == before
    application.refresh_from_db()
    assert application.status == RepairStatus.MATERIAL_REQUESTED


def test_supplying_nothing_is_a_400_naming_the_statement(waiting_for_material: tuple[RepairApplication, str]) -> None:
    application, code = waiting_for_material

    response = APIClient().post(SUPPLY, {"query_code": code, "statement": " "}, format="json")

    assert set(assert_error(response, 400, "invalid")["fields"]) == {"statement"}
    application.refresh_from_db()
    assert application.status == RepairStatus.MATERIAL_REQUESTED


def test_material_for_an_application_not_waiting_for_it_is_a_409(
    waiting_for_material: tuple[RepairApplication, str],
) -> None:
    _application, code = waiting_for_material
    assert APIClient().post(SUPPLY, {"query_code": code, "statement": "第一次补正"}, format="json").status_code == 200

    response = APIClient().post(SUPPLY, {"query_code": code, "statement": "第二次补正"}, format="json")

    assert_error(response, 409, "illegal_transition")


def test_supplying_material_counts_against_the_filing_throttle(
    waiting_for_material: tuple[RepairApplication, str], settings: Any
) -> None:
    settings.REPAIR_FILING_LIMIT = 1  # the filing of the fixture spent it
    _application, code = waiting_for_material

    response = APIClient().post(SUPPLY, {"query_code": code, "statement": "补充银行回单一份。"}, format="json")

    assert_error(response, 429, "throttled")


def test_public_filing_is_throttled_across_the_forms(world: City, record: DishonestyRecord, settings: Any) -> None:
    settings.REPAIR_FILING_LIMIT = 2
    public = APIClient()
    assert public.post(PUBLIC_OBJECTIONS, {"record": record.pk, "grounds": "wrong", **filer()}).status_code == 201
    assert public.post(PUBLIC_COMPLAINTS, {"record": record.pk, **filer(statement="")}).status_code == 400  # free
    assert public.post(PUBLIC_COMPLAINTS, {"record": record.pk, **filer()}).status_code == 201
    before = written()

    response = public.post(PUBLIC_OBJECTIONS, {"record": record.pk, "grounds": "missing", **filer()})

    assert_error(response, 429, "throttled")
    assert 0 < int(response["Retry-After"]) <= 3600
    assert_error(public.post(PUBLIC_REPAIRS, {"record": record.pk, **filer()}), 429, "throttled")
    assert written() == before
    assert public.post(TRACK, {"query_code": "x" * 22}).status_code == 404  # tracking has a budget of its own


# The public: tracking -------------------------------------------------------------------------------------------------


def test_a_wrong_query_code_is_the_same_404_whatever_the_reason(world: City, record: DishonestyRecord) -> None:
    objection, code = file_objection(record)
    public = APIClient()

    answers = [
        public.post(TRACK, {"query_code": guess}, format="json")
        for guess in (secrets.token_urlsafe(16), code[:-1], objection.query_code_digest, "1", code[::-1])
    ]

    assert {(a.status_code, a.content) for a in answers} == {(answers[0].status_code, answers[0].content)}
    assert_error(answers[0], 404, "not_found")
    assert public.post(TRACK, {"query_code": f"  {code} "}, format="json").status_code == 200
    assert public.post(TRACK, {"query_code": code.lower().replace("-", " ")}, format="json").status_code == 200


def test_the_query_code_is_never_taken_from_the_url(world: City, record: DishonestyRecord) -> None:
    _objection, code = file_objection(record)
    public = APIClient()

    in_query_string = public.post(f"{TRACK}?query_code={code}", {}, format="json")
    by_get = public.get(TRACK, {"query_code": code})

    assert set(assert_error(in_query_string, 400, "invalid")["fields"]) == {"query_code"}
    assert_error(by_get, 405, "method_not_allowed")


def test_tracking_is_throttled_strictly_and_separately(world: City, record: DishonestyRecord, settings: Any) -> None:
    settings.PUBLIC_TRACK_RATE = "3/hour"
    _objection, code = file_objection(record)
    public = APIClient()
    for _ in range(3):
        assert public.post(TRACK, {"query_code": secrets.token_urlsafe(16)}).status_code == 404

    response = public.post(TRACK, {"query_code": code})

    assert_error(response, 429, "throttled")
    assert 0 < int(response["Retry-After"]) <= 3600
    assert public.post(PUBLIC_COMPLAINTS, {"record": record.pk, **filer()}).status_code == 201


def test_the_default_public_rates_are_strict_for_guessers_and_one_filer_but_not_for_a_service_hall() -> None:
    from repair import throttle
    from repair.api.public import PublicTrackThrottle

    track = PublicTrackThrottle()
    requests, seconds = track.parse_rate(track.get_rate())
    assert requests is not None and seconds is not None
    assert requests / seconds <= 20 / 3600
    assert throttle.LOOKUP.limit / throttle.LOOKUP.window <= 60 / 3600
    assert throttle.FILER.limit / throttle.FILER.window <= 10 / 86400  # one filer, whichever terminal
    assert throttle.FILING.limit / throttle.FILING.window >= 50 / 3600  # one shared terminal, many filers


# Personal data ------------------------------------------------------------------------------------------------------


def test_the_full_id_number_never_appears_in_any_response(world: City, record: DishonestyRecord) -> None:
    about_person = published(world, subject_person=world.person_a)
    public = APIClient()
    office = client_for(world.office_a)
    statement = f"张伟（身份证号{FULL_ID}）的记录有误。"

    filed = public.post(
        PUBLIC_OBJECTIONS, {"record": about_person.pk, "grounds": "wrong", **filer(statement=statement)}, format="json"
    )
    objection = Objection.objects.get()
    complaint = public.post(PUBLIC_COMPLAINTS, {"record": about_person.pk, **filer(statement=statement)})
    responses = [
        filed,
        complaint,
        step(office, OBJECTIONS, objection, "accept"),
        step(office, OBJECTIONS, objection, "reject", {"reason": f"张伟（{FULL_ID}）的信息经核实无误。"}),
        office.get(OBJECTIONS),
        office.get(f"{OBJECTIONS}{objection.pk}/"),
        office.get(COMPLAINTS),
        office.get(f"{COMPLAINTS}{Complaint.objects.get().pk}/"),
        public.post(TRACK, {"query_code": filed.json()["query_code"]}),
    ]

    for response in responses:
        assert response.status_code in {200, 201}, response.content
        assert FULL_ID not in response.content.decode()
    assert "3301**********148X" in responses[5].json()["statement"]
    tracked = responses[-1].json()
    assert tracked["decision_reason"] == "张某（******）的信息经核实无误。"
    assert "张伟" not in responses[-1].content.decode()


# Query counts -----------------------------------------------------------------------------------------------------


def count_queries(client: APIClient, url: str) -> int:
    assert client.get(url).status_code == 200  # warm: a token's first use of the minute is also written down
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200
    return len(queries)


def add_objections(world: City, count: int) -> None:
    grounds = ["wrong", "missing", "duplicated", "should_not_disclose", "past_period", "mismatch"]
    made = 0
    while made < count:
        record = published(world)
        for ground in grounds[: count - made]:
            objection, _code = file_objection(record, grounds=ground, filer_email="")
            if made % 2:
                objection_accept(actor=world.office_a, objection=objection)
            made += 1


def add_complaints(world: City, record: DishonestyRecord, count: int) -> None:
    for n in range(count):
        complaint, _code = file_complaint(record)
        if n % 2:
            complaint_accept(actor=world.office_a, complaint=complaint)


def add_repairs(world: City, record: DishonestyRecord, count: int) -> None:
    # One open application per record: each earlier one is not accepted before the next.
    for _ in range(count):
        repair_not_accept(actor=world.office_a, application=apply_for_repair(world, record), reason="材料不齐")


@pytest.mark.parametrize("url", [OBJECTIONS, COMPLAINTS, REPAIRS])
def test_the_lists_take_the_same_queries_for_3_or_30_cases(world: City, record: DishonestyRecord, url: str) -> None:
    client = client_for(world.office_a)
    CalendarYear.objects.get_or_create(year=2027, defaults={"source": "测试"})

    def add(count: int) -> None:
        if url == OBJECTIONS:
            add_objections(world, count)
        elif url == COMPLAINTS:
            add_complaints(world, record, count)
        else:
            with time_machine.travel(REPAIR_DAY, tick=False):
                add_repairs(world, record, count)

    add(3)
    few = count_queries(client, url)
    add(27)

    assert count_queries(client, url) == few
    assert len(client.get(url).json()["results"]) == 30


def test_a_case_reads_in_the_same_queries_however_long_its_timeline(world: City, record: DishonestyRecord) -> None:
    short, _code = file_objection(record)
    long, _code = file_objection(record, grounds="missing")
    objection_accept(actor=world.office_a, objection=long)
    objection_reject(actor=world.office_a, objection=long, reason="驳回")
    client = client_for(world.office_a)

    assert count_queries(client, f"{OBJECTIONS}{short.pk}/") == count_queries(client, f"{OBJECTIONS}{long.pk}/")


# The schema -------------------------------------------------------------------------------------------------------


def test_the_schema_documents_the_repair_endpoints(tmp_path: Path) -> None:
    import yaml
    from django.core.management import call_command

    path = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    schema = yaml.safe_load(path.read_text())
    paths = schema["paths"]

    for url, actions in [
        ("objections", ["accept", "not-accept", "send-for-verification", "uphold", "reject"]),
        ("complaints", ["accept", "not-accept", "resolve", "dismiss"]),
        ("repairs", ["accept", "not-accept", "request-material", "grant", "refuse"]),
    ]:
        assert "get" in paths[f"/api/v1/{url}/"]
        assert set(paths[f"/api/v1/{url}/{{id}}/"]) == {"get"}
        for action in actions:
            responses = paths[f"/api/v1/{url}/{{id}}/{action}/"]["post"]["responses"]
            assert {"200", "401", "403", "404", "409", "429"} <= set(responses), (url, action)
    assert "post" in paths["/api/v1/objections/"] and "post" in paths["/api/v1/repairs/"]
    assert "post" not in paths["/api/v1/complaints/"]
    assert {"201", "403", "404"} <= set(paths["/api/v1/measures/{id}/mitigate/"]["post"]["responses"])
    for public in ("objections", "complaints", "repairs", "track"):
        operation = paths[f"/api/v1/public/{public}/"]["post"]
        assert "429" in operation["responses"]
        assert not {"401", "403"} & set(operation["responses"])
    assert "404" in paths["/api/v1/public/track/"]["post"]["responses"]
    # The tracking page's "send the material asked for", for API callers too.
    material = paths["/api/v1/public/repairs/material/"]["post"]
    assert {"200", "400", "404", "409", "429"} <= set(material["responses"])
    assert not {"401", "403"} & set(material["responses"])
    assert "multipart/form-data" in material["requestBody"]["content"]
    material_input = schema["components"]["schemas"]["PublicSupplyMaterialInputRequest"]["properties"]
    assert {"query_code", "statement", "attachments"} <= set(material_input)
    for name in ("ObjectionDetail", "ComplaintDetail", "RepairDetail", "PublicCase"):
        properties = schema["components"]["schemas"][name]["properties"]
        assert not {"query_code", "query_code_digest"} & set(properties), name
    assert "query_code" in schema["components"]["schemas"]["ObjectionFiled"]["properties"]
