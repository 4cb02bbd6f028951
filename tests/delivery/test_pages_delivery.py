"""The delivery operations page, the dashboard's lag warning and the outbox in the admin console."""

import datetime
import re
from datetime import timedelta

import pytest
from django.db.models.functions import Now
from django.test import Client
from django.urls import reverse

from delivery.models import PlatformAnswer, PlatformState
from outbox.models import FailureKind, OutboxStatus, PlatformChange
from records.services import record_publish, record_submit
from tests.conftest import City
from tests.factories import make_record

D = datetime.date


@pytest.fixture
def changes(world: City) -> list[PlatformChange]:
    from workcalendar.services import calendar_year_seed

    calendar_year_seed(year=2026)
    out = []
    for i, agency in enumerate((world.agency_a, world.agency_a, world.agency_b)):
        actor = world.clerk_a if agency == world.agency_a else world.outsider
        record = make_record(actor, agency, document_number=f"罚〔2026〕{i + 1}号")
        record_submit(actor=world.reviewer_a if agency == world.agency_a else world.office_b, record=record)
        record_publish(actor=world.admin, record=record, today=D(2026, 11, 2))
        out.append(PlatformChange.objects.get(record=record))
    return out


def park(change: PlatformChange, answer: str = "rejected: poison") -> None:
    PlatformChange.objects.filter(pk=change.pk).update(
        status=OutboxStatus.FAILED, attempts=10, failed_at=Now(), last_error=answer
    )


def test_operators_see_lag_pending_parked_and_the_platforms_answer(
    client: Client, world: City, changes: list[PlatformChange]
) -> None:
    park(changes[0], "rejected: cf_xdr_shxym 格式错误 <b>")
    park(changes[2])
    client.force_login(world.office_a)
    response = client.get(reverse("delivery:operations"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="stat-pending"' in html and 'data-count="1"' in html  # changes[1] waits
    assert f'id="change-{changes[0].pk}"' in html
    assert "cf_xdr_shxym 格式错误 &lt;b&gt;" in html  # the platform's answer, escaped
    # district A's credit office sees the parked changes of its own region only
    assert f'id="change-{changes[2].pk}"' not in html
    assert 'id="nav-delivery"' in html


def test_the_operations_page_is_for_operators_only(client: Client, world: City) -> None:
    for user in (world.clerk_a, world.reviewer_a, world.inspector_a, world.sector_a):
        client.force_login(user)
        assert client.get(reverse("delivery:operations")).status_code == 403
        assert client.post(reverse("delivery:replay_failed")).status_code == 403
        assert 'id="nav-delivery"' not in client.get(reverse("dashboard:home")).content.decode()
    client.logout()
    assert client.get(reverse("delivery:operations")).status_code == 302  # to the sign-in page


def test_replay_queues_a_parked_change_again(client: Client, world: City, changes: list[PlatformChange]) -> None:
    park(changes[0])
    client.force_login(world.office_a)
    response = client.post(reverse("delivery:replay", args=[changes[0].pk]), follow=True)
    assert 'class="message message-success"' in response.content.decode()
    changes[0].refresh_from_db()
    assert changes[0].status == OutboxStatus.PENDING and changes[0].attempts == 0 and changes[0].generation == 1
    # GET does nothing; another region's change is not found
    assert client.get(reverse("delivery:replay", args=[changes[0].pk])).status_code == 405
    park(changes[2])
    assert client.post(reverse("delivery:replay", args=[changes[2].pk])).status_code == 404
    assert PlatformChange.objects.get(pk=changes[2].pk).status == OutboxStatus.FAILED


def test_replay_all_takes_the_operators_region_only(client: Client, world: City, changes: list[PlatformChange]) -> None:
    for change in changes:
        park(change)
    client.force_login(world.office_a)
    client.post(reverse("delivery:replay_failed"))
    assert list(PlatformChange.objects.order_by("pk").values_list("status", flat=True)) == [
        OutboxStatus.PENDING,
        OutboxStatus.PENDING,
        OutboxStatus.FAILED,
    ]
    client.force_login(world.admin)
    client.post(reverse("delivery:replay_failed"))
    assert not PlatformChange.objects.filter(status=OutboxStatus.FAILED).exists()


def test_the_dashboard_warns_operators_when_delivery_lags(
    client: Client, world: City, changes: list[PlatformChange], settings: object
) -> None:
    settings.PLATFORM_LAG_WARNING_SECONDS = 600  # type: ignore[attr-defined]
    client.force_login(world.office_a)
    assert 'id="delivery-lag-warning"' not in client.get(reverse("dashboard:home")).content.decode()
    PlatformChange.objects.filter(pk=changes[0].pk).update(created_at=Now() - timedelta(minutes=30))
    html = client.get(reverse("dashboard:home")).content.decode()
    assert 'id="delivery-lag-warning"' in html
    assert int(re.search(r'data-lag-minutes="(\d+)"', html)[1]) in {29, 30}
    # not for a clerk, who cannot act on it
    client.force_login(world.clerk_a)
    assert 'id="delivery-lag-warning"' not in client.get(reverse("dashboard:home")).content.decode()
    # delivered: no lag
    PlatformChange.objects.update(status=OutboxStatus.DELIVERED)
    client.force_login(world.office_a)
    assert 'id="delivery-lag-warning"' not in client.get(reverse("dashboard:home")).content.decode()
    # a parked change is worth a warning too, however young
    park(changes[1])
    html = client.get(reverse("dashboard:home")).content.decode()
    assert 'id="delivery-lag-warning"' in html and 'data-parked="1"' in html


def test_the_page_says_when_no_platform_is_configured(client: Client, world: City, settings: object) -> None:
    settings.PLATFORM_URL = ""  # type: ignore[attr-defined]
    client.force_login(world.admin)
    html = client.get(reverse("delivery:operations")).content.decode()
    assert 'id="delivery-disabled"' in html
    assert '<p class="empty-state">' in html  # nothing parked


def test_the_page_costs_the_same_queries_for_many_parked_changes(
    client: Client, world: City, changes: list[PlatformChange], django_assert_max_num_queries: object
) -> None:
    client.force_login(world.admin)
    park(changes[0])
    with django_assert_max_num_queries(12) as few:  # type: ignore[operator]
        client.get(reverse("delivery:operations"))
    for change in changes[1:]:
        park(change)
    with django_assert_max_num_queries(len(few.captured_queries)):  # type: ignore[operator]
        client.get(reverse("delivery:operations"))


def test_the_outbox_in_the_admin_is_scoped_read_only_and_replays(
    client: Client, world: City, changes: list[PlatformChange]
) -> None:
    park(changes[0])
    park(changes[2])
    client.force_login(world.office_a)
    url = reverse("admin:outbox_platformchange_changelist")
    html = client.get(url).content.decode()
    assert f"/{changes[0].pk}/change/" in html and f"/{changes[2].pk}/change/" not in html
    assert 'id="delivery-summary"' in html  # lag, pending, parked, last delivery
    assert client.get(reverse("admin:outbox_platformchange_add")).status_code == 403
    client.post(url, {"action": "replay", "_selected_action": [changes[0].pk, changes[2].pk]})
    assert PlatformChange.objects.get(pk=changes[0].pk).status == OutboxStatus.PENDING
    assert PlatformChange.objects.get(pk=changes[2].pk).status == OutboxStatus.FAILED
    client.force_login(world.clerk_a)
    assert client.get(url).status_code == 302  # not a console user: to the console's sign-in


def test_counts_banner_and_list_come_from_the_operators_region_only(
    client: Client, world: City, changes: list[PlatformChange]
) -> None:
    """Issue 10 §5: district A's office must not learn of district B's parked changes from the counts or banner."""
    park(changes[0])
    park(changes[2])  # district B's
    PlatformChange.objects.filter(pk=changes[1].pk).update(created_at=Now() - timedelta(hours=2))
    client.force_login(world.office_a)
    html = client.get(reverse("delivery:operations")).content.decode()
    assert re.search(r'id="stat-failed">\s*<span class="stat-value" data-count="1"', html)
    assert 'data-parked="1"' in html  # the banner
    assert html.count('class="change-answers"') == 1  # the list
    home = client.get(reverse("dashboard:home")).content.decode()
    assert 'data-parked="1"' in home
    # the administrator sees the whole city
    client.force_login(world.admin)
    html = client.get(reverse("delivery:operations")).content.decode()
    assert re.search(r'id="stat-failed">\s*<span class="stat-value" data-count="2"', html)
    assert 'data-parked="2"' in html and html.count('class="change-answers"') == 2
    # district B's office sees only its own, and no lag of district A's waiting change
    client.force_login(world.office_b)
    html = client.get(reverse("delivery:operations")).content.decode()
    assert re.search(r'id="stat-pending">\s*<span class="stat-value" data-count="0"', html)
    assert 'data-parked="1"' in html and f'id="change-{changes[2].pk}"' in html


def test_the_page_says_why_changes_wait_while_the_platform_is_down(
    client: Client, world: City, changes: list[PlatformChange]
) -> None:
    """Issue 10 §6: during an outage the operator reads "no answer since 10:42", the error and the next probe."""
    since = datetime.datetime(2026, 12, 5, 10, 42, tzinfo=datetime.UTC)
    PlatformState.objects.create(
        failing_since=since,
        failures=7,
        paused_until=since + timedelta(hours=1),
        last_error="NewConnectionError: [Errno 111] Connection refused",
        last_error_kind=FailureKind.UNREACHABLE,
        last_error_at=since + timedelta(minutes=50),
        last_probe_at=since + timedelta(minutes=50),
    )
    PlatformChange.objects.filter(pk__in=[changes[0].pk, changes[1].pk]).update(
        attempts=1, failure=FailureKind.UNREACHABLE, last_error="NewConnectionError: [Errno 111] Connection refused"
    )
    client.force_login(world.office_a)
    html = client.get(reverse("delivery:operations")).content.decode()
    assert 'id="platform-failing"' in html and 'data-failing="1"' in html
    assert "2026-12-05 18:42:00" in html  # since when, in local time
    assert "Connection refused" in html and 'id="platform-next-probe"' in html
    assert "2026-12-05 19:42:00" in html  # the next probe
    assert "2项本辖区的变更正在等待平台" in html  # why they wait, and how many of the operator's own

    PlatformState.objects.update(failing_since=None, failures=0, paused_until=None)
    html = client.get(reverse("delivery:operations")).content.decode()
    assert 'id="platform-failing"' not in html and 'data-failing="0"' in html
    assert "Connection refused" in html  # the last error stays visible, with its time


def test_each_changes_answers_are_on_its_page(client: Client, world: City, changes: list[PlatformChange]) -> None:
    park(changes[0], "rejected: payload.cf_xdr_shxym must be 18 characters")
    PlatformAnswer.objects.bulk_create(
        [
            PlatformAnswer(change=changes[0], kind=FailureKind.UNREACHABLE, detail="ReadTimeoutError: timed out"),
            PlatformAnswer(change=changes[0], kind=FailureKind.SERVER_ERROR, http_status=502, detail="Bad Gateway"),
            PlatformAnswer(
                change=changes[0], kind=FailureKind.REFUSED, http_status=200, detail="rejected: <b>18 characters</b>"
            ),
        ]
    )
    client.force_login(world.office_a)
    operations = client.get(reverse("delivery:operations")).content.decode()
    url = reverse("delivery:change", args=[changes[0].pk])
    assert url in operations
    html = client.get(url).content.decode()
    assert html.count('<td data-kind="') == 3
    assert (
        html.index("rejected: &lt;b&gt;18") < html.index("Bad Gateway") < html.index("ReadTimeoutError")
    )  # latest first
    assert 'id="replay"' in html
    # a change never refused has no answers, and no replay button
    html = client.get(reverse("delivery:change", args=[changes[1].pk])).content.decode()
    assert '<td data-kind="' not in html and 'id="replay"' not in html
    # another region's change is not found; a clerk may not look
    assert client.get(reverse("delivery:change", args=[changes[2].pk])).status_code == 404
    client.force_login(world.clerk_a)
    assert client.get(url).status_code == 403


def test_a_changes_page_costs_the_same_queries_for_many_answers(
    client: Client, world: City, changes: list[PlatformChange], django_assert_max_num_queries: object
) -> None:
    client.force_login(world.admin)
    PlatformAnswer.objects.create(change=changes[0], kind=FailureKind.UNREACHABLE, detail="refused")
    url = reverse("delivery:change", args=[changes[0].pk])
    with django_assert_max_num_queries(10) as few:  # type: ignore[operator]
        client.get(url)
    PlatformAnswer.objects.bulk_create(
        PlatformAnswer(change=changes[0], kind=FailureKind.SERVER_ERROR, http_status=500) for _ in range(60)
    )
    with django_assert_max_num_queries(len(few.captured_queries)):  # type: ignore[operator]
        html = client.get(url).content.decode()
    assert html.count('<td data-kind="') == 50  # the latest 50
