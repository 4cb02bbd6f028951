"""Investment promotion on the staff pages, in the REST API, in Excel and on the public register."""

import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from rest_framework.test import APIClient

from accounts.authentication import api_token_issue
from accounts.models import User
from records.models import DishonestyRecord
from sectors.excel.investment import COLUMNS, DATA_SHEET
from sectors.models import InvestmentAgreement, ObligationChange, ObligationStatus
from sectors.services.investment import obligation_break, obligation_change
from tests.conftest import City
from tests.factories import next_uscc
from tests.sectors.investment_support import D, change_input, make_agreement

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _june_2026() -> object:
    with time_machine.travel(datetime.datetime(2026, 6, 1, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


def browser(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user: User) -> APIClient:
    _, key = api_token_issue(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def test_the_list_and_the_page_show_an_agreement_to_its_agency_and_404_to_the_outsider(world: City) -> None:
    agreement = make_agreement(world)
    page = browser(world.clerk_a).get(reverse("sectors:investment_list"))
    assert page.status_code == 200 and agreement.number in page.content.decode()
    detail = browser(world.clerk_a).get(reverse("sectors:investment_detail", args=[agreement.pk]))
    assert "交付项目建设用地" in detail.content.decode() and agreement.secret_terms in detail.content.decode()
    for user in (world.outsider, world.sector_a, world.office_b):
        assert browser(user).get(reverse("sectors:investment_detail", args=[agreement.pk])).status_code == 404
        assert agreement.number not in browser(user).get(reverse("sectors:investment_list")).content.decode()


def test_the_list_takes_the_same_number_of_queries_for_one_agreement_or_many(world: City) -> None:
    client = browser(world.office_a)
    make_agreement(world)
    url = reverse("sectors:investment_list")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for n in range(5):
        make_agreement(world, number=f"东招协〔2026〕{20 + n}号")
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(one)


def test_a_refused_ground_on_the_page_says_why_offers_the_breach_route_and_writes_nothing(world: City) -> None:
    agreement = make_agreement(world)
    obligation = agreement.obligations.order_by("due_on")[0]
    form = {
        "ground": "government_change",
        "authority": "东城区人民政府",
        "description": "新一届政府决定不再交付用地。",
        "investor_response": "awaiting",
    }
    answer = browser(world.office_a).post(reverse("sectors:investment_change", args=[obligation.pk]), form)
    text = answer.content.decode()
    assert answer.status_code == 400
    assert "政府换届" in text and "不是改变" in text
    assert reverse("sectors:investment_break", args=[obligation.pk]) in text
    assert not ObligationChange.objects.exists()
    obligation.refresh_from_db()
    assert obligation.status == ObligationStatus.PENDING


def test_the_breach_route_on_the_page_proposes_the_candidate_record(world: City) -> None:
    agreement = make_agreement(world)
    obligation = agreement.obligations.order_by("due_on")[0]
    url = reverse("sectors:investment_break", args=[obligation.pk])
    assert browser(world.clerk_a).post(url, {"reason": "x"}).status_code == 403
    assert browser(world.outsider).post(url, {"reason": "x"}).status_code == 404
    assert browser(world.office_a).post(url, {"reason": ""}).status_code == 400
    answer = browser(world.office_a).post(url, {"reason": "以领导调整为由拒绝交付用地。"})
    assert answer.status_code == 302
    assert DishonestyRecord.objects.get().origin_id == obligation.pk


def test_an_agreement_is_entered_on_the_page_with_its_obligations(world: City) -> None:
    form = {
        "agency": str(world.agency_a.pk),
        "number": "东招协〔2026〕30号",
        "investor_name": "临江医药有限公司",
        "investor_uscc": next_uscc("91"),
        "signed_on": "2026-05-01",
        "project": "医药产业园",
        "total_investment": "80000000",
        "summary": "建设医药产业园。",
        "obligations-TOTAL_FORMS": "3",
        "obligations-INITIAL_FORMS": "0",
        "obligations-0-description": "办理施工许可",
        "obligations-0-due_on": "2026-08-01",
    }
    answer = browser(world.clerk_a).post(reverse("sectors:investment_create"), form)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    agreement = InvestmentAgreement.objects.get()
    assert agreement.obligations.count() == 1
    bad = browser(world.clerk_a).post(reverse("sectors:investment_create"), {**form, "investor_uscc": "123"})
    assert bad.status_code == 200 and "已有" in bad.content.decode()
    assert InvestmentAgreement.objects.count() == 1


def test_the_api_lists_in_scope_and_refuses_a_forbidden_ground_in_the_error_shape(world: City) -> None:
    agreement = make_agreement(world)
    obligation = agreement.obligations.order_by("due_on")[0]
    listed = api(world.office_a).get("/api/v1/sectors/investment/agreements/")
    assert [row["id"] for row in listed.json()["results"]] == [agreement.pk]
    assert api(world.outsider).get("/api/v1/sectors/investment/agreements/").json()["results"] == []
    assert api(world.outsider).get(f"/api/v1/sectors/investment/agreements/{agreement.pk}/").status_code == 404
    body = {
        "ground": "division_change",
        "authority": "东城区人民政府",
        "description": "区划调整后不再履行。",
        "investor_response": "awaiting",
    }
    refused = api(world.office_a).post(
        f"/api/v1/sectors/investment/obligations/{obligation.pk}/change/", body, format="json"
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "refused_ground"
    assert "行政区划调整" in refused.json()["error"]["fields"]["ground"][0]
    assert not ObligationChange.objects.exists()
    lawful = {
        **body,
        "ground": "public_interest",
        "legality_review_on": "2026-05-10",
        "collective_decision_on": "2026-05-20",
        "investor_notified_on": "2026-05-22",
        "published_on": "2026-05-25",
        "compensation_amount": "100000.00",
        "investor_response": "disputed",
        "investor_response_note": "投资方认为补偿不足。",
    }
    done = api(world.office_a).post(
        f"/api/v1/sectors/investment/obligations/{obligation.pk}/change/", lawful, format="json"
    )
    assert done.status_code == 200
    assert done.json()["obligations"][0]["status"] == "changed"
    assert (
        api(world.outsider)
        .post(f"/api/v1/sectors/investment/obligations/{obligation.pk}/break/", {"reason": "x"}, format="json")
        .status_code
        == 404
    )


def test_the_public_register_masks_trade_secrets_and_the_person(world: City) -> None:
    agreement = make_agreement(world, responsible_person=world.person_a, investment_is_secret=True)
    land = agreement.obligations.order_by("due_on")[0]
    obligation_change(actor=world.office_a, obligation=land, change=change_input())
    subsidy = agreement.obligations.order_by("due_on")[1]
    obligation_break(actor=world.office_a, obligation=subsidy, reason="拒绝兑付补贴。")
    public = Client()
    register = public.get(reverse("disclosure:investment"))
    assert register.status_code == 200 and agreement.number in register.content.decode()
    page = public.get(reverse("disclosure:investment_agreement", args=[agreement.pk])).content.decode()
    assert agreement.secret_terms not in page
    assert "500,000,000" not in page and "500000000" not in page
    assert "涉及商业秘密" in page
    assert "张某" in page and "张伟" not in page
    assert "公共利益" in page and "东政决〔2026〕3号" in page


def test_the_public_register_takes_the_same_number_of_queries_for_one_agreement_or_many(world: City) -> None:
    make_agreement(world)
    public = Client()
    url = reverse("disclosure:investment")
    with CaptureQueriesContext(connection) as one:
        public.get(url, HTTP_CACHE_CONTROL="no-cache")
    for n in range(4):
        make_agreement(world, number=f"东招协〔2026〕{40 + n}号")
    from django.core.cache import cache

    cache.clear()
    with CaptureQueriesContext(connection) as many:
        public.get(url)
    assert len(many) <= len(one)


def _workbook(rows: list[list[object]]) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = DATA_SHEET
    sheet.append([column.header for column in COLUMNS])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "协议.xlsx"  # type: ignore[attr-defined]
    return out


def test_excel_imports_every_row_or_none_and_exports_again(world: City) -> None:
    investor = next_uscc("91")
    good = [
        world.agency_a.uscc,
        "",
        "东招协〔2026〕50号",
        "临江食品有限公司",
        investor,
        "2026-04-01",
        "食品加工",
        1000000,
        "否",
        "建设食品加工厂。",
        "",
        "交付厂房",
        200000,
        "是",
        "2026-09-01",
    ]
    second = [
        world.agency_a.uscc,
        "",
        "东招协〔2026〕50号",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "办理环评",
        "",
        "",
        "2026-10-01",
    ]
    bad = [
        *good[:2],
        "东招协〔2026〕51号",
        "坏数据公司",
        "123",
        "2026-04-01",
        "x",
        5,
        "否",
        "摘要",
        "",
        "交付",
        "",
        "",
        "2026-01-01",
    ]
    client = browser(world.clerk_a)
    refused = client.post(reverse("sectors:investment_import"), {"file": _workbook([good, second, bad])})
    assert refused.status_code == 400
    assert not InvestmentAgreement.objects.exists()
    done = client.post(reverse("sectors:investment_import"), {"file": _workbook([good, second])})
    assert done.status_code == 302
    agreement = InvestmentAgreement.objects.get()
    assert agreement.obligations.count() == 2
    assert agreement.total_investment == Decimal("1000000")
    exported = client.get(reverse("sectors:investment_export"))
    book = load_workbook(io.BytesIO(b"".join(exported.streaming_content)))  # type: ignore[attr-defined]
    rows = list(book[DATA_SHEET].iter_rows(values_only=True))
    assert len(rows) == 3 and rows[1][2] == "东招协〔2026〕50号"
    assert browser(world.outsider).get(reverse("sectors:investment_export")).status_code == 200
    outsider_rows = load_workbook(
        io.BytesIO(b"".join(browser(world.outsider).get(reverse("sectors:investment_export")).streaming_content))  # type: ignore[attr-defined]
    )[DATA_SHEET].max_row
    assert outsider_rows == 1
    assert client.get(reverse("sectors:investment_template")).status_code == 200
    assert D(2026, 1, 1)  # the clock is fixed at 2026-06-01


def test_the_api_edits_an_agreement_and_adds_an_obligation_and_refuses_the_outsider(world: City) -> None:
    agreement = make_agreement(world)
    url = f"/api/v1/sectors/investment/agreements/{agreement.pk}/"
    body = {
        "agency": world.agency_a.pk,
        "number": agreement.number,
        "investor_name": agreement.investor_name,
        "investor_uscc": agreement.investor_uscc,
        "signed_on": "2026-03-01",
        "project": "新能源电池生产基地（二期）",
        "total_investment": "600000000.00",
        "summary": agreement.summary,
    }
    assert api(world.outsider).put(url, body, format="json").status_code == 404
    edited = api(world.clerk_a).put(url, body, format="json")
    assert edited.status_code == 200, edited.json()
    assert edited.json()["project"] == "新能源电池生产基地（二期）"
    agreement.refresh_from_db()
    assert agreement.total_investment == Decimal("600000000.00")

    obligations = f"{url}obligations/"
    refused = api(world.clerk_a).post(obligations, {"description": "交付厂房", "due_on": "2026-01-01"}, format="json")
    assert refused.status_code == 400 and "due_on" in refused.json()["error"]["fields"]
    assert agreement.obligations.count() == 2
    added = api(world.clerk_a).post(obligations, {"description": "交付厂房", "due_on": "2026-09-30"}, format="json")
    assert added.status_code == 201, added.json()
    assert agreement.obligations.filter(description="交付厂房").exists()
    assert api(world.outsider).post(obligations, {"description": "x", "due_on": "2026-09-30"}).status_code == 404
