"""Public commitments through the API (commitments/api.py): scope for staff and API clients, input refused in Chinese
with every fault at once and nothing written, each workflow step with its new state and event row, progress reports
with evidence files, and list queries that do not grow with rows."""

import datetime
import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.authentication import api_token_issue
from accounts.models import ApiScope, User
from commitments.models import Commitment, CommitmentEvent, ProgressEvidence, ProgressReport
from commitments.services import commitment_submit
from records.models import DishonestyRecord, RecordStatus
from tests.client_support import api_client_for
from tests.conftest import City
from tests.factories import make_commitment, make_person, published_commitment

COMMITMENTS = "/api/v1/commitments/"
TODAY = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=datetime.UTC)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CHINESE = re.compile(r"[\u4e00-\u9fff]")
READ, WRITE, PUBLIC = ApiScope.RECORDS_READ.value, ApiScope.RECORDS_WRITE.value, ApiScope.PUBLIC_READ.value

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with time_machine.travel(TODAY, tick=False):
        yield


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


def commitment_body(world: City, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "agency": world.agency_a.pk,
        "kind": "time_limit",
        "title": "企业开办一日办结",
        "content": "企业开办申请材料齐全的，一个工作日内办结。",
        "source_document_number": "临政办〔2026〕12号",
        "source_date": "2026-10-01",
        "promised_on": "2026-10-01",
        "due_on": "2026-12-31",
        "liability": "未按期兑现的，依照《政务诚信建设实施方案》追究责任。",
        "year": 2026,
        "recurring_standard": "每件不超过1个工作日",
    }
    body.update(overrides)
    return body


def written() -> tuple[int, int, int, int]:
    """Rows a refused request must not have written."""
    return (
        Commitment.objects.count(),
        CommitmentEvent.objects.count(),
        ProgressReport.objects.count(),
        ProgressEvidence.objects.count(),
    )


def step(client: APIClient, commitment: Commitment, action: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(f"{COMMITMENTS}{commitment.pk}/{action}/", body or {}, format="json")


def last_event(commitment: Commitment) -> tuple[str, str, str, User | None]:
    event = CommitmentEvent.objects.filter(commitment=commitment).latest("at", "pk")
    return (event.kind, event.from_status, event.to_status, event.actor)


def pdf(name: str = "进度.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


# Entry ------------------------------------------------------------------------------------------------------------


def test_a_clerk_enters_a_draft(world: City) -> None:
    response = client_for(world.clerk_a).post(
        COMMITMENTS, commitment_body(world, responsible_person=world.person_a.pk), format="json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    commitment = Commitment.objects.get(pk=body["id"])
    assert (commitment.status, commitment.agency, commitment.created_by) == ("draft", world.agency_a, world.clerk_a)
    assert body["code"] == f"CN2026-{commitment.pk:07d}"
    assert body["responsible_person"] == {
        "id": world.person_a.pk,
        "name": "张伟",
        "id_number_masked": world.person_a.id_number_masked,
    }
    assert body["target"] == "每件不超过1个工作日"
    assert [(e["kind"], e["to_status"], e["actor"]) for e in body["events"]] == [("created", "draft", "clerk-a")]
    assert "33010219850312148X" not in response.content.decode()


def test_every_rule_the_input_breaks_is_named_in_one_answer_in_chinese_and_nothing_is_written(world: City) -> None:
    before = written()
    body = commitment_body(
        world,
        title="  ",
        kind="whatever",
        source_date="2026-02-30",
        promised_on="2026-10-01",
        due_on="2026-09-01",
        year=2031,
        recurring_standard="",
        service_area="elderly_care",
        counterparty_uscc="12345",
    )
    del body["liability"]

    response = client_for(world.clerk_a).post(COMMITMENTS, body, format="json")

    error = assert_error(response, 400, "invalid")
    assert set(error["fields"]) == {
        "title",
        "kind",
        "source_date",
        "due_on",
        "year",
        "target_value",
        "liability",
        "counterparty_uscc",
        "counterparty_name",  # a code without a name
    }
    assert error["fields"]["title"] == ["请填写承诺事项名称。"]
    assert error["fields"]["due_on"] == ["到期日期不能早于承诺日期。"]
    assert all(CHINESE.search(message) for messages in error["fields"].values() for message in messages)
    assert written() == before


def test_the_rules_refuse_what_the_shape_accepts_in_the_same_words(world: City) -> None:
    # A town-service area on another kind, and a person of another agency: the rules' sentences.
    other = make_person(world.unit_a, "王芳")
    before = written()

    response = client_for(world.office_a).post(
        COMMITMENTS, commitment_body(world, service_area="elderly_care", responsible_person=other.pk), format="json"
    )

    error = assert_error(response, 400, "invalid")
    assert error["fields"] == {
        "service_area": ["只有街道乡镇公共服务承诺才填写服务领域。"],
        "responsible_person": ["责任人须为承诺单位的工作人员。"],
    }
    assert written() == before


def test_an_agency_or_a_person_outside_the_scope_reads_as_unknown(world: City) -> None:
    before = written()

    response = client_for(world.clerk_a).post(
        COMMITMENTS,
        commitment_body(world, agency=world.agency_b.pk, responsible_person=world.person_b.pk),
        format="json",
    )

    error = assert_error(response, 400, "invalid")
    assert set(error["fields"]) == {"agency", "responsible_person"}
    assert written() == before


def test_roles_that_only_read_may_not_enter_commitments(world: City) -> None:
    before = written()

    response = client_for(world.inspector_a).post(COMMITMENTS, commitment_body(world), format="json")

    assert_error(response, 403, "not_allowed")
    assert written() == before


def test_a_draft_is_edited_with_patch_and_put_and_a_published_one_is_not(world: City) -> None:
    commitment = make_commitment(world.clerk_a, world.agency_a)
    clerk = client_for(world.clerk_a)

    patched = clerk.patch(f"{COMMITMENTS}{commitment.pk}/", {"title": "企业开办半日办结"}, format="json")
    assert patched.status_code == 200, patched.content
    assert patched.json()["title"] == "企业开办半日办结"
    assert last_event(commitment)[0] == "edited"
    put = clerk.put(f"{COMMITMENTS}{commitment.pk}/", commitment_body(world, title="企业开办即时办结"), format="json")
    assert put.status_code == 200, put.content
    assert (put.json()["title"], put.json()["code"]) == ("企业开办即时办结", commitment.code)

    published = published_commitment(world, title="另一项承诺")
    before = written()
    refused = clerk.patch(f"{COMMITMENTS}{published.pk}/", {"title": "改了"}, format="json")
    assert_error(refused, 409, "illegal_transition")
    assert written() == before


def test_a_patch_with_bad_input_changes_nothing(world: City) -> None:
    commitment = make_commitment(world.clerk_a, world.agency_a)
    before = written()

    response = client_for(world.clerk_a).patch(
        f"{COMMITMENTS}{commitment.pk}/", {"title": "", "due_on": "2020-01-01"}, format="json"
    )

    error = assert_error(response, 400, "invalid")
    # The year it keeps (2027) no longer fits the new due date either.
    assert set(error["fields"]) == {"title", "due_on", "year"}
    assert written() == before
    assert Commitment.objects.get(pk=commitment.pk).title == commitment.title


def test_commitments_are_never_deleted(world: City) -> None:
    commitment = make_commitment(world.clerk_a, world.agency_a)

    response = client_for(world.admin).delete(f"{COMMITMENTS}{commitment.pk}/")

    assert response.status_code == 405
    assert Commitment.objects.filter(pk=commitment.pk).exists()


# Scope ------------------------------------------------------------------------------------------------------------


def test_each_role_lists_the_commitments_in_its_scope(world: City) -> None:
    mine = make_commitment(world.clerk_a, world.agency_a)
    below = make_commitment(world.office_a, world.unit_a, title="支付中心承诺")
    theirs = make_commitment(world.outsider, world.agency_b, title="西城承诺")

    def listed(user: User) -> set[int]:
        response = client_for(user).get(COMMITMENTS)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert listed(world.clerk_a) == {mine.pk}
    assert listed(world.office_a) == {mine.pk, below.pk}
    assert listed(world.outsider) == {theirs.pk}
    assert listed(world.admin) == {mine.pk, below.pk, theirs.pk}


@pytest.mark.parametrize("persona", ["outsider", "office_b"])
def test_outsiders_find_nothing_to_read_edit_move_or_report_on(world: City, persona: str) -> None:
    draft = make_commitment(world.clerk_a, world.agency_a)
    published = published_commitment(world, title="已公开的承诺")
    client = client_for(getattr(world, persona))
    before = written()

    assert_error(client.get(f"{COMMITMENTS}{draft.pk}/"), 404, "not_found")
    assert_error(client.patch(f"{COMMITMENTS}{draft.pk}/", {"title": "x"}, format="json"), 404, "not_found")
    assert_error(client.get(f"{COMMITMENTS}{published.pk}/progress/"), 404, "not_found")
    report = {"reported_on": "2026-11-01", "percent": 10, "narrative": "x"}
    assert_error(client.post(f"{COMMITMENTS}{published.pk}/progress/", report), 404, "not_found")
    for action in ("submit", "return", "withdraw", "publish", "stall", "decide", "change"):
        target = draft if action in {"submit", "withdraw"} else published
        assert_error(step(client, target, action, {"reason": "x", "outcome": "kept"}), 404, "not_found")
    assert written() == before


def test_anonymous_callers_get_401(world: City) -> None:
    assert APIClient().get(COMMITMENTS).status_code == 401


# API clients ------------------------------------------------------------------------------------------------------


def test_a_records_write_client_enters_submits_and_reports_for_its_agency(world: City) -> None:
    _client, system = api_client_for(world.admin, WRITE, write=world.agency_a)

    created = system.post(COMMITMENTS, commitment_body(world), format="json")
    assert created.status_code == 201, created.content
    commitment = Commitment.objects.get(pk=created.json()["id"])
    assert step(system, commitment, "submit").json()["status"] == "submitted"
    # The credit office's steps stay closed to clients.
    assert_error(step(system, commitment, "publish"), 403, "insufficient_scope")
    assert_error(step(system, commitment, "return", {"reason": "x"}), 403, "insufficient_scope")
    assert Commitment.objects.get(pk=commitment.pk).status == "submitted"

    published = published_commitment(world, title="另一项承诺")
    report = system.post(
        f"{COMMITMENTS}{published.pk}/progress/",
        {"reported_on": "2026-11-01", "percent": 30, "narrative": "已启动。"},
        format="json",
    )
    assert report.status_code == 201, report.content
    assert_error(step(system, published, "decide", {"outcome": "kept", "reason": "x"}), 403, "insufficient_scope")
    # Another agency is out of its reach.
    refused = system.post(COMMITMENTS, commitment_body(world, agency=world.agency_b.pk), format="json")
    assert set(assert_error(refused, 400, "invalid")["fields"]) == {"agency"}


def test_a_records_read_client_reads_its_subtree_and_writes_nothing(world: City) -> None:
    mine = make_commitment(world.clerk_a, world.agency_a)
    theirs = make_commitment(world.outsider, world.agency_b, title="西城承诺")
    _client, reader = api_client_for(world.admin, READ, read=[world.district_a])

    listed = reader.get(COMMITMENTS)
    assert listed.status_code == 200, listed.content
    assert {row["id"] for row in listed.json()["results"]} == {mine.pk}
    assert reader.get(f"{COMMITMENTS}{mine.pk}/").status_code == 200
    assert_error(reader.get(f"{COMMITMENTS}{theirs.pk}/"), 404, "not_found")
    before = written()
    assert_error(reader.post(COMMITMENTS, commitment_body(world), format="json"), 403, "insufficient_scope")
    assert_error(step(reader, mine, "submit"), 403, "insufficient_scope")
    assert written() == before


def test_a_public_read_client_reaches_no_staff_commitments(world: City) -> None:
    make_commitment(world.clerk_a, world.agency_a)
    _client, public = api_client_for(world.admin, PUBLIC)

    assert_error(public.get(COMMITMENTS), 403, "insufficient_scope")


# Workflow ---------------------------------------------------------------------------------------------------------


def test_the_whole_workflow_runs_through_the_api_with_an_event_per_step(world: City) -> None:
    clerk, reviewer, office = client_for(world.clerk_a), client_for(world.reviewer_a), client_for(world.office_a)
    commitment = Commitment.objects.get(pk=clerk.post(COMMITMENTS, commitment_body(world), format="json").json()["id"])

    def moved(response: Any, status: str, event: str, actor: User) -> dict[str, Any]:
        assert response.status_code == 200, response.content
        body: dict[str, Any] = response.json()
        assert body["status"] == status
        kind, _from, to, who = last_event(commitment)
        assert (kind, to, who) == (event, status, actor)
        assert body["events"][-1]["kind"] == event
        return body

    moved(step(reviewer, commitment, "submit"), "submitted", "submitted", world.reviewer_a)
    returned = moved(
        step(office, commitment, "return", {"reason": "目标不可量化"}), "draft", "returned", world.office_a
    )
    assert returned["events"][-1]["reason"] == "目标不可量化"
    moved(step(reviewer, commitment, "submit"), "submitted", "submitted", world.reviewer_a)
    published = moved(step(office, commitment, "publish"), "published", "published", world.office_a)
    assert published["published_at"] and published["version"] == 2

    report = clerk.post(
        f"{COMMITMENTS}{commitment.pk}/progress/",
        {
            "reported_on": "2026-11-01",
            "percent": 40,
            "narrative": "已完成流程再造。",
            "files": [pdf(), pdf("照片.pdf")],
        },
        format="multipart",
    )
    assert report.status_code == 201, report.content
    assert (report.json()["percent"], len(report.json()["evidence"])) == (40, 2)
    assert {e["original_name"] for e in report.json()["evidence"]} == {"进度.pdf", "照片.pdf"}
    detail = clerk.get(f"{COMMITMENTS}{commitment.pk}/").json()
    assert (detail["status"], detail["progress_percent"], detail["last_progress_on"]) == (
        "in_progress",
        40,
        "2026-11-01",
    )

    moved(step(reviewer, commitment, "stall", {"reason": "资金未到位"}), "stalled", "stalled", world.reviewer_a)
    resumed = clerk.post(
        f"{COMMITMENTS}{commitment.pk}/progress/",
        {"reported_on": "2026-11-02", "percent": 60, "narrative": "资金已到位。"},
        format="multipart",
    )
    assert resumed.status_code == 201, resumed.content
    assert clerk.get(f"{COMMITMENTS}{commitment.pk}/").json()["status"] == "in_progress"
    reports = clerk.get(f"{COMMITMENTS}{commitment.pk}/progress/")
    assert [r["percent"] for r in reports.json()["results"]] == [40, 60]

    decided = moved(
        step(office, commitment, "decide", {"outcome": "kept", "reason": "抽查100件均按时办结"}),
        "kept",
        "decided",
        world.office_a,
    )
    assert decided["outcome_reason"] == "抽查100件均按时办结" and decided["version"] == 3
    revised = moved(
        step(office, commitment, "decide", {"outcome": "partly_kept", "reason": "复核发现2件超时"}),
        "partly_kept",
        "revised",
        world.office_a,
    )
    assert revised["version"] == 4


def test_a_broken_commitment_proposes_a_candidate_record(world: City) -> None:
    commitment = published_commitment(world, responsible_person=world.person_a)

    response = step(client_for(world.office_a), commitment, "decide", {"outcome": "broken", "reason": "逾期未兑现"})

    assert response.status_code == 200, response.content
    record = DishonestyRecord.objects.get(pk=response.json()["breach_record"])
    assert (record.status, record.subject_agency) == (RecordStatus.CANDIDATE, world.agency_a)
    assert last_event(commitment)[0] == "breach_proposed"


def test_a_lawful_change_names_its_ground_and_steps(world: City) -> None:
    commitment = published_commitment(world)
    change = {
        "ground": "public_interest",
        "authority": "临江市人民政府常务会议",
        "description": "因道路规划调整，延期至2027年6月。",
        "legality_review_on": "2026-10-20",
        "collective_decision_on": "2026-10-25",
        "published_on": "2026-10-28",
    }

    response = step(client_for(world.office_a), commitment, "change", change)

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["change_ground"], body["change_authority"]) == (
        "changed",
        "public_interest",
        "临江市人民政府常务会议",
    )
    assert last_event(commitment)[:3] == ("changed", "published", "changed")


def test_a_lawful_change_missing_its_steps_names_every_one_and_writes_nothing(world: City) -> None:
    commitment = published_commitment(world, counterparty_name="临江某科技有限公司")
    before = written()

    response = step(
        client_for(world.office_a),
        commitment,
        "change",
        {"ground": "", "legality_review_on": "not a date", "published_on": "2026-12-01"},
    )

    error = assert_error(response, 400, "invalid")
    assert set(error["fields"]) == {
        "ground",
        "authority",
        "description",
        "legality_review_on",
        "collective_decision_on",
        "published_on",
        "counterparty_notified_on",
    }
    assert error["fields"]["published_on"] == ["日期不能晚于今天。"]
    assert written() == before
    assert Commitment.objects.get(pk=commitment.pk).status == "published"


def test_withdrawal_before_publication(world: City) -> None:
    commitment = make_commitment(world.clerk_a, world.agency_a)

    response = step(client_for(world.clerk_a), commitment, "withdraw", {"reason": "重复录入"})

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "withdrawn"
    assert last_event(commitment)[:3] == ("withdrawn", "draft", "withdrawn")


@pytest.mark.parametrize(
    ("persona", "action", "body"),
    [
        ("clerk_a", "submit", {}),  # the clerk enters; the reviewer submits
        ("reviewer_a", "publish", {}),
        ("reviewer_a", "return", {"reason": "退回"}),
        ("inspector_a", "publish", {}),
        ("clerk_a", "decide", {"outcome": "kept", "reason": "x"}),
        ("clerk_a", "stall", {"reason": "x"}),
    ],
)
def test_the_wrong_role_gets_403_and_nothing_moves(
    world: City, persona: str, action: str, body: dict[str, Any]
) -> None:
    commitment = make_commitment(world.clerk_a, world.agency_a)
    if action in {"publish", "return"}:
        commitment = commitment_submit(actor=world.reviewer_a, commitment=commitment)
    elif action in {"decide", "stall"}:
        commitment = published_commitment(world, title="已公开的承诺")
    before = written()

    response = step(client_for(getattr(world, persona)), commitment, action, body)

    assert_error(response, 403, "not_allowed")
    assert written() == before
    assert Commitment.objects.get(pk=commitment.pk).status == commitment.status


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("submit", {}),
        ("withdraw", {"reason": "不想做了"}),
        ("return", {"reason": "x"}),
        ("publish", {}),
    ],
)
def test_an_illegal_move_is_a_409_and_writes_nothing(world: City, action: str, body: dict[str, Any]) -> None:
    commitment = published_commitment(world)
    actor = world.reviewer_a if action == "submit" else world.clerk_a if action == "withdraw" else world.office_a
    before = written()

    response = step(client_for(actor), commitment, action, body)

    assert_error(response, 409, "illegal_transition")
    assert written() == before


@pytest.mark.parametrize(
    ("action", "body", "fields"),
    [
        ("return", {}, {"reason"}),
        ("withdraw", {"reason": ""}, {"reason"}),
        ("decide", {"outcome": "forgotten"}, {"outcome", "reason"}),
    ],
)
def test_a_step_with_bad_input_is_a_400_and_writes_nothing(
    world: City, action: str, body: dict[str, Any], fields: set[str]
) -> None:
    commitment = make_commitment(world.clerk_a, world.agency_a)
    if action == "return":
        commitment = commitment_submit(actor=world.reviewer_a, commitment=commitment)
    elif action == "decide":
        commitment = published_commitment(world, title="已公开的承诺")
    actor = world.clerk_a if action == "withdraw" else world.office_a
    before = written()

    response = step(client_for(actor), commitment, action, body)

    error = assert_error(response, 400, "invalid")
    assert set(error["fields"]) == fields
    assert all(CHINESE.search(m) for messages in error["fields"].values() for m in messages)
    assert written() == before


def test_a_progress_report_with_bad_input_names_every_fault_and_stores_nothing(world: City) -> None:
    commitment = published_commitment(world)
    before = written()

    response = client_for(world.clerk_a).post(
        f"{COMMITMENTS}{commitment.pk}/progress/",
        {
            "reported_on": "yesterday",
            "percent": 150,
            "narrative": "",
            "files": [SimpleUploadedFile("病毒.exe", b"MZ\x90\x00", content_type="application/octet-stream")],
        },
        format="multipart",
    )

    error = assert_error(response, 400, "invalid")
    assert set(error["fields"]) == {"reported_on", "percent", "narrative", "files"}
    assert error["fields"]["percent"] == ["请填写0至100之间的百分比。"]
    assert error["fields"]["narrative"] == ["请填写进展情况。"]
    assert written() == before


def test_a_report_dated_in_the_future_is_refused_by_the_service(world: City) -> None:
    commitment = published_commitment(world)
    before = written()

    response = client_for(world.clerk_a).post(
        f"{COMMITMENTS}{commitment.pk}/progress/",
        {"reported_on": "2026-12-01", "percent": 10, "narrative": "x", "files": [pdf()]},
        format="multipart",
    )

    assert assert_error(response, 400, "invalid")["fields"] == {"reported_on": ["日期不能晚于今天。"]}
    assert written() == before


def test_a_draft_takes_no_progress_report(world: City) -> None:
    commitment = make_commitment(world.clerk_a, world.agency_a)
    before = written()

    response = client_for(world.clerk_a).post(
        f"{COMMITMENTS}{commitment.pk}/progress/",
        {"reported_on": "2026-11-01", "percent": 10, "narrative": "x"},
        format="json",
    )

    assert_error(response, 409, "illegal_transition")
    assert written() == before


# Filters and queries ----------------------------------------------------------------------------------------------


def test_commitments_filter_by_year_kind_status_agency_and_due_date(world: City) -> None:
    draft = make_commitment(world.clerk_a, world.agency_a)
    published = published_commitment(world, kind="guarantee", title="担保承诺", due_on=datetime.date(2027, 3, 1))
    overdue = published_commitment(
        world,
        title="逾期承诺",
        promised_on=datetime.date(2026, 1, 1),
        due_on=datetime.date(2026, 10, 1),
        year=2026,
    )
    below = make_commitment(
        world.office_a, world.unit_a, title="支付中心承诺", year=2026, due_on=datetime.date(2026, 12, 1)
    )
    client = client_for(world.office_a)

    def listed(**query: Any) -> set[int]:
        response = client.get(COMMITMENTS, query)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert listed(year=2026) == {overdue.pk, below.pk}
    assert listed(kind="guarantee") == {published.pk}
    assert listed(status=["draft"]) == {draft.pk, below.pk}
    assert listed(agency=world.unit_a.pk) == {below.pk}
    assert listed(due_from="2026-12-01", due_to="2027-01-31") == {draft.pk, below.pk}
    assert listed(overdue="true") == {overdue.pk}
    assert overdue.pk not in listed(overdue="false")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"year": "1999"}, "year"),
        ({"year": "twenty"}, "year"),
        ({"kind": "bogus"}, "kind"),
        ({"status": "lost"}, "status"),
        ({"due_from": "2026-02-30"}, "due_from"),
        ({"overdue": "maybe"}, "overdue"),
        ({"agency": "0"}, "agency"),
    ],
)
def test_filters_refuse_values_they_cannot_read(world: City, query: dict[str, str], field: str) -> None:
    error = assert_error(client_for(world.office_a).get(COMMITMENTS, query), 400, "invalid")
    assert set(error["fields"]) == {field}


def count_queries(client: APIClient, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(queries)


def add_commitments(world: City, n: int) -> None:
    for i in range(n):
        make_commitment(world.clerk_a, world.agency_a, title=f"承诺{i}", responsible_person=world.person_a)


def test_the_list_takes_the_same_queries_for_3_or_30_commitments(world: City) -> None:
    client = client_for(world.office_a)
    client.get(COMMITMENTS)  # the token's first use is recorded once
    add_commitments(world, 3)
    few = count_queries(client, COMMITMENTS)

    add_commitments(world, 27)

    assert count_queries(client, COMMITMENTS) == few
    assert len(client.get(COMMITMENTS).json()["results"]) == 30


def test_the_progress_list_takes_the_same_queries_for_3_or_30_reports(world: City) -> None:
    commitment = published_commitment(world)
    client = client_for(world.clerk_a)
    url = f"{COMMITMENTS}{commitment.pk}/progress/"
    client.get(url)  # the token's first use is recorded once

    def report(n: int) -> None:
        for i in range(n):
            response = client.post(
                url, {"reported_on": "2026-11-01", "percent": i, "narrative": "x", "files": [pdf()]}, format="multipart"
            )
            assert response.status_code == 201, response.content

    report(3)
    few = count_queries(client, url)
    report(27)

    assert count_queries(client, url) == few
