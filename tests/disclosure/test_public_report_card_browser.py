"""The public report card of commitments in a real browser, at desktop and at phone width: the agency page links to
it, the counts of each standing lead to their commitments, a commitment opens with its progress and its grounds, and
nothing is wider than a phone's screen.

Headless Chromium from Debian driven by pip's playwright (tests/browser_support.py). Screenshots land in
test-artifacts/ (gitignored).
"""

import datetime
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from commitments.models import Commitment
from commitments.services import commitment_decide, commitment_report_progress
from tests.browser_support import ARTIFACTS, BROWSER_MARKS
from tests.conftest import City
from tests.factories import published_commitment

pytestmark = BROWSER_MARKS
TODAY = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
D = datetime.date


@pytest.fixture(autouse=True)
def _fixed_day() -> Iterator[None]:
    with time_machine.travel(TODAY, tick=True):
        yield


def commitments_of_a_year(world: City) -> dict[str, Commitment]:
    def made(title: str, due_on: D) -> Commitment:
        return published_commitment(
            world,
            title=title,
            promised_on=D(2026, 1, 10),
            source_date=D(2026, 1, 10),
            due_on=due_on,
            year=2026,
            responsible_person=world.person_a,
        )

    kept = made("企业开办一日办结", D(2026, 9, 30))
    commitment_report_progress(
        actor=world.clerk_a, commitment=kept, reported_on=D(2026, 9, 1), percent=100, narrative="张伟牵头，全部办结。"
    )
    kept = commitment_decide(
        actor=world.office_a, commitment=kept, outcome="kept", reason="经抽查办件记录，全部在一个工作日内办结。"
    )
    broken = commitment_decide(
        actor=world.office_a,
        commitment=made("拖欠账款全部清零", D(2026, 9, 30)),
        outcome="broken",
        reason="到期仍有3笔账款未支付，认定未兑现。",
    )
    overdue = made("新建公办幼儿园两所", D(2026, 10, 1))
    commitment_report_progress(
        actor=world.clerk_a, commitment=overdue, reported_on=D(2026, 8, 1), percent=55, narrative="主体工程完工。"
    )
    going = made("不动产登记三个工作日办结", D(2026, 12, 31))
    return {"kept": kept, "broken": broken, "overdue": overdue, "in_progress": going}


def fits_the_screen(page: Any) -> bool:
    page.wait_for_load_state("load")
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_a_reader_follows_the_report_card_to_a_commitment(live_server: Any, world: City, page: Any, width: str) -> None:
    from playwright.sync_api import expect

    made = commitments_of_a_year(world)
    base = str(live_server.url)
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size(PHONE if width == "phone" else DESKTOP)

    page.goto(f"{base}/agencies/{world.agency_a.pk}/")
    expect(page.locator("#agency-commitments")).to_be_visible()
    assert page.locator("#agency-commitments tbody tr").count() == 4
    assert fits_the_screen(page)
    page.locator("#agency-report-card").click()

    card = page.locator("#report-card")
    expect(card).to_be_visible()
    assert card.get_attribute("data-year") == "2026"
    counts = {
        standing: page.locator(f"#count-{standing}").get_attribute("data-value")
        for standing in ("kept", "partly_kept", "broken", "changed", "overdue", "in_progress")
    }
    assert counts == {
        "kept": "1",
        "partly_kept": "0",
        "broken": "1",
        "changed": "0",
        "overdue": "1",
        "in_progress": "1",
    }
    expect(page.locator("#standing-broken")).to_contain_text("到期仍有3笔账款未支付")
    expect(page.locator("#standing-overdue")).to_contain_text("已完成55%")
    assert "张伟" not in page.content()
    assert fits_the_screen(page)
    page.screenshot(path=str(ARTIFACTS / f"public-report-card-{width}.png"), full_page=True)

    page.locator("#count-kept a").click()
    expect(page.locator("#standing-list")).to_be_visible()
    assert page.locator("#standing-list tbody tr").count() == 1
    page.locator(f'#standing-list tr[data-commitment="{made["kept"].pk}"] a.commitment-title').click()

    expect(page.locator("#commitment-heading")).to_have_text("企业开办一日办结")
    expect(page.locator("#commitment-status")).to_have_text("已兑现")
    expect(page.locator("#commitment-person")).to_have_text("张某")
    expect(page.locator("#commitment-reports")).to_contain_text("张某牵头，全部办结。")
    expect(page.locator("#commitment-outcome-reason")).to_contain_text("全部在一个工作日内办结")
    assert "张伟" not in page.content()
    assert fits_the_screen(page)
    page.screenshot(path=str(ARTIFACTS / f"public-commitment-{width}.png"), full_page=True)
