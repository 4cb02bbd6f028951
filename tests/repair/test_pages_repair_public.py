"""The public pages of objections, complaints and credit repair: filing without an account, the query code shown
once, tracking by code (POST only, neutral when wrong, throttled), supplying material, the repair decision and its
public verification."""

import datetime
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.utils import override_settings

from records.models import DishonestyRecord
from records.services import record_publish, record_submit
from repair.models import CaseEvent, Complaint, Objection, ObjectionStatus, RepairApplication, RepairStatus
from repair.query_codes import query_code_digest
from repair.services import (
    objection_accept,
    objection_file,
    objection_reject,
    repair_accept,
    repair_apply,
    repair_grant,
    repair_request_material,
)
from tests.conftest import City
from tests.factories import make_record

D = datetime.date
NOW = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=datetime.UTC)  # a Monday
REPAIR_DAY = datetime.datetime(2027, 7, 1, 10, 0, tzinfo=datetime.UTC)  # after a serious record's minimum period
FULL_ID = "33010219850312148X"
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
CODE_IN_PAGE = re.compile(r'id="query-code" value="([^"]+)"')


# Setup --------------------------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def configure_calendar() -> None:
    from workcalendar.models import CalendarYear
    from workcalendar.services import calendar_year_seed

    calendar_year_seed(year=2026)
    # 2027 is past the holiday library's data: a configured year with no exceptions is enough for these tests.
    CalendarYear.objects.get_or_create(year=2027, defaults={"source": "测试"})


def publish(world: City, **overrides: Any) -> DishonestyRecord:
    """A serious record decided 2026-06-01, published on NOW: disclosed, repairable by REPAIR_DAY."""
    configure_calendar()
    with time_machine.travel(NOW, tick=False):
        values: dict[str, Any] = {"severity": "serious", "decision_date": D(2026, 6, 1), **overrides}
        record = make_record(world.clerk_a, world.agency_a, **values)
        record_submit(actor=world.reviewer_a, record=record)
        return record_publish(actor=world.office_a, record=record, today=D(2026, 11, 2))


@pytest.fixture
def record(world: City) -> DishonestyRecord:
    return publish(world)


@pytest.fixture
def person_record(world: City) -> DishonestyRecord:
    return publish(world, subject_person=world.person_a)


@pytest.fixture
def now() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def repair_day() -> Iterator[None]:
    with time_machine.travel(REPAIR_DAY, tick=False):
        yield


def pdf(name: str = "证明.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def filer(**overrides: Any) -> dict[str, Any]:
    return {
        "filer_name": "王律师",
        "filer_contact": "13800000000",
        "filer_email": "filer@example.com",
        "commitment_signed": "on",
        **overrides,
    }


def objection_data(**overrides: Any) -> dict[str, Any]:
    return filer(**{"grounds": "wrong", "statement": "文书号与法院判决不一致。", "attachments": [pdf()], **overrides})


def repair_data(**overrides: Any) -> dict[str, Any]:
    return filer(**{"statement": "已全额支付拖欠款项。", "attachments": [pdf("付款凭证.pdf")], **overrides})


def code_in(response: Any) -> str:
    found = CODE_IN_PAGE.findall(response.content.decode())
    assert len(found) == 1, "the query code is shown exactly once"
    return found[0]


def field_errors(response: Any) -> set[str]:
    return set(response.context["form"].errors)


def file_objection(record: DishonestyRecord, grounds: str = "wrong") -> tuple[Objection, str]:
    return objection_file(
        record=record,
        grounds=grounds,
        statement="信息有误。",
        filer_name="王律师",
        filer_contact="13800000000",
        commitment_signed=True,
    )


def apply_for_repair(world: City, record: DishonestyRecord) -> tuple[RepairApplication, str]:
    return repair_apply(
        record=record,
        statement="已全额支付拖欠款项。",
        filer_name="东城区财政局",
        filer_contact="0571-0000000",
        commitment_signed=True,
        attachments=[pdf()],
    )


def track(client: Client, code: str, **extra: Any) -> Any:
    return client.post("/track/", {"code": code}, **extra)


# Filing an objection ------------------------------------------------------------------------------------------------


def test_the_objection_form_is_offered_for_a_disclosed_record(
    client: Client, record: DishonestyRecord, now: None
) -> None:
    response = client.get(f"/objections/new/{record.pk}/")
    assert response.status_code == 200
    assert 'id="objection-form"' in response.content.decode()
    assert "no-store" in response["Cache-Control"]


@pytest.mark.usefixtures("now")
def test_an_objection_is_filed_and_its_query_code_shown_once(client: Client, record: DishonestyRecord) -> None:
    response = client.post(f"/objections/new/{record.pk}/", objection_data())

    assert response.status_code == 200
    assert not response.has_header("Location")
    assert "no-store" in response["Cache-Control"]
    code = code_in(response)
    objection = Objection.objects.get()
    assert objection.query_code_digest == query_code_digest(code)
    assert (objection.record, objection.grounds, objection.filed_by) == (record, "wrong", None)
    assert objection.attachments.count() == 1
    assert code not in response.request["PATH_INFO"]
    # Never again: the form page shows no code, and the code is nowhere stored in clear.
    assert code not in client.get(f"/objections/new/{record.pk}/").content.decode()
    assert not Objection.objects.filter(query_code_digest=code).exists()


@pytest.mark.usefixtures("now")
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"filer_name": ""}, "filer_name"),
        ({"filer_contact": " "}, "filer_contact"),
        ({"statement": ""}, "statement"),
        ({"grounds": ""}, "grounds"),
        ({"grounds": "because"}, "grounds"),
        ({"commitment_signed": ""}, "commitment_signed"),
        ({"filer_email": "not-an-address"}, "filer_email"),
        (
            {"attachments": [SimpleUploadedFile("x.pdf", b"<html><script>alert(1)</script>", "application/pdf")]},
            "attachments",
        ),
    ],
)
def test_a_bad_objection_shows_the_error_on_its_field_and_writes_nothing(
    client: Client, record: DishonestyRecord, overrides: dict[str, Any], field: str
) -> None:
    data = objection_data(**overrides)
    if data["commitment_signed"] == "":
        del data["commitment_signed"]
    response = client.post(f"/objections/new/{record.pk}/", data)

    assert response.status_code == 200
    assert field in field_errors(response)
    assert 'id="query-code"' not in response.content.decode()
    assert not Objection.objects.exists()
    assert not CaseEvent.objects.exists()


@pytest.mark.usefixtures("now")
def test_a_second_open_objection_on_the_same_grounds_is_refused_on_the_grounds_field(
    client: Client, record: DishonestyRecord
) -> None:
    client.post(f"/objections/new/{record.pk}/", objection_data())
    response = client.post(f"/objections/new/{record.pk}/", objection_data())
    assert "grounds" in field_errors(response)
    assert Objection.objects.count() == 1


@pytest.mark.usefixtures("now")
@pytest.mark.parametrize("url", ["/objections/new/{pk}/", "/complaints/new/{pk}/", "/repair/apply/{pk}/"])
def test_a_record_that_is_not_disclosed_has_no_public_forms(client: Client, world: City, url: str) -> None:
    draft = make_record(world.clerk_a, world.agency_a)
    for pk in (draft.pk, 999_999):
        assert client.get(url.format(pk=pk)).status_code == 404
        response = client.post(url.format(pk=pk), objection_data())
        assert response.status_code == 404
    assert not Objection.objects.exists() and not Complaint.objects.exists() and not RepairApplication.objects.exists()


@pytest.mark.usefixtures("now")
def test_filing_is_throttled_per_client_address(client: Client, record: DishonestyRecord, settings: Any) -> None:
    settings.REPAIR_FILING_LIMIT = 2
    url = f"/objections/new/{record.pk}/"
    assert client.post(url, objection_data(grounds="wrong")).status_code == 200
    assert client.post(url, objection_data(filer_name="")).status_code == 200  # sent back: it does not count
    assert client.post(url, objection_data(grounds="duplicated", filer_contact="13900000000")).status_code == 200

    response = client.post(url, objection_data(grounds="missing", filer_contact="13700000000"))

    assert response.status_code == 429
    assert 'id="throttled"' in response.content.decode()
    assert int(response["Retry-After"]) > 0
    assert Objection.objects.count() == 2
    # Another address is not held up.
    assert client.post(url, objection_data(grounds="missing"), REMOTE_ADDR="10.1.2.3").status_code == 200
    assert Objection.objects.count() == 3


@pytest.mark.usefixtures("now")
def test_behind_the_proxy_each_client_has_its_own_allowance(
    client: Client, record: DishonestyRecord, settings: Any
) -> None:
    settings.REPAIR_LOOKUP_LIMIT = 1
    settings.AXES_IPWARE_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    assert track(client, "guess", HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy).status_code == 404
    assert track(client, "guess", HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy).status_code == 429
    # A client cannot pose as another by sending its own X-Forwarded-For: the proxy appends the real address.
    assert track(client, "guess", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7", **proxy).status_code == 429
    assert track(client, "guess", HTTP_X_FORWARDED_FOR="203.0.113.8", **proxy).status_code == 404


@pytest.mark.usefixtures("now")
def test_the_public_forms_need_a_csrf_token(record: DishonestyRecord) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.post(f"/objections/new/{record.pk}/", objection_data()).status_code == 403
    assert client.post("/track/", {"code": "x" * 22}).status_code == 403
    assert not Objection.objects.exists()


# Credit repair -------------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("now")
def test_before_the_earliest_repair_date_the_page_says_from_when(client: Client, record: DishonestyRecord) -> None:
    response = client.get(f"/repair/apply/{record.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert f'data-from="{record.earliest_repair_on.isoformat()}"' in page
    assert 'id="repair-form"' not in page

    # The service is the judge even for a hand-made POST.
    response = client.post(f"/repair/apply/{record.pk}/", repair_data())
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["__all__"]] == ["too_early"]
    assert not RepairApplication.objects.exists()


@pytest.mark.usefixtures("repair_day")
def test_a_repair_application_is_filed_with_its_proof_and_commitment(client: Client, record: DishonestyRecord) -> None:
    page = client.get(f"/repair/apply/{record.pk}/").content.decode()
    assert 'id="repair-form"' in page and 'id="credit-commitment"' in page

    response = client.post(f"/repair/apply/{record.pk}/", repair_data())

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    code = code_in(response)
    application = RepairApplication.objects.get()
    assert application.query_code_digest == query_code_digest(code)
    assert application.status == RepairStatus.FILED and application.attachments.count() == 1


@pytest.mark.usefixtures("repair_day")
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"attachments": []}, "attachments"),
        ({"statement": ""}, "statement"),
        ({"filer_name": ""}, "filer_name"),
    ],
)
def test_a_bad_repair_application_writes_nothing(
    client: Client, record: DishonestyRecord, overrides: dict[str, Any], field: str
) -> None:
    response = client.post(f"/repair/apply/{record.pk}/", repair_data(**overrides))
    assert response.status_code == 200
    assert field in field_errors(response)
    assert not RepairApplication.objects.exists()


@pytest.mark.usefixtures("repair_day")
def test_an_unsigned_credit_commitment_is_refused(client: Client, record: DishonestyRecord) -> None:
    data = repair_data()
    del data["commitment_signed"]
    response = client.post(f"/repair/apply/{record.pk}/", data)
    assert "commitment_signed" in field_errors(response)
    assert not RepairApplication.objects.exists()


@pytest.mark.usefixtures("repair_day")
def test_repair_filing_is_throttled(client: Client, record: DishonestyRecord, settings: Any) -> None:
    settings.REPAIR_FILING_LIMIT = 1
    client.post(f"/repair/apply/{record.pk}/", repair_data(statement=""))
    assert client.post(f"/repair/apply/{record.pk}/", repair_data()).status_code == 200
    assert client.post(f"/repair/apply/{record.pk}/", repair_data()).status_code == 429
    assert RepairApplication.objects.count() == 1


# Complaints --------------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("now")
def test_a_complaint_is_filed_and_routed_to_the_credit_office_above(
    client: Client, world: City, record: DishonestyRecord
) -> None:
    response = client.post(f"/complaints/new/{record.pk}/", filer(statement="异议超期未处理。"))
    code = code_in(response)
    complaint = Complaint.objects.get()
    assert complaint.query_code_digest == query_code_digest(code)
    assert complaint.handling_agency == world.district_a and complaint.objection is None


@pytest.mark.usefixtures("now")
def test_a_complaint_carries_its_evidence_files(client: Client, world: City, record: DishonestyRecord) -> None:
    page = client.get(f"/complaints/new/{record.pk}/").content.decode()

    response = client.post(
        f"/complaints/new/{record.pk}/", filer(statement="异议超期未处理。", attachments=[pdf("催办记录.pdf")])
    )

    assert 'enctype="multipart/form-data"' in page and 'type="file" name="attachments"' in page
    code_in(response)
    complaint = Complaint.objects.get()
    assert list(complaint.attachments.values_list("original_name", flat=True)) == ["催办记录.pdf"]


@pytest.mark.usefixtures("now")
def test_a_complaint_with_a_file_that_is_not_evidence_writes_nothing(client: Client, record: DishonestyRecord) -> None:
    bad = SimpleUploadedFile("script.pdf", b"#!/bin/sh\nrm -rf /\n", content_type="application/pdf")

    response = client.post(f"/complaints/new/{record.pk}/", filer(statement="异议超期未处理。", attachments=[bad]))

    assert response.status_code == 200
    assert "attachments" in response.context["form"].errors
    assert not Complaint.objects.exists()


@pytest.mark.usefixtures("now")
def test_a_complaint_about_an_objection_names_it_by_the_objections_query_code(
    client: Client, record: DishonestyRecord
) -> None:
    objection, objection_code = file_objection(record)
    response = client.post(
        f"/complaints/new/{record.pk}/", filer(statement="处理不当。", objection_code="not-" + objection_code)
    )
    assert "objection_code" in field_errors(response)
    assert not Complaint.objects.exists()

    client.post(f"/complaints/new/{record.pk}/", filer(statement="处理不当。", objection_code=objection_code))
    assert Complaint.objects.get().objection == objection


@pytest.mark.usefixtures("now")
def test_a_bad_complaint_writes_nothing_and_filing_is_throttled(
    client: Client, record: DishonestyRecord, settings: Any
) -> None:
    settings.REPAIR_FILING_LIMIT = 1
    response = client.post(f"/complaints/new/{record.pk}/", filer(statement=""))
    assert "statement" in field_errors(response)
    assert not Complaint.objects.exists()
    assert client.post(f"/complaints/new/{record.pk}/", filer(statement="处理不当。")).status_code == 200
    assert client.post(f"/complaints/new/{record.pk}/", filer(statement="处理不当。")).status_code == 429
    assert Complaint.objects.count() == 1


# Tracking ----------------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("now")
def test_the_right_code_shows_the_case_without_staff_names(
    client: Client, world: City, record: DishonestyRecord
) -> None:
    objection, code = file_objection(record)
    objection_accept(actor=world.office_a, objection=objection)
    objection_reject(actor=world.office_a, objection=objection, reason="经核实，信息准确。")

    response = track(client, code)

    page = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert f'data-status="{ObjectionStatus.REJECTED}"' in page
    assert "经核实，信息准确。" in page
    assert [e.to_status for e in response.context["events"]] == ["filed", "checking", "rejected"]
    assert all(e.actor is None for e in response.context["events"])
    assert world.office_a.username not in page
    assert code not in page
    assert f'href="/complaints/new/{record.pk}/"' in page  # complain about how the objection was handled


@pytest.mark.usefixtures("now")
def test_a_wrong_code_gets_the_same_neutral_answer(client: Client, record: DishonestyRecord) -> None:
    _objection, code = file_objection(record)
    for wrong in (code[:-1], code + "x", "0" * 22, "小写的码"):
        response = track(client, wrong)
        assert response.status_code == 404
        assert 'id="track-not-found"' in response.content.decode()
        assert "tracked-case" not in response.content.decode()


@pytest.mark.usefixtures("now")
def test_a_code_in_the_query_string_is_never_looked_up(client: Client, record: DishonestyRecord) -> None:
    _objection, code = file_objection(record)
    response = client.get(f"/track/?code={code}")
    assert response.status_code == 200
    assert 'id="tracked-case"' not in response.content.decode()
    assert 'method="post"' in response.content.decode()


@pytest.mark.usefixtures("now")
def test_guessing_codes_is_throttled_per_address(client: Client, record: DishonestyRecord, settings: Any) -> None:
    settings.REPAIR_LOOKUP_LIMIT = 3
    _objection, code = file_objection(record)
    for n in range(3):
        assert track(client, f"guess-{n:018d}").status_code == 404

    response = track(client, code)  # even the right code, once the allowance is spent

    assert response.status_code == 429
    assert 'id="throttled"' in response.content.decode()
    assert track(client, code, REMOTE_ADDR="10.9.9.9").status_code == 200


@pytest.mark.usefixtures("repair_day")
def test_the_filer_supplies_requested_material_from_the_tracking_page(
    client: Client, world: City, record: DishonestyRecord
) -> None:
    application, code = apply_for_repair(world, record)
    repair_accept(actor=world.office_a, application=application)
    repair_request_material(actor=world.office_a, application=application, request="请补充付款凭证。")

    response = track(client, code)
    assert 'id="supply-form"' in response.content.decode()
    token = response.context["supply_form"]["token"].value()
    assert code not in token

    response = client.post("/track/material/", {"token": token, "statement": "", "attachments": []})
    assert "statement" in response.context["supply_form"].errors
    application.refresh_from_db()
    assert application.status == RepairStatus.MATERIAL_REQUESTED

    response = client.post(
        "/track/material/", {"token": token, "statement": "付款凭证见附件。", "attachments": [pdf()]}
    )

    assert response.status_code == 200
    assert 'id="material-received"' in response.content.decode()
    application.refresh_from_db()
    assert application.status == RepairStatus.ACCEPTED
    assert application.attachments.count() == 2
    assert CaseEvent.objects.filter(repair=application).last().to_status == RepairStatus.ACCEPTED


@pytest.mark.usefixtures("repair_day")
def test_a_forged_or_stale_material_form_is_refused(client: Client, world: City, record: DishonestyRecord) -> None:
    application, code = apply_for_repair(world, record)
    repair_accept(actor=world.office_a, application=application)
    repair_request_material(actor=world.office_a, application=application, request="请补充付款凭证。")
    token = track(client, code).context["supply_form"]["token"].value()

    forged = client.post("/track/material/", {"token": token[:-2] + "xx", "statement": "材料"})
    assert forged.status_code == 400 and 'id="track-expired"' in forged.content.decode()
    with time_machine.travel(REPAIR_DAY + datetime.timedelta(hours=2), tick=False):
        stale = client.post("/track/material/", {"token": token, "statement": "材料"})
    assert stale.status_code == 400
    application.refresh_from_db()
    assert application.status == RepairStatus.MATERIAL_REQUESTED


@pytest.mark.usefixtures("repair_day")
def test_material_sent_after_the_application_was_decided_is_refused_with_a_reason(
    client: Client, world: City, record: DishonestyRecord
) -> None:
    from repair.services import repair_refuse

    application, code = apply_for_repair(world, record)
    repair_accept(actor=world.office_a, application=application)
    repair_request_material(actor=world.office_a, application=application, request="请补充付款凭证。")
    token = track(client, code).context["supply_form"]["token"].value()
    repair_refuse(actor=world.office_a, application=application, reason="逾期未补充。")

    response = client.post("/track/material/", {"token": token, "statement": "材料"})

    assert response.status_code == 200
    assert 'id="supply-error"' in response.content.decode()
    application.refresh_from_db()
    assert application.status == RepairStatus.REFUSED
    assert CaseEvent.objects.filter(repair=application).count() == 4


# The repair decision -----------------------------------------------------------------------------------------------


def granted(world: City, record: DishonestyRecord) -> tuple[RepairApplication, str]:
    application, code = apply_for_repair(world, record)
    repair_accept(actor=world.office_a, application=application)
    repair_grant(actor=world.office_a, application=application, reason="已履行义务并作出信用承诺。")
    application.refresh_from_db()
    return application, code


@pytest.mark.usefixtures("repair_day")
def test_a_granted_repair_links_to_a_printable_decision_without_the_query_code(
    client: Client, world: City, record: DishonestyRecord
) -> None:
    application, code = granted(world, record)
    page = track(client, code).content.decode()
    link = re.search(r'href="(/repair/decision/[^"]+/)" id="decision-link"', page)
    assert link is not None
    assert code not in link.group(1)

    response = client.get(link.group(1))

    document = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert f'id="verification-code">{application.verification_code}<' in document
    assert world.district_a.name in document  # the deciding credit office's agency
    assert record.document_number in document
    assert 'id="decision-date"' in document and "repair.css" in document
    # The link is short-lived.
    with time_machine.travel(REPAIR_DAY + datetime.timedelta(minutes=30), tick=False):
        assert client.get(link.group(1)).status_code == 404


@pytest.mark.usefixtures("repair_day")
def test_a_decision_link_for_an_application_not_granted_finds_nothing(
    client: Client, world: City, record: DishonestyRecord
) -> None:
    from repair.views.public import decision_token

    application, _code = apply_for_repair(world, record)
    assert client.get(f"/repair/decision/{decision_token(application)}/").status_code == 404
    assert client.get("/repair/decision/garbage/").status_code == 404


@pytest.mark.usefixtures("repair_day")
def test_anyone_can_verify_a_decision_and_learns_no_personal_data(
    client: Client, world: City, person_record: DishonestyRecord
) -> None:
    application, _code = granted(world, person_record)

    response = client.get(f"/repair/verify/{application.verification_code.lower()}/")

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="verify-valid"' in page
    assert person_record.document_number in page and world.district_a.name in page
    assert "张某" in page
    for personal in ("张伟", FULL_ID, application.filer_contact, application.filer_name):
        assert personal not in page
    assert client.get("/repair/verify/0000000000000000/").status_code == 404


@pytest.mark.usefixtures("repair_day")
@override_settings(REPAIR_LOOKUP_LIMIT=2)
def test_verification_lookups_are_throttled(client: Client, world: City, record: DishonestyRecord) -> None:
    application, _code = granted(world, record)
    client.get("/repair/verify/AAAA/")
    client.get("/repair/verify/BBBB/")
    assert client.get(f"/repair/verify/{application.verification_code}/").status_code == 429


# Personal data -----------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("now")
def test_a_record_about_a_civil_servant_names_them_by_surname_only(
    client: Client, world: City, person_record: DishonestyRecord
) -> None:
    pages = [
        client.get(f"/{path}/{person_record.pk}/") for path in ("objections/new", "complaints/new", "repair/apply")
    ]
    filed = client.post(f"/objections/new/{person_record.pk}/", objection_data())
    pages += [filed, track(client, code_in(filed))]
    for response in pages:
        page = response.content.decode()
        assert response.status_code == 200
        assert "张某" in page
        assert "张伟" not in page
        assert FULL_ID not in page
