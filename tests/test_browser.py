"""A clerk's day in a real browser: sign in through the form, open the directory, search, open a person.

Headless Chromium from Debian (`apt-get install chromium`) driven by pip's playwright; never `playwright install`.
Screenshots land in test-artifacts/ (gitignored).
"""

import pytest

from tests.browser_support import ARTIFACTS, BROWSER_MARKS
from tests.conftest import PASSWORD, City

FULL_ID = "33010219850312148X"
MASKED_ID = "3301**********148X"

pytestmark = BROWSER_MARKS


# Every transactional test rolls back to the migrations' seed data (see tests/conftest.py).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_clerk_signs_in_searches_and_opens_a_masked_file(live_server: object, world: City, page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    base = str(live_server.url)  # type: ignore[attr-defined]
    ARTIFACTS.mkdir(exist_ok=True)

    page.goto(f"{base}/staff/")
    expect(page).to_have_url(f"{base}/staff/login/?next=/staff/")
    page.locator("#id_username").fill("clerk-a")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#login-form button[type=submit]").click()
    expect(page).to_have_url(f"{base}/staff/")
    expect(page.locator("#current-user")).to_have_attribute("data-role", "clerk")
    page.screenshot(path=str(ARTIFACTS / "staff-home.png"), full_page=True)

    page.locator("nav.main-nav a[href='/staff/agencies/']").click()
    expect(page.locator(f"tr[data-agency-id='{world.agency_a.pk}']")).to_be_visible()

    page.locator("#agency-q").fill("财政")
    page.locator("form.search-form button[type=submit]").click()
    expect(page.locator("#agency-table tbody tr")).to_have_count(1)
    page.screenshot(path=str(ARTIFACTS / "staff-directory-search.png"), full_page=True)
    page.locator(f"tr[data-agency-id='{world.agency_a.pk}'] a").first.click()
    expect(page.locator("#agency-name")).to_contain_text(world.agency_a.name)

    page.locator("#agency-people-link").click()
    expect(page.locator("#people-table tbody tr")).to_have_count(1)
    expect(page.locator("#people-table [data-id-number-masked]")).to_have_text(MASKED_ID)
    page.screenshot(path=str(ARTIFACTS / "staff-people.png"), full_page=True)
    page.locator(f"tr[data-person-id='{world.person_a.pk}'] a").first.click()
    expect(page.locator("#person-name")).to_contain_text("张伟")
    expect(page.locator("#id-number")).to_have_text(MASKED_ID)
    assert FULL_ID not in page.content()
    assert page.locator("#reveal-form").count() == 0
    page.screenshot(path=str(ARTIFACTS / "staff-person-file.png"), full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.locator("#id-number")).to_have_text(MASKED_ID)
    page.screenshot(path=str(ARTIFACTS / "staff-person-file-phone.png"), full_page=True)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/search/?q=财政局")
    expect(page.locator("#results li")).to_have_count(3)
    page.screenshot(path=str(ARTIFACTS / "public-search.png"), full_page=True)
