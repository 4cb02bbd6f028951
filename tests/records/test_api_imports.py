"""Excel import through the API: the same checks, job, progress and row errors as the staff page, for a
clerk's script or an agency's own system (an API client with records:write)."""

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.models import ApiScope
from records.models import DishonestyRecord, ImportJob, RecordStatus
from records.services import import_job_run
from tests.client_support import api_client_for
from tests.conftest import City
from tests.records.test_api_records import assert_error, client_for
from tests.records.test_excel_import import filled, row_for


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> Iterator[None]:
    import time_machine

    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


def workbook(content: bytes, name: str = "失信记录.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def upload(client: APIClient, content: bytes, **data: Any) -> Any:
    return client.post("/api/v1/records/imports/", {"file": workbook(content), **data}, format="multipart")


def test_a_clerk_uploads_a_workbook_and_follows_the_job_to_its_records(
    world: City, django_capture_on_commit_callbacks: Any
) -> None:
    api = client_for(world.clerk_a)
    with django_capture_on_commit_callbacks() as queued:
        response = upload(api, filled([row_for(world), row_for(world)]))
    assert response.status_code == 202, response.content
    job = response.json()
    assert response["Location"].endswith(f"/api/v1/records/imports/{job['id']}/")
    assert job["status"] == "pending" and job["running"] and job["total_rows"] == 2
    assert job["agency"]["id"] == world.agency_a.pk  # the clerk's own agency by default
    assert len(queued) == 1  # its task is queued once the upload commits

    import_job_run(job_id=job["id"])  # a worker takes it
    done = api.get(response["Location"])
    assert done.status_code == 200 and done["Cache-Control"] == "no-store"
    body = done.json()
    assert (body["status"], body["running"], body["created_records"], body["progress_percent"]) == (
        "done",
        False,
        2,
        100,
    )
    assert DishonestyRecord.objects.filter(status=RecordStatus.DRAFT, data_source_agency=world.agency_a).count() == 2
    assert [j["id"] for j in api.get("/api/v1/records/imports/").json()["results"]] == [job["id"]]


def test_an_invalid_workbook_reports_every_row_at_fault_and_writes_nothing(world: City) -> None:
    api = client_for(world.clerk_a)
    rows = [row_for(world), row_for(world, 决定日期=None), row_for(world, 严重程度="很严重")]
    job_id = upload(api, filled(rows)).json()["id"]
    import_job_run(job_id=job_id)
    body = api.get(f"/api/v1/records/imports/{job_id}/").json()
    assert body["status"] == "invalid" and body["error_count"] == 2
    assert [(e["row"], e["column"]) for e in body["errors"]] == [(3, "决定日期"), (4, "严重程度")]
    assert all(e["message"] and e["code"] for e in body["errors"])
    report = api.get(body["error_report"])
    assert report.status_code == 200 and report["Content-Type"].startswith("text/csv")
    assert "严重程度" in b"".join(report.streaming_content).decode("utf-8-sig")
    assert not DishonestyRecord.objects.exists()


def test_a_refused_file_is_a_400_on_the_file_field_and_no_job(world: City) -> None:
    api = client_for(world.clerk_a)
    not_xlsx = api.post(
        "/api/v1/records/imports/", {"file": workbook(b"a,b\n", name="records.csv")}, format="multipart"
    )
    error = assert_error(not_xlsx, 400, "not_xlsx")
    assert list(error["fields"]) == ["file"] and "xlsx" in error["fields"]["file"][0]
    missing = api.post("/api/v1/records/imports/", {}, format="multipart")
    assert list(assert_error(missing, 400, "invalid")["fields"]) == ["file"]
    as_json = api.post("/api/v1/records/imports/", {"file": "x"}, format="json")
    assert assert_error(as_json, 415, "unsupported_media_type")
    assert not ImportJob.objects.exists()


def test_the_outsider_cannot_upload_for_or_see_another_agencys_jobs(world: City) -> None:
    job_id = upload(client_for(world.clerk_a), filled([row_for(world)])).json()["id"]
    outsider = client_for(world.outsider)
    assert_error(outsider.get(f"/api/v1/records/imports/{job_id}/"), 404, "not_found")
    assert_error(outsider.get(f"/api/v1/records/imports/{job_id}/errors.csv"), 404, "not_found")
    assert outsider.get("/api/v1/records/imports/").json()["results"] == []
    refused = upload(outsider, filled([row_for(world)]), agency=world.agency_a.pk)
    assert list(assert_error(refused, 400, "invalid")["fields"]) == ["agency"]
    # a role that sees the agency but does not enter records for it
    assert_error(
        upload(client_for(world.inspector_a), filled([row_for(world)]), agency=world.agency_a.pk), 403, "not_allowed"
    )
    assert ImportJob.objects.count() == 1
    # the credit office above sees the job
    assert client_for(world.office_a).get(f"/api/v1/records/imports/{job_id}/").status_code == 200


def test_an_api_client_with_records_write_imports_for_its_agency(world: City) -> None:
    _client, writer = api_client_for(world.admin, ApiScope.RECORDS_WRITE, write=world.agency_a)
    response = upload(writer, filled([row_for(world)]))
    assert response.status_code == 202, response.content
    assert response.json()["agency"]["id"] == world.agency_a.pk
    assert writer.get("/api/v1/records/imports/template/").status_code == 200
    assert writer.get(response["Location"]).json()["status"] == "pending"
    # a reader of the agency's records has no workbooks: another agency's work in progress
    _client, reader = api_client_for(world.admin, ApiScope.RECORDS_READ, read=[world.agency_a])
    assert_error(upload(reader, filled([row_for(world)])), 403, "insufficient_scope")
    assert_error(reader.get(response["Location"]), 403, "insufficient_scope")


def test_the_list_costs_the_same_queries_for_many_jobs(world: City) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = client_for(world.clerk_a)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get("/api/v1/records/imports/").status_code == 200
        return len(captured)

    upload(api, filled([row_for(world)]))
    one = queries()
    for _ in range(5):
        upload(api, filled([row_for(world)]))
    assert queries() == one and len(api.get("/api/v1/records/imports/").json()["results"]) == 6


def test_the_endpoint_is_in_the_schema_with_a_multipart_body() -> None:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    post = schema["paths"]["/api/v1/records/imports/"]["post"]
    assert set(post["requestBody"]["content"]) == {"multipart/form-data"}
    assert {"202", "400", "403"} <= set(post["responses"])
    assert "/api/v1/records/imports/{id}/" in schema["paths"]
