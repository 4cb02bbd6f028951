"""Delivery under the faults of ../shared/FAULTS.md, with real processes: PostgreSQL, a private Redis, a Celery worker
(with its beat, so the sweeper runs) and the platform stub.

After each scenario the faults stop and the system must quiesce (nothing pending within 60 s), then the invariant
holds: what the product considers delivered is what the platform stored, once each (duplicates absorbed by the
delivery key); the platform holds every record's latest version; each business change made exactly one outbox entry;
nothing is parked. Settings for the worker are short (sweep every second, 4-second leases) so recovery is quick.
"""

import datetime
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from config.celery import app
from records.models import DishonestyRecord, OutboxStatus, PlatformChange
from records.services import record_correct, record_publish, record_submit
from tests.conftest import City
from tests.factories import make_record
from tests.stub_support import PlatformStub, platform_stub  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

REPO = Path(__file__).resolve().parent.parent
QUIESCE_SECONDS = 60
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Redis:
    """A private redis-server, so the test may shut it down without saving (the queue wiped) and start it again."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.workdir,
            stdout=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def shutdown_nosave(self) -> None:
        with socket.create_connection(("127.0.0.1", self.port), timeout=2) as s:
            s.sendall(b"SHUTDOWN NOSAVE\r\n")
        assert self.process is not None
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


class Worker:
    """`celery worker -B`: two processes delivering, and beat running the sweeper every second."""

    def __init__(self, env: dict[str, str], workdir: Path) -> None:
        self.env = env
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        log = (self.workdir / f"worker-{self.starts}.log").open("wb")
        self.process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-B",
                "--schedule",
                str(self.workdir / f"beat-{self.starts}"),
                "--concurrency",
                "2",
                "--loglevel",
                "INFO",
                "--without-mingle",
                "--without-gossip",
            ],
            cwd=REPO,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kill -9 takes the pool children too
        )

    def kill9(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@dataclass
class Rig:
    stub: PlatformStub
    redis: Redis
    worker: Worker


@pytest.fixture
def rig(platform_stub: PlatformStub, tmp_path: Path, settings: object) -> Iterator[Rig]:  # noqa: F811
    from workcalendar.services import calendar_year_seed

    calendar_year_seed(year=2026)
    redis = Redis(tmp_path)
    redis.start()
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": redis.url,
        "CELERY_BROKER_URL": redis.url,
        "PLATFORM_URL": platform_stub.url,
        "PLATFORM_SECRET": platform_stub.secret,
        "PLATFORM_TIMEOUT_SECONDS": "2",
        "PLATFORM_SWEEP_SECONDS": "1",
        "PLATFORM_LEASE_SECONDS": "4",
        "PLATFORM_RETRY_BASE_SECONDS": "1",
        "PLATFORM_RETRY_MAX_SECONDS": "2",
        "PLATFORM_MAX_ATTEMPTS": "1000",
        "PLATFORM_BATCH_SIZE": "50",
    }
    # This process queues its delivery tasks on the same private Redis (delivery.kick after each commit).
    settings.PLATFORM_URL = platform_stub.url  # type: ignore[attr-defined]
    settings.PLATFORM_SECRET = platform_stub.secret  # type: ignore[attr-defined]
    previous_broker = app.conf.broker_url
    app.conf.broker_url = redis.url
    app._pool = None
    app.amqp._producer_pool = None
    worker = Worker(env, tmp_path)
    worker.start()
    try:
        yield Rig(platform_stub, redis, worker)
    finally:
        worker.stop()
        redis.stop()
        app.conf.broker_url = previous_broker
        app._pool = None
        app.amqp._producer_pool = None


def publish_many(world: City, n: int, *, start: int = 0) -> list[DishonestyRecord]:
    records = []
    decided = timezone.localdate() - datetime.timedelta(days=30)  # in its disclosure window whatever day it is
    for i in range(start, start + n):
        record = make_record(
            world.clerk_a, world.agency_a, document_number=f"东财罚〔2026〕{i + 1}号", decision_date=decided
        )
        record_submit(actor=world.reviewer_a, record=record)
        records.append(record_publish(actor=world.office_a, record=record))
    return records


def quiesce(rig: Rig, *, timeout: float = QUIESCE_SECONDS) -> None:
    started = time.monotonic()
    deadline = started + timeout
    while time.monotonic() < deadline:
        if not PlatformChange.objects.exclude(status=OutboxStatus.DELIVERED).exists():
            print(f"quiesced in {time.monotonic() - started:.1f} s")  # shown with -s
            return
        time.sleep(0.25)
    left = dict(PlatformChange.objects.exclude(status=OutboxStatus.DELIVERED).values_list("pk", "last_error")[:5])
    raise AssertionError(f"not quiesced in {timeout} s; e.g. {left}; logs in {rig.worker.workdir}")


def assert_invariant(rig: Rig, records: list[DishonestyRecord], *, changes_per_record: int = 1) -> None:
    quiesce(rig)
    delivered = {c.delivery_key: (c.record_id, c.version) for c in PlatformChange.objects.all()}
    with sqlite3.connect(rig.stub.db) as stub_db:
        received = {
            key: (rid, v) for key, rid, v in stub_db.execute("SELECT delivery_key, record_id, version FROM received")
        }
        current = dict(stub_db.execute("SELECT record_id, version FROM current"))
    # what we consider delivered is exactly what the platform stored, once each
    assert received == delivered
    # the platform holds each record's latest version
    for record in records:
        record.refresh_from_db()
        assert current[record.pk] == record.version, record.pk
    # one outbox entry per business change, nothing parked
    assert PlatformChange.objects.count() == len(records) * changes_per_record
    assert not PlatformChange.objects.filter(status=OutboxStatus.FAILED).exists()


def test_platform_down_while_500_records_are_published_then_back(rig: Rig, world: City) -> None:
    rig.stub.set_faults(down=True)
    records = publish_many(world, 500)
    time.sleep(2)
    with sqlite3.connect(rig.stub.db) as stub_db:
        assert stub_db.execute("SELECT count(*) FROM received").fetchone()[0] == 0
    assert PlatformChange.objects.filter(attempts__gt=0).exists()  # the worker tried, and will again
    rig.stub.set_faults(down=False)
    assert_invariant(rig, records)


def test_random_500s_and_timeouts(rig: Rig, world: City) -> None:
    rig.stub.set_faults(error_rate=0.3, timeout_rate=0.1, timeout_seconds=3, seed=7)
    records = publish_many(world, 120)
    time.sleep(3)
    rig.stub.set_faults(error_rate=0.0, timeout_rate=0.0)
    assert_invariant(rig, records)


def test_lost_answers_are_absorbed_by_the_delivery_key(rig: Rig, world: City) -> None:
    rig.stub.set_faults(lost_response_rate=0.3, seed=11)
    records = publish_many(world, 120)
    time.sleep(3)
    rig.stub.set_faults(lost_response_rate=0.0)
    assert_invariant(rig, records)
    assert rig.stub.stats()["duplicates"] > 0  # resends happened and were absorbed


def test_worker_killed_mid_batch_and_restarted(rig: Rig, world: City) -> None:
    rig.stub.set_faults(latency_ms=400)
    records = publish_many(world, 150)
    deadline = time.monotonic() + 30
    while rig.stub.stats()["batches"] < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    rig.worker.kill9()
    in_flight = PlatformChange.objects.filter(status=OutboxStatus.PENDING, leased_until__isnull=False).count()
    rig.stub.set_faults(latency_ms=0)
    rig.worker.start()
    assert_invariant(rig, records)
    assert in_flight > 0  # the kill did land mid-batch


def test_redis_wiped_and_restarted_during_delivery(rig: Rig, world: City) -> None:
    rig.stub.set_faults(latency_ms=200)
    records = publish_many(world, 100)
    rig.redis.shutdown_nosave()  # queued tasks are gone
    records += publish_many(world, 30, start=100)  # the kick fails quietly; the outbox keeps the change
    rig.redis.start()  # same port, empty
    rig.stub.set_faults(latency_ms=0)
    assert_invariant(rig, records)


def test_a_record_corrected_twice_quickly_ends_at_its_last_version(rig: Rig, world: City) -> None:
    rig.stub.set_faults(latency_ms=100)
    records = publish_many(world, 20)

    def correct(record: DishonestyRecord, n: int) -> None:
        record_correct(actor=world.office_a, record=record, changes={"facts": f"第{n}次更正。"}, reason="更正")

    for record in records:
        correct(record, 1)
        correct(record, 2)
    assert_invariant(rig, records, changes_per_record=3)
    assert rig.stub.record(records[0].pk)["payload"]["cf_sy"] == "第2次更正。"


def test_database_connections_cut_mid_delivery(rig: Rig, world: City) -> None:
    """What a PostgreSQL restart does to the workers (FAULTS #8): every other session of the database is terminated,
    twice, while batches are in flight. Delivery resumes; nothing is lost or sent twice past the de-duplication."""
    rig.stub.set_faults(latency_ms=300)
    records = publish_many(world, 120)
    cut = 0
    deadline = time.monotonic() + 30
    while cut < 2 and time.monotonic() < deadline:
        if rig.stub.stats()["batches"] > cut:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
                cut += 1 if cursor.fetchone()[0] else 0
        time.sleep(0.05)
    assert cut == 2
    rig.stub.set_faults(latency_ms=0)
    assert_invariant(rig, records)
