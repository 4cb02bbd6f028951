"""The evaluation's panels on the dashboards: the heat table, grades and ranking of the latest period on the leader's
page, the average by district and the vetoed units on the city's; each in the user's scope and exported to Excel."""

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from accounts.models import Role
from evaluation.defaults import default_set
from evaluation.models import Half, Score
from evaluation.services.periods import period_create
from tests.conftest import City
from tests.dashboard.support import D, at, record_in, record_in_b
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(world: City) -> City:
    record_in(world, severity="serious")
    record_in_b(world)
    with at(D(2026, 12, 1)):
        period_create(actor=None, year=2026, half=Half.YEAR_END, indicator_set=default_set(2026))  # computes
    return world


def body(client: Client, url: str) -> str:
    with at(D(2026, 12, 1)):
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_leader_sees_the_scores_of_its_district_only(client: Client, scored: City) -> None:
    assert (
        Score.objects.filter(agency=scored.agency_a).exists() and Score.objects.filter(agency=scored.agency_b).exists()
    )
    client.force_login(scored.office_a)
    page = body(client, "/staff/dashboard/")
    for key in ("heat", "grades", "ranking"):
        assert f'id="figure-{key}"' in page
    heat = page[page.index('id="figure-heat"') : page.index('id="figure-grades"')]
    assert "东城区财政局" in heat and "西城区财政局" not in heat
    assert 'data-chart="grades"' in page and "A 基本诚信状况" in heat  # first-level columns
    with at(D(2026, 12, 1)):
        export = client.get("/staff/dashboard/export/ranking/")
    rows = list(load_workbook(io.BytesIO(b"".join(export.streaming_content))).active.iter_rows(values_only=True))  # type: ignore[attr-defined,union-attr]
    names = {row[0] for row in rows[3:]}
    assert "东城区财政局" in names and "西城区财政局" not in names


def test_the_city_page_shows_districts_and_vetoed_units_without_people(client: Client, scored: City) -> None:
    city_office = make_user(Role.CREDIT_OFFICE, scored.city, username="city-office")
    client.force_login(city_office)
    page = body(client, "/staff/dashboard/city/")
    assert 'id="figure-district_scores"' in page and 'id="figure-vetoed"' in page
    districts = page[page.index('id="figure-district_scores"') : page.index('id="figure-grades"')]
    assert "东城区" in districts and "西城区" in districts
    vetoed = page[page.index('id="figure-vetoed"') :]
    # A serious record published in the period vetoes agency A (default veto rules).
    assert "东城区财政局" in vetoed
    assert scored.person_a.name not in page


def test_without_a_period_the_panels_say_so(client: Client, world: City) -> None:
    client.force_login(world.office_a)
    assert 'id="evaluation-none"' in body(client, "/staff/dashboard/")
