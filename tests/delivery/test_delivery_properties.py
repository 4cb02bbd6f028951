"""Delivery as a state machine (Hypothesis): publish / correct / revoke / deliver a batch / turn a platform fault on
or off / a worker dying before or after the platform's answer / time passing, in any order. At the end the faults
stop, delivery runs until nothing is due, and the invariant of docs/faults.md must hold.
"""

import datetime
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models.functions import Now
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, precondition, rule

from delivery import client, services
from delivery.models import PlatformState
from outbox.models import OutboxStatus, PlatformChange
from records.models import DishonestyRecord, RecordStatus
from records.services import record_correct, record_publish, record_revoke, record_submit
from tests.conftest import City
from tests.factories import make_record
from tests.stub_support import PlatformStub, platform_stub  # noqa: F401 - the fixture

D = datetime.date
FAULTS = {
    "none": {},
    "errors": {"error_rate": 0.5},
    "lost answers": {"lost_response_rate": 0.5},
    "throttled": {"rate_limit_rate": 0.5, "retry_after": 1},
    "down": {"down": True},
}
CLEAR = {"error_rate": 0.0, "lost_response_rate": 0.0, "rate_limit_rate": 0.0, "down": False}


def make_due() -> None:
    """Every backoff, lease and pause of the platform runs out (by the database's clock)."""
    PlatformChange.objects.update(next_attempt_at=Now() - timedelta(seconds=1), leased_until=None)
    PlatformState.objects.update(paused_until=Now() - timedelta(seconds=1))


class Delivery(RuleBasedStateMachine):
    world: City
    stub: PlatformStub

    records = Bundle("records")

    def __init__(self) -> None:
        super().__init__()
        self.stub.set_faults(**CLEAR)
        self.stub.reset()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.changes_made = 0
        self.serial = 0

    @initialize(target=records)
    def first_record(self) -> DishonestyRecord:
        return self._publish()

    def _publish(self) -> DishonestyRecord:
        self.serial += 1
        record = make_record(self.world.clerk_a, self.world.agency_a, document_number=f"东财罚〔2026〕{self.serial}号")
        record_submit(actor=self.world.reviewer_a, record=record)
        self.changes_made += 1
        return record_publish(actor=self.world.office_a, record=record, today=D(2026, 11, 2))

    @rule(target=records)
    def publish(self) -> DishonestyRecord:
        return self._publish()

    @rule(record=records)
    def correct(self, record: DishonestyRecord) -> None:
        record.refresh_from_db()
        if record.status in {RecordStatus.PUBLISHED, RecordStatus.CORRECTED}:
            record_correct(
                actor=self.world.office_a, record=record, changes={"facts": f"第{record.version}版。"}, reason="更正"
            )
            self.changes_made += 1

    @rule(record=records)
    def revoke(self, record: DishonestyRecord) -> None:
        record.refresh_from_db()
        if record.status in {RecordStatus.PUBLISHED, RecordStatus.CORRECTED}:
            record_revoke(actor=self.world.office_a, record=record, reason="撤销")
            self.changes_made += 1

    @rule()
    def deliver_one_batch(self) -> None:
        services.deliver_due(max_batches=1)

    @rule(fault=st.sampled_from(sorted(FAULTS)))
    def platform_behaves(self, fault: str) -> None:
        self.stub.set_faults(**{**CLEAR, **FAULTS[fault]})

    @precondition(lambda self: services.claimable().exists())
    @rule(after_the_answer=st.booleans())
    def worker_dies(self, after_the_answer: bool) -> None:
        claimed = services.changes_claim()
        if after_the_answer:
            client.post_batch("died", [services.item(c) for c in claimed])

    @rule()
    def time_passes(self) -> None:
        make_due()

    def teardown(self) -> None:
        try:
            self._quiesce_and_check()
        finally:
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)

    def _quiesce_and_check(self) -> None:
        self.stub.set_faults(**CLEAR)
        for _ in range(100):
            make_due()
            services.deliver_due()
            if not PlatformChange.objects.filter(status=OutboxStatus.PENDING).exists():
                break
        # every business change made exactly one outbox entry; nothing pending, nothing parked
        assert PlatformChange.objects.count() == self.changes_made
        assert PlatformChange.objects.exclude(status=OutboxStatus.DELIVERED).count() == 0
        # what we consider delivered is what the platform holds, and it holds each record's latest version
        held = {item["record_id"]: item for item in self.stub.records()}
        latest = {r.pk: r.version for r in DishonestyRecord.objects.all()}
        assert {rid: item["version"] for rid, item in held.items()} == latest
        stats = self.stub.stats()
        assert stats["received"] == self.changes_made  # once each, duplicates absorbed


@pytest.fixture
def machine(world: City, platform_stub: PlatformStub, settings: object) -> Iterator[type[Delivery]]:  # noqa: F811
    from workcalendar.services import calendar_year_seed

    calendar_year_seed(year=2026)
    settings.PLATFORM_URL = platform_stub.url  # type: ignore[attr-defined]
    settings.PLATFORM_SECRET = platform_stub.secret  # type: ignore[attr-defined]
    settings.PLATFORM_TIMEOUT_SECONDS = 2  # type: ignore[attr-defined]
    # Small: a platform that fails or is down for any number of steps must still park nothing.
    settings.PLATFORM_MAX_ATTEMPTS = 3  # type: ignore[attr-defined]
    settings.PLATFORM_BATCH_SIZE = 3  # type: ignore[attr-defined]
    Delivery.world = world
    Delivery.stub = platform_stub
    yield Delivery


def test_delivery_survives_any_order_of_changes_faults_and_crashes(machine: type[Delivery]) -> None:
    from hypothesis.stateful import run_state_machine_as_test

    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=25,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
