"""An operator's view of delivery in a real browser: the dashboard warns of lag, the operations page shows the
parked change with the platform's answer, and a replay sends it through (to the platform stub, a real process)."""

from datetime import timedelta

import pytest
from django.db.models.functions import Now
from django.utils import timezone

from delivery import services
from outbox.models import OutboxStatus, PlatformChange
from records.services import record_publish, record_submit
from tests.browser_support import ARTIFACTS, BROWSER_MARKS
from tests.conftest import PASSWORD, City
from tests.factories import make_record
from tests.stub_support import PlatformStub, platform_stub  # noqa: F401 - the fixture

pytestmark = BROWSER_MARKS


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_operator_sees_the_lag_and_replays_a_parked_change(
    live_server: object,
    world: City,
    page: object,
    platform_stub: PlatformStub,  # noqa: F811
    settings: object,
) -> None:
    from playwright.sync_api import Page, expect

    from workcalendar.services import calendar_year_seed

    assert isinstance(page, Page)
    calendar_year_seed(year=2026)
    settings.PLATFORM_URL = platform_stub.url  # type: ignore[attr-defined]
    settings.PLATFORM_SECRET = platform_stub.secret  # type: ignore[attr-defined]
    settings.PLATFORM_MAX_ATTEMPTS = 1  # type: ignore[attr-defined]
    record = make_record(
        world.clerk_a,
        world.agency_a,
        document_number="东财罚〔2026〕77号",
        decision_date=timezone.localdate() - timedelta(days=30),  # in its disclosure window whatever day it is
    )
    record_submit(actor=world.reviewer_a, record=record)
    record_publish(actor=world.office_a, record=record)
    # The platform refuses this record once: the change is parked with its answer; it has waited for an hour.
    platform_stub.set_faults(reject_record_ids=[record.pk])
    services.deliver_due()
    PlatformChange.objects.update(created_at=Now() - timedelta(hours=1))
    platform_stub.set_faults(reject_record_ids=[])

    base = str(live_server.url)  # type: ignore[attr-defined]
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(f"{base}/staff/login/")
    page.locator("#id_username").fill("office-a")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#login-form button[type=submit]").click()
    expect(page.locator("#delivery-lag-warning")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "delivery-dashboard-warning.png"), full_page=True)

    page.locator("#delivery-lag-warning a").click()
    expect(page).to_have_url(f"{base}/staff/platform/")
    row = page.locator(f"#change-{PlatformChange.objects.get().pk}")
    expect(row).to_contain_text("东财罚〔2026〕77号")
    expect(row.locator(".platform-answer")).to_contain_text("poison")
    expect(page.locator("#stat-failed .stat-value")).to_have_text("1")
    page.screenshot(path=str(ARTIFACTS / "delivery-operations.png"), full_page=True)

    row.get_by_role("button").click()
    expect(page.locator(".message-success")).to_be_visible()
    expect(page.locator("#failed .empty-state")).to_be_visible()
    services.deliver_due()  # what the worker does next
    assert PlatformChange.objects.get().status == OutboxStatus.DELIVERED
    record.refresh_from_db()
    assert platform_stub.record(record.pk)["version"] == record.version

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.locator("#stat-failed .stat-value")).to_have_text("0")
    page.screenshot(path=str(ARTIFACTS / "delivery-operations-phone.png"), full_page=True)
