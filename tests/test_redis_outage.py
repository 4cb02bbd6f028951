"""Redis down while the site serves (docs/faults.md #14): the cache, the throttles and the task broker all live in
Redis.

Pages and the API keep answering — throttles and the page cache fail open and say so in the log — the API answers
in its JSON error shape whatever fails inside it, and a job queued after a commit never fails the request: the
sweeper catches it up once the broker is back, or it runs in-process. The last test runs the production shape for
real: gunicorn, a Celery worker with beat, the platform stub and a private redis-server, stopped under API load.
"""

import datetime
import http.client
import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client
from rest_framework.test import APIClient

from accounts.authentication import api_token_issue
from config import cache as fail_open_cache
from config import queueing
from outbox.models import OutboxStatus, PlatformChange
from records.models import DishonestyRecord, ImportStatus, RecordStatus
from records.services import import_job_create, record_submit
from tests.conftest import City
from tests.factories import make_record
from tests.process_support import (
    Redis,
    Server,
    Worker,
    assert_delivery_invariant,
    broker,
    delivery_quiesce,
    free_port,
    process_env,
    wait_for,
)
from tests.stub_support import PlatformStub, platform_stub  # noqa: F401 - the fixture

DEAD_REDIS = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there


@pytest.fixture
def redis_away(settings: Any) -> Iterator[None]:
    """The cache points at a Redis that is not there (each test starts with this process's view of it fresh)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.FailOpenRedisCache",
            "LOCATION": DEAD_REDIS,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    fail_open_cache._Health.failing = False
    yield
    fail_open_cache._Health.failing = False


@pytest.fixture
def broker_away() -> Iterator[None]:
    queueing._Broker.failing = False
    with broker(DEAD_REDIS):
        yield
    queueing._Broker.failing = False


def test_the_cache_fails_open_and_logs_the_outage_once(redis_away: None, caplog: pytest.LogCaptureFixture) -> None:
    from django.core.cache import cache

    with caplog.at_level(logging.WARNING, logger="config.cache"):
        assert cache.get("k", "default") == "default"
        cache.set("k", 1)
        assert cache.add("k", 1) is False
        assert cache.get_many(["k"]) == {}
        with pytest.raises(ValueError):
            cache.incr("k")
    assert [r.getMessage().startswith("The cache (Redis) is unavailable") for r in caplog.records] == [True]
    assert not fail_open_cache.cache_available()


def test_the_api_and_pages_answer_with_redis_away(world: City, redis_away: None) -> None:
    """Issue 10 §2: every REST call was a 500 HTML page, because the throttles read the cache with no fallback."""
    public = APIClient().get("/api/v1/public/records/")
    assert public.status_code == 200 and public["Content-Type"] == "application/json"
    token_client = APIClient()
    token = token_client.post(
        "/api/v1/auth/token/", {"username": "office-a", "password": "correct-horse-battery-9"}, format="json"
    )
    assert token.status_code == 201, token.content
    staff = APIClient()
    staff.credentials(HTTP_AUTHORIZATION=f"Bearer {token.json()['token']}")
    assert staff.get("/api/v1/records/").status_code == 200
    # the public site and the public forms' throttle (repair/views/throttle.py) too
    assert Client().get("/").status_code == 200
    assert Client().get("/track/").status_code == 200


def test_the_api_answers_in_its_error_shape_whatever_fails_inside(world: City, monkeypatch: pytest.MonkeyPatch) -> None:
    from disclosure.api import PublicRecordListApi

    def broken(self: Any) -> Any:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(PublicRecordListApi, "get_queryset", broken)
    response = APIClient(raise_request_exception=False).get("/api/v1/public/records/")
    assert response.status_code == 500 and response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "server_error"
    assert "database" not in response.content.decode()  # the cause goes to the log, not to the caller


def test_a_failure_outside_the_view_answers_in_the_error_shape_under_api(
    world: City, monkeypatch: pytest.MonkeyPatch
) -> None:
    from accounts import middleware

    def broken(self: Any, request: Any) -> Any:
        raise RuntimeError("a middleware failed")

    monkeypatch.setattr(middleware.ApiClientUseMiddleware, "__call__", broken)
    api = Client(raise_request_exception=False).get("/api/v1/public/records/")
    assert api.status_code == 500 and api.json()["error"]["code"] == "server_error"
    page = Client(raise_request_exception=False).get("/")
    assert page.status_code == 500 and page["Content-Type"].startswith("text/html")


def test_a_publication_with_the_broker_away_is_not_failed_and_waits_for_the_sweeper(
    world: City,
    broker_away: None,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from records.services import record_publish
    from workcalendar.services import calendar_year_seed

    calendar_year_seed(year=2026)
    settings.PLATFORM_URL = "http://127.0.0.1:9"
    settings.PLATFORM_SECRET = "s"
    record = make_record(world.clerk_a, world.agency_a)
    record_submit(actor=world.reviewer_a, record=record)
    started = time.monotonic()
    with caplog.at_level(logging.ERROR, logger="config.queueing"):
        with django_capture_on_commit_callbacks(execute=True):
            record_publish(actor=world.office_a, record=record, today=datetime.date(2026, 11, 2))
        with django_capture_on_commit_callbacks(execute=True):  # the next one does not even try for a while
            record_correct_quickly(world, record)
    assert time.monotonic() - started < 10
    assert PlatformChange.objects.filter(status=OutboxStatus.PENDING).count() == 2
    assert [r.message.split(" (")[0] for r in caplog.records] == ["The task broker is unavailable"]


def record_correct_quickly(world: City, record: DishonestyRecord) -> None:
    from records.services import record_correct

    record_correct(actor=world.office_a, record=record, changes={"facts": "更正。"}, reason="更正")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_import_uploaded_with_the_broker_away_starts_in_process(
    world: City, broker_away: None, settings: Any, tmp_path: Path
) -> None:
    """Issue 10 §3: such an upload waited minutes for the sweeper; the clerk is watching its progress."""
    from tests.records.test_excel_import import filled, row_for, upload

    settings.MEDIA_ROOT = tmp_path
    job = import_job_create(actor=world.clerk_a, agency=world.agency_a, upload=upload(filled([row_for(world)])))
    wait_for(lambda: job.__class__.objects.get(pk=job.pk).status == ImportStatus.DONE, timeout=30, what="the import")
    assert DishonestyRecord.objects.filter(data_source_agency=world.agency_a, status=RecordStatus.DRAFT).count() == 1


# The production shape, for real -------------------------------------------------------------------------------------

LOAD_THREADS = 4
OUTAGE_SECONDS = 4.0
PASSWORD = "correct-horse-battery-9"


class Load:
    """Threads calling the API (and a public page) over real HTTP until stopped; every answer is kept."""

    def __init__(self, port: int, *, token: str, to_publish: list[int]) -> None:
        self.port = port
        self.token = token
        self.to_publish = list(to_publish)
        self.published: list[int] = []
        self.answers: list[tuple[str, float, int, str, bytes]] = []  # path, at, status, content type, body
        self.lock = threading.Lock()
        self.stopping = threading.Event()

    def call(self, method: str, path: str, body: Any = None, *, token: bool = True) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Content-Type": "application/json", "Host": "127.0.0.1"}
        if token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            connection.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
            response = connection.getresponse()
            content = response.read()
            with self.lock:
                self.answers.append(
                    (path, time.monotonic(), response.status, response.getheader("Content-Type", ""), content)
                )
            return response.status, content
        finally:
            connection.close()

    def run(self, kind: int) -> None:
        while not self.stopping.is_set():
            if kind == 0:
                self.call("GET", "/api/v1/public/records/", token=False)
                self.call("GET", "/", token=False)
            elif kind == 1:
                self.call("GET", "/api/v1/records/?page_size=5")
            elif kind == 2:
                self.call("POST", "/api/v1/auth/token/", {"username": "office-a", "password": PASSWORD}, token=False)
                time.sleep(0.5)  # a password check (PBKDF2) holds a whole server worker
            else:
                with self.lock:
                    record_id = self.to_publish.pop() if self.to_publish else None
                if record_id is None:
                    time.sleep(0.05)
                    continue
                status, _body = self.call("POST", f"/api/v1/records/{record_id}/publish/")
                if status == 200:
                    with self.lock:
                        self.published.append(record_id)
            time.sleep(0.02)

    def __enter__(self) -> "Load":
        self.threads = [threading.Thread(target=self.run, args=(i % 4,), daemon=True) for i in range(LOAD_THREADS)]
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=60)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_redis_stopped_under_api_load(
    world: City,
    platform_stub: PlatformStub,  # noqa: F811
    tmp_path: Path,
    settings: Any,
) -> None:
    # The server checks passwords with its own (production) hashers.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    world.office_a.password = make_password(PASSWORD)
    world.office_a.save(update_fields=["password"])
    _token, key = api_token_issue(user=world.office_a)
    records = []
    for i in range(30):
        record = make_record(world.clerk_a, world.agency_a, document_number=f"东财罚〔2026〕{i + 1}号")
        records.append(record_submit(actor=world.reviewer_a, record=record))

    redis = Redis(tmp_path)
    env = process_env(
        PLATFORM_URL=platform_stub.url,
        PLATFORM_SECRET=platform_stub.secret,
        PLATFORM_SWEEP_SECONDS="1",
        PLATFORM_PROBE_MAX_SECONDS="2",
        PLATFORM_RETRY_BASE_SECONDS="1",
        PLATFORM_RETRY_MAX_SECONDS="2",
        API_THROTTLE_ANON="100000/min",
        API_THROTTLE_USER="100000/min",
        API_THROTTLE_TOKEN="100000/min",
        REDIS_URL=redis.url,
        CELERY_BROKER_URL=redis.url,
    )
    server = Server(env, tmp_path)
    worker = Worker(env, tmp_path)
    try:
        redis.start()
        server.start()
        worker.start()
        load = Load(server.port, token=key, to_publish=[r.pk for r in records])
        with load:
            time.sleep(1.5)  # before: everything works
            redis.shutdown_nosave()
            down_at = time.monotonic()
            time.sleep(OUTAGE_SECONDS)
            redis.start()  # same port, empty: the queued tasks are gone too
            up_at = time.monotonic()
            time.sleep(1.5)
        during = [a for a in load.answers if down_at <= a[1] <= up_at]
        statuses = Counter(status for _path, _at, status, _type, _body in load.answers)
        print(f"{len(load.answers)} requests, {len(during)} while Redis was down: {dict(statuses)}")  # with -s
        assert len(during) >= 8
        # nothing failed: not one 5xx, before, during or after
        assert not [a for a in load.answers if a[2] >= 500], [a[:4] for a in load.answers if a[2] >= 500][:5]
        for path, _at, status, content_type, body in load.answers:
            if path.startswith("/api/"):
                assert content_type == "application/json", (path, status, body[:200])
                json.loads(body)
            else:
                assert status == 200 and content_type.startswith("text/html")
        assert {a[0] for a in during} >= {
            "/api/v1/public/records/",
            "/api/v1/records/?page_size=5",
            "/api/v1/auth/token/",
            "/",
        }
        assert any(a[0].endswith("/publish/") and a[2] == 200 for a in during)  # published while the broker was away
        # the outage was logged, in the web processes
        assert "The cache (Redis) is unavailable" in server.log
        assert "The task broker is unavailable" in server.log

        # What was published reaches the platform: the sweeper catches up once Redis is back.
        load_published = DishonestyRecord.objects.filter(pk__in=load.published)
        delivery_quiesce(timeout=60, logs=tmp_path)
        assert_delivery_invariant(platform_stub.db, list(load_published))
        assert len(load.published) == PlatformChange.objects.count() > 0
    finally:
        worker.stop()
        server.stop()
        redis.stop()
