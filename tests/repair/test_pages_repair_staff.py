"""The staff pages of objections, complaints and credit repair: the queue per role, each case with its steps,
attachments, mitigation, filing on a subject's behalf, and the in-app notifications."""

import datetime
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from notices.models import Notification
from records.models import AppliedMeasure, DishonestyRecord, MeasureState, RecordStatus
from repair.models import (
    CaseEvent,
    Complaint,
    ComplaintStatus,
    Mitigation,
    Objection,
    ObjectionStatus,
    RepairApplication,
    RepairStatus,
)
from repair.query_codes import query_code_digest
from repair.services import (
    complaint_accept,
    complaint_file,
    objection_accept,
    objection_file,
    repair_accept,
    repair_grant,
    repair_request_material,
)
from tests.conftest import City
from tests.repair.test_pages_repair_public import (
    FULL_ID,
    NOW,
    REPAIR_DAY,
    apply_for_repair,
    code_in,
    file_objection,
    filer,
    objection_data,
    publish,
    repair_data,
)

AssertNumQueries = Callable[..., CaptureQueriesContext]
READERS_NOT_DECIDING = ("clerk_a", "reviewer_a", "inspector_a")


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def record(world: City) -> DishonestyRecord:
    return publish(world)


def login(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def file_complaint(record: DishonestyRecord, objection: Objection | None = None) -> Complaint:
    complaint, _code = complaint_file(
        record=record,
        statement="异议超期未处理。",
        filer_name="王律师",
        filer_contact="13800000000",
        commitment_signed=True,
        objection=objection,
    )
    return complaint


def queue_ids(response: Any) -> dict[str, list[int]]:
    return {s.key: [case.pk for case in s.page.object_list] for s in response.context["sections"]}


def action_forms(response: Any) -> dict[str, Any]:
    return {action.key: form for action, form in response.context["actions"]}


def events(**case: Any) -> list[str]:
    return [e.to_status for e in CaseEvent.objects.filter(**case)]


# The queue ---------------------------------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_the_credit_office_sees_its_regions_cases_and_outsiders_see_none(
    client: Client, world: City, record: DishonestyRecord
) -> None:
    objection, _code = file_objection(record)
    complaint = file_complaint(record)

    for name, expected in (
        ("office_a", True),
        ("clerk_a", True),
        ("admin", True),
        ("office_b", False),
        ("outsider", False),
    ):
        response = login(Client(), getattr(world, name)).get("/staff/cases/")
        assert response.status_code == 200
        ids = queue_ids(response)
        assert (objection.pk in ids["objection-due"]) is expected, name
        assert (complaint.pk in ids["complaint-due"]) is expected, name


def test_open_cases_are_grouped_into_late_and_due(client: Client, world: City, record: DishonestyRecord) -> None:
    with time_machine.travel(NOW, tick=False):
        old, _code = file_objection(record, grounds="wrong")  # due Wednesday 4 November
    with time_machine.travel(NOW + datetime.timedelta(days=3), tick=False):
        new, _code = file_objection(record, grounds="missing")  # filed Thursday 5th, due Monday 9th
        response = login(client, world.office_a).get("/staff/cases/")

    ids = queue_ids(response)
    assert ids["objection-late"] == [old.pk]
    assert ids["objection-due"] == [new.pk]
    assert f'data-case-id="{old.pk}" data-status="filed" data-late="true"' in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_the_queue_filters_by_kind_and_status(client: Client, world: City, record: DishonestyRecord) -> None:
    objection, _code = file_objection(record)
    complaint = file_complaint(record)
    complaint_accept(actor=world.office_a, complaint=complaint)
    login(client, world.office_a)

    assert set(queue_ids(client.get("/staff/cases/?kind=complaint"))) == {"complaint-late", "complaint-due"}
    assert queue_ids(client.get("/staff/cases/?status=handling")) == {"complaint-handling": [complaint.pk]}
    assert queue_ids(client.get("/staff/cases/?kind=objection&status=filed")) == {"objection-filed": [objection.pk]}
    response = client.get("/staff/cases/?status=granted")
    assert queue_ids(response) == {"repair-granted": []}
    # An unknown filter value shows the open cases rather than an error.
    assert client.get("/staff/cases/?kind=nonsense").status_code == 200


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_queue_runs_the_same_queries_for_3_or_30_cases(
    client: Client, world: City, django_assert_num_queries: AssertNumQueries
) -> None:
    records = [publish(world) for _ in range(6)]
    grounds = ["wrong", "missing", "duplicated", "should_not_disclose", "past_period"]

    def add_cases(first: int, last: int) -> None:
        for n in range(first, last):
            with time_machine.travel(NOW - datetime.timedelta(days=7 * (n % 2)), tick=False):  # late and due
                objection_file(
                    record=records[n // 5],
                    grounds=grounds[n % 5],
                    statement="信息有误。",
                    filer_name=f"申请人{n}",
                    filer_contact="13800000000",
                    commitment_signed=True,
                )
                file_complaint(records[n % 6])

    add_cases(0, 3)
    login(client, world.office_a)
    with time_machine.travel(NOW, tick=False):
        expected = count_queries(client, "/staff/cases/")
        add_cases(3, 30)
        with django_assert_num_queries(expected):
            response = client.get("/staff/cases/")
    assert sum(s.count for s in response.context["sections"]) == 60


@time_machine.travel(NOW, tick=False)
def test_staff_pages_need_a_login(client: Client, record: DishonestyRecord) -> None:
    objection, _code = file_objection(record)
    for url in ("/staff/cases/", f"/staff/cases/objections/{objection.pk}/", "/staff/notifications/"):
        response = client.get(url)
        assert response.status_code == 302 and "/staff/login/" in response["Location"]


# One case and its steps --------------------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_the_case_page_shows_timeline_and_attachments_and_steps_to_the_office(
    client: Client, world: City, record: DishonestyRecord
) -> None:
    client.post(f"/objections/new/{record.pk}/", objection_data())
    objection = Objection.objects.get()

    response = login(Client(), world.office_a).get(f"/staff/cases/objections/{objection.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="accept-form"' in page and 'id="not-accept-form"' in page
    assert 'id="attachments-table"' in page
    assert [e.to_status for e in response.context["events"]] == ["filed"]

    for name in READERS_NOT_DECIDING:
        response = login(Client(), getattr(world, name)).get(f"/staff/cases/objections/{objection.pk}/")
        assert response.status_code == 200
        assert 'id="case-actions"' not in response.content.decode(), name
    for name in ("outsider", "office_b"):
        assert login(Client(), getattr(world, name)).get(f"/staff/cases/objections/{objection.pk}/").status_code == 404


@time_machine.travel(NOW, tick=False)
def test_attachments_download_only_to_those_who_see_the_case(
    client: Client, world: City, record: DishonestyRecord
) -> None:
    client.post(f"/objections/new/{record.pk}/", objection_data())
    attachment = Objection.objects.get().attachments.get()
    url = f"/staff/cases/attachments/{attachment.pk}/"

    for name in ("office_a", "clerk_a"):
        response = login(Client(), getattr(world, name)).get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert login(Client(), world.outsider).get(url).status_code == 404
    assert Client().get(url).status_code == 302


def post(client: Client, url: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(url, data or {})


@time_machine.travel(NOW, tick=False)
def test_an_objection_is_accepted_sent_for_verification_and_rejected(
    client: Client, world: City, record: DishonestyRecord
) -> None:
    objection, _code = file_objection(record)
    base = f"/staff/cases/objections/{objection.pk}"
    login(client, world.office_a)

    assert post(client, f"{base}/accept/")["Location"] == f"{base}/"
    assert post(client, f"{base}/verify/").status_code == 302
    response = post(client, f"{base}/reject/", {"reason": ""})
    assert response.status_code == 200 and "reason" in action_forms(response)["reject"].errors
    assert post(client, f"{base}/reject/", {"reason": "经核实，信息准确。"}).status_code == 302

    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.REJECTED and objection.decision_reason == "经核实，信息准确。"
    assert events(objection=objection) == ["filed", "checking", "verifying", "rejected"]
    assert set(record.measures.values_list("state", flat=True)) == {MeasureState.ACTIVE}


@time_machine.travel(NOW, tick=False)
def test_not_accepting_an_objection_needs_reasons(client: Client, world: City, record: DishonestyRecord) -> None:
    objection, _code = file_objection(record)
    login(client, world.office_a)
    response = post(client, f"/staff/cases/objections/{objection.pk}/not-accept/", {"reason": "  "})
    assert response.status_code == 200
    assert 'id="not-accept-reason_error"' in response.content.decode()
    assert events(objection=objection) == ["filed"]

    post(client, f"/staff/cases/objections/{objection.pk}/not-accept/", {"reason": "不属于受理范围。"})
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.NOT_ACCEPTED


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("name", [*READERS_NOT_DECIDING, "sector_a"])
def test_roles_that_do_not_decide_get_403_and_nothing_changes(
    client: Client, world: City, record: DishonestyRecord, name: str
) -> None:
    objection, _code = file_objection(record)
    complaint = file_complaint(record)
    login(client, getattr(world, name))
    for url in (
        f"/staff/cases/objections/{objection.pk}/accept/",
        f"/staff/cases/complaints/{complaint.pk}/accept/",
    ):
        assert post(client, url).status_code == 403, url
    assert client.get(f"/staff/cases/objections/{objection.pk}/uphold/").status_code == 403
    objection.refresh_from_db()
    complaint.refresh_from_db()
    assert (objection.status, complaint.status) == (ObjectionStatus.FILED, ComplaintStatus.FILED)


@time_machine.travel(NOW, tick=False)
def test_outsiders_get_404_on_every_step(client: Client, world: City, record: DishonestyRecord) -> None:
    objection, _code = file_objection(record)
    complaint = file_complaint(record)
    for name in ("outsider", "office_b"):
        login(client, getattr(world, name))
        assert post(client, f"/staff/cases/objections/{objection.pk}/accept/").status_code == 404
        assert client.get(f"/staff/cases/objections/{objection.pk}/uphold/").status_code == 404
        assert post(client, f"/staff/cases/complaints/{complaint.pk}/accept/").status_code == 404
        assert client.get(f"/staff/cases/complaints/{complaint.pk}/").status_code == 404
    assert events(objection=objection) == ["filed"]


@time_machine.travel(NOW, tick=False)
def test_an_illegal_step_is_refused_cleanly(client: Client, world: City, record: DishonestyRecord) -> None:
    objection, _code = file_objection(record)
    login(client, world.office_a)
    post(client, f"/staff/cases/objections/{objection.pk}/accept/")

    response = post(client, f"/staff/cases/objections/{objection.pk}/accept/")

    assert response.status_code == 409
    assert 'data-code="illegal_transition"' in response.content.decode()
    assert events(objection=objection) == ["filed", "checking"]
    assert post(client, f"/staff/cases/objections/{objection.pk}/no-such-step/").status_code == 404


@time_machine.travel(NOW, tick=False)
def test_an_objection_upheld_corrects_the_record_and_lifts_the_wrongful_measure(
    client: Client, world: City, record: DishonestyRecord
) -> None:
    objection, _code = file_objection(record)
    objection_accept(actor=world.office_a, objection=objection)
    criticism = record.measures.get(measure_type__code="public_criticism")
    login(client, world.office_a)
    url = f"/staff/cases/objections/{objection.pk}/uphold/"
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.pop("wrongful_measures", None)

    response = client.post(url, {**data, "outcome": "", "reason": ""})
    assert {"outcome"} <= set(response.context["form"].errors)
    response = client.post(url, {**data, "outcome": "corrected", "reason": "无变化。"})
    assert [e.code for e in response.context["form"].errors.as_data().get("__all__", [])] == ["invalid"]
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.CHECKING

    response = client.post(
        url,
        {
            **data,
            "outcome": "corrected",
            "severity": "general",
            "reason": "应为一般失信。",
            "wrongful_measures": [criticism.pk],
        },
    )

    assert response.status_code == 302
    objection.refresh_from_db()
    record.refresh_from_db()
    criticism.refresh_from_db()
    assert (objection.status, objection.outcome) == (ObjectionStatus.UPHELD, "corrected")
    assert (record.status, record.severity) == (RecordStatus.CORRECTED, "general")
    assert (criticism.state, criticism.wrongful) == (MeasureState.LIFTED, True)


@time_machine.travel(NOW, tick=False)
def test_an_objection_upheld_by_revocation_revokes_the_record(
    client: Client, world: City, record: DishonestyRecord
) -> None:
    objection, _code = file_objection(record)
    objection_accept(actor=world.office_a, objection=objection)
    login(client, world.office_a)
    # The correction inputs do not matter for a revocation, even when emptied.
    response = client.post(
        f"/staff/cases/objections/{objection.pk}/uphold/",
        {"outcome": "revoked", "reason": "判决已撤销。", "severity": "", "facts": ""},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == RecordStatus.REVOKED
    assert not record.measures.filter(wrongful=False).exists()


@time_machine.travel(NOW, tick=False)
def test_the_uphold_page_reuses_every_correctable_field(client: Client, world: City, record: DishonestyRecord) -> None:
    from records.services.dishonesty import CORRECTABLE_FIELDS

    objection, _code = file_objection(record)
    objection_accept(actor=world.office_a, objection=objection)
    form = login(client, world.office_a).get(f"/staff/cases/objections/{objection.pk}/uphold/").context["form"]
    assert set(form.fields) >= CORRECTABLE_FIELDS
    # Not upholdable before acceptance: back to the case page.
    other, _code = file_objection(record, grounds="missing")
    assert client.get(f"/staff/cases/objections/{other.pk}/uphold/").status_code == 302


@time_machine.travel(NOW, tick=False)
def test_a_complaint_is_accepted_and_resolved_or_dismissed(
    client: Client, world: City, record: DishonestyRecord
) -> None:
    login(client, world.office_a)
    resolved, dismissed, refused = file_complaint(record), file_complaint(record), file_complaint(record)
    for complaint in (resolved, dismissed):
        assert post(client, f"/staff/cases/complaints/{complaint.pk}/accept/").status_code == 302
    assert (
        post(client, f"/staff/cases/complaints/{resolved.pk}/resolve/", {"reason": "已督促办理。"}).status_code == 302
    )
    response = post(client, f"/staff/cases/complaints/{dismissed.pk}/dismiss/", {"reason": ""})
    assert response.status_code == 200 and events(complaint=dismissed) == ["filed", "handling"]
    post(client, f"/staff/cases/complaints/{dismissed.pk}/dismiss/", {"reason": "投诉不实。"})
    post(client, f"/staff/cases/complaints/{refused.pk}/not-accept/", {"reason": "不属于受理范围。"})
    assert post(client, f"/staff/cases/complaints/{refused.pk}/resolve/", {"reason": "x"}).status_code == 409

    statuses = dict(Complaint.objects.values_list("pk", "status"))
    assert statuses == {
        resolved.pk: ComplaintStatus.RESOLVED,
        dismissed.pk: ComplaintStatus.DISMISSED,
        refused.pk: ComplaintStatus.NOT_ACCEPTED,
    }


@time_machine.travel(REPAIR_DAY, tick=False)
def test_a_repair_is_accepted_material_requested_once_and_granted(
    client: Client, world: City, record: DishonestyRecord
) -> None:
    application, _code = apply_for_repair(world, record)
    base = f"/staff/cases/repairs/{application.pk}"
    login(client, world.office_a)
    post(client, f"{base}/accept/")
    response = post(client, f"{base}/request-material/", {"request": ""})
    assert "request" in action_forms(response)["request_material"].errors
    post(client, f"{base}/request-material/", {"request": "请补充付款凭证。"})
    application.refresh_from_db()
    assert application.status == RepairStatus.MATERIAL_REQUESTED

    from repair.services import repair_supply_material

    repair_supply_material(application=application, statement="见附件。")
    page = client.get(f"{base}/").content.decode()
    assert 'id="request-material-form"' not in page  # once only
    response = post(client, f"{base}/request-material/", {"request": "再补充"})
    assert response.status_code == 409

    assert post(client, f"{base}/grant/", {"reason": "已履行义务并作出信用承诺。"}).status_code == 302
    application.refresh_from_db()
    record.refresh_from_db()
    assert application.status == RepairStatus.GRANTED and application.verification_code
    assert record.status == RecordStatus.REPAIRED
    assert events(repair=application) == ["filed", "accepted", "material_requested", "accepted", "granted"]

    decision = client.get(f"{base}/decision/")
    assert decision.status_code == 200
    assert f'id="verification-code">{application.verification_code}<' in decision.content.decode()
    assert login(Client(), world.outsider).get(f"{base}/decision/").status_code == 404


@time_machine.travel(REPAIR_DAY, tick=False)
def test_a_repair_is_not_accepted_or_refused_with_reasons(
    client: Client, world: City, record: DishonestyRecord
) -> None:
    application, _code = apply_for_repair(world, record)
    base = f"/staff/cases/repairs/{application.pk}"
    for name in ("outsider", "office_b"):
        outsider = login(Client(), getattr(world, name))
        assert outsider.get(f"{base}/").status_code == 404
        assert outsider.post(f"{base}/accept/").status_code == 404
    assert login(Client(), world.reviewer_a).post(f"{base}/accept/").status_code == 403
    login(client, world.office_a)
    assert client.get(f"{base}/decision/").status_code == 404  # nothing decided yet
    post(client, f"{base}/accept/")
    assert post(client, f"{base}/refuse/", {"reason": ""}).status_code == 200
    post(client, f"{base}/refuse/", {"reason": "仍未履行全部义务。"})
    application.refresh_from_db()
    assert application.status == RepairStatus.REFUSED

    second, _code = apply_for_repair(world, record)
    post(client, f"/staff/cases/repairs/{second.pk}/not-accept/", {"reason": "材料不全。"})
    second.refresh_from_db()
    assert second.status == RepairStatus.NOT_ACCEPTED
    assert (
        login(Client(), world.clerk_a).post(f"/staff/cases/repairs/{second.pk}/grant/", {"reason": "x"}).status_code
        == 403
    )


# Mitigation --------------------------------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_the_credit_office_exempts_a_civil_servant_who_made_amends(client: Client, world: City) -> None:
    person_record = publish(world, subject_person=world.person_a)
    measure = person_record.measures.get(measure_type__code="no_honours")
    url = f"/staff/cases/mitigation/{measure.pk}/"
    login(client, world.office_a)
    hub = client.get(f"/staff/cases/record/{person_record.pk}/").content.decode()
    assert f'id="mitigate-{measure.pk}"' in hub

    response = client.post(url, {"kind": "", "reason": "主动挽回全部损失"})
    assert "kind" in response.context["form"].errors
    assert not Mitigation.objects.exists()

    assert client.post(url, {"kind": "exempted", "reason": "主动挽回全部损失"}).status_code == 302

    measure.refresh_from_db()
    assert measure.state == MeasureState.LIFTED
    assert Mitigation.objects.get(measure=measure).approved_by == world.office_a
    response = client.post(url, {"kind": "mitigated", "reason": "再次"})
    assert 'id="existing-mitigation"' in response.content.decode()
    assert Mitigation.objects.count() == 1


@time_machine.travel(NOW, tick=False)
def test_mitigation_is_for_the_office_and_for_personal_measures_only(
    client: Client, world: City, record: DishonestyRecord
) -> None:
    person_record = publish(world, subject_person=world.person_a)
    measure = person_record.measures.get(measure_type__code="no_honours")
    assert login(Client(), world.clerk_a).get(f"/staff/cases/mitigation/{measure.pk}/").status_code == 403
    assert login(Client(), world.outsider).get(f"/staff/cases/mitigation/{measure.pk}/").status_code == 404

    unit_measure = AppliedMeasure.objects.filter(record=record, target_person__isnull=True).first()
    response = login(client, world.office_a).post(
        f"/staff/cases/mitigation/{unit_measure.pk}/", {"kind": "mitigated", "reason": "主动整改"}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Mitigation.objects.exists()


# Filing on a subject's behalf --------------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_the_record_page_links_to_its_cases_and_staff_file_an_objection_for_the_subject(
    client: Client, world: City, record: DishonestyRecord
) -> None:
    login(client, world.clerk_a)
    assert f'href="/staff/cases/record/{record.pk}/"' in client.get(f"/staff/records/{record.pk}/").content.decode()
    hub = client.get(f"/staff/cases/record/{record.pk}/").content.decode()
    assert 'id="file-objection"' in hub

    response = client.post(f"/staff/cases/record/{record.pk}/objection/new/", objection_data(attachments=[]))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert not response.has_header("Location")
    code = code_in(response)
    objection = Objection.objects.get()
    assert (objection.filed_by, objection.query_code_digest) == (world.clerk_a, query_code_digest(code))
    assert f'href="/staff/cases/objections/{objection.pk}/"' in response.content.decode()

    bad = client.post(f"/staff/cases/record/{record.pk}/objection/new/", objection_data(statement=""))
    assert "statement" in bad.context["form"].errors
    assert Objection.objects.count() == 1
    assert login(Client(), world.outsider).get(f"/staff/cases/record/{record.pk}/objection/new/").status_code == 404
    assert client.get(f"/staff/cases/record/{record.pk}/nonsense/new/").status_code == 404


@time_machine.travel(REPAIR_DAY, tick=False)
def test_staff_apply_for_repair_for_the_subject_without_attachments(
    client: Client, world: City, record: DishonestyRecord
) -> None:
    response = login(client, world.office_a).post(
        f"/staff/cases/record/{record.pk}/repair/new/", repair_data(attachments=[])
    )
    code_in(response)
    assert RepairApplication.objects.get().filed_by == world.office_a


@time_machine.travel(NOW, tick=False)
def test_staff_may_not_file_about_a_record_no_longer_in_force(
    client: Client, world: City, record: DishonestyRecord
) -> None:
    from records.services import record_revoke

    record_revoke(actor=world.office_a, record=record, reason="错误录入")
    login(client, world.office_a)
    assert 'id="file-on-behalf"' not in client.get(f"/staff/cases/record/{record.pk}/").content.decode()
    assert client.post(f"/staff/cases/record/{record.pk}/objection/new/", objection_data()).status_code == 403
    assert not Objection.objects.exists()


# Notifications -----------------------------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_notifications_reach_the_agency_and_are_marked_read(
    client: Client, world: City, record: DishonestyRecord
) -> None:
    file_objection(record)  # notifies agency A
    mine = Notification.objects.filter(agency=world.agency_a)
    assert mine.count() == 1
    other = Notification.objects.create(agency=world.agency_b, subject="他单位的通知")
    personal = Notification.objects.create(user=world.clerk_a, subject="个人通知")
    login(client, world.clerk_a)

    response = client.get("/staff/notifications/")
    listed = [n.pk for n in response.context["page"].object_list]
    assert listed == [personal.pk, mine.get().pk]
    assert 'data-count="2"' in response.content.decode()  # the navigation's unread badge

    assert client.post(f"/staff/notifications/{personal.pk}/read/").status_code == 302
    personal.refresh_from_db()
    assert personal.read_at is not None
    assert client.post(f"/staff/notifications/{other.pk}/read/").status_code == 404
    assert client.get(f"/staff/notifications/{personal.pk}/read/").status_code == 405

    client.post("/staff/notifications/read-all/")
    assert not mine.filter(read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None
    assert 'id="nav-unread"' not in client.get("/staff/notifications/").content.decode()


def test_notifications_and_the_nav_count_run_the_same_queries_for_3_or_30(
    client: Client, world: City, django_assert_num_queries: AssertNumQueries
) -> None:
    def add(n: int) -> None:
        for i in range(n):
            Notification.objects.create(agency=world.agency_a, subject=f"通知{i}")

    add(3)
    login(client, world.clerk_a)
    expected = count_queries(client, "/staff/notifications/")
    add(27)
    with django_assert_num_queries(expected):
        response = client.get("/staff/notifications/")
    assert len(response.context["page"].object_list) == 30


# Personal data -----------------------------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_the_full_id_number_never_appears_on_the_case_pages(client: Client, world: City) -> None:
    person_record = publish(world, subject_person=world.person_a)
    objection, _code = file_objection(person_record)
    complaint = file_complaint(person_record, objection)
    login(client, world.office_a)
    for url in (
        "/staff/cases/",
        f"/staff/cases/objections/{objection.pk}/",
        f"/staff/cases/complaints/{complaint.pk}/",
        f"/staff/cases/record/{person_record.pk}/",
        f"/staff/cases/record/{person_record.pk}/objection/new/",
        "/staff/notifications/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert FULL_ID not in response.content.decode(), url
    filed = client.post(f"/staff/cases/record/{person_record.pk}/complaint/new/", filer(statement="处理不当。"))
    assert FULL_ID not in filed.content.decode()
    assert re.search(r'id="query-code" value="[^"]+"', filed.content.decode())


@time_machine.travel(REPAIR_DAY, tick=False)
def test_granted_and_material_requested_repairs_show_on_the_queue(
    client: Client, world: City, record: DishonestyRecord
) -> None:
    application, _code = apply_for_repair(world, record)
    repair_accept(actor=world.office_a, application=application)
    repair_request_material(actor=world.office_a, application=application, request="请补充。")
    response = login(client, world.office_a).get("/staff/cases/?kind=repair&status=material_requested")
    assert queue_ids(response) == {"repair-material_requested": [application.pk]}
    granted = publish(world)
    other, _code = apply_for_repair(world, granted)
    repair_accept(actor=world.office_a, application=other)
    repair_grant(actor=world.office_a, application=other, reason="同意。")
    assert queue_ids(client.get("/staff/cases/?status=granted")) == {"repair-granted": [other.pk]}
