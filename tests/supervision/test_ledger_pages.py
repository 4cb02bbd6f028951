"""Work ledger pages and API: the list by deadline with counts, a task's page with each unit's forms, the bulk update,
the import page (every bad row listed, nothing written), the outsider refused with "not found", constant queries."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook
from rest_framework.test import APIClient

from accounts.models import User
from demo.supervision_ledger import fixture_workbook, ledger_units
from supervision.excel.ledger import COLUMNS, DATA_SHEET
from supervision.models import LedgerAssignment, LedgerTask
from supervision.models.ledger import LedgerStatus as S
from tests.supervision.inspections_support import TODAY, at, evidence, lead_of, make_task

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
def task(world):
    with at(TODAY):
        yield make_task(world)


def test_the_list_and_the_task_page(world, task):
    with at(TODAY):
        client = signed_in(world.clerk_a)
        listed = client.get("/staff/supervision/ledger/").content.decode()
        assert f'data-assignment="{lead_of(task).pk}"' in listed and 'id="ledger-bulk"' in listed
        assert (
            'data-count="not_started"><span class="stat-value">2<'
            in signed_in(world.office_a).get("/staff/supervision/ledger/").content.decode()
        )
        page = client.get(f"/staff/supervision/ledger/tasks/{task.pk}/").content.decode()
        assert f'id="status-form-{lead_of(task).pk}"' in page and "result-form-" not in page
        assert (
            "result-form-"
            in signed_in(world.office_a).get(f"/staff/supervision/ledger/tasks/{task.pk}/").content.decode()
        )


def test_the_status_form_keeps_the_note_and_saves(world, task):
    row = lead_of(task)
    with at(TODAY):
        client = signed_in(world.clerk_a)
        url = f"/staff/supervision/ledger/assignments/{row.pk}/status/"
        bad = client.post(url, {f"a{row.pk}-status": "done", f"a{row.pk}-done_on": "2030-01-01"})
        text = bad.content.decode()
        assert (
            bad.status_code == 400 and "完成日期不能晚于今天。" in text and "任务完成须填写说明或上传佐证材料。" in text
        )
        assert LedgerAssignment.objects.get(pk=row.pk).status == S.NOT_STARTED
        good = client.post(
            url, {f"a{row.pk}-status": "done", f"a{row.pk}-note": "已完成。", f"a{row.pk}-file": evidence()}
        )
        assert good.status_code == 302
        result = signed_in(world.office_a).post(
            f"/staff/supervision/ledger/assignments/{row.pk}/result/", {f"r{row.pk}-mid_year_result": "合格"}
        )
        assert result.status_code == 302
    row.refresh_from_db()
    assert row.status == S.DONE and row.mid_year_result == "合格" and row.evidence.count() == 1


def test_the_bulk_page_updates_the_chosen_tasks(world):
    with at(TODAY):
        rows = [lead_of(make_task(world, number=n, schedule="持续实施")) for n in (1, 2)]
        client = signed_in(world.clerk_a)
        url = f"/staff/supervision/ledger/units/{world.agency_a.pk}/"
        assert client.get(url).status_code == 200
        bad = client.post(url, {"assignments": [rows[0].pk], "status": "done", "note": ""})
        assert bad.status_code == 400 and "任务完成须填写说明或上传佐证材料。" in bad.content.decode()
        assert "checked" in bad.content.decode()
        assert client.post(url, {"assignments": [r.pk for r in rows], "status": "in_progress"}).status_code == 302
        assert signed_in(world.outsider).get(url).status_code == 404
    assert set(LedgerAssignment.objects.filter(pk__in=[r.pk for r in rows]).values_list("status", flat=True)) == {
        S.IN_PROGRESS
    }


def _book(rows: list[list[object]]) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.title = DATA_SHEET
    sheet.append([c.header for c in COLUMNS])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("台账.xlsx", buffer.getvalue())


def test_the_import_page_lists_every_bad_row_and_writes_nothing_then_imports(world):
    ledger_units(world.district_a)
    client = signed_in(world.office_a)
    bad = client.post(
        "/staff/supervision/ledger/import/",
        {
            "region": world.district_a.pk,
            "year": 2026,
            "file": _book(
                [
                    ["组", 1, "任务", "区不存在局牵头", "明年", "年底考核"],
                    ["", "x", "任务", "区财政局牵头", "持续实施", ""],
                ]
            ),
        },
    )
    text = bad.content.decode()
    assert bad.status_code == 400 and "区不存在局" in text and 'data-row="3"' in text and "请填写检查考核安排" in text
    assert not LedgerTask.objects.exists()
    missing = client.post("/staff/supervision/ledger/import/", {"year": "", "region": ""})
    assert missing.status_code == 400 and "请选择地区。" in missing.content.decode()
    good = client.post(
        "/staff/supervision/ledger/import/", {"region": world.district_a.pk, "year": 2026, "file": fixture_workbook()}
    )
    assert good.status_code == 302 and LedgerTask.objects.count() == 22
    assert client.get("/staff/supervision/ledger/template/").status_code == 200
    export = client.get("/staff/supervision/ledger/export/?year=2026")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert signed_in(world.clerk_a).get("/staff/supervision/ledger/import/").status_code == 403


def test_the_outsider_gets_not_found(world, task):
    row = lead_of(task)
    with at(TODAY):
        client = signed_in(world.outsider)
        assert client.get(f"/staff/supervision/ledger/tasks/{task.pk}/").status_code == 404
        url = f"/staff/supervision/ledger/assignments/{row.pk}/status/"
        assert client.post(url, {f"a{row.pk}-status": "done"}).status_code == 404
        assert "东城区财政局" not in client.get("/staff/supervision/ledger/").content.decode()
        assert api(world.outsider).get("/api/v1/supervision/ledger/assignments/").json()["results"] == []
        response = api(world.outsider).post(
            f"/api/v1/supervision/ledger/assignments/{row.pk}/status/", {"status": "done", "note": "x"}, format="json"
        )
        assert response.status_code == 404
        bad = api(world.clerk_a).post(
            f"/api/v1/supervision/ledger/assignments/{row.pk}/status/", {"status": "done"}, format="json"
        )
        assert bad.status_code == 400 and "任务完成须填写说明或上传佐证材料。" in str(bad.json())
    assert LedgerAssignment.objects.get(pk=row.pk).status == S.NOT_STARTED


def test_lists_take_the_same_queries_for_more_rows(world, task):
    with at(TODAY):
        client, api_client = signed_in(world.office_a), api(world.office_a)
        url = f"/staff/supervision/ledger/tasks/{task.pk}/"
        with CaptureQueriesContext(connection) as few:
            client.get("/staff/supervision/ledger/")
        with CaptureQueriesContext(connection) as few_api:
            api_client.get("/api/v1/supervision/ledger/assignments/")
        with CaptureQueriesContext(connection) as few_task:
            client.get(url)
        for n in range(2, 6):
            make_task(world, number=n)
        with CaptureQueriesContext(connection) as many:
            assert client.get("/staff/supervision/ledger/").content.decode().count("data-assignment=") == 10
        with CaptureQueriesContext(connection) as many_api:
            assert len(api_client.get("/api/v1/supervision/ledger/assignments/").json()["results"]) == 10
    assert len(many) == len(few)
    assert len(many_api) == len(few_api)
    assert len(few_task) < 25


def test_the_office_adds_one_task_by_the_form_and_bad_input_keeps_what_was_typed(world):
    client = signed_in(world.office_a)
    with at(TODAY):
        assert 'id="ledger-task-new"' in client.get("/staff/supervision/ledger/").content.decode()
        bad = client.post(
            "/staff/supervision/ledger/tasks/new/",
            {"region": world.district_a.pk, "year": "2026", "content": "", "responsibility": "不存在的局"},
        )
        assert bad.status_code == 400
        page = bad.content.decode()
        assert "不存在的局" in page  # what was typed is kept
        assert LedgerTask.objects.count() == 0
        good = client.post(
            "/staff/supervision/ledger/tasks/new/",
            {
                "region": world.district_a.pk,
                "year": "2026",
                "number": "7",
                "group": "建立健全政务信用管理体系",
                "content": "开展政务诚信培训。",
                "responsibility": "东城区财政局",
                "schedule_text": "持续实施",
                "check_plan": "每年年中检查，年底考核",
            },
        )
    task = LedgerTask.objects.get()
    assert good.status_code == 302 and good["Location"].endswith(f"/ledger/tasks/{task.pk}/")
    assert task.number == 7 and task.assignments.get().agency == world.agency_a
    # A clerk keeps no ledger; another district's office cannot choose this region.
    assert signed_in(world.clerk_a).get("/staff/supervision/ledger/tasks/new/").status_code == 403
    other = signed_in(world.office_b).post(
        "/staff/supervision/ledger/tasks/new/",
        {"region": world.district_a.pk, "year": "2026", "content": "x", "responsibility": "东城区财政局"},
    )
    assert other.status_code == 400 and LedgerTask.objects.count() == 1
