"""Inspection pages and API: the lists sorted by deadline with counts, the steps by their buttons, the outsider
refused with "not found", bad input in Chinese with the typed values kept and nothing written, lists in a number of
queries that does not grow with their rows."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import User
from supervision.models import Inspection, RectificationItem
from supervision.models.inspections import RectificationStatus as S
from tests.factories import make_agency
from tests.supervision.inspections_support import TODAY, D, at, evidence, make_item

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def item(world):
    with at(TODAY):
        yield make_item(world)


def test_the_start_page_the_list_and_the_pages_show_the_item(world, item):
    with at(TODAY):
        client = signed_in(world.office_a)
        start = client.get("/staff/supervision/").content.decode()
        assert 'data-kind="inspections"' in start and 'data-kind="ledger"' in start and 'id="nav-supervision"' in start
        listed = client.get("/staff/supervision/inspections/?status=open").content.decode()
        assert f'data-item="{item.pk}"' in listed and "东城区财政局" in listed
        assert 'data-count="open"><span class="stat-value">1<' in listed
        detail = client.get(f"/staff/supervision/inspections/{item.finding.inspection_id}/").content.decode()
        assert "政务诚信承诺未按要求公开" in detail and 'id="finding-form"' in detail
        page = client.get(f"/staff/supervision/inspections/items/{item.pk}/").content.decode()
        assert "待整改" in page and 'id="item-refuse"' in page
    with at(D(2026, 11, 20)):  # due within two weeks: the work queue shows it
        queue = signed_in(world.clerk_a).get("/staff/queue/").content.decode()
        assert f'data-item="{item.pk}"' in queue and 'id="rectifications_due"' in queue


def test_the_unit_submits_and_the_office_accepts_by_the_buttons(world, item):
    with at(D(2026, 11, 10)):
        clerk = signed_in(world.clerk_a)
        bad = clerk.post(f"/staff/supervision/inspections/items/{item.pk}/submit/", {"report": ""})
        assert bad.status_code == 400 and "请填写整改报告。" in bad.content.decode()
        done = clerk.post(
            f"/staff/supervision/inspections/items/{item.pk}/submit/", {"report": "已公开。", "file": evidence()}
        )
        assert done.status_code == 302
        assert clerk.post(f"/staff/supervision/inspections/items/{item.pk}/decide/accept/").status_code == 403
        office = signed_in(world.office_a)
        no_reason = office.post(f"/staff/supervision/inspections/items/{item.pk}/decide/return/", {"reason": ""})
        assert no_reason.status_code == 400 and "请填写退回理由。" in no_reason.content.decode()
        assert office.post(f"/staff/supervision/inspections/items/{item.pk}/decide/accept/").status_code == 302
    item.refresh_from_db()
    assert item.status == S.ACCEPTED
    evidence_row = item.evidence.get()
    download = signed_in(world.clerk_a).get(
        f"/staff/supervision/inspections/items/{item.pk}/evidence/{evidence_row.pk}/"
    )
    assert download.status_code == 200


def test_the_outsider_gets_not_found(world, item):
    with at(TODAY):
        client = signed_in(world.outsider)
        assert client.get(f"/staff/supervision/inspections/items/{item.pk}/").status_code == 404
        assert client.get(f"/staff/supervision/inspections/{item.finding.inspection_id}/").status_code == 404
        assert (
            client.post(f"/staff/supervision/inspections/items/{item.pk}/submit/", {"report": "x"}).status_code == 404
        )
        assert client.post(f"/staff/supervision/inspections/items/{item.pk}/decide/refuse/").status_code == 404
        assert "东城区财政局" not in client.get("/staff/supervision/inspections/").content.decode()
        assert client.get("/staff/supervision/inspections/new/").status_code == 403
        assert api(world.outsider).get(f"/api/v1/supervision/rectifications/{item.pk}/").status_code == 404
        response = api(world.outsider).post(
            f"/api/v1/supervision/rectifications/{item.pk}/decide/",
            {"decision": "refuse", "reason": "x"},
            format="json",
        )
        assert response.status_code == 404
        # The unit of another finding sees neither this item nor this inspection through its own.
        assert api(world.office_b).get("/api/v1/supervision/inspections/").json()["results"] == []
    assert RectificationItem.objects.get(pk=item.pk).status == S.OPEN


def test_the_inspection_form_keeps_what_was_typed_and_names_every_error(world):
    with at(TODAY):
        client = signed_in(world.office_a)
        assert client.get("/staff/supervision/inspections/new/").status_code == 200
        bad = client.post(
            "/staff/supervision/inspections/new/",
            {
                "region": world.district_a.pk,
                "kind": "",
                "year": "2026",
                "title": "年中督查草稿",
                "starts_on": "2026-10-20",
            },
        )
        text = bad.content.decode()
        assert bad.status_code == 400
        for message in ("请选择年中检查或年底考核。", "请填写检查单位。", "请填写检查结束日期。"):
            assert message in text
        assert 'value="年中督查草稿"' in text and 'value="2026-10-20"' in text
        assert not Inspection.objects.exists()
        good = client.post(
            "/staff/supervision/inspections/new/",
            {
                "region": world.district_a.pk,
                "kind": "year_end",
                "year": "2026",
                "title": "年终考核",
                "inspecting_body": "市信用办",
                "starts_on": "2026-10-20",
                "ends_on": "2026-10-22",
            },
        )
        assert good.status_code == 302
        inspection = Inspection.objects.get()
        finding = client.post(
            f"/staff/supervision/inspections/{inspection.pk}/findings/",
            {"agency": world.agency_b.pk, "text": "", "severity": "general", "item_text": "整改"},
        )
        assert finding.status_code == 400
        assert 'data-field="agency"' in finding.content.decode() and not inspection.findings.exists()
        assert "请填写整改期限。" in finding.content.decode() and "请填写发现的问题。" in finding.content.decode()
        result = client.post(
            f"/staff/supervision/inspections/{inspection.pk}/results/", {"agency": world.agency_a.pk, "score": "150"}
        )
        assert result.status_code == 400


def test_the_api_answers_field_errors_in_chinese(world, item):
    with at(TODAY):
        response = api(world.office_a).post(
            f"/api/v1/supervision/rectifications/{item.pk}/decide/", {"decision": "return", "reason": ""}, format="json"
        )
        assert response.status_code == 400 and "请填写退回理由。" in str(response.json())
        conflict = api(world.office_a).post(
            f"/api/v1/supervision/rectifications/{item.pk}/decide/", {"decision": "accept"}, format="json"
        )
        assert conflict.status_code == 409
        listed = api(world.clerk_a).get("/api/v1/supervision/rectifications/").json()["results"]
        assert [row["id"] for row in listed] == [item.pk]


def test_lists_take_the_same_queries_for_more_rows(world, item):
    with at(TODAY):
        client, api_client = signed_in(world.office_a), api(world.office_a)
        with CaptureQueriesContext(connection) as few:
            client.get("/staff/supervision/inspections/")
        with CaptureQueriesContext(connection) as few_api:
            api_client.get("/api/v1/supervision/rectifications/")
        with CaptureQueriesContext(connection) as few_queue:
            client.get("/staff/queue/")
        for n in range(4):
            make_item(world, agency=make_agency(f"东城区测试单位{n}", parent=world.district_a))
        with CaptureQueriesContext(connection) as many:
            assert client.get("/staff/supervision/inspections/").content.decode().count("data-item=") == 5
        with CaptureQueriesContext(connection) as many_api:
            assert len(api_client.get("/api/v1/supervision/rectifications/").json()["results"]) == 5
        with CaptureQueriesContext(connection) as many_queue:
            client.get("/staff/queue/")
    assert len(many) == len(few)
    assert len(many_api) == len(few_api)
    assert len(many_queue) == len(few_queue)
