"""Public commitments, staff side: the list with its filters, counts and bulk steps, a commitment's page with its
timeline, progress and evidence, the entry form, every workflow step, the warning queue; and a candidate record's
explanation and dismissal on the record page."""

import datetime
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from commitments.models import (
    Commitment,
    CommitmentEvent,
    CommitmentStatus,
    CommitmentWarning,
    ProgressEvidence,
    ProgressReport,
)
from commitments.services import (
    commitment_decide,
    commitment_report_progress,
    commitment_submit,
    commitment_warnings_raise,
)
from records.models import DishonestyRecord, RecordStatus
from tests.conftest import City
from tests.factories import make_agency, make_commitment, published_commitment

AssertNumQueries = Callable[..., CaptureQueriesContext]

NOW = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
TODAY = NOW.date()
D = datetime.date
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_time() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def listed(response: Any) -> list[int]:
    return [commitment.pk for commitment in response.context["page"].object_list]


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def form_data(world: City, **overrides: Any) -> dict[str, Any]:
    """A complete, valid entry form as the browser posts it."""
    data: dict[str, Any] = {
        "agency": world.agency_a.pk,
        "responsible_person": str(world.person_a.pk),
        "kind": "time_limit",
        "service_area": "",
        "title": "不动产登记三个工作日办结",
        "content": "一般不动产登记申请材料齐全的，三个工作日内办结。",
        "baseline": "",
        "target_value": "",
        "unit": "",
        "recurring_standard": "每件不超过3个工作日",
        "source_document_number": "东政办〔2026〕5号",
        "source_date": "2026-03-01",
        "source_url": "",
        "counterparty_name": "",
        "counterparty_uscc": "",
        "promised_on": "2026-03-01",
        "due_on": "2026-12-31",
        "year": "2026",
        "liability": "未按期兑现的，依照有关规定追究责任。",
        "code": "",
    }
    data.update(overrides)
    return data


def pdf(name: str = "进度.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


# The list ----------------------------------------------------------------------------------------------------------


def test_the_list_shows_the_commitments_in_scope_and_nothing_else(client: Client, world: City) -> None:
    mine = make_commitment(world.clerk_a, world.agency_a)
    theirs = make_commitment(world.outsider, world.agency_b)

    client.force_login(world.clerk_a)
    response = client.get("/staff/commitments/")
    assert response.status_code == 200
    assert listed(response) == [mine.pk]
    assert theirs.title not in response.content.decode() or theirs.title == mine.title

    client.force_login(world.outsider)
    assert listed(client.get("/staff/commitments/")) == [theirs.pk]


def test_the_list_needs_a_login(client: Client, world: City) -> None:
    response = client.get("/staff/commitments/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_it_filters_by_year_kind_status_due_and_agency_subtree(client: Client, world: City) -> None:
    soon = published_commitment(world, due_on=TODAY + datetime.timedelta(days=10), year=2026)
    late = published_commitment(world, due_on=TODAY + datetime.timedelta(days=90))
    overdue = published_commitment(
        world, promised_on=D(2026, 1, 1), source_date=D(2026, 1, 1), due_on=D(2026, 10, 1), year=2026
    )
    guarantee = make_commitment(world.clerk_a, world.agency_a, kind="guarantee", due_on=D(2027, 6, 30), year=2027)
    in_unit = make_commitment(world.office_a, world.unit_a)
    client.force_login(world.office_a)

    assert listed(client.get("/staff/commitments/?due=overdue")) == [overdue.pk]
    assert listed(client.get("/staff/commitments/?due=soon")) == [soon.pk]
    assert set(listed(client.get("/staff/commitments/?year=2027"))) == {late.pk, guarantee.pk, in_unit.pk}
    assert listed(client.get("/staff/commitments/?kind=guarantee")) == [guarantee.pk]
    assert set(listed(client.get("/staff/commitments/?status=draft"))) == {guarantee.pk, in_unit.pk}
    assert listed(client.get(f"/staff/commitments/?subtree_of={world.unit_a.pk}")) == [in_unit.pk]
    by_name = client.get("/staff/commitments/", {"subtree_of": world.unit_a.name})
    assert listed(by_name) == [in_unit.pk]


def test_the_status_choices_show_how_many_each_holds(client: Client, world: City) -> None:
    published_commitment(world)
    make_commitment(world.clerk_a, world.agency_a)
    make_commitment(world.clerk_a, world.agency_a)
    client.force_login(world.office_a)

    response = client.get("/staff/commitments/?status=published")

    labels = dict(response.context["form"].fields["status"].choices)
    assert labels["published"].endswith("(1)") and labels["draft"].endswith("(2)")
    assert labels["kept"].endswith("(0)")
    assert response.context["page"].paginator.count == 1


def test_an_unreadable_filter_is_a_form_error_and_no_rows(client: Client, world: City) -> None:
    make_commitment(world.clerk_a, world.agency_a)
    client.force_login(world.clerk_a)

    response = client.get("/staff/commitments/?year=soon")

    assert response.status_code == 200
    assert listed(response) == []
    assert "year" in response.context["form"].errors


def test_the_list_runs_the_same_queries_for_3_or_30_more_commitments(
    client: Client, world: City, django_assert_num_queries: AssertNumQueries
) -> None:
    client.force_login(world.office_a)
    url = "/staff/commitments/?status=draft&status=published&due=&year="

    def add(n: int) -> None:
        for i in range(n):
            unit = make_agency(parent=world.agency_a)
            make_commitment(world.office_a, unit, kind="guarantee" if i % 2 else "time_limit")

    add(3)
    expected = count_queries(client, url)
    add(30)

    with django_assert_num_queries(expected):
        response = client.get(url)

    assert len(listed(response)) == 33


# One commitment ----------------------------------------------------------------------------------------------------


def test_the_commitment_page_shows_its_timeline_progress_and_evidence(client: Client, world: City, media: Path) -> None:
    commitment = published_commitment(world, responsible_person=world.person_a)
    commitment_report_progress(
        actor=world.clerk_a,
        commitment=commitment,
        reported_on=D(2026, 11, 1),
        percent=40,
        narrative="已完成流程再造。",
        files=[pdf()],
    )
    evidence = ProgressEvidence.objects.get()
    client.force_login(world.clerk_a)

    response = client.get(f"/staff/commitments/{commitment.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert commitment.code in html and "已完成流程再造。" in html
    assert f"/staff/commitments/evidence/{evidence.pk}/" in html
    kinds = [event.kind for event in response.context["events"]]
    assert kinds == ["created", "submitted", "published", "resumed", "progress"]
    download = client.get(f"/staff/commitments/evidence/{evidence.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]


@pytest.mark.parametrize(
    "path",
    ["", "edit/", "progress/", "decide/", "change/", "return/", "withdraw/", "stall/"],
)
def test_the_outsider_gets_404_on_every_commitment_page(client: Client, world: City, path: str) -> None:
    commitment = make_commitment(world.clerk_a, world.agency_a)
    client.force_login(world.outsider)

    assert client.get(f"/staff/commitments/{commitment.pk}/{path}").status_code == 404
    assert client.post(f"/staff/commitments/{commitment.pk}/submit/").status_code == 404


def test_the_outsider_gets_404_for_an_evidence_file(client: Client, world: City, media: Path) -> None:
    commitment = published_commitment(world)
    commitment_report_progress(
        actor=world.clerk_a, commitment=commitment, reported_on=TODAY, percent=10, narrative="启动。", files=[pdf()]
    )
    evidence = ProgressEvidence.objects.get()
    client.force_login(world.outsider)

    assert client.get(f"/staff/commitments/evidence/{evidence.pk}/").status_code == 404


def test_edits_show_in_the_timeline_with_the_fields_they_changed(client: Client, world: City) -> None:
    commitment = make_commitment(world.clerk_a, world.agency_a)
    client.force_login(world.clerk_a)
    data = form_data(world, title="新的标题", code=commitment.code)

    response = client.post(f"/staff/commitments/{commitment.pk}/edit/", data)

    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.title == "新的标题"
    page = client.get(f"/staff/commitments/{commitment.pk}/")
    edited = [e for e in page.context["events"] if e.kind == "edited"]
    assert edited and any(change.new == "新的标题" for change in edited[0].shown_changes)
    assert any(change.new == world.person_a.name for change in edited[0].shown_changes)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("clerk_a", ["edit", "withdraw"]),
        ("reviewer_a", ["edit", "submit", "withdraw"]),
        ("office_a", ["edit", "submit", "withdraw"]),
        ("inspector_a", []),
    ],
)
def test_a_draft_offers_each_role_only_the_steps_it_may_take(
    client: Client, world: City, persona: str, expected: list[str]
) -> None:
    commitment = make_commitment(world.clerk_a, world.agency_a)
    client.force_login(getattr(world, persona))

    response = client.get(f"/staff/commitments/{commitment.pk}/")

    assert response.context["actions"] == expected


def test_a_published_commitment_offers_progress_to_the_agency_and_the_outcome_to_the_office(
    client: Client, world: City
) -> None:
    commitment = published_commitment(world)
    client.force_login(world.clerk_a)
    assert client.get(f"/staff/commitments/{commitment.pk}/").context["actions"] == ["progress"]
    client.force_login(world.reviewer_a)
    assert client.get(f"/staff/commitments/{commitment.pk}/").context["actions"] == ["progress", "stall"]
    client.force_login(world.office_a)
    page = client.get(f"/staff/commitments/{commitment.pk}/")
    assert page.context["actions"] == ["progress", "stall", "decide", "change"]
    assert 'id="decide-link"' in page.content.decode()
    # A clerk may not take the office's step, even by typing its address.
    client.force_login(world.clerk_a)
    assert client.get(f"/staff/commitments/{commitment.pk}/decide/").status_code == 403


# Entry -------------------------------------------------------------------------------------------------------------


def test_a_clerk_enters_a_draft(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)
    form = client.get("/staff/commitments/new/")
    assert form.status_code == 200
    assert world.agency_a.uscc in form.content.decode()  # the clerk's agency is chosen already

    response = client.post("/staff/commitments/new/", form_data(world))

    commitment = Commitment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/staff/commitments/{commitment.pk}/"
    assert commitment.status == CommitmentStatus.DRAFT
    assert commitment.responsible_person == world.person_a
    assert commitment.code == f"CN2026-{commitment.pk:07d}"
    assert CommitmentEvent.objects.filter(commitment=commitment, kind="created").exists()


def test_bad_input_shows_every_error_at_once_keeps_what_was_typed_and_writes_nothing(
    client: Client, world: City
) -> None:
    client.force_login(world.clerk_a)
    data = form_data(
        world,
        title="",
        recurring_standard="",
        due_on="2026-02-01",
        counterparty_uscc="91330100MA2XXXXXX0",
        source_date="not-a-date",
        content="一般不动产登记申请材料齐全的",
    )

    response = client.post("/staff/commitments/new/", data)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"title", "target_value", "due_on", "counterparty_uscc", "counterparty_name", "source_date"} <= set(errors)
    assert "请" in " ".join(errors["title"]) or errors["title"]
    html = response.content.decode()
    assert "一般不动产登记申请材料齐全的" in html and "91330100MA2XXXXXX0" in html and "not-a-date" in html
    assert Commitment.objects.count() == 0


def test_an_agency_outside_the_entering_scope_is_a_field_error(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)

    response = client.post("/staff/commitments/new/", form_data(world, agency=world.agency_b.uscc))

    assert "agency" in response.context["form"].errors
    assert Commitment.objects.count() == 0


def test_a_code_used_by_another_commitment_is_a_field_error(client: Client, world: City) -> None:
    taken = make_commitment(world.clerk_a, world.agency_a)
    client.force_login(world.clerk_a)

    response = client.post("/staff/commitments/new/", form_data(world, code=taken.code))

    assert "code" in response.context["form"].errors
    assert Commitment.objects.count() == 1


def test_roles_that_do_not_enter_get_403(client: Client, world: City) -> None:
    client.force_login(world.inspector_a)
    assert client.get("/staff/commitments/new/").status_code == 403


def test_a_submitted_commitment_is_not_edited(client: Client, world: City) -> None:
    commitment = commitment_submit(actor=world.reviewer_a, commitment=make_commitment(world.clerk_a, world.agency_a))
    client.force_login(world.office_a)

    response = client.post(f"/staff/commitments/{commitment.pk}/edit/", form_data(world, title="改"))

    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.title != "改"


# Workflow ----------------------------------------------------------------------------------------------------------


def test_the_reviewer_submits_and_the_office_publishes_from_the_page(client: Client, world: City) -> None:
    commitment = make_commitment(world.clerk_a, world.agency_a)
    client.force_login(world.reviewer_a)
    assert client.post(f"/staff/commitments/{commitment.pk}/submit/").status_code == 302
    client.force_login(world.office_a)
    assert client.post(f"/staff/commitments/{commitment.pk}/publish/").status_code == 302

    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.PUBLISHED


def test_a_step_the_status_no_longer_allows_is_said_and_changes_nothing(client: Client, world: City) -> None:
    commitment = make_commitment(world.clerk_a, world.agency_a)
    client.force_login(world.office_a)

    response = client.post(f"/staff/commitments/{commitment.pk}/publish/", follow=True)

    assert response.status_code == 200
    assert len(list(response.context["messages"])) == 1
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.DRAFT


def test_the_office_returns_with_a_reason_and_an_empty_reason_changes_nothing(client: Client, world: City) -> None:
    commitment = commitment_submit(actor=world.reviewer_a, commitment=make_commitment(world.clerk_a, world.agency_a))
    client.force_login(world.office_a)

    refused = client.post(f"/staff/commitments/{commitment.pk}/return/", {"reason": ""})
    assert refused.status_code == 200 and "reason" in refused.context["form"].errors
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.SUBMITTED

    client.post(f"/staff/commitments/{commitment.pk}/return/", {"reason": "目标不可衡量。"})
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.DRAFT
    assert CommitmentEvent.objects.get(commitment=commitment, kind="returned").reason == "目标不可衡量。"


def test_the_agency_withdraws_a_draft_with_a_reason(client: Client, world: City) -> None:
    commitment = make_commitment(world.clerk_a, world.agency_a)
    client.force_login(world.clerk_a)

    client.post(f"/staff/commitments/{commitment.pk}/withdraw/", {"reason": "重复录入。"})

    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.WITHDRAWN


def test_the_reviewer_marks_a_published_commitment_stalled(client: Client, world: City) -> None:
    commitment = published_commitment(world)
    client.force_login(world.reviewer_a)

    client.post(f"/staff/commitments/{commitment.pk}/stall/", {"reason": "资金未到位。"})

    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.STALLED


def test_a_clerk_reports_progress_with_two_files(client: Client, world: City, media: Path) -> None:
    commitment = published_commitment(world)
    client.force_login(world.clerk_a)
    assert client.get(f"/staff/commitments/{commitment.pk}/progress/").status_code == 200

    response = client.post(
        f"/staff/commitments/{commitment.pk}/progress/",
        {
            "reported_on": "2026-11-01",
            "percent": "60",
            "narrative": "窗口已合并。",
            "evidence": [pdf("一.pdf"), pdf("二.pdf")],
        },
    )

    assert response.status_code == 302
    report = ProgressReport.objects.get()
    assert sorted(report.evidence.values_list("original_name", flat=True)) == ["一.pdf", "二.pdf"]
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.IN_PROGRESS and commitment.progress_percent == 60


def test_a_bad_progress_report_names_every_problem_keeps_the_text_and_stores_nothing(
    client: Client, world: City, media: Path
) -> None:
    commitment = published_commitment(world)
    client.force_login(world.clerk_a)

    response = client.post(
        f"/staff/commitments/{commitment.pk}/progress/",
        {
            "reported_on": "2026-12-01",
            "percent": "140",
            "narrative": "窗口已合并。",
            "evidence": [SimpleUploadedFile("病毒.exe", b"MZ...", content_type="application/octet-stream")],
        },
    )

    assert response.status_code == 200
    assert {"reported_on", "percent", "evidence"} <= set(response.context["form"].errors)
    assert "窗口已合并。" in response.content.decode()
    assert ProgressReport.objects.count() == 0 and ProgressEvidence.objects.count() == 0


def test_the_office_decides_broken_and_the_page_links_the_breach_record(client: Client, world: City) -> None:
    commitment = published_commitment(world)
    client.force_login(world.office_a)

    refused = client.post(f"/staff/commitments/{commitment.pk}/decide/", {"outcome": "", "reason": ""})
    assert {"outcome", "reason"} <= set(refused.context["form"].errors)

    response = client.post(
        f"/staff/commitments/{commitment.pk}/decide/", {"outcome": "broken", "reason": "逾期未办结且无正当理由。"}
    )

    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.BROKEN and commitment.breach_record is not None
    page = client.get(f"/staff/commitments/{commitment.pk}/")
    assert page.context["breach"] == commitment.breach_record
    assert f"/staff/records/{commitment.breach_record_id}/" in page.content.decode()


def test_a_lawful_change_needs_its_steps_and_then_is_recorded(client: Client, world: City) -> None:
    commitment = published_commitment(world)
    client.force_login(world.office_a)

    refused = client.post(f"/staff/commitments/{commitment.pk}/change/", {"ground": "public_interest"})
    assert {"authority", "description", "legality_review_on", "collective_decision_on", "published_on"} <= set(
        refused.context["form"].errors
    )
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.PUBLISHED

    response = client.post(
        f"/staff/commitments/{commitment.pk}/change/",
        {
            "ground": "public_interest",
            "authority": "临江市东城区人民政府",
            "description": "因公共利益需要调整办理时限。",
            "legality_review_on": "2026-10-20",
            "collective_decision_on": "2026-10-25",
            "published_on": "2026-10-28",
            "compensation_amount": "0",
        },
    )

    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.CHANGED and commitment.change_authority == "临江市东城区人民政府"


# Bulk --------------------------------------------------------------------------------------------------------------


def test_bulk_submit_moves_what_it_can_and_reports_each_refusal(client: Client, world: City) -> None:
    draft = make_commitment(world.clerk_a, world.agency_a)
    published = published_commitment(world)
    theirs = make_commitment(world.outsider, world.agency_b)
    client.force_login(world.reviewer_a)

    response = client.post("/staff/commitments/bulk/", {"action": "submit", "ids": [draft.pk, published.pk, theirs.pk]})

    assert response.status_code == 200
    outcomes = {row.pk: row.outcome for row in response.context["rows"]}
    assert outcomes == {draft.pk: "done", published.pk: "refused", theirs.pk: "not_found"}
    assert response.context["rows"][1].message
    draft.refresh_from_db()
    assert draft.status == CommitmentStatus.SUBMITTED


def test_bulk_publish_asks_to_confirm_then_publishes(client: Client, world: City) -> None:
    ready = [
        commitment_submit(actor=world.reviewer_a, commitment=make_commitment(world.clerk_a, world.agency_a))
        for _ in range(2)
    ]
    draft = make_commitment(world.clerk_a, world.agency_a)
    ids = [*[c.pk for c in ready], draft.pk]
    client.force_login(world.office_a)

    preview = client.post("/staff/commitments/bulk/", {"action": "publish", "ids": ids})
    assert preview.context["confirming"] is True
    assert [row.outcome for row in preview.context["rows"]] == ["", "", "refused"]
    assert Commitment.objects.filter(status=CommitmentStatus.PUBLISHED).count() == 0

    unticked = client.post("/staff/commitments/bulk/", {"action": "publish", "ids": ids, "step": "confirm"})
    assert unticked.status_code == 400
    assert Commitment.objects.filter(status=CommitmentStatus.PUBLISHED).count() == 0

    done = client.post(
        "/staff/commitments/bulk/", {"action": "publish", "ids": ids, "step": "confirm", "confirm": "on"}
    )
    assert done.context["done"] == 2
    assert set(Commitment.objects.filter(status=CommitmentStatus.PUBLISHED).values_list("pk", flat=True)) == {
        c.pk for c in ready
    }


def test_bulk_steps_are_not_offered_to_a_clerk(client: Client, world: City) -> None:
    commitment = make_commitment(world.clerk_a, world.agency_a)
    client.force_login(world.clerk_a)

    assert client.get("/staff/commitments/").context["bulk_actions"] == []
    assert client.post("/staff/commitments/bulk/", {"action": "submit", "ids": [commitment.pk]}).status_code == 403


# Warnings ----------------------------------------------------------------------------------------------------------


def test_the_warning_queue_shows_the_warnings_in_scope_most_urgent_first(client: Client, world: City) -> None:
    soon = published_commitment(world, due_on=TODAY + datetime.timedelta(days=20), year=2026)
    overdue = published_commitment(
        world, promised_on=D(2026, 1, 1), source_date=D(2026, 1, 1), due_on=D(2026, 10, 1), year=2026
    )
    commitment_warnings_raise(today=TODAY)
    client.force_login(world.clerk_a)

    response = client.get("/staff/commitments/warnings/")

    rows = [(w.commitment_id, w.kind) for w in response.context["page"].object_list]
    assert rows[0] == (overdue.pk, "overdue")
    assert (soon.pk, "due_30") in rows
    client.force_login(world.outsider)
    assert list(client.get("/staff/commitments/warnings/").context["page"].object_list) == []


def test_the_warning_queue_runs_the_same_queries_for_more_warnings(
    client: Client, world: City, django_assert_num_queries: AssertNumQueries
) -> None:
    def add(n: int) -> None:
        for _ in range(n):
            unit = make_agency(parent=world.agency_a)
            commitment = make_commitment(world.office_a, unit, due_on=TODAY + datetime.timedelta(days=5), year=2026)
            commitment = commitment_submit(actor=world.office_a, commitment=commitment)
            Commitment.objects.filter(pk=commitment.pk).update(status=CommitmentStatus.PUBLISHED)
        commitment_warnings_raise(today=TODAY)

    client.force_login(world.office_a)
    add(2)
    expected = count_queries(client, "/staff/commitments/warnings/")
    add(20)

    with django_assert_num_queries(expected):
        response = client.get("/staff/commitments/warnings/")

    assert response.context["page"].paginator.count == CommitmentWarning.objects.active().count() >= 22


# The record found in a commitment ------------------------------------------------------------------------------------


def _breach(world: City) -> tuple[Commitment, DishonestyRecord]:
    commitment = published_commitment(world)
    commitment = commitment_decide(
        actor=world.office_a, commitment=commitment, outcome="broken", reason="逾期未办结且无正当理由。"
    )
    assert commitment.breach_record is not None
    return commitment, commitment.breach_record


def test_the_record_page_says_where_a_candidate_was_found_and_the_agency_explains_it(
    client: Client, world: City
) -> None:
    commitment, record = _breach(world)
    client.force_login(world.clerk_a)

    page = client.get(f"/staff/records/{record.pk}/")
    html = page.content.decode()
    assert record.status == RecordStatus.CANDIDATE
    assert f'href="/staff/commitments/{commitment.pk}/"' in html and 'id="explain-form"' in html
    assert 'id="dismiss-form"' not in html

    refused = client.post(f"/staff/records/{record.pk}/explain/", {"explanation": ""})
    assert refused.status_code == 200 and 'id="explain-form"' in refused.content.decode()
    record.refresh_from_db()
    assert record.explanation == ""

    response = client.post(f"/staff/records/{record.pk}/explain/", {"explanation": "因系统升级延误，已整改。"})

    assert response.status_code == 302
    record.refresh_from_db()
    assert record.explanation == "因系统升级延误，已整改。" and record.explained_at is not None
    assert "因系统升级延误，已整改。" in client.get(f"/staff/records/{record.pk}/").content.decode()


def test_the_credit_office_dismisses_a_candidate_with_a_reason(client: Client, world: City) -> None:
    _commitment, record = _breach(world)
    client.force_login(world.office_a)
    assert 'id="dismiss-form"' in client.get(f"/staff/records/{record.pk}/").content.decode()

    refused = client.post(f"/staff/records/{record.pk}/dismiss/", {"reason": ""})
    assert refused.status_code == 200
    record.refresh_from_db()
    assert record.status == RecordStatus.CANDIDATE

    client.post(f"/staff/records/{record.pk}/dismiss/", {"reason": "经核实不构成失信。"})

    record.refresh_from_db()
    assert record.status == RecordStatus.DISMISSED


def test_the_outsider_can_neither_explain_nor_dismiss_a_candidate(client: Client, world: City) -> None:
    _commitment, record = _breach(world)
    client.force_login(world.outsider)

    assert client.post(f"/staff/records/{record.pk}/explain/", {"explanation": "x"}).status_code == 404
    client.force_login(world.office_b)
    assert client.post(f"/staff/records/{record.pk}/dismiss/", {"reason": "x"}).status_code == 404
    record.refresh_from_db()
    assert record.status == RecordStatus.CANDIDATE and record.explanation == ""


def test_the_record_list_filters_candidates(client: Client, world: City) -> None:
    _commitment, record = _breach(world)
    client.force_login(world.office_a)

    response = client.get("/staff/records/?status=candidate")

    assert [r.pk for r in response.context["page"].object_list] == [record.pk]
    assert 'value="candidate"' in response.content.decode() and 'value="dismissed"' in response.content.decode()


# In Chinese --------------------------------------------------------------------------------------------------------


def test_every_commitment_page_is_in_chinese(client: Client, world: City, media: Path) -> None:
    from tests.visible_text import english_words

    draft = make_commitment(world.clerk_a, world.agency_a, code="CN-DRAFT-1")
    commitment = published_commitment(world, responsible_person=world.person_a, counterparty_name="临江某公司")
    commitment_report_progress(
        actor=world.clerk_a, commitment=commitment, reported_on=TODAY, percent=10, narrative="启动。", files=[pdf()]
    )
    broken, record = _breach(world)
    commitment_warnings_raise(today=TODAY)
    data = frozenset({"clerk-a", "reviewer-a", "office-a", "进度.pdf", "CN-DRAFT-1"})
    pages = [
        "/staff/",
        "/staff/commitments/",
        "/staff/commitments/?year=soon",
        "/staff/commitments/new/",
        "/staff/commitments/warnings/",
        f"/staff/commitments/{draft.pk}/",
        f"/staff/commitments/{draft.pk}/edit/",
        f"/staff/commitments/{draft.pk}/withdraw/",
        f"/staff/commitments/{commitment.pk}/",
        f"/staff/commitments/{commitment.pk}/progress/",
        f"/staff/commitments/{commitment.pk}/decide/",
        f"/staff/commitments/{commitment.pk}/change/",
        f"/staff/commitments/{commitment.pk}/stall/",
        f"/staff/commitments/{broken.pk}/",
        f"/staff/records/{record.pk}/",
        "/staff/records/",
    ]
    posts = [
        ("/staff/commitments/new/", form_data(world, title="", due_on="2026-01-01", counterparty_uscc="X")),
        (f"/staff/commitments/{commitment.pk}/decide/", {}),
        (f"/staff/commitments/{commitment.pk}/change/", {"ground": "other"}),
        (f"/staff/commitments/{commitment.pk}/progress/", {"percent": "x"}),
        ("/staff/commitments/bulk/", {"action": "publish", "ids": [draft.pk, commitment.pk]}),
        ("/staff/commitments/bulk/", {"action": "submit"}),
        (f"/staff/records/{record.pk}/explain/", {"explanation": ""}),
    ]
    found: dict[str, list[str]] = {}
    for persona in ("clerk_a", "office_a"):
        client.force_login(getattr(world, persona))
        requests = [(url, None) for url in pages] + list(posts)
        for url, body in requests:
            chinese = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
            response = client.get(url, **chinese) if body is None else client.post(url, body, **chinese)
            if response.status_code in (302, 403) or not response["Content-Type"].startswith("text/html"):
                continue
            words = english_words(response.content.decode(), data=data)
            if words:
                found[f"{persona} {url} ({response.status_code})"] = sorted(set(words))
    assert not found, "\n".join(f"{url}: {words}" for url, words in found.items())


# Admin console -----------------------------------------------------------------------------------------------------


def test_the_admin_shows_commitments_read_only_and_scoped(client: Client, world: City, media: Path) -> None:
    from django.contrib import admin

    from accounts.admin import ScopedAdmin

    commitment = published_commitment(world)
    commitment_report_progress(
        actor=world.clerk_a, commitment=commitment, reported_on=TODAY, percent=10, narrative="启动。", files=[pdf()]
    )
    commitment_warnings_raise(today=TODAY)
    theirs = make_commitment(world.outsider, world.agency_b)
    models = [Commitment, CommitmentEvent, ProgressReport, ProgressEvidence, CommitmentWarning]
    client.force_login(world.admin)
    for model in models:
        assert isinstance(admin.site._registry[model], ScopedAdmin)
        name = f"admin:commitments_{model._meta.model_name}"
        from django.urls import reverse

        assert client.get(reverse(f"{name}_changelist")).status_code == 200, model
        obj = model.objects.order_by("pk").first()
        if obj is not None:
            page = client.get(reverse(f"{name}_change", args=[obj.pk]))
            assert page.status_code == 200, model
        assert client.get(reverse(f"{name}_add")).status_code == 403, model

    client.force_login(world.office_a)
    listing = client.get("/admin/commitments/commitment/")
    assert [c.pk for c in listing.context["cl"].result_list] == [commitment.pk]
    assert client.get(f"/admin/commitments/commitment/{theirs.pk}/change/").status_code == 302
