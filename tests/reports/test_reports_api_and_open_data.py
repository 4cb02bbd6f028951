"""The reports' API (request, PDF, verify) and open data (the nightly extract, its pages and dictionary)."""

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from records.models import DishonestyRecord
from reports.models import IssuedReport, ReportDownload, ReportVersion
from reports.opendata import open_data_extract
from reports.tasks import open_data_extract as open_data_task
from tests.conftest import City
from tests.public_support import fixed_today, published
from tests.reports.support import needs_pdf, pdf_text


@pytest.fixture(autouse=True)
def _today(db: None) -> Iterator[time_machine.Traveller]:
    yield from fixed_today()


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def api(user: Any = None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_a_full_report_through_the_api_needs_a_purpose_in_chinese_and_an_agency_in_reach(world: City) -> None:
    refused = api(world.office_a).post("/api/v1/reports/", {"version": "full", "agency": world.agency_a.pk})
    outsider = api(world.outsider).post(
        "/api/v1/reports/", {"version": "full", "agency": world.agency_a.pk, "purpose": "看看"}
    )

    assert refused.status_code == 400
    assert "请说明报告用途" in json.dumps(refused.json(), ensure_ascii=False)
    assert outsider.status_code == 404
    assert not IssuedReport.objects.exists()


@needs_pdf
def test_request_a_full_report_get_its_pdf_logged_and_verify_it(world: City, media: Path) -> None:
    published(world, facts="接口报告事实。")
    client = api(world.office_a)

    created = client.post("/api/v1/reports/", {"version": "full", "agency": world.agency_a.pk, "purpose": "审计"})

    assert created.status_code == 201, created.content
    body = created.json()
    assert body["version"] == "full" and len(body["sha256"]) == 64
    assert client.get(body["pdf_url"]).status_code == 400  # no purpose
    pdf = client.get(body["pdf_url"], {"purpose": "审计复核"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert "接口报告事实" in pdf_text(pdf.content)
    assert ReportDownload.objects.get().purpose == "审计复核"
    assert api(world.outsider).get(body["pdf_url"], {"purpose": "看看"}).status_code == 404

    verified = api().get(f"/api/v1/reports/verify/{body['verification_code']}/").json()
    assert verified["intact"] is True and verified["sha256"] == body["sha256"] and verified["changes_since"] == 0
    assert "接口报告事实" not in json.dumps(verified, ensure_ascii=False)


@needs_pdf
def test_a_public_report_through_the_api(world: City, media: Path) -> None:
    published(world)

    created = api(world.sector_a).post("/api/v1/reports/", {"version": "public", "agency": world.agency_a.pk})

    assert created.status_code == 201
    pdf = api(world.sector_a).get(created.json()["pdf_url"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    report = IssuedReport.objects.get()
    assert report.version == ReportVersion.PUBLIC and report.pdf_sha256 == hashlib.sha256(pdf.content).hexdigest()


def test_open_data_holds_what_the_public_may_see_with_a_manifest(client: Client, world: City, media: Path) -> None:
    shown = published(world, facts="开放数据公开事实。")
    hidden = published(world, severity="minor", facts="开放数据轻微事实。")
    person = published(world, subject_person=world.person_a, facts="张伟开放数据事实。")

    rows = open_data_task()

    assert rows["records"] == DishonestyRecord.objects.disclosed().count() == 2
    manifest = json.loads((media / "open-data" / "manifest.json").read_text(encoding="utf-8"))
    for dataset in manifest["datasets"]:
        for f in dataset["files"]:
            assert hashlib.sha256((media / "open-data" / f["name"]).read_bytes()).hexdigest() == f["sha256"]
    text = (media / "open-data" / "records.csv").read_text(encoding="utf-8-sig")
    table = list(csv.DictReader(io.StringIO(text)))
    assert {int(r["id"]) for r in table} == {shown.pk, person.pk}
    assert "开放数据轻微事实" not in text and "张伟" not in text and "张某开放数据事实" in text
    assert hidden.pk not in {r["id"] for r in json.loads((media / "open-data" / "records.json").read_text())}

    page = client.get("/open-data/").content.decode()
    assert "records.csv" in page and manifest["datasets"][0]["files"][0]["sha256"] in page
    download = client.get("/open-data/files/records.csv")
    assert download.status_code == 200
    assert client.get("/open-data/files/../../settings.py").status_code == 404
    dictionary = client.get("/open-data/dictionary/").content.decode()
    assert "cf_sy" in dictionary and "cf_xdr_shxym" in dictionary


def test_the_open_data_page_says_when_nothing_was_extracted_yet(client: Client, media: Path) -> None:
    assert 'id="open-data-none"' in client.get("/open-data/").content.decode()


def test_an_extract_replaces_the_last_one_whole(world: City, media: Path) -> None:
    published(world)
    open_data_extract()
    published(world)

    manifest = open_data_extract()

    assert manifest["datasets"][0]["rows"] == 2
    assert sorted(p.name for p in (media / "open-data").iterdir())[:2] == ["commitments.csv", "commitments.json"]
    assert not [p for p in media.iterdir() if p.name.startswith("open-data-")]
