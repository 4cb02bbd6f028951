"""The supervision start page: one card per kind of supervision, each counting what is in the user's reach and what
needs attention; another district's office counts none of it; the nav leads there."""

import re

import pytest
from django.test import Client

from accounts.models import User
from tests.conftest import City
from tests.supervision.complaints_support import filed
from tests.supervision.suggestions_support import D, at, judged_case, make_suggestion

pytestmark = pytest.mark.django_db


def cards(user: User) -> dict[str, tuple[int, int | None]]:
    client = Client()
    client.force_login(user)
    page = client.get("/staff/supervision/").content.decode()
    found: dict[str, tuple[int, int | None]] = {}
    for key, body in re.findall(r'<li class="stat" data-kind="([a-z]+)">(.*?)</li>', page, re.S):
        count = int(re.search(r'<span class="stat-value">(\d+)</span>', body).group(1))  # type: ignore[union-attr]
        urgent = re.search(r'data-urgent="(\d+)"', body)
        found[key] = (count, int(urgent.group(1)) if urgent else None)
    return found


def test_every_kind_has_its_card_with_counts_in_scope(world: City) -> None:
    with at(D(2026, 3, 2)):
        make_suggestion(world.clerk_a, world.agency_a, assigned_on=D(2026, 3, 2))
        filed(world.agency_a)
    with at(D(2026, 9, 1)):
        judged_case(world.clerk_a, world.agency_a)  # to perform by 30 September
    with at(D(2026, 11, 2)):  # the suggestion is overdue (3 months), the judgment not performed
        mine = cards(world.office_a)
        theirs = cards(world.office_b)
    assert set(mine) >= {"suggestions", "courts", "complaints", "hotline", "inspections", "ledger"}
    assert mine["suggestions"] == (1, 1) and mine["courts"] == (1, 1) and mine["complaints"][0] == 1
    assert mine["hotline"] == (0, None)
    assert theirs["suggestions"] == (0, 0) and theirs["courts"] == (0, 0) and theirs["complaints"] == (0, 0)
