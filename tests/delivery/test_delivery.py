"""Delivery of the outbox to the platform, against the platform stub as a real process (tests/stub_support.py).

These drive delivery step by step in the test's own process (`deliver_due`);
tests/delivery/test_delivery_reliability.py runs the same code in real Celery workers under the faults of
docs/faults.md.
"""

import datetime
import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import connections
from django.db.models.functions import Now

from commitments.services import COMMITMENT_KIND, commitment_decide
from delivery import client, services
from delivery.kick import delivery_kick
from delivery.models import PlatformState
from outbox.models import FailureKind, OutboxStatus, PlatformChange
from records.models import DishonestyRecord
from records.services import record_correct, record_publish, record_revoke, record_submit
from tests.conftest import City
from tests.factories import make_record, published_commitment
from tests.stub_support import PlatformStub, platform_stub  # noqa: F401 - the fixture

D = datetime.date


@pytest.fixture
def calendar(db: None) -> None:
    from workcalendar.services import calendar_year_seed

    calendar_year_seed(year=2026)


@pytest.fixture
def platform(platform_stub: PlatformStub, settings: object) -> Iterator[PlatformStub]:  # noqa: F811
    settings.PLATFORM_URL = platform_stub.url  # type: ignore[attr-defined]
    settings.PLATFORM_SECRET = platform_stub.secret  # type: ignore[attr-defined]
    settings.PLATFORM_TIMEOUT_SECONDS = 2  # type: ignore[attr-defined]
    settings.PLATFORM_MAX_ATTEMPTS = 3  # type: ignore[attr-defined]
    yield platform_stub


def published(world: City, n: int = 1, **overrides: object) -> list[DishonestyRecord]:
    records = []
    for i in range(n):
        record = make_record(world.clerk_a, world.agency_a, document_number=f"东财罚〔2026〕{i + 1}号", **overrides)
        record_submit(actor=world.reviewer_a, record=record)
        records.append(record_publish(actor=world.office_a, record=record, today=D(2026, 11, 2)))
    return records


def make_due() -> None:
    """Time passes: every backoff, lease and pause of the platform has run out (by the database's clock)."""
    PlatformChange.objects.update(next_attempt_at=Now() - timedelta(seconds=1), leased_until=None)
    PlatformState.objects.update(paused_until=Now() - timedelta(seconds=1))


def statuses() -> dict[str, int]:
    out: dict[str, int] = {}
    for status in PlatformChange.objects.values_list("status", flat=True):
        out[status] = out.get(status, 0) + 1
    return out


def test_published_records_reach_the_platform_in_their_latest_version(
    world: City, calendar: None, platform: PlatformStub
) -> None:
    first, second = published(world, 2)
    record_correct(actor=world.office_a, record=first, changes={"facts": "更正后的事实。"}, reason="笔误")
    record_revoke(actor=world.office_a, record=second, reason="撤销")

    # Per-record order: one version of a record per round, the older first.
    outcome = services.deliver_due()
    assert outcome.delivered == 4 and outcome.sent == 4
    assert statuses() == {OutboxStatus.DELIVERED: 4}
    held = {item["record_id"]: item for item in platform.records()}
    first.refresh_from_db()
    second.refresh_from_db()
    assert held[first.pk]["version"] == first.version and held[first.pk]["change_type"] == "corrected"
    assert held[second.pk]["version"] == second.version and held[second.pk]["change_type"] == "revoked"
    assert platform.record(first.pk)["payload"]["cf_sy"] == "更正后的事实。"
    assert platform.stats()["received"] == 4 and platform.stats()["duplicates"] == 0
    delivered = PlatformChange.objects.get(record=first, version=first.version)
    assert delivered.delivered_at is not None and delivered.attempts == 1 and delivered.last_error == ""


def test_a_later_version_waits_for_the_earlier_one(world: City, calendar: None, platform: PlatformStub) -> None:
    (record,) = published(world)
    record_correct(actor=world.office_a, record=record, changes={"facts": "第一次更正。"}, reason="笔误")
    first_batch = services.changes_claim()
    assert [c.version for c in first_batch] == [2]  # v3 is held back while v2 is on its way
    assert services.changes_claim() == []
    services.batch_deliver(first_batch)
    assert [c.version for c in services.changes_claim()] == [3]


def test_platform_down_delays_delivery_and_never_drops_it(world: City, calendar: None, platform: PlatformStub) -> None:
    records = published(world, 3)
    platform.kill()
    outcome = services.deliver_due()
    assert outcome.sent == 3 and outcome.delivered == 0 and outcome.retried == 3
    change = PlatformChange.objects.first()
    assert change.status == OutboxStatus.PENDING and change.attempts == 1
    assert "Error" in change.last_error  # the transport error, for the operations page
    # Backoff by the database's clock: nothing is due now, so no tight loop.
    assert services.changes_claim() == []
    assert change.next_attempt_at > services.db_now()

    platform.start()  # same port and database
    make_due()
    assert services.deliver_due().delivered == 3
    assert {item["record_id"] for item in platform.records()} == {r.pk for r in records}


def test_backoff_grows_with_jitter_and_is_capped(settings: object) -> None:
    settings.PLATFORM_RETRY_BASE_SECONDS = 2  # type: ignore[attr-defined]
    settings.PLATFORM_RETRY_MAX_SECONDS = 60  # type: ignore[attr-defined]
    first = [services.backoff_seconds(1) for _ in range(200)]
    fifth = [services.backoff_seconds(5) for _ in range(200)]
    tenth = [services.backoff_seconds(10) for _ in range(200)]
    assert all(1 <= s <= 2 for s in first)
    assert all(16 <= s <= 32 for s in fifth)
    assert all(30 <= s <= 60 for s in tenth)
    assert len({round(s, 3) for s in fifth}) > 50  # jitter: retries of many changes spread out


def test_server_errors_are_retried_for_as_long_as_they_last_and_never_parked(
    world: City, calendar: None, platform: PlatformStub
) -> None:
    published(world, 2)
    platform.set_faults(error_rate=1.0)
    for _ in range(6):  # twice PLATFORM_MAX_ATTEMPTS: a failing platform is not the changes' fault
        services.deliver_due()
        make_due()
    assert statuses() == {OutboxStatus.PENDING: 2}
    waiting = PlatformChange.objects.first()
    assert waiting.attempts == 6 and waiting.refusals == 0 and waiting.failure == FailureKind.SERVER_ERROR
    assert waiting.last_error.startswith("HTTP 500")
    # every try's answer is kept for the operations page
    assert [a.http_status for a in waiting.answers.all()] == [500] * 6

    platform.set_faults(error_rate=0.0)
    make_due()
    assert services.deliver_due().delivered == 2
    assert len(platform.records()) == 2
    assert PlatformChange.objects.filter(failure="", last_error="").count() == 2


def test_a_refused_change_is_parked_and_replayable(world: City, calendar: None, platform: PlatformStub) -> None:
    (record,) = published(world)
    platform.set_faults(reject_record_ids=[record.pk])
    for _ in range(3):  # PLATFORM_MAX_ATTEMPTS
        services.deliver_due()
        make_due()
    parked = PlatformChange.objects.get()
    assert parked.status == OutboxStatus.FAILED and parked.refusals == 3 and parked.failed_at is not None
    assert parked.failure == FailureKind.REFUSED and parked.answers.count() == 3
    assert services.changes_claim() == []  # parked changes are not retried by themselves

    platform.set_faults(reject_record_ids=[])
    assert services.changes_replay(PlatformChange.objects.all()) == 1
    assert PlatformChange.objects.get().refusals == 0
    assert services.deliver_due().delivered == 1


def test_a_poison_change_is_parked_while_the_others_go_through(
    world: City, calendar: None, platform: PlatformStub
) -> None:
    poisoned, healthy = published(world, 2)
    platform.set_faults(reject_record_ids=[poisoned.pk])
    for _ in range(3):
        services.deliver_due()
        make_due()
    assert PlatformChange.objects.get(record=healthy).status == OutboxStatus.DELIVERED
    parked = PlatformChange.objects.get(record=poisoned)
    assert parked.status == OutboxStatus.FAILED and "poison" in parked.last_error
    assert [item["record_id"] for item in platform.records()] == [healthy.pk]


def test_429_waits_as_long_as_the_platform_asks_without_spending_a_try(
    world: City, calendar: None, platform: PlatformStub
) -> None:
    published(world)
    platform.set_faults(rate_limit_rate=1.0, retry_after=30)
    before = services.db_now()
    outcome = services.deliver_due()
    assert outcome.throttled and outcome.retried == 1
    change = PlatformChange.objects.get()
    assert change.attempts == 0
    assert timedelta(seconds=29) <= change.next_attempt_at - before <= timedelta(seconds=35)


def test_a_lost_answer_is_resent_and_absorbed_by_the_delivery_key(
    world: City, calendar: None, platform: PlatformStub
) -> None:
    (record,) = published(world)
    platform.set_faults(lost_response_rate=1.0)
    assert services.deliver_due().delivered == 0  # applied by the platform, but we never heard
    platform.set_faults(lost_response_rate=0.0)
    make_due()
    assert services.deliver_due().delivered == 1
    stats = platform.stats()
    assert stats["received"] == 1 and stats["duplicates"] == 1
    assert platform.record(record.pk)["version"] == record.version


def test_a_hanging_platform_times_out_and_the_batch_is_retried(
    world: City, calendar: None, platform: PlatformStub
) -> None:
    published(world)
    platform.set_faults(timeout_rate=1.0, timeout_seconds=5)
    outcome = services.deliver_due()  # PLATFORM_TIMEOUT_SECONDS = 2
    assert outcome.retried == 1
    assert "Timeout" in PlatformChange.objects.get().last_error
    platform.set_faults(timeout_rate=0.0)
    make_due()
    assert services.deliver_due().delivered == 1


def test_a_worker_that_dies_holding_a_batch_loses_nothing(world: City, calendar: None, platform: PlatformStub) -> None:
    published(world)
    claimed = services.changes_claim()
    # The worker sent the batch and died before marking it (docs/faults.md #6): the lease keeps others off meanwhile.
    client.post_batch("died", [services.item(c) for c in claimed], now=services.db_now().timestamp())
    assert services.changes_claim() == []
    PlatformChange.objects.update(leased_until=Now() - timedelta(seconds=1))  # the lease runs out
    assert services.anything_due()
    assert services.deliver_due().delivered == 1
    assert platform.stats()["duplicates"] == 1 and platform.stats()["received"] == 1
    assert PlatformChange.objects.get().attempts == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_never_claim_the_same_change(world: City, calendar: None, settings: object) -> None:
    settings.PLATFORM_BATCH_SIZE = 10  # type: ignore[attr-defined]
    for i in range(30):
        record = make_record(world.clerk_a, world.agency_a, document_number=f"东财罚〔2026〕{i + 100}号")
        record_submit(actor=world.reviewer_a, record=record)
        record_publish(actor=world.office_a, record=record, today=D(2026, 11, 2))
    claims: list[list[int]] = []
    barrier = threading.Barrier(3)

    def worker() -> None:
        try:
            barrier.wait()
            claims.append([c.pk for c in services.changes_claim()])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    claimed = [pk for claim in claims for pk in claim]
    assert len(claimed) == 30 and len(set(claimed)) == 30


def test_reconciliation_requeues_what_the_platform_lost(world: City, calendar: None, platform: PlatformStub) -> None:
    records = published(world, 3)
    services.deliver_due()
    assert services.reconcile().requeued == []
    platform.reset()  # the platform lost its data
    result = services.reconcile()
    assert result.records_checked == 3 and len(result.requeued) == 3
    requeued = PlatformChange.objects.get(pk=result.requeued[0])
    assert requeued.status == OutboxStatus.PENDING and requeued.generation == 1
    assert services.deliver_due().delivered == 3
    assert {item["record_id"] for item in platform.records()} == {r.pk for r in records}
    assert services.reconcile().requeued == []


def test_without_a_platform_address_changes_wait_in_the_outbox(world: City, calendar: None, settings: object) -> None:
    settings.PLATFORM_URL = ""  # type: ignore[attr-defined]
    published(world)
    assert services.deliver_due().sent == 0
    assert statuses() == {OutboxStatus.PENDING: 1}


def test_the_delivery_starts_once_per_transaction_after_commit(
    world: City, calendar: None, platform: PlatformStub, django_capture_on_commit_callbacks: object
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:  # type: ignore[operator]
        published(world, 3)
        delivery_kick()
    # three publishes (each in its own atomic block of the test transaction) and a kick: one start
    from delivery.kick import _start

    assert [c for c in callbacks if c is _start] == [_start]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_without_a_broker_a_background_thread_delivers(
    world: City, calendar: None, platform: PlatformStub, settings: object
) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = True  # type: ignore[attr-defined]
    settings.PLATFORM_SWEEP_SECONDS = 1  # type: ignore[attr-defined]
    (record,) = published(world)
    for _ in range(100):
        if PlatformChange.objects.filter(status=OutboxStatus.DELIVERED).exists():
            break
        threading.Event().wait(0.1)
    assert platform.record(record.pk)["version"] == record.version


def test_a_workers_skewed_clock_changes_nothing(world: City, calendar: None, platform: PlatformStub) -> None:
    """Backoff and leases are computed and compared by the database's clock (docs/faults.md #12)."""
    import time_machine

    published(world)
    platform.set_faults(error_rate=1.0)
    services.deliver_due()
    platform.set_faults(error_rate=0.0)
    # A worker whose clock runs a day ahead (or behind) still sees the change as not yet due ...
    for skew in (timedelta(days=1), -timedelta(days=1)):
        with time_machine.travel(services.db_now() + skew, tick=False):
            assert services.changes_claim() == []
    # ... and once the database's clock passes the backoff, any worker takes it.
    make_due()
    with time_machine.travel(services.db_now() - timedelta(days=1), tick=False):
        assert services.deliver_due().delivered == 1


def test_an_outage_longer_than_the_whole_backoff_schedule_parks_nothing_and_one_probe_drains_it(
    world: City, calendar: None, platform: PlatformStub
) -> None:
    """docs/faults.md #13: the platform is away for hours. Delivery pauses and probes it (one request per interval, not
    a batch per change); nothing is parked; the first probe it answers pulls every waiting change forward."""
    published(world, 3)
    platform.set_faults(down=True)
    first = services.deliver_due()
    assert first.sent == 3 and first.platform_failed and first.parked == 0
    state = PlatformState.objects.get()
    assert state.failing_since is not None and state.paused_until > services.db_now()
    assert services.deliver_due().paused and not services.anything_due()  # paused: no batch, no task
    for _ in range(3 * 3):  # three times PLATFORM_MAX_ATTEMPTS, each after every backoff and pause ran out
        make_due()
        assert services.deliver_due().paused  # the probe failed: still nothing sent
    assert statuses() == {OutboxStatus.PENDING: 3}
    assert set(PlatformChange.objects.values_list("attempts", "refusals", "failure")) == {
        (1, 0, FailureKind.UNREACHABLE)
    }
    state.refresh_from_db()
    assert state.failures == 10 and state.last_probe_ok is False and "Error" in state.last_error

    # The platform is back. The changes' own backoff would keep them waiting for hours; the probe does not.
    platform.set_faults(down=False)
    PlatformChange.objects.update(next_attempt_at=Now() + timedelta(hours=6))
    PlatformState.objects.update(paused_until=Now() - timedelta(seconds=1))
    assert services.anything_due()  # the sweeper queues a delivery: its probe is due
    assert services.deliver_due().delivered == 3
    state.refresh_from_db()
    assert state.failing_since is None and state.failures == 0 and state.last_probe_ok
    assert {item["record_id"] for item in platform.records()} == set(
        PlatformChange.objects.values_list("record_id", flat=True)
    )


def test_a_delivered_batch_after_a_short_outage_pulls_the_waiting_changes_forward(
    world: City, calendar: None, platform: PlatformStub, settings: object
) -> None:
    """After a short outage changes do not wait out their own backoff: the first answer makes them due."""
    settings.PLATFORM_BATCH_SIZE = 2  # type: ignore[attr-defined]
    published(world, 4)
    platform.set_faults(error_rate=1.0)
    services.deliver_due()  # the first two fail with a 500
    platform.set_faults(error_rate=0.0)
    PlatformChange.objects.filter(attempts=1).update(next_attempt_at=Now() + timedelta(minutes=10))
    PlatformState.objects.update(paused_until=None)  # e.g. a probe answered, nothing delivered yet
    outcome = services.deliver_due()
    assert outcome.delivered == 4 and statuses() == {OutboxStatus.DELIVERED: 4}


def test_a_429_pauses_every_worker_for_its_retry_after(world: City, calendar: None, platform: PlatformStub) -> None:
    published(world)
    platform.set_faults(rate_limit_rate=1.0, retry_after=30)
    assert services.deliver_due().throttled
    platform.set_faults(rate_limit_rate=0.0)
    assert services.deliver_due().paused and platform.stats()["batches"] == 1
    state = PlatformState.objects.get()
    assert state.failing_since is None and state.last_error_kind == FailureKind.THROTTLED  # throttled, not down
    make_due()
    assert services.deliver_due().delivered == 1


def test_the_reconcile_task_survives_an_unreachable_platform(
    world: City, calendar: None, platform: PlatformStub
) -> None:
    """docs/faults.md #13: urllib3's connection errors are not OSError; the task must not crash on them."""
    from delivery.tasks import reconcile

    published(world)
    services.deliver_due()
    platform.set_faults(down=True)  # every connection reset: urllib3 raises ProtocolError
    assert reconcile.apply().get() == {"checked": 0, "requeued": 0, "pruned": 0}
    platform.kill()  # connection refused
    assert reconcile.apply().get() == {"checked": 0, "requeued": 0, "pruned": 0}
    with pytest.raises(client.PlatformUnreachable):
        services.reconcile()


def _long_facts(n: int) -> str:
    return ("拖欠中小企业货款逾期未支付，经多次催告仍未履行。" * 200)[:n]


def test_batches_are_cut_by_bytes(world: City, calendar: None, platform: PlatformStub, settings: object) -> None:
    """docs/faults.md #16: a batch never exceeds PLATFORM_BATCH_MAX_BYTES, whatever its count."""
    settings.PLATFORM_BATCH_MAX_BYTES = 30_000  # type: ignore[attr-defined]
    platform.set_faults(max_body_bytes=30_000)
    published(world, 6, facts=_long_facts(2000))  # ~13 KB an item (facts in cf_sy and, with no loss, in cf_nr)
    outcome = services.deliver_due()
    assert outcome.delivered == 6 and outcome.splits == 0
    stats = platform.stats()
    assert stats["too_large"] == 0 and stats["batches"] == 3 and stats["largest_body"] <= 30_000


def test_a_413_splits_the_batch_until_it_fits(
    world: City, calendar: None, platform: PlatformStub, settings: object
) -> None:
    platform.set_faults(max_body_bytes=30_000)  # a proxy in front of the platform, stricter than our limit
    records = published(world, 6, facts=_long_facts(2000))
    outcome = services.deliver_due()
    assert outcome.delivered == 6 and outcome.splits >= 2 and outcome.parked == 0
    assert statuses() == {OutboxStatus.DELIVERED: 6}
    assert platform.stats()["too_large"] >= 2
    assert {item["record_id"] for item in platform.records()} == {r.pk for r in records}
    assert PlatformChange.objects.filter(attempts=1).count() == 6  # a split is not a new try


def test_a_change_too_large_on_its_own_counts_as_refused(world: City, calendar: None, platform: PlatformStub) -> None:
    small, large = published(world, 2)
    # A record entered before fields had length limits: its item alone is larger than the platform accepts.
    PlatformChange.objects.filter(record=large).update(
        payload={**large.platform_changes.get().payload, "cf_sy": "x" * 20_000}
    )
    platform.set_faults(max_body_bytes=10_000)
    outcome = services.deliver_due()
    assert outcome.delivered == 1 and PlatformChange.objects.get(record=small).status == OutboxStatus.DELIVERED
    change = PlatformChange.objects.get(record=large)
    assert change.status == OutboxStatus.PENDING and change.refusals == 1 and change.failure == FailureKind.TOO_LARGE
    assert change.answers.get().http_status == 413


def test_a_published_commitments_changes_reach_the_platform_keyed_by_kind(
    world: City, calendar: None, platform: PlatformStub
) -> None:
    (record,) = published(world)
    commitment = published_commitment(world)
    commitment = commitment_decide(actor=world.office_a, commitment=commitment, outcome="kept", reason="如期兑现")

    # The record and the commitment's first version go in one round, its second after the first is delivered.
    assert services.deliver_due().delivered == 3
    assert statuses() == {OutboxStatus.DELIVERED: 3}
    held = platform.object(COMMITMENT_KIND, commitment.pk)
    assert (held["version"], held["change_type"]) == (commitment.version, "corrected")
    assert (held["payload"]["code"], held["payload"]["status"]) == (commitment.code, "kept")
    # The platform keeps the record and the commitment apart, whatever their ids.
    assert [item["record_id"] for item in platform.records()] == [record.pk]
    assert platform.stats()["objects"] == 1


def test_reconciliation_compares_records_only_and_leaves_other_kinds_alone(
    world: City, calendar: None, platform: PlatformStub
) -> None:
    (record,) = published(world)
    published_commitment(world)
    services.deliver_due()
    platform.reset()  # the platform lost everything

    result = services.reconcile()

    assert result.records_checked == 1
    assert [PlatformChange.objects.get(pk=pk).record_id for pk in result.requeued] == [record.pk]
    assert PlatformChange.objects.get(kind=COMMITMENT_KIND).status == OutboxStatus.DELIVERED
