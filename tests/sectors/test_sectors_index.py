"""The sector duties' start page and its one entry in the staff navigation."""

import pytest
from django.test import Client

from accounts.models import Role, Sector
from tests.conftest import City
from tests.factories import make_user
from tests.sectors.investment_support import make_agreement

pytestmark = pytest.mark.django_db


def test_the_credit_office_sees_every_sector_with_what_it_holds_in_its_region(client: Client, world: City) -> None:
    make_agreement(world)
    client.force_login(world.office_a)
    response = client.get("/staff/sectors/")
    assert response.status_code == 200
    cards = {card.sector: card.count for card in response.context["cards"]}
    assert set(cards) == {"procurement", "investment", "ppp", "tendering", "debt", "streets_towns"}
    assert cards["investment"] == 1
    assert 'aria-current="page" id="nav-sectors"' in response.content.decode()


def test_a_sector_authority_sees_its_own_sector_only_and_the_outsider_nothing_of_a(client: Client, world: City) -> None:
    make_agreement(world)
    client.force_login(
        make_user(Role.SECTOR_AUTHORITY, world.district_a, username="invest-a", sector=Sector.INVESTMENT)
    )
    cards = client.get("/staff/sectors/").context["cards"]
    assert [(card.sector, card.count) for card in cards] == [("investment", 1)]
    client.force_login(world.outsider)
    outsider = {card.sector: card.count for card in client.get("/staff/sectors/").context["cards"]}
    assert outsider["investment"] == 0


def test_a_sector_page_marks_the_one_nav_entry(client: Client, world: City) -> None:
    client.force_login(world.office_a)
    page = client.get("/staff/sectors/investment/").content.decode()
    assert 'aria-current="page" id="nav-sectors"' in page


def test_the_page_needs_a_login(client: Client, world: City) -> None:
    assert client.get("/staff/sectors/").status_code == 302
