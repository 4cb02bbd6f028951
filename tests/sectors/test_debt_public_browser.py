"""The public debt page in a real browser: the vendored ECharts draws the balance against the limit, and the table
of the same figures is there beside it."""

import pytest

from sectors.services.debt import debt_year_publish
from tests.browser_support import ARTIFACTS, BROWSER_MARKS
from tests.conftest import City
from tests.sectors.debt_support import make_year

pytestmark = BROWSER_MARKS


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_public_debt_page_draws_its_chart_beside_the_table(live_server: object, world: City, page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    for year in (2023, 2024, 2025):
        debt_year_publish(actor=world.office_a, row=make_year(world.office_a, world.district_a, year=year))
    ARTIFACTS.mkdir(exist_ok=True)

    page.goto(f"{live_server.url}/debt/{world.district_a.pk}/")  # type: ignore[attr-defined]

    expect(page.locator("#debt-chart")).to_have_attribute("data-rendered", "true")
    expect(page.locator("#debt-chart svg")).to_have_count(1)
    expect(page.locator("#debt-years-table tbody tr")).to_have_count(3)
    expect(page.locator("#debt-years-table tbody tr").first).to_contain_text("2023")
    page.screenshot(path=str(ARTIFACTS / "public-debt-region.png"), full_page=True)

    page.goto(f"{live_server.url}/debt/")  # type: ignore[attr-defined]
    expect(page.locator(f"#debt-public-table tr[data-region='{world.district_a.pk}']")).to_contain_text("绿色")
