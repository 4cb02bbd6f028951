"""The leader's dashboard and the city's page (dashboard/figures.py, docs/dashboards.md): figures in scope, drill-down,
Excel, refusals, constant queries, no personal data on the city page."""

import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from accounts.models import Role
from tests.conftest import City
from tests.dashboard.support import (
    DAY,
    D,
    at,
    complaint_about,
    record_in,
    record_in_b,
    rectification_due,
    sme_obligation,
)
from tests.factories import make_agency, make_user, published_commitment
from tests.public_support import copies

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(world: City) -> City:
    """Agency A: two records (one serious, with a rectification overdue), a complaint overdue, a commitment overdue,
    SME arrears. District B: one record."""
    serious = record_in(world, severity="serious")
    record_in(world)
    record_in_b(world)
    rectification_due(serious, D(2026, 11, 20))
    with at(DAY):
        complaint_about(serious, stage_due_on=D(2026, 11, 10))
        published_commitment(world, due_on=D(2026, 11, 12), year=2026)
    sme_obligation(world, world.agency_a, due_on=D(2026, 10, 1), status="overdue")
    return world


def tile(body: str, name: str) -> int:
    marker = f'id="tile-{name}"'
    start = body.index(marker)
    value = body.index('data-count="', start) + len('data-count="')
    return int(body[value : body.index('"', value)])


def page(client: Client, url: str, user: object, **params: object) -> str:
    client.force_login(user)  # type: ignore[arg-type]
    with at(D(2026, 12, 1)):
        response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_each_district_office_sees_its_own_figures(client: Client, data: City) -> None:
    a = page(client, "/staff/dashboard/", data.office_a)
    b = page(client, "/staff/dashboard/", data.office_b)
    assert (tile(a, "in-force-1"), tile(a, "in-force-2")) == (1, 1)  # serious, general
    assert (tile(b, "in-force-1"), tile(b, "in-force-2")) == (0, 1)
    assert (tile(a, "rectifications-overdue"), tile(b, "rectifications-overdue")) == (2, 1)
    assert tile(a, "overdue-cases") == 1 and tile(b, "overdue-cases") == 0
    assert tile(a, "commitments-overdue") == 1 and tile(b, "commitments-overdue") == 0
    assert tile(a, "arrears") == 1 and tile(b, "arrears") == 0
    assert tile(a, "warnings") >= 4 and tile(b, "warnings") == 1  # B: its record's rectification
    assert "东城区财政局" in a and "东城区财政局" not in b
    assert "西城区财政局" in b and "西城区财政局" not in a
    assert "截至" in a and 'id="dashboard-data"' in a and 'id="evaluation-panels"' in a


def test_it_drills_down_to_a_unit_then_to_the_items(client: Client, data: City) -> None:
    top = page(client, "/staff/dashboard/", data.office_a)
    assert f"?node={data.agency_a.pk}" in top  # agency A has a unit below it
    unit = page(client, "/staff/dashboard/", data.office_a, node=data.agency_a.pk)
    assert f"subtree_of={data.unit_a.pk}" in unit or f"subtree_of={data.agency_a.pk}" in unit
    assert "东城区财政局国库支付中心" in unit or "东城区财政局" in unit


def test_outsiders_and_the_public_are_refused(client: Client, data: City) -> None:
    assert client.get("/staff/dashboard/").status_code == 302
    assert client.get("/staff/dashboard/city/").status_code == 302
    for user in (data.clerk_a, data.reviewer_a, data.sector_a):
        client.force_login(user)
        assert client.get("/staff/dashboard/").status_code == 404
        assert client.get("/staff/dashboard/export/units/").status_code == 404
    client.force_login(data.office_a)
    assert client.get("/staff/dashboard/", {"node": data.district_b.pk}).status_code == 404
    assert client.get("/staff/dashboard/export/units/", {"node": data.agency_b.pk}).status_code == 404
    assert client.get("/staff/dashboard/city/").status_code == 404  # a district office is not the city


def test_every_figure_exports_to_excel(client: Client, data: City) -> None:
    client.force_login(data.office_a)
    keys = [
        "tiles",
        "units",
        "trend",
        "sectors",
        "funnel",
        "overdue_rectifications",
        "overdue_commitments",
        "overdue_payments",
        "overdue_complaints",
    ]
    with at(D(2026, 12, 1)):
        for key in keys:
            response = client.get(f"/staff/dashboard/export/{key}/")
            assert response.status_code == 200, key
            sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active  # type: ignore[attr-defined]
            rows = list(sheet.iter_rows(values_only=True))
            assert str(rows[1][0]).startswith("截至"), key
        assert client.get("/staff/dashboard/export/nothing/").status_code == 404
        overdue = client.get("/staff/dashboard/export/overdue_commitments/")
    rows = list(load_workbook(io.BytesIO(b"".join(overdue.streaming_content))).active.iter_rows(values_only=True))  # type: ignore[attr-defined,union-attr]
    assert rows[3][0] == "东城区财政局" and rows[3][3] == 19


def test_queries_stay_constant_as_data_grows(client: Client, data: City) -> None:
    client.force_login(data.office_a)

    def count(url: str) -> int:
        cache.clear()
        with at(D(2026, 12, 1)), CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    city_office = make_user(Role.CREDIT_OFFICE, data.city, username="city-office")
    before = count("/staff/dashboard/")
    client.force_login(city_office)
    before_city = count("/staff/dashboard/city/")
    serious = record_in(data, severity="serious")
    copies(serious, 20)
    for n in range(5):
        unit = make_agency(f"东城区新单位{n}", parent=data.district_a)
        record_in(data, unit)
        sme_obligation(data, unit, due_on=D(2026, 10, 1), status="overdue")
    with at(DAY):
        for _n in range(3):
            complaint_about(serious, stage_due_on=D(2026, 11, 10))
    after_city = count("/staff/dashboard/city/")
    client.force_login(data.office_a)
    after = count("/staff/dashboard/")
    assert after == before, (before, after)
    assert after_city == before_city, (before_city, after_city)


def test_the_city_page_names_no_person(client: Client, data: City) -> None:
    city_office = make_user(Role.CREDIT_OFFICE, data.city, username="city-office")
    body = page(client, "/staff/dashboard/city/", city_office)
    assert "临江市东城区人民政府" in body and "临江市西城区人民政府" in body
    for personal in ("张伟", "李娜", "王律师", "33010219850312148X", "3301**********148X"):
        assert personal not in body
    assert "截至" in body
    with at(D(2026, 12, 1)):
        response = client.get("/staff/dashboard/city/export/districts/")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))  # type: ignore[attr-defined,union-attr]
    assert [row[0] for row in rows[3:]] == ["临江市东城区人民政府", "临江市西城区人民政府"]
    district = page(client, "/staff/dashboard/city/", city_office, node=data.district_a.pk)
    assert "东城区财政局" in district


def test_the_administrator_sees_every_tree(client: Client, data: City) -> None:
    body = page(client, "/staff/dashboard/", data.admin)
    assert "临江市人民政府" in body


def test_each_role_home_page_shows_its_own_deadlines(client: Client, data: City) -> None:
    clerk = page(client, "/staff/", data.clerk_a)
    office_b = page(client, "/staff/", data.office_b)
    sector = page(client, "/staff/", data.sector_a)
    assert 'id="home-deadlines"' in clerk and 'data-key="commitment:' in clerk
    assert 'data-key="commitment:' not in office_b and 'data-key="rectification:' in office_b
    assert 'data-key="sme_payment:' in sector and 'data-key="commitment:' not in sector  # procurement only
    assert 'id="home-dashboard-link"' in page(client, "/staff/", data.office_a)
    assert 'id="home-dashboard-link"' not in clerk and 'id="home-city-link"' not in clerk
