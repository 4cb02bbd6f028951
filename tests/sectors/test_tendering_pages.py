"""Tendering on the staff site, in the API, in Excel and on the public site, and the tenderer agency's own breaches:
the happy paths, the outsider refused, bad input answered in Chinese with nothing written, and lists whose query count
does not grow with their rows."""

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook

from accounts.models import User
from kernel.errors import DomainError, NotAllowed
from records.models import DishonestyRecord
from sectors.excel.tendering import COLUMNS, DATA_SHEET, tendering_import
from sectors.models import BadBehaviour, TenderBreach, TenderProject
from sectors.services.tendering import behaviour_publish, tender_evasion_declare, tendering_daily_run
from tests.conftest import City
from tests.factories import next_uscc
from tests.sectors.procurement_support import at
from tests.sectors.tendering_support import D, expert_id, make_project, make_scheme, record

pytestmark = pytest.mark.django_db
TODAY = D(2026, 11, 2)


@pytest.fixture(autouse=True)
def _clock() -> Any:
    with at(TODAY):
        yield


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def published(world: City, **values: Any) -> BadBehaviour:
    behaviour = record(world.clerk_a, world.agency_a, **values)
    return behaviour_publish(actor=world.clerk_a, behaviour=behaviour)


# The tenderer's own breaches ----------------------------------------------------------------------------------------


def test_a_contract_not_signed_within_thirty_days_of_the_award_proposes_a_candidate(world: City) -> None:
    with at(D(2026, 9, 20)):
        project = make_project(
            world.clerk_a,
            world.agency_a,
            announced_on=D(2026, 8, 1),
            opened_on=D(2026, 8, 20),
            awarded_on=D(2026, 9, 1),
            contract_signed_on=None,
            deposits_refunded_on=None,
        )
    assert not TenderBreach.objects.exists()  # 1 October is the last day
    with at(D(2026, 10, 1)):
        assert tendering_daily_run(today=D(2026, 10, 1)).breaches == 0
    assert tendering_daily_run(today=D(2026, 10, 2)).breaches == 1
    breach = TenderBreach.objects.get(project=project)
    assert breach.kind == "not_signed"
    assert breach.record is not None and breach.record.status == "candidate"
    assert breach.record.subject_agency == world.agency_a
    assert tendering_daily_run(today=D(2026, 10, 3)).breaches == 0  # found once


def test_deposits_refunded_after_five_days_propose_a_candidate_and_on_the_fifth_day_not(world: City) -> None:
    on_time = make_project(
        world.clerk_a, world.agency_a, contract_signed_on=D(2026, 7, 20), deposits_refunded_on=D(2026, 7, 25)
    )
    late = make_project(
        world.clerk_a, world.agency_a, contract_signed_on=D(2026, 7, 20), deposits_refunded_on=D(2026, 7, 26)
    )
    assert not TenderBreach.objects.filter(project=on_time).exists()
    breach = TenderBreach.objects.get(project=late)
    assert breach.kind == "late_refund"
    assert DishonestyRecord.objects.get(pk=breach.record_id).status == "candidate"


def test_an_evasion_is_declared_by_the_credit_office_not_by_the_agency(world: City) -> None:
    project = make_project(world.clerk_a, world.agency_a)
    with pytest.raises(NotAllowed):
        tender_evasion_declare(actor=world.clerk_a, project=project, facts="化整为零规避招标。")
    breach = tender_evasion_declare(actor=world.office_a, project=project, facts="将应招标项目化整为零规避招标。")
    assert breach.kind == "evaded" and breach.record is not None
    with pytest.raises(DomainError):
        tender_evasion_declare(actor=world.office_a, project=project, facts="再次声明。")


def test_project_dates_out_of_order_are_refused_in_chinese_and_nothing_is_written(world: City) -> None:
    with pytest.raises(DomainError) as caught:
        make_project(world.clerk_a, world.agency_a, opened_on=D(2026, 5, 1), winner_uscc="bad", code="")
    errors = caught.value.field_errors()
    assert set(errors) >= {"opened_on", "winner_uscc", "code"}
    assert not TenderProject.objects.exists()


# Staff pages --------------------------------------------------------------------------------------------------------


def test_the_staff_list_shows_records_and_its_query_count_does_not_grow(world: City) -> None:
    make_scheme(world.office_a)
    published(world, party_uscc=next_uscc("91"))
    client = signed_in(world.clerk_a)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/staff/sectors/tendering/").status_code == 200
    for _n in range(4):
        published(world, party_uscc=next_uscc("91"))
    with CaptureQueriesContext(connection) as many:
        response = client.get("/staff/sectors/tendering/")
    assert response.content.count(b"data-behaviour-id=") == 5
    assert len(many) == len(few)
    with CaptureQueriesContext(connection) as parties:
        response = client.get("/staff/sectors/tendering/parties/")
    assert response.content.count(b"data-party-id=") == 5
    assert len(parties) <= len(few)


def test_a_clerk_records_bad_behaviour_through_the_form(world: City) -> None:
    make_scheme(world.office_a)
    client = signed_in(world.clerk_a)
    response = client.post(
        "/staff/sectors/tendering/new/",
        {
            "decided_by": world.agency_a.pk,
            "party_kind": "bidder",
            "party_name": "临江市某建设有限公司",
            "party_uscc": next_uscc("91"),
            "item_code": "B02",
            "document_number": "东财罚〔2026〕1号",
            "decided_on": "2026-10-10",
            "facts": "提供虚假材料。",
        },
    )
    behaviour = BadBehaviour.objects.get()
    assert response.status_code == 302 and response["Location"] == behaviour.get_absolute_url()
    page = client.get(behaviour.get_absolute_url())
    assert b'id="party-score">6<' in page.content


def test_bad_form_input_is_answered_in_chinese_and_nothing_is_written(world: City) -> None:
    make_scheme(world.office_a)
    client = signed_in(world.clerk_a)
    response = client.post(
        "/staff/sectors/tendering/new/",
        {
            "decided_by": world.agency_a.pk,
            "party_kind": "bidder",
            "party_name": "某公司",
            "party_uscc": "123",
            "item_code": "ZZZ",
            "document_number": "1号",
            "decided_on": "2026-10-10",
            "facts": "x",
        },
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 200
    assert "记分事项".encode() in response.content or "事项".encode() in response.content
    assert not BadBehaviour.objects.exists()


def test_the_outsider_sees_none_of_agency_as_records(world: City) -> None:
    make_scheme(world.office_a)
    behaviour = published(world)
    project = make_project(world.clerk_a, world.agency_a)
    client = signed_in(world.outsider)
    assert client.get(behaviour.get_absolute_url()).status_code == 404
    assert client.post(f"/staff/sectors/tendering/{behaviour.pk}/publish/").status_code == 404
    assert client.get(project.get_absolute_url()).status_code == 404
    assert b"data-behaviour-id" not in client.get("/staff/sectors/tendering/").content
    assert client.get(f"/api/v1/sectors/tendering/behaviours/{behaviour.pk}/").status_code == 404
    assert client.get(f"/api/v1/sectors/tendering/projects/{project.pk}/").status_code == 404


# API ----------------------------------------------------------------------------------------------------------------


def test_the_api_records_bad_behaviour_and_refuses_bad_input_with_nothing_written(world: City) -> None:
    make_scheme(world.office_a)
    client = signed_in(world.clerk_a)
    good = {
        "decided_by": world.agency_a.pk,
        "party_kind": "expert",
        "party_name": "王建国",
        "party_id_number": expert_id(),
        "item_code": "E01",
        "document_number": "东财罚〔2026〕9号",
        "decided_on": "2026-10-10",
        "facts": "私下接触投标人。",
    }
    bad = client.post(
        "/api/v1/sectors/tendering/behaviours/",
        {**good, "party_id_number": "110101199001011234", "item_code": "B01"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) >= {"party_id_number", "item_code"}
    assert not BadBehaviour.objects.exists()
    made = client.post("/api/v1/sectors/tendering/behaviours/", good, content_type="application/json")
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["party"]["name"] != "王某"  # staff see the name
    assert body["party"]["code"] == expert_id()[:4] + "*" * 10 + expert_id()[-4:]
    assert body["party"]["score"] == 6
    outsider = signed_in(world.outsider)
    assert outsider.post(
        "/api/v1/sectors/tendering/behaviours/", good, content_type="application/json"
    ).status_code in (400, 403)


def test_api_lists_take_constant_queries(world: City) -> None:
    make_scheme(world.office_a)
    published(world, party_uscc=next_uscc("91"))
    client = signed_in(world.clerk_a)
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/sectors/tendering/behaviours/")
    for _n in range(4):
        published(world, party_uscc=next_uscc("91"), item_code="B01")
    with CaptureQueriesContext(connection) as many:
        response = client.get("/api/v1/sectors/tendering/behaviours/")
    assert len(response.json()["results"]) == 5
    assert len(many) == len(few)


# Excel --------------------------------------------------------------------------------------------------------------


def workbook(rows: list[list[Any]]) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = DATA_SHEET
    sheet.append([column.header for column in COLUMNS])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("不良行为.xlsx", out.getvalue())


def test_the_excel_import_writes_all_rows_or_none(world: City) -> None:
    make_scheme(world.office_a)
    uscc = world.agency_a.uscc
    good = [
        uscc,
        "投标人",
        "临江某公司",
        next_uscc("91"),
        None,
        "B03",
        "东财罚〔2026〕3号",
        "2026-10-01",
        "放弃中标。",
        "",
    ]
    bad = [uscc, "投标人", "临江另一公司", "123", None, "NOPE", "东财罚〔2026〕4号", "2026-10-01", "放弃中标。", ""]
    outcome = tendering_import(actor=world.clerk_a, upload=workbook([good, bad]))
    assert outcome.created == 0 and {e.row for e in outcome.errors} == {3}
    assert not BadBehaviour.objects.exists()
    outcome = tendering_import(actor=world.clerk_a, upload=workbook([good]))
    assert outcome.created == 1 and not outcome.errors
    assert tendering_import(actor=world.outsider, upload=workbook([good])).created == 0


def test_the_export_imports_again(world: City) -> None:
    make_scheme(world.office_a)
    published(world)
    response = signed_in(world.clerk_a).get("/staff/sectors/tendering/excel/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)))[DATA_SHEET]  # type: ignore[attr-defined]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][: len(COLUMNS)] == tuple(column.header for column in COLUMNS)
    assert len(rows) == 2


# Public pages -------------------------------------------------------------------------------------------------------


def test_the_public_pages_show_sanctions_in_force_notices_in_their_period_and_agents(world: City) -> None:
    make_scheme(world.office_a)
    published(world, item_code="B01", decided_on=D(2026, 9, 1))  # blacklisted from 1 September
    published(
        world, party_kind="agent", party_name="临江某招标代理有限公司", party_uscc=next_uscc("91"), item_code="A01"
    )
    unpublished = record(world.clerk_a, world.agency_a, party_uscc=next_uscc("91"), item_code="B01")
    expert = published(
        world, party_kind="expert", party_name="王建国", party_uscc="", party_id_number=expert_id(), item_code="E01"
    )
    client = Client()
    blacklist = client.get("/tendering/blacklist/").content.decode()
    assert blacklist.count("data-sanction-id=") == 3  # the bidder's suspension and blacklisting, the expert's
    assert "王某" in blacklist and "王建国" not in blacklist and expert_id() not in blacklist
    notices = client.get("/tendering/bad-behaviour/").content.decode()
    assert f'data-behaviour-id="{expert.pk}"' in notices
    assert f'data-behaviour-id="{unpublished.pk}"' not in notices
    agents = client.get("/tendering/agents/").content.decode()
    assert agents.count("data-party-id=") == 1 and "<td data-score>4</td>" in agents


def test_notices_leave_the_public_site_after_their_period(world: City, settings: Any) -> None:
    settings.TENDERING_PUBLIC_MONTHS = 6
    make_scheme(world.office_a)
    with at(D(2026, 3, 2)):
        behaviour = published(world, decided_on=D(2026, 3, 2))
    with at(D(2026, 9, 1)):
        assert f'data-behaviour-id="{behaviour.pk}"'.encode() in Client().get("/tendering/bad-behaviour/").content
    with at(D(2026, 9, 2)):
        assert f'data-behaviour-id="{behaviour.pk}"'.encode() not in Client().get("/tendering/bad-behaviour/").content
        assert signed_in(world.clerk_a).get(behaviour.get_absolute_url()).status_code == 200


def test_public_lists_take_constant_queries(world: City) -> None:
    make_scheme(world.office_a)
    published(world, item_code="B01", party_uscc=next_uscc("91"))
    published(world, party_kind="agent", party_name="某代理", party_uscc=next_uscc("91"), item_code="A01")
    client = Client()
    with CaptureQueriesContext(connection) as few:
        client.get("/tendering/blacklist/")
        client.get("/tendering/agents/?page=1")
    for _n in range(3):
        published(world, item_code="B01", party_uscc=next_uscc("91"))
        published(world, party_kind="agent", party_name="某代理", party_uscc=next_uscc("91"), item_code="A01")
    with CaptureQueriesContext(connection) as many:
        client.get("/tendering/blacklist/?page=1")
        client.get("/tendering/agents/?page=")
    assert len(many) <= len(few)
