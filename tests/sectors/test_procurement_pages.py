"""Procurement on the staff site, in the API, in Excel and on the public site: the happy paths, the outsider refused,
bad input answered in Chinese with nothing written, and lists whose query count does not grow with their rows."""

import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook

from accounts.models import User
from sectors.excel.procurement import COLUMNS, DATA_SHEET, build_template, procurement_export, procurement_import
from sectors.models import Contract, OverdueDisclosure, Payment, PaymentObligation, SupplierBan
from sectors.services.procurement import BanInput, disclosure_generate, disclosure_publish, supplier_ban_create
from tests.conftest import City
from tests.factories import next_uscc
from tests.sectors.procurement_support import D, add_obligation, at, make_contract

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


def contracts_with_payments(world: City, count: int) -> list[Contract]:
    made = []
    for _n in range(count):
        contract = make_contract(world.clerk_a, world.agency_a)
        add_obligation(world.clerk_a, contract)
        made.append(contract)
    return made


def test_the_contract_list_shows_counts_and_its_query_count_does_not_grow(world: City) -> None:
    contracts_with_payments(world, 2)
    client = signed_in(world.clerk_a)
    with CaptureQueriesContext(connection) as few:
        response = client.get("/staff/sectors/procurement/")
    assert response.status_code == 200
    assert b'data-count="overdue">2<' in response.content
    contracts_with_payments(world, 5)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/staff/sectors/procurement/?supplier_size=small&status=overdue")
    assert response.content.count(b"data-contract-id=") == 7
    assert len(many) == len(few)


def test_the_contract_page_shows_the_obligations_and_the_outsider_gets_404(world: City) -> None:
    (contract,) = contracts_with_payments(world, 1)
    page = signed_in(world.sector_a).get(f"/staff/sectors/procurement/{contract.pk}/")
    assert page.status_code == 200 and "逾期".encode() in page.content
    assert b'id="timeline"' in page.content
    outsider = signed_in(world.outsider)
    assert outsider.get(f"/staff/sectors/procurement/{contract.pk}/").status_code == 404
    obligation = contract.obligations.get()
    assert (
        outsider.post(
            f"/staff/sectors/procurement/obligations/{obligation.pk}/payment/", {"paid_on": "2026-11-01", "amount": "1"}
        ).status_code
        == 404
    )
    assert b"data-contract-id" not in outsider.get("/staff/sectors/procurement/").content


def test_a_contract_entered_in_the_form_with_bad_values_is_refused_in_chinese(world: City) -> None:
    client = signed_in(world.clerk_a)
    form = {
        "agency": str(world.agency_a.pk),
        "number": "HT-1",
        "supplier_name": "某公司",
        "supplier_uscc": "123",
        "supplier_size": "small",
        "subject": "设备",
        "amount": "-1",
        "signed_on": "2026-05-01",
        "budget_funded": "on",
    }
    response = client.post("/staff/sectors/procurement/new/", form)
    assert response.status_code == 200
    text = response.content.decode()
    assert "统一社会信用代码" in text and "大于零" in text
    assert not Contract.objects.exists()
    form.update(supplier_uscc=next_uscc("91"), amount="50000")
    response = client.post("/staff/sectors/procurement/new/", form)
    assert response.status_code == 302 and Contract.objects.count() == 1


def test_a_payment_entered_on_the_page_settles_the_obligation(world: City) -> None:
    (contract,) = contracts_with_payments(world, 1)
    obligation = contract.obligations.get()
    client = signed_in(world.clerk_a)
    refused = client.post(
        f"/staff/sectors/procurement/obligations/{obligation.pk}/payment/", {"paid_on": "2027-01-01", "amount": "1"}
    )
    assert refused.status_code == 200 and "不能晚于今天" in refused.content.decode()
    done = client.post(
        f"/staff/sectors/procurement/obligations/{obligation.pk}/payment/", {"paid_on": "2026-11-01", "amount": "10000"}
    )
    assert done.status_code == 302
    assert PaymentObligation.objects.get(pk=obligation.pk).status == "settled"


def test_the_ledger_page_of_the_district_and_its_404_for_the_outsider(world: City) -> None:
    contracts_with_payments(world, 2)
    page = signed_in(world.office_a).get(f"/staff/sectors/procurement/ledger/?agency={world.district_a.pk}")
    assert page.status_code == 200 and b'data-count="count">2<' in page.content
    assert (
        signed_in(world.outsider).get(f"/staff/sectors/procurement/ledger/?agency={world.district_a.pk}").status_code
        == 404
    )


def test_the_api_lists_filters_and_creates_in_scope_and_refuses_bad_input(world: City) -> None:
    (contract,) = contracts_with_payments(world, 1)
    client = signed_in(world.clerk_a)
    listed = client.get("/api/v1/sectors/procurement/obligations/?status=overdue&sme=true").json()
    assert [row["id"] for row in listed["results"]] == [contract.obligations.get().pk]
    assert client.get("/api/v1/sectors/procurement/obligations/?status=nonsense").status_code == 400
    bad = client.post(
        "/api/v1/sectors/procurement/obligations/",
        {"contract": contract.pk, "label": "二期", "amount": "5", "delivered_on": "2027-01-01"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "delivered_on" in bad.json()["error"]["fields"]
    made = client.post(
        "/api/v1/sectors/procurement/obligations/",
        {"contract": contract.pk, "label": "二期", "amount": "5000", "delivered_on": "2026-10-20"},
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["due_on"] == "2026-11-19"
    paid = client.post(
        f"/api/v1/sectors/procurement/obligations/{made.json()['id']}/payments/",
        {"paid_on": "2026-11-02", "amount": "5000"},
        content_type="application/json",
    )
    assert paid.status_code == 201 and paid.json()["status"] == "settled"
    ledger = client.get(f"/api/v1/sectors/procurement/ledger/{world.agency_a.pk}/").json()
    assert ledger["count"] == 1
    outsider = signed_in(world.outsider)
    assert outsider.get(f"/api/v1/sectors/procurement/contracts/{contract.pk}/").status_code == 404
    assert outsider.get("/api/v1/sectors/procurement/contracts/").json()["results"] == []
    assert (
        outsider.post(
            f"/api/v1/sectors/procurement/obligations/{made.json()['id']}/payments/",
            {"paid_on": "2026-11-02", "amount": "1"},
            content_type="application/json",
        ).status_code
        == 404
    )


def test_the_api_schema_names_the_procurement_endpoints(world: City) -> None:
    schema = signed_in(world.admin).get("/api/v1/schema/").content.decode()
    assert "/api/v1/sectors/procurement/contracts/" in schema
    assert "/api/v1/sectors/procurement/obligations/{id}/payments/" in schema


def workbook(rows: list[dict[str, Any]]) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = DATA_SHEET
    sheet.append([column.header for column in COLUMNS])
    for row in rows:
        sheet.append([row.get(column.key) for column in COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("采购.xlsx", buffer.getvalue())


def row(world: City, **overrides: Any) -> dict[str, Any]:
    values = {
        "agency_uscc": world.agency_a.uscc,
        "number": "HT-2026-01",
        "supplier_name": "临江小微公司",
        "supplier_uscc": SUPPLIER,
        "supplier_size": "小型企业",
        "subject": "绿化养护",
        "contract_amount": 30000,
        "signed_on": "2026-05-01",
        "agreed_term_days": 90,
        "label": "首期",
        "amount": 10000,
        "delivered_on": "2026-06-01",
    }
    values.update(overrides)
    return values


SUPPLIER = next_uscc("91")


def test_the_excel_template_import_and_export_round_trip(world: City) -> None:
    assert load_workbook(io.BytesIO(build_template())).sheetnames[0] == DATA_SHEET
    outcome = procurement_import(
        actor=world.clerk_a, upload=workbook([row(world), row(world, label="二期", delivered_on="2026-07-01")])
    )
    assert (outcome.errors, outcome.contracts, outcome.obligations) == ([], 1, 2)
    obligation = PaymentObligation.objects.order_by("pk").first()
    assert obligation is not None and obligation.term_unlawful and obligation.term_days == 60
    exported, _name = procurement_export(queryset=Contract.objects.visible_to(world.clerk_a))
    sheet = load_workbook(exported).active
    assert sheet is not None
    lines = list(sheet.iter_rows(values_only=True))
    assert len(lines) == 3 and lines[1][1] == "HT-2026-01"


def test_a_bad_workbook_reports_every_row_and_writes_nothing(world: City) -> None:
    outcome = procurement_import(
        actor=world.clerk_a,
        upload=workbook(
            [
                row(world, supplier_uscc="12345", contract_amount="abc"),
                row(world, number="HT-2", delivered_on="2026-04-01"),
                row(world, number="HT-3", agency_uscc=world.agency_b.uscc),
                row(world, subject="另一个标的"),
            ]
        ),
    )
    codes = {(error.row, error.code) for error in outcome.errors}
    assert (2, "invalid") in codes and (3, "invalid") in codes and (4, "agency_not_found") in codes
    assert (5, "contract_differs") in codes
    assert not Contract.objects.exists() and not PaymentObligation.objects.exists()


def test_the_excel_pages_answer_staff_and_refuse_the_inspector(world: City) -> None:
    client = signed_in(world.clerk_a)
    assert client.get("/staff/sectors/procurement/excel/template/").status_code == 200
    response = client.post("/staff/sectors/procurement/excel/import/", {"file": workbook([row(world)])})
    assert response.status_code == 302 and Contract.objects.count() == 1
    assert client.get("/staff/sectors/procurement/excel/export.xlsx").status_code == 200
    assert signed_in(world.inspector_a).get("/staff/sectors/procurement/excel/template/").status_code == 403


def test_the_public_pages_show_published_statements_and_bans_in_force_only(
    world: City, django_capture_on_commit_callbacks: Any
) -> None:
    with at(D(2025, 11, 20)):
        contract = make_contract(world.clerk_a, world.agency_a, signed_on=D(2025, 10, 1))
        add_obligation(world.clerk_a, contract, delivered_on=D(2025, 11, 3))
    draft = disclosure_generate(actor=world.clerk_a, agency=world.agency_a, year=2025)
    public = Client()
    assert str(draft.amount).encode() not in public.get("/procurement/overdue-payments/").content
    with django_capture_on_commit_callbacks(execute=True):
        disclosure_publish(actor=world.clerk_a, disclosure=draft)
    assert b"10000.00" in public.get("/procurement/overdue-payments/").content
    base = {
        "decided_by": world.agency_a,
        "supplier_name": "失信供应商有限公司",
        "supplier_uscc": next_uscc("91"),
        "document_number": "东财采〔2026〕1号",
        "facts": "提供虚假材料",
        "basis": "政府采购法第七十七条",
        "years": 1,
    }
    with django_capture_on_commit_callbacks(execute=True):
        supplier_ban_create(actor=world.clerk_a, data=BanInput(**base, starts_on=D(2026, 3, 1)))
        supplier_ban_create(
            actor=world.clerk_a, data=BanInput(**{**base, "supplier_name": "已到期公司"}, starts_on=D(2024, 1, 1))
        )
    page = public.get("/procurement/supplier-blacklist/").content.decode()
    assert "失信供应商有限公司" in page and "已到期公司" not in page
    assert OverdueDisclosure.objects.count() == 1 and SupplierBan.objects.count() == 2


def test_a_ban_of_four_years_is_refused_and_the_outsider_may_not_ban(world: City) -> None:
    from kernel.errors import DomainError, NotAllowed

    base = {
        "supplier_name": "某供应商",
        "supplier_uscc": next_uscc("91"),
        "document_number": "1",
        "facts": "f",
        "basis": "b",
        "starts_on": TODAY,
    }
    with pytest.raises(DomainError) as refused:
        supplier_ban_create(actor=world.clerk_a, data=BanInput(decided_by=world.agency_a, years=4, **base))
    assert "years" in refused.value.field_errors()
    with pytest.raises(NotAllowed):
        supplier_ban_create(actor=world.outsider, data=BanInput(decided_by=world.agency_a, years=1, **base))
    assert not SupplierBan.objects.exists() and not Payment.objects.exists()
    assert Decimal("0") == Decimal("0.00")
