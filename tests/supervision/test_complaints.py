"""Breach complaints: the whole workflow with its working-day deadlines on a fixed clock, the confirmed breach's
candidate record (proposed once), the daily overdue job, the staff pages and API in scope, constant query counts."""

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from kernel.errors import DomainError, NotAllowed
from notices.models import Notification
from records.models import DishonestyRecord, RecordStatus
from supervision.models.complaints import BreachComplaint, BreachComplaintEvent
from supervision.models.complaints import BreachComplaintStatus as S
from supervision.services import complaints as services
from supervision.warnings_complaints import complaint_warnings
from tests.supervision.complaints_support import MONDAY, at, filed, signed_in

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def actions(complaint: BreachComplaint) -> list[str]:
    return list(BreachComplaintEvent.objects.filter(complaint=complaint).values_list("action", flat=True))


def test_the_whole_workflow_counts_working_days_and_ends_in_one_candidate_record(world: Any) -> None:
    with at(MONDAY):
        complaint, code = filed(world.agency_a)
    assert complaint.tracking_number == f"WY2026{complaint.pk:06d}"
    assert complaint.status == S.RECEIVED
    assert complaint.stage_due_on == datetime.date(2026, 3, 5)  # 3 working days after Monday
    assert services.complaint_find(complaint.tracking_number.lower(), code.lower().replace("-", " ")) == complaint

    with at(datetime.date(2026, 3, 4)):
        complaint = services.complaint_accept(actor=world.office_a, complaint=complaint)
    assert complaint.stage_due_on == datetime.date(2026, 3, 5)  # 1 working day to transfer
    with at(datetime.date(2026, 3, 5)):
        complaint = services.complaint_transfer(actor=world.office_a, complaint=complaint)
    assert complaint.handling_agency == world.district_a
    # 15 working days from Thursday 5 March: 26 March.
    assert complaint.stage_due_on == datetime.date(2026, 3, 26)
    with at(datetime.date(2026, 3, 20)):
        complaint = services.complaint_order_rectification(
            actor=world.office_a,
            complaint=complaint,
            due_on=datetime.date(2026, 4, 10),
            reason="经核实，尾款确属未付，责令于4月10日前支付。",
        )
    assert complaint.status == S.RECTIFYING and complaint.stage_due_on is None
    with at(datetime.date(2026, 4, 13)):
        complaint = services.complaint_confirm_breach(
            actor=world.office_a, complaint=complaint, reason="逾期仍未支付，认定违约失信。"
        )
    assert complaint.status == S.CONFIRMED and complaint.closed_on == datetime.date(2026, 4, 13)
    record = DishonestyRecord.objects.get(
        origin_type=ContentType.objects.get_for_model(BreachComplaint), origin_id=complaint.pk
    )
    assert record.status == RecordStatus.CANDIDATE and complaint.record == record
    assert record.subject_agency == world.agency_a
    assert complaint.late_stages == 1  # the rectification ran past its deadline
    assert actions(complaint) == ["filed", "accept", "transfer", "order_rectification", "confirm_breach"]
    with pytest.raises(DomainError), at(datetime.date(2026, 4, 14)):
        services.complaint_confirm_breach(actor=world.office_a, complaint=complaint, reason="再次认定")
    assert DishonestyRecord.objects.filter(origin_id=complaint.pk).count() == 1


def test_a_complaint_found_untrue_closes_with_the_reasons_and_a_rectified_one_with_evidence(world: Any) -> None:
    with at(MONDAY):
        untrue, _code = filed(world.agency_a)
        true, _code = filed(world.agency_a)
        for complaint in (untrue, true):
            services.complaint_accept(actor=world.office_a, complaint=complaint)
            services.complaint_transfer(actor=world.office_a, complaint=complaint)
        with pytest.raises(DomainError) as no_reason:
            services.complaint_verify_untrue(actor=world.office_a, complaint=untrue, reason=" ")
        assert no_reason.value.field == "reason"
        untrue = services.complaint_verify_untrue(actor=world.office_a, complaint=untrue, reason="款项已于2月支付。")
        true = services.complaint_order_rectification(
            actor=world.office_a, complaint=true, due_on=datetime.date(2026, 3, 20), reason="限期支付。"
        )
        with pytest.raises(DomainError) as no_evidence:
            services.complaint_rectified(actor=world.clerk_a, complaint=true, reason="已支付")
        assert no_evidence.value.field == "attachments"
        evidence = SimpleUploadedFile("付款凭证.pdf", PDF, content_type="application/pdf")
        true = services.complaint_rectified(
            actor=world.clerk_a, complaint=true, reason="已于3月10日支付。", attachments=[evidence]
        )
    assert untrue.status == S.NOT_TRUE and untrue.public_reasons == "款项已于2月支付。"
    assert true.status == S.RECTIFIED and true.attachments.filter(purpose="rectification").count() == 1
    assert true.late_stages == 0 and not DishonestyRecord.objects.exists()


def test_only_the_offices_in_reach_move_a_complaint(world: Any) -> None:
    with at(MONDAY):
        complaint, _code = filed(world.agency_a)
        with pytest.raises(NotAllowed):
            services.complaint_accept(actor=world.office_b, complaint=complaint)
        with pytest.raises(NotAllowed):
            services.complaint_accept(actor=world.clerk_a, complaint=complaint)
        with pytest.raises(DomainError) as illegal:
            services.complaint_transfer(actor=world.office_a, complaint=complaint)
    assert illegal.value.code == "illegal_transition"
    complaint.refresh_from_db()
    assert complaint.status == S.RECEIVED


def test_the_daily_job_marks_each_late_stage_once_and_tells_the_office(world: Any) -> None:
    with at(MONDAY):
        complaint, _code = filed(world.agency_a)
    before = Notification.objects.count()
    with at(datetime.date(2026, 3, 5)):
        assert services.complaints_overdue_run().marked == 0  # due today: not late yet
    with at(datetime.date(2026, 3, 6)):
        assert services.complaints_overdue_run().marked == 1
        assert services.complaints_overdue_run().marked == 0  # a second run changes nothing
        warnings = complaint_warnings(world.office_a)
    complaint.refresh_from_db()
    assert complaint.late_stages == 1 and complaint.overdue_notified == S.RECEIVED
    assert Notification.objects.count() == before + 1
    assert warnings[0]["level"] == "overdue" and warnings[0]["unit"] == world.agency_a.name
    # Accepting late does not count the stage twice.
    with at(datetime.date(2026, 3, 6)):
        complaint = services.complaint_accept(actor=world.office_a, complaint=complaint)
    assert complaint.late_stages == 1
    assert complaint_warnings(world.outsider) == []


def test_three_complaints_about_one_unit_in_ninety_days_warn(world: Any) -> None:
    with at(MONDAY):
        for _ in range(3):
            filed(world.agency_a)
        warnings = complaint_warnings(world.office_a)
    repeated = [w for w in warnings if w["level"] == "repeated"]
    assert len(repeated) == 1 and repeated[0]["unit_id"] == world.agency_a.pk and "3" in repeated[0]["what"]


def test_the_staff_pages_show_the_queue_and_refuse_outsiders(world: Any) -> None:
    with at(MONDAY):
        complaint, _code = filed(world.agency_a)
        office = signed_in(world.office_a)
        listed = office.get("/staff/supervision/complaints/")
        page = office.get(f"/staff/supervision/complaints/{complaint.pk}/")
        assert listed.status_code == 200 and complaint.tracking_number in listed.content.decode()
        assert page.status_code == 200 and 'id="step-accept"' in page.content.decode()
        assert signed_in(world.clerk_a).get(f"/staff/supervision/complaints/{complaint.pk}/").status_code == 200
        assert signed_in(world.inspector_a).get(f"/staff/supervision/complaints/{complaint.pk}/").status_code == 200
        outsider = signed_in(world.outsider)
        assert outsider.get(f"/staff/supervision/complaints/{complaint.pk}/").status_code == 404
        assert outsider.post(f"/staff/supervision/complaints/{complaint.pk}/accept/").status_code == 404
        assert complaint.tracking_number not in outsider.get("/staff/supervision/complaints/").content.decode()
        api = APIClient()
        api.force_authenticate(world.outsider)
        assert api.get(f"/api/v1/supervision/complaints/{complaint.pk}/").status_code == 404
        refused = office.post(f"/staff/supervision/complaints/{complaint.pk}/refuse/", {"reason": ""})
        assert refused.status_code == 400 and "请说明理由" in refused.content.decode()
        done = office.post(f"/staff/supervision/complaints/{complaint.pk}/accept/")
        assert done.status_code == 302
        queue = office.get("/staff/queue/")
    complaint.refresh_from_db()
    assert complaint.status == S.ACCEPTED
    assert 'id="breach_complaints"' in queue.content.decode()


def test_the_api_moves_a_complaint_and_answers_a_wrong_step_with_a_conflict(world: Any) -> None:
    with at(MONDAY):
        complaint, _code = filed(world.agency_a)
        api = APIClient()
        api.force_authenticate(world.office_a)
        url = f"/api/v1/supervision/complaints/{complaint.pk}/steps/"
        assert api.post(url, {"action": "transfer"}, format="json").status_code == 409
        moved = api.post(url, {"action": "accept"}, format="json")
    assert moved.status_code == 200 and moved.json()["status"] == "accepted"
    assert "query_code" not in moved.json()


def test_the_staff_enter_a_complaint_from_another_channel(world: Any) -> None:
    office = signed_in(world.office_a)
    with at(MONDAY):
        bad = office.post("/staff/supervision/complaints/new/", {"channel": "12345", "complainant_kind": "person"})
        good = office.post(
            "/staff/supervision/complaints/new/",
            {
                "channel": "12345",
                "channel_reference": "GD20260302001",
                "received_on": "2026-02-27",
                "complainant_kind": "person",
                "complainant_name": "王芳",
                "complainant_contact": "13800001111",
                "respondent": world.agency_a.pk,
                "category": "promise",
                "facts": "承诺的拆迁安置补偿至今未兑现，多次反映无果。",
            },
        )
    assert bad.status_code == 400 and not BreachComplaint.objects.filter(channel="12345", complainant_name="").exists()
    text = bad.content.decode()
    assert text.count('class="errorlist') >= 4
    assert good.status_code == 200 and 'id="query-code"' in good.content.decode()
    complaint = BreachComplaint.objects.get(channel="12345")
    assert complaint.filed_by == world.office_a and complaint.received_on == datetime.date(2026, 2, 27)
    assert complaint.stage_due_on == datetime.date(2026, 3, 4)
    assert signed_in(world.clerk_a).get("/staff/supervision/complaints/new/").status_code == 403


def more(world: Any, count: int) -> None:
    for _ in range(count):
        complaint, _code = filed(world.agency_a)
        services.complaint_accept(actor=world.office_a, complaint=complaint)


def test_lists_take_the_same_queries_for_more_rows(world: Any) -> None:
    with at(MONDAY):
        more(world, 1)
        office, api = signed_in(world.office_a), APIClient()
        api.force_authenticate(world.office_a)
        office.get("/staff/supervision/complaints/")  # warm the session and content types
        with CaptureQueriesContext(connection) as few:
            office.get("/staff/supervision/complaints/")
        with CaptureQueriesContext(connection) as few_api:
            api.get("/api/v1/supervision/complaints/")
        with CaptureQueriesContext(connection) as few_queue:
            office.get("/staff/queue/")
        more(world, 4)
        with CaptureQueriesContext(connection) as many:
            assert office.get("/staff/supervision/complaints/").content.decode().count("data-complaint=") == 5
        with CaptureQueriesContext(connection) as many_api:
            assert len(api.get("/api/v1/supervision/complaints/").json()["results"]) == 5
        with CaptureQueriesContext(connection) as many_queue:
            office.get("/staff/queue/")
    assert len(many) == len(few)
    assert len(many_api) == len(few_api)
    assert len(many_queue) == len(few_queue)
