"""Text fields the platform receives are limited to the national 双公示 data items' lengths (docs/faults.md #16):
a 32,767-character 失信事实 (an Excel cell's limit) made a 39 MB batch. Every way in refuses longer text with a clear
error and writes nothing: the page's form, the API, an Excel row, the services themselves."""

import datetime
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from kernel.errors import DomainError
from records.models import TEXT_LIMITS, DishonestyRecord, ImportStatus
from records.platform import platform_payload
from records.services import record_correct, record_create, record_publish, record_submit
from tests.conftest import City
from tests.factories import make_record
from tests.records.test_api_records import assert_error, client_for, record_body, written
from tests.records.test_excel_import import filled, imported, problems, row_for
from tests.records.test_pages_records import form_data

FACTS, BASIS, LOSS = TEXT_LIMITS["facts"], TEXT_LIMITS["legal_basis"], TEXT_LIMITS["loss_description"]


@pytest.fixture(autouse=True)
def _clock(settings: Any, tmp_path: Any) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(datetime.datetime(2026, 11, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        yield


def text(n: int) -> str:
    return ("拖欠中小企业货款逾期未支付。" * (n // 14 + 1))[:n]


def test_the_api_refuses_longer_text_field_by_field_and_writes_nothing(world: City) -> None:
    before = written()
    response = client_for(world.clerk_a).post(
        "/api/v1/records/",
        record_body(world, facts=text(FACTS + 1), legal_basis=text(BASIS + 1), loss_description=text(LOSS + 1)),
        format="json",
    )
    error = assert_error(response, 400, "invalid")
    assert set(error["fields"]) == {"facts", "legal_basis", "loss_description"}
    assert "5000" in error["fields"]["facts"][0]  # in Chinese, with the limit
    assert written() == before
    # at the limit it is fine
    response = client_for(world.clerk_a).post(
        "/api/v1/records/", record_body(world, facts=text(FACTS), legal_basis=text(BASIS)), format="json"
    )
    assert response.status_code == 201, response.content


def test_the_page_shows_the_error_on_the_field_and_keeps_what_was_typed(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)
    typed = text(FACTS + 1)
    response = client.post("/staff/records/new/", form_data(world, facts=typed, legal_basis=text(BASIS + 1)))
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"facts", "legal_basis"}
    assert form["facts"].value() == typed
    assert not DishonestyRecord.objects.exists()


def test_an_excel_row_with_longer_text_is_reported_and_nothing_written(world: City) -> None:
    job = imported(world, filled([row_for(world), row_for(world, 失信事实=text(FACTS + 1))]))
    assert job.status == ImportStatus.INVALID
    assert problems(job) == [(3, "失信事实", "too_long")]
    assert not DishonestyRecord.objects.exists()


def test_the_services_refuse_it_too(world: City) -> None:
    record = make_record(world.clerk_a, world.agency_a)
    from records.services.dishonesty import _input_from_record

    data = _input_from_record(record)
    data.document_number = "东财罚〔2026〕9999号"  # a new record, not the same one again
    data.legal_basis = text(BASIS + 1)
    with pytest.raises(DomainError) as refused:
        record_create(actor=world.clerk_a, data=data)
    assert list(refused.value.field_errors()) == ["legal_basis"]
    assert "2000" in refused.value.field_errors()["legal_basis"][0]


def test_a_correction_cannot_lengthen_the_facts_past_the_limit(world: City) -> None:
    from workcalendar.services import calendar_year_seed

    calendar_year_seed(year=2026)
    record = make_record(world.clerk_a, world.agency_a)
    record_submit(actor=world.reviewer_a, record=record)
    record = record_publish(actor=world.office_a, record=record)
    with pytest.raises(DomainError) as refused:
        record_correct(actor=world.office_a, record=record, changes={"facts": text(FACTS + 1)}, reason="补充")
    assert refused.value.field == "facts"
    response = client_for(world.office_a).post(
        f"/api/v1/records/{record.pk}/correct/",
        {"changes": {"facts": text(FACTS + 1)}, "reason": "补充"},
        format="json",
    )
    assert set(assert_error(response, 400, "invalid")["fields"]) == {"changes.facts"}


def test_without_a_loss_the_content_item_takes_the_facts_cut_to_its_length(world: City) -> None:
    record = make_record(world.clerk_a, world.agency_a, facts=text(FACTS), loss_description="")
    payload = platform_payload(record, change_type="published")
    assert payload["cf_sy"] == text(FACTS)
    assert len(payload["cf_nr"]) == LOSS and payload["cf_nr"].endswith("…")
    short = make_record(world.clerk_a, world.agency_a, facts="拖欠货款。", loss_description="")
    assert platform_payload(short, change_type="published")["cf_nr"] == "拖欠货款。"
