"""Debt pages and API: the staff lists and forms, the public pages (chart data and the same figures as a table), the
outsider refused, bad input in Chinese with nothing written, query counts that do not grow with rows."""

from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from sectors.models import DebtBond, DebtDisclosureDeadline, DebtRegionYear
from sectors.services.debt import debt_disclosure_record, debt_year_publish
from tests.conftest import City
from tests.sectors.debt_support import TODAY, D, make_bond, make_repayment, make_year

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock() -> object:
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller


def staff(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def published_region(world: City, years: int = 3, last: int = 2026) -> DebtRegionYear:
    row = None
    for year in range(last - years + 1, last + 1):
        row = debt_year_publish(actor=world.office_a, row=make_year(world.office_a, world.district_a, year=year))
    assert row is not None
    return row


def test_the_public_region_page_shows_chart_data_and_the_same_figures_as_a_table(world: City) -> None:
    published_region(world)
    bond = make_bond(world.office_a, world.district_a)
    make_repayment(world.office_a, bond, due_on=D(2026, 3, 1))
    deadline = DebtDisclosureDeadline.objects.create(kind="budget", year=2026, due_on=D(2026, 2, 20))
    debt_disclosure_record(actor=world.office_a, region=world.district_a, deadline=deadline, disclosed_on=D(2026, 3, 2))

    page = Client().get(f"/debt/{world.district_a.pk}/")

    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="debt-chart-data"' in html and "vendor/echarts/echarts.min.js" in html
    assert html.count('<tr data-year="') == 3
    assert "2101001" in html and "10 天" in html.replace("10天", "10 天")
    assert page.context["chart"]["limit"] == [1000.0, 1000.0, 1000.0]


def test_a_region_without_published_figures_is_not_found(world: City) -> None:
    make_year(world.office_a, world.district_a)
    assert Client().get(f"/debt/{world.district_a.pk}/").status_code == 404
    assert Client().get("/debt/").status_code == 200


def test_the_public_pages_take_a_constant_number_of_queries(world: City, django_assert_max_num_queries: object) -> None:
    published_region(world, years=1)
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        assert Client().get(f"/debt/{world.district_a.pk}/").status_code == 200
    published_region(world, years=5, last=2025)
    for n in range(5):
        make_bond(world.office_a, world.district_a, code=f"X{n}")
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        assert Client().get(f"/debt/{world.district_a.pk}/").status_code == 200
    with django_assert_max_num_queries(8):  # type: ignore[operator]
        assert Client().get("/debt/").status_code == 200


def test_the_staff_pages_open_for_the_credit_office(world: City) -> None:
    make_repayment(world.office_a, make_bond(world.office_a, world.district_a))
    make_year(world.office_a, world.district_a)
    client = staff(world.office_a)
    for url in (
        "/staff/sectors/debt/",
        "/staff/sectors/debt/bonds/",
        "/staff/sectors/debt/repayments/",
        "/staff/sectors/debt/disclosures/",
        "/staff/sectors/debt/years/new/",
        "/staff/sectors/debt/bonds/new/",
        "/staff/sectors/debt/repayments/new/",
        "/staff/sectors/debt/disclosures/new/",
        "/staff/sectors/debt/excel/bonds/import/",
        "/staff/sectors/debt/excel/repayments/export/",
    ):
        assert client.get(url).status_code == 200, url


def test_the_staff_list_takes_a_constant_number_of_queries(world: City, django_assert_max_num_queries: object) -> None:
    make_year(world.office_a, world.district_a, year=2020)
    client = staff(world.office_a)
    with django_assert_max_num_queries(20) as few:  # type: ignore[operator]
        client.get("/staff/sectors/debt/")
    for year in range(2021, 2027):
        make_year(world.office_a, world.district_a, year=year)
    with django_assert_max_num_queries(len(few.captured_queries)):  # type: ignore[attr-defined, operator]
        client.get("/staff/sectors/debt/")


def test_a_balance_above_its_limit_in_the_form_is_refused_in_chinese(world: City) -> None:
    response = staff(world.office_a).post(
        "/staff/sectors/debt/years/new/",
        {
            "region": world.district_a.pk,
            "year": 2026,
            "limit_general": "100",
            "limit_special": "100",
            "balance_general": "150",
            "balance_special": "0",
            "fiscal_capacity": "500",
        },
    )
    assert response.status_code == 400
    assert "超过" in response.content.decode()
    assert not DebtRegionYear.objects.exists()


def test_the_outsider_is_refused(world: City) -> None:
    row = make_year(world.office_a, world.district_a)
    make_bond(world.office_a, world.district_a)
    client = staff(world.outsider)
    assert client.post(f"/staff/sectors/debt/years/{row.pk}/publish/").status_code == 404
    assert "2101001" not in client.get("/staff/sectors/debt/bonds/").content.decode()
    response = client.post(
        "/staff/sectors/debt/years/new/",
        {
            "region": world.district_a.pk,
            "year": 2025,
            "limit_general": "1",
            "limit_special": "1",
            "balance_general": "0",
            "balance_special": "0",
            "fiscal_capacity": "1",
        },
    )
    assert response.status_code == 400
    assert DebtRegionYear.objects.count() == 1
    assert api(world.outsider).get("/api/v1/sectors/debt/years/").json()["results"] == []
    assert api(world.outsider).post(f"/api/v1/sectors/debt/years/{row.pk}/publish/").status_code == 404


def test_the_api_lists_computed_indicators_and_refuses_a_balance_above_its_limit(world: City) -> None:
    make_year(world.office_a, world.district_a)
    client = api(world.office_a)
    listed = client.get("/api/v1/sectors/debt/years/").json()["results"]
    assert listed[0]["indicators"]["debt_ratio"] == "0.8000" and listed[0]["tier"] == "green"
    refused = client.post(
        "/api/v1/sectors/debt/years/",
        {
            "region": world.district_a.pk,
            "year": 2025,
            "limit_general": "1",
            "limit_special": "1",
            "balance_general": "2",
            "balance_special": "0",
            "fiscal_capacity": "1",
        },
        format="json",
    )
    assert refused.status_code == 400
    assert DebtRegionYear.objects.count() == 1
    created = client.post(
        "/api/v1/sectors/debt/bonds/",
        {
            "region": world.district_a.pk,
            "code": "API-1",
            "kind": "general",
            "amount": "10",
            "issued_on": "2025-01-01",
            "term_years": 5,
            "rate": "2.5",
            "use_of_funds": "学校",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert DebtBond.objects.filter(code="API-1").exists()


def test_the_excel_export_imports_again(world: City) -> None:
    make_bond(world.office_a, world.district_a)
    client = staff(world.office_a)
    exported = b"".join(client.get("/staff/sectors/debt/excel/bonds/export/").streaming_content)  # type: ignore[attr-defined]
    from django.core.files.uploadedfile import SimpleUploadedFile

    again = client.post("/staff/sectors/debt/excel/bonds/import/", {"file": SimpleUploadedFile("债券.xlsx", exported)})
    assert again.status_code == 400  # the code is already recorded: every row refused, nothing written
    assert "已" in again.content.decode()
    assert DebtBond.objects.count() == 1
    DebtBond.objects.filter(code="2101001").update(code="OLD")
    imported = client.post(
        "/staff/sectors/debt/excel/bonds/import/", {"file": SimpleUploadedFile("债券.xlsx", exported)}
    )
    assert imported.status_code == 302
    assert DebtBond.objects.filter(code="2101001", amount=Decimal("100")).exists()
