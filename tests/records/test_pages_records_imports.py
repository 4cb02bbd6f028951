"""Excel in and out on the staff pages: the template, the upload, the job page with its progress and errors, and the
export of the record list's current filter. The import and export themselves are tested in tests/test_excel_*.py."""

import csv
import datetime
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from records import excel
from records.models import DishonestyRecord, ImportJob, ImportStatus
from records.services import import_job_run
from subjects.codes import make_uscc
from tests.conftest import City
from tests.factories import make_record

NOW = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
COURT = make_uscc("11330100000000003")
HEADERS = [column.header for column in excel.COLUMNS]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FULL_ID = "33010219850312148X"
MASKED_ID = "3301**********148X"


@pytest.fixture(autouse=True)
def _media_and_time(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(NOW, tick=False):
        yield


def row_for(world: City, number: int, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "被记录单位统一社会信用代码": world.agency_a.uscc,
        "被记录单位名称": world.agency_a.name,
        "失信来源": "违约毁约",
        "行业领域": "政府采购",
        "严重程度": "一般",
        "文书号": f"临中法决〔2026〕{number}号",
        "决定机关名称": "临江市中级人民法院",
        "决定机关统一社会信用代码": COURT,
        "决定日期": datetime.date(2026, 6, 1),
        "失信事实": "拖欠中小企业货款逾期未支付。",
        "法律依据": "《保障中小企业款项支付条例》第八条",
    }
    values.update(overrides)
    return values


def workbook(rows: list[dict[str, Any]], name: str = "records.xlsx") -> SimpleUploadedFile:
    book = load_workbook(io.BytesIO(excel.build_template()))
    sheet = book[excel.DATA_SHEET]
    for number, row in enumerate(rows, start=2):  # from row 2 down, as a person fills it
        for column, header in enumerate(HEADERS, start=1):
            sheet.cell(row=number, column=column, value=row.get(header))
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=XLSX)


def upload(client: Client, world: City, file: SimpleUploadedFile) -> Any:
    return client.post("/staff/records/import/", {"agency": world.agency_a.pk, "file": file})


# The template and the upload ---------------------------------------------------------------------------------------


def test_a_job_done_before_its_page_opens_says_nothing_of_checking(client: Client, world: City) -> None:
    """The in-process default runs the job before the redirect lands: the page must not announce a check that is
    over (it did, with a flash message carried to the first page shown)."""
    client.force_login(world.clerk_a)
    upload(client, world, workbook([row_for(world, 1)]))
    job = ImportJob.objects.get()
    import_job_run(job_id=job.pk)

    html = client.get(f"/staff/records/import/{job.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert 'id="job-done"' in html
    assert "正在逐行校验" not in html
    assert 'id="job-running"' not in html


def test_a_running_job_says_its_rows_are_being_checked(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)
    upload(client, world, workbook([row_for(world, 1)]))
    job = ImportJob.objects.get()

    html = client.get(f"/staff/records/import/{job.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert 'id="job-running"' in html
    assert "正在逐行校验" in html


def test_the_template_downloads_as_a_workbook(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)

    response = client.get("/staff/records/import/template/")

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith("attachment;")
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert excel.DATA_SHEET in book.sheetnames


@pytest.mark.parametrize("name", ["inspector_a", "sector_a"])
def test_roles_that_do_not_enter_records_cannot_import(client: Client, world: City, name: str) -> None:
    client.force_login(getattr(world, name))

    assert client.get("/staff/records/import/template/").status_code == 403
    assert client.get("/staff/records/import/").status_code == 403
    assert upload(client, world, workbook([row_for(world, 1)])).status_code == 403
    assert not ImportJob.objects.exists()


def test_the_upload_page_offers_the_agencies_the_user_enters_for(client: Client, world: City) -> None:
    client.force_login(world.office_a)

    response = client.get("/staff/records/import/")

    assert response.status_code == 200
    agencies = list(response.context["form"].fields["agency"].queryset)
    assert agencies == [world.district_a, world.agency_a, world.unit_a]
    assert 'href="/staff/records/import/template/"' in response.content.decode()


def test_a_good_workbook_becomes_a_job_that_imports_every_row(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)

    response = upload(client, world, workbook([row_for(world, 1), row_for(world, 2)]))

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/staff/records/import/{job.pk}/"
    assert (job.status, job.agency, job.uploaded_by, job.total_rows) == (
        ImportStatus.PENDING,
        world.agency_a,
        world.clerk_a,
        2,
    )
    waiting = client.get(f"/staff/records/import/{job.pk}/")
    assert 'data-running="true"' in waiting.content.decode()
    assert "js/import-progress.js" in waiting.content.decode()

    import_job_run(job_id=job.pk)  # what the Celery task does after commit

    done = client.get(f"/staff/records/import/{job.pk}/")
    assert done.status_code == 200
    assert 'id="job-done"' in done.content.decode()
    assert 'data-running="false"' in done.content.decode()
    assert DishonestyRecord.objects.filter(data_source_agency=world.agency_a).count() == 2
    progress = client.get(f"/staff/records/import/{job.pk}/progress/").json()
    assert progress["status"] == "done"
    assert progress["running"] is False
    assert progress["progress_percent"] == 100
    assert progress["created_records"] == 2


def test_the_progress_endpoint_reports_a_running_job(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)
    upload(client, world, workbook([row_for(world, n) for n in range(1, 5)]))
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.VALIDATING, processed_rows=1)

    progress = client.get(f"/staff/records/import/{job.pk}/progress/")

    assert progress.status_code == 200
    assert progress["Cache-Control"].startswith("max-age=0")
    assert progress.json() == {
        "id": job.pk,
        "status": "validating",
        "status_label": progress.json()["status_label"],
        "running": True,
        "progress_percent": 25,
        "processed_rows": 1,
        "total_rows": 4,
        "error_count": 0,
        "created_records": 0,
    }


def test_a_workbook_with_bad_rows_shows_them_with_their_numbers(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)
    upload(
        client,
        world,
        workbook([row_for(world, 1), row_for(world, 2, 严重程度="很严重"), row_for(world, 3, 决定日期="明天")]),
    )
    job = ImportJob.objects.get()

    import_job_run(job_id=job.pk)
    response = client.get(f"/staff/records/import/{job.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="job-errors"' in html
    assert 'data-row="3"' in html and 'data-row="4"' in html
    assert 'id="error-report-link"' in html
    assert not DishonestyRecord.objects.exists()
    report = client.get(f"/staff/records/import/{job.pk}/errors/")
    assert report.status_code == 200
    assert report["Content-Disposition"].startswith("attachment;")
    lines = list(csv.reader(io.StringIO(b"".join(report.streaming_content).decode("utf-8-sig"))))
    assert {line[0] for line in lines[1:]} == {"3", "4"}


@pytest.mark.parametrize(
    ("name", "content"),
    [("records.csv", b"a,b\n1,2\n"), ("records.xlsx", b"not a zip at all"), ("records.xlsm", b"PK\x03\x04")],
)
def test_a_file_that_is_not_a_plain_workbook_is_a_field_error(
    client: Client, world: City, name: str, content: bytes
) -> None:
    client.force_login(world.clerk_a)

    response = upload(client, world, SimpleUploadedFile(name, content))

    assert response.status_code == 200
    assert "file" in response.context["form"].errors
    assert not ImportJob.objects.exists()


def test_an_agency_outside_the_entering_scope_is_a_field_error(client: Client, world: City) -> None:
    client.force_login(world.outsider)

    response = upload(client, world, workbook([row_for(world, 1)]))

    assert response.status_code == 200
    assert "agency" in response.context["form"].errors
    assert not ImportJob.objects.exists()


def test_the_outsider_cannot_see_another_agencys_job(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)
    upload(client, world, workbook([row_for(world, 1, 严重程度="很严重")]))
    job = ImportJob.objects.get()
    import_job_run(job_id=job.pk)
    client.force_login(world.outsider)

    for url in ("", "progress/", "errors/"):
        assert client.get(f"/staff/records/import/{job.pk}/{url}").status_code == 404
    assert job.pk not in [j.pk for j in client.get("/staff/records/import/").context["jobs"]]


@pytest.mark.parametrize("name", ["sector_a", "inspector_a"])
def test_roles_without_an_import_list_cannot_open_a_job_of_their_region(client: Client, world: City, name: str) -> None:
    # The sector authority and the inspector of district A reach agency A's records, but enter none: the import page
    # shows them no job, and a job's id typed into a URL must not show another unit's workbook either.
    client.force_login(world.clerk_a)
    upload(client, world, workbook([row_for(world, 1, 严重程度="很严重")], name="采购台账.xlsx"))
    job = ImportJob.objects.get()
    import_job_run(job_id=job.pk)
    client.force_login(getattr(world, name))

    for url in ("", "progress/", "errors/"):
        response = client.get(f"/staff/records/import/{job.pk}/{url}")
        assert response.status_code == 404, url
        assert "采购台账" not in response.content.decode()


@pytest.mark.parametrize("name", ["clerk_a", "reviewer_a", "office_a", "admin"])
def test_every_job_the_import_list_shows_opens_with_its_progress_and_errors(
    client: Client, world: City, name: str
) -> None:
    client.force_login(world.clerk_a)
    upload(client, world, workbook([row_for(world, 1, 严重程度="很严重")]))
    job = ImportJob.objects.get()
    import_job_run(job_id=job.pk)
    client.force_login(getattr(world, name))

    assert [j.pk for j in client.get("/staff/records/import/").context["jobs"]] == [job.pk]
    for url in ("", "progress/", "errors/"):
        assert client.get(f"/staff/records/import/{job.pk}/{url}").status_code == 200, url


def test_a_job_without_errors_has_no_error_report(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)
    upload(client, world, workbook([row_for(world, 1)]))
    job = ImportJob.objects.get()

    assert client.get(f"/staff/records/import/{job.pk}/errors/").status_code == 404


# Export ------------------------------------------------------------------------------------------------------------


def test_the_list_offers_the_export_of_its_current_filter(client: Client, world: City) -> None:
    make_record(world.clerk_a, world.agency_a)
    client.force_login(world.office_a)

    html = client.get("/staff/records/", {"status": "draft", "page": "1"}).content.decode()

    assert 'href="/staff/records/export.xlsx?status=draft"' in html
    assert 'href="/staff/records/export.csv?status=draft"' in html


def test_the_xlsx_export_holds_the_filtered_records_with_masked_ids(client: Client, world: City) -> None:
    about_person = make_record(world.clerk_a, world.agency_a, subject_person=world.person_a, severity="serious")
    make_record(world.clerk_a, world.agency_a, severity="general")
    client.force_login(world.office_a)

    response = client.get("/staff/records/export.xlsx", {"severity": "serious"})

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith("attachment;")
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    cells = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert len(cells) == 2  # the header and the one serious record
    assert about_person.document_number in cells[1]
    assert MASKED_ID in cells[1]
    assert FULL_ID not in [str(value) for value in cells[1]]


def test_the_csv_export_is_scoped_like_the_list(client: Client, world: City) -> None:
    mine = make_record(world.clerk_a, world.agency_a)
    theirs = make_record(world.outsider, world.agency_b)
    client.force_login(world.outsider)

    response = client.get("/staff/records/export.csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert theirs.document_number in text
    assert mine.document_number not in text


def test_an_unreadable_filter_or_format_is_refused(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)

    assert client.get("/staff/records/export.xlsx", {"status": "nonsense"}).status_code == 400
    assert client.get("/staff/records/export.pdf").status_code == 404


def test_the_export_needs_a_login(client: Client, world: City) -> None:
    assert client.get("/staff/records/export.csv").status_code == 302


def test_the_job_page_never_shows_a_full_id_number(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)
    rows = [
        row_for(world, 1, 公务人员身份证号=FULL_ID, 严重程度="很严重"),
        row_for(world, 2, 公务人员身份证号="33010219850312131X"),
    ]
    upload(client, world, workbook(rows))
    job = ImportJob.objects.get()
    import_job_run(job_id=job.pk)
    ImportJob.objects.filter(pk=job.pk).update(
        errors=[*ImportJob.objects.get(pk=job.pk).errors, {"row": 9, "column": "", "code": "x", "message": FULL_ID}]
    )

    response = client.get(f"/staff/records/import/{job.pk}/")

    assert response.status_code == 200
    assert 'id="job-errors"' in response.content.decode()
    assert FULL_ID not in response.content.decode()
    assert "33010219850312131X" not in response.content.decode()
