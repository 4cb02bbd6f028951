"""Public search: agencies by a fragment of their name (one character and up) or by their code, never people."""

from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client

from disclosure.queries import agencies_matching, is_code_query
from subjects.models import AgencyKind
from tests.conftest import City
from tests.factories import make_agency, next_uscc
from tests.public_support import fixed_today, published


@pytest.fixture(autouse=True)
def _today(db: None) -> Iterator[time_machine.Traveller]:
    yield from fixed_today()


def found(client: Client, q: str) -> list[str]:
    response = client.get("/search/", {"q": q})
    assert response.status_code == 200
    return [hit.name for hit in response.context["hits"]]


def test_one_character_finds_every_agency_holding_it(client: Client, world: City) -> None:
    make_agency("东城区审计局", parent=world.district_a)

    assert found(client, "审") == ["东城区审计局"]
    assert set(found(client, "财")) == {"东城区财政局", "西城区财政局", "东城区财政局国库支付中心"}


def test_two_characters_must_stand_together(client: Client, world: City) -> None:
    assert set(found(client, "财政")) == {"东城区财政局", "西城区财政局", "东城区财政局国库支付中心"}
    assert found(client, "国库") == ["东城区财政局国库支付中心"]
    assert found(client, "区城") == []


def test_three_characters_are_checked_as_a_whole_not_just_their_pairs(client: Client, world: City) -> None:
    make_agency("北湖镇湖北村民委员会", parent=world.district_a, kind=AgencyKind.VILLAGERS_COMMITTEE)

    # 北湖 and 湖北 are both in the name, 北湖北 is not.
    assert found(client, "北湖北") == []
    assert found(client, "湖北村") == ["北湖镇湖北村民委员会"]
    assert found(client, "东城区财政局国库") == ["东城区财政局国库支付中心"]


def test_shorter_names_come_first(client: Client, world: City) -> None:
    assert found(client, "东城区财政局") == ["东城区财政局", "东城区财政局国库支付中心"]


def test_spaces_inside_the_query_are_ignored(client: Client, world: City) -> None:
    assert found(client, " 国 库 ") == ["东城区财政局国库支付中心"]


def test_a_full_code_finds_its_agency_in_any_case(client: Client, world: City) -> None:
    assert found(client, world.agency_b.uscc) == ["西城区财政局"]
    assert found(client, f"  {world.agency_b.uscc.lower()} ") == ["西城区财政局"]


def test_the_start_of_a_code_finds_every_agency_it_begins(client: Client, world: City) -> None:
    make_agency("另一地区的单位", uscc=next_uscc(region="330200"), region_code="330200")
    prefix = world.agency_a.uscc[:8]
    assert prefix == "11330100"

    assert len(found(client, prefix)) == 6
    assert found(client, "11330200") == ["另一地区的单位"]
    assert found(client, "91") == []


def test_code_queries_are_told_apart_from_names() -> None:
    assert is_code_query("11330100")
    assert is_code_query("11 3301 00")
    assert not is_code_query("1")  # one character: a name fragment ("第1区")
    assert not is_code_query("东城区11")


def test_each_hit_shows_its_number_of_records_in_force(client: Client, world: City) -> None:
    published(world)
    published(world)
    published(world, world.unit_a)
    published(world, severity="minor")  # not disclosed

    hits = {hit.pk: hit.records_in_force for hit in client.get("/search/", {"q": "财政"}).context["hits"]}

    assert hits == {world.agency_a.pk: 2, world.unit_a.pk: 1, world.agency_b.pk: 0}
    page = client.get("/search/", {"q": "财政"}).content.decode()
    assert f'data-agency="{world.agency_a.pk}" data-uscc="{world.agency_a.uscc}" data-records="2"' in page


def test_results_link_to_the_agency_pages(client: Client, world: City) -> None:
    page = client.get("/search/", {"q": "国库"}).content.decode()

    assert f'href="/agencies/{world.unit_a.pk}/"' in page


def test_a_long_query_is_cut_not_refused(client: Client, world: City) -> None:
    response = client.get("/search/", {"q": "财" * 500})

    assert response.status_code == 200
    assert response.context["hits"] == []


def test_an_empty_or_blank_query_shows_the_prompt(client: Client, world: City) -> None:
    for q in ("", "   "):
        response = client.get("/search/", {"q": q})
        assert response.context["page"] is None
        assert 'id="empty-state"' in response.content.decode()


def test_the_queryset_is_empty_for_nothing_searchable(world: City) -> None:
    assert list(agencies_matching("  ")) == []
