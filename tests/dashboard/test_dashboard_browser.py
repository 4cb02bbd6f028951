"""The leader's dashboard and the city page in headless Chromium: the charts draw on their canvases (vendored ECharts,
no network). Screenshots land in test-artifacts/ (gitignored)."""

import datetime

import pytest

from accounts.models import Role
from tests.browser_support import ARTIFACTS, BROWSER_MARKS
from tests.conftest import PASSWORD, City
from tests.dashboard.support import DAY, D, at, complaint_about, record_in, record_in_b, sme_obligation
from tests.factories import make_user, published_commitment

pytestmark = BROWSER_MARKS

# How many pixels of a chart's canvas are not blank (a drawn chart has thousands).
PAINTED = """(selector) => {
  const canvas = document.querySelector(selector + ' canvas');
  if (!canvas) return -1;
  const context = canvas.getContext('2d');
  const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) painted++;
  return painted;
}"""


def sign_in(page: object, base: str, username: str) -> None:
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    page.goto(f"{base}/staff/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#login-form button[type=submit]").click()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_dashboards_draw_their_charts(live_server: object, world: City, page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    serious = record_in(world, severity="serious")
    record_in(world)
    record_in_b(world)
    with at(DAY):
        complaint_about(serious, stage_due_on=D(2026, 11, 10))
        published_commitment(world, due_on=D(2026, 11, 12), year=2026)
    sme_obligation(world, world.agency_a, due_on=D(2026, 10, 1), status="overdue")
    make_user(Role.CREDIT_OFFICE, world.city, username="city-office")
    base = str(live_server.url)  # type: ignore[attr-defined]
    ARTIFACTS.mkdir(exist_ok=True)
    assert datetime.date.today() >= DAY

    sign_in(page, base, "office-a")
    page.goto(f"{base}/staff/dashboard/")
    for chart in ("trend", "sectors", "funnel"):
        expect(page.locator(f"#chart-{chart}")).to_have_attribute("data-rendered", "true")
    page.wait_for_timeout(300)
    for chart in ("trend", "sectors", "funnel"):
        assert page.evaluate(PAINTED, f"#chart-{chart}") > 500, chart
    expect(page.locator("#as-of")).to_contain_text("截至")
    page.screenshot(path=str(ARTIFACTS / "dashboard-leader.png"), full_page=True)

    page.context.clear_cookies()
    sign_in(page, base, "city-office")
    page.goto(f"{base}/staff/dashboard/city/")
    for chart in ("districts", "debt", "arrears", "commitments"):
        expect(page.locator(f"#chart-{chart}")).to_have_attribute("data-rendered", "true")
    page.wait_for_timeout(300)
    for chart in ("districts", "arrears", "commitments"):
        assert page.evaluate(PAINTED, f"#chart-{chart}") > 500, chart
    page.screenshot(path=str(ARTIFACTS / "dashboard-city.png"), full_page=True)
