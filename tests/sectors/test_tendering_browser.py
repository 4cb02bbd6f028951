"""The public tendering blacklist in a real browser: a party blacklisted is listed with its sanction and dates, an
expert as 王某, and the page links to the notices and the agents' credit.

Headless Chromium from Debian driven by pip's playwright (tests/browser_support.py)."""

import datetime
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from sectors.services.tendering import behaviour_publish
from tests.browser_support import ARTIFACTS, BROWSER_MARKS
from tests.conftest import City
from tests.sectors.tendering_support import D, expert_id, make_scheme, record

pytestmark = BROWSER_MARKS
TODAY = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _fixed_day() -> Iterator[None]:
    with time_machine.travel(TODAY, tick=True):
        yield


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_public_blacklist_lists_the_sanctions_in_force(world: City, live_server: Any, page: Any) -> None:
    make_scheme(world.office_a)
    for values in (
        {"item_code": "B01", "decided_on": D(2026, 9, 1), "party_name": "临江同舟市政工程有限公司"},
        {
            "party_kind": "expert",
            "party_name": "王建国",
            "party_uscc": "",
            "party_id_number": expert_id(),
            "item_code": "E01",
        },
    ):
        behaviour_publish(actor=world.clerk_a, behaviour=record(world.clerk_a, world.agency_a, **values))
    page.goto(f"{live_server.url}/tendering/blacklist/")
    table = page.locator("#tendering-blacklist")
    assert table.locator("tbody tr").count() == 3
    text = table.inner_text()
    assert "临江同舟市政工程有限公司" in text and "2026-09-01" in text and "2028-08-31" in text
    assert "王某" in text and "王建国" not in text
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "tendering-blacklist.png"), full_page=True)
    page.get_by_role("link", name="代理机构", exact=False).first.click()
    page.wait_for_url("**/tendering/agents/")
