"""Honest street and town pages, API, public pages and Excel: the happy path, the outsider refused, bad input in
Chinese with nothing written, lists in a number of queries that does not grow with their rows."""

import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from rest_framework.test import APIClient

from accounts.models import User
from sectors.models import CreationApplication, CreationEvent
from sectors.models.streets import CreationStatus
from sectors.services.streets import application_create, creation_watch_run, veto_declare
from subjects.models import AgencyKind
from tests.factories import make_agency
from tests.sectors.streets_support import TODAY, D, Streets, application_input, at, evidence, in_notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def s(world):
    with at(TODAY):
        yield Streets(world)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def more_streets(s: Streets, count: int) -> None:
    for n in range(count):
        street = make_agency(f"东城区测试{n}街道办事处", parent=s.world.district_a, kind=AgencyKind.SUBDISTRICT)
        application_create(actor=s.world.office_a, data=application_input(street))


def test_the_staff_list_and_page_show_the_application_and_its_criteria(s):
    application = application_create(actor=s.street_clerk, data=application_input(s.street))
    client = signed_in(s.world.office_a)
    listed = client.get("/staff/sectors/streets/?year=2026&status=district_review")
    page = client.get(f"/staff/sectors/streets/{application.pk}/")
    assert listed.status_code == 200 and "东城区东湖街道办事处" in listed.content.decode()
    text = page.content.decode()
    assert page.status_code == 200
    assert 'data-code="A1" data-met="1"' in text and 'id="district-pass"' in text
    assert "待区级审核" in text


def test_the_staff_list_and_the_api_list_take_the_same_queries_for_more_rows(s):
    more_streets(s, 1)
    client, api_client = signed_in(s.world.office_a), api(s.world.office_a)
    with CaptureQueriesContext(connection) as few:
        client.get("/staff/sectors/streets/")
    with CaptureQueriesContext(connection) as few_api:
        api_client.get("/api/v1/sectors/streets/applications/")
    more_streets(s, 4)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/staff/sectors/streets/").content.decode().count("data-application=") == 5
    with CaptureQueriesContext(connection) as many_api:
        assert len(api_client.get("/api/v1/sectors/streets/applications/").json()["results"]) == 5
    assert len(many) == len(few)
    assert len(many_api) == len(few_api)


def test_the_district_passes_and_returns_by_the_buttons(s):
    application = application_create(actor=s.street_clerk, data=application_input(s.street))
    client = signed_in(s.world.office_a)
    refused = client.post(f"/staff/sectors/streets/{application.pk}/review/district-return/", {"reason": ""})
    assert refused.status_code == 400 and "请填写原因。" in refused.content.decode()
    assert CreationEvent.objects.filter(application=application).count() == 1
    done = client.post(f"/staff/sectors/streets/{application.pk}/review/district-pass/")
    assert done.status_code == 302
    application.refresh_from_db()
    assert application.status == CreationStatus.CITY_REVIEW
    assert (
        signed_in(s.world.office_a).post(f"/staff/sectors/streets/{application.pk}/review/city-pass/").status_code
        == 403
    )


def test_the_outsider_gets_not_found(s):
    application = application_create(actor=s.street_clerk, data=application_input(s.street))
    client = signed_in(s.world.outsider)
    assert client.get(f"/staff/sectors/streets/{application.pk}/").status_code == 404
    assert client.post(f"/staff/sectors/streets/{application.pk}/review/district-pass/").status_code == 404
    assert client.get("/staff/sectors/streets/apply/2026/").status_code == 403
    assert "东湖街道" not in client.get("/staff/sectors/streets/").content.decode()
    assert api(s.world.outsider).get(f"/api/v1/sectors/streets/applications/{application.pk}/").status_code == 404
    response = api(s.world.outsider).post(
        f"/api/v1/sectors/streets/applications/{application.pk}/review/", {"decision": "district_pass"}, format="json"
    )
    assert response.status_code == 404
    application.refresh_from_db()
    assert application.status == CreationStatus.DISTRICT_REVIEW


def test_the_apply_form_applies_and_refuses_bad_input_in_chinese(s):
    client = signed_in(s.street_clerk)
    assert client.get("/staff/sectors/streets/apply/2026/").status_code == 200
    bad = client.post(
        "/staff/sectors/streets/apply/2026/",
        {"agency": s.street.pk, "self_evaluation": "", "met_M1": "on", "note_M1": ""},
    )
    text = bad.content.decode()
    assert bad.status_code == 400
    assert "请填写自评情况。" in text and "请说明标准M1如何达到。" in text and "请上传标准M1已达到的佐证材料。" in text
    assert not CreationApplication.objects.exists()
    good = client.post(
        "/staff/sectors/streets/apply/2026/",
        {
            "agency": s.street.pk,
            "self_evaluation": "逐项自评。",
            "met_M1": "on",
            "note_M1": "已建立。",
            "file_M1": evidence(),
        },
    )
    assert good.status_code == 302
    application = CreationApplication.objects.get()
    evidence_row = application.answers.get().evidence.get()
    download = client.get(f"/staff/sectors/streets/{application.pk}/evidence/{evidence_row.pk}/")
    assert download.status_code == 200


def test_the_api_reviews_and_refuses_bad_input(s):
    application = application_create(actor=s.street_clerk, data=application_input(s.street))
    client = api(s.world.office_a)
    refused = client.post(
        f"/api/v1/sectors/streets/applications/{application.pk}/review/", {"decision": "district_return"}, format="json"
    )
    assert refused.status_code == 400
    done = client.post(
        f"/api/v1/sectors/streets/applications/{application.pk}/review/", {"decision": "district_pass"}, format="json"
    )
    assert done.status_code == 200 and done.json()["status"] == "city_review"
    again = client.post(
        f"/api/v1/sectors/streets/applications/{application.pk}/review/", {"decision": "district_pass"}, format="json"
    )
    assert again.status_code in (403, 409)
    assert [e["kind"] for e in done.json()["events"]] == ["applied", "district_passed"]


def test_the_public_pages_list_named_revoked_and_in_notice(s):
    application = in_notice(s)
    other = make_agency("东城区桃源镇人民政府", parent=s.world.district_a, kind=AgencyKind.TOWN)
    public = Client()
    listed = public.get("/honest-streets/").content.decode()
    assert "东城区东湖街道办事处" in listed and "公示期2026-11-02至2026-11-06" in listed
    with at(D(2026, 11, 9)):
        creation_watch_run()
        page = public.get(f"/honest-streets/{application.pk}/").content.decode()
        assert "2026年度诚信街道" in page and "年度内无严重失信记录" in page
        veto_declare(actor=s.world.office_a, agency=s.street, year=2026, reason="重大失信事件")
        listed = public.get("/honest-streets/").content.decode()
    assert "已撤销命名" in listed and "重大失信事件" in listed
    returned = application_create(actor=s.world.office_a, data=application_input(other))
    assert public.get(f"/honest-streets/{returned.pk}/").status_code == 404


def test_the_export_lists_the_yearly_results(s):
    in_notice(s)
    response = signed_in(s.world.office_a).get("/staff/sectors/streets/export/?year=2026")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1] == "街道或乡镇" and rows[1][1] == "东城区东湖街道办事处" and rows[1][3] == "公示中"
