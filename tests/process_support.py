"""Real processes for the fault tests: a private redis-server (a test may stop it, wipe it, start it again — never
the shared one) and a Celery worker with its beat, in its own process group so `kill -9` takes its pool children too.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
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
            stderr=subprocess.DEVNULL,
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
    """`celery worker -B`: two processes delivering, and beat running the sweepers (every second in these tests)."""

    def __init__(self, env: dict[str, str], workdir: Path) -> None:
        self.env = env
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def log(self) -> str:
        return (self.workdir / f"worker-{self.starts}.log").read_text(errors="replace")

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


class Server:
    """The site under gunicorn (two sync workers, DEBUG off), as production runs it; its log in the work directory."""

    def __init__(self, env: dict[str, str], workdir: Path, *, workers: int = 2) -> None:
        self.env = {"DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1", **env}
        self.workdir = workdir
        self.workers = workers
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def log(self) -> str:
        return (self.workdir / "server.log").read_text(errors="replace")

    def start(self, *, timeout: float = 30) -> None:
        with (self.workdir / "server.log").open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603
                [
                    str(Path(sys.executable).parent / "gunicorn"),
                    "config.wsgi:application",
                    f"--bind=127.0.0.1:{self.port}",
                    f"--workers={self.workers}",
                    "--timeout=60",
                    "--log-level=warning",
                ],
                cwd=REPO,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(b"GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
                    status_line = s.recv(64).split(b"\r\n", 1)[0]
                    if status_line.split(b" ")[1:2] == [b"200"]:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not start; see {self.workdir / 'server.log'}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def process_env(**overrides: str) -> dict[str, str]:
    """The environment of a child process of the product: this test database, plus `overrides`."""
    from django.db import connection

    db = connection.settings_dict
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        **overrides,
    }


@contextmanager
def broker(url: str) -> Iterator[None]:
    """This process queues its tasks on `url` (a private Redis) meanwhile, as the web process of that deployment."""
    from config.celery import app

    previous = app.conf.broker_url
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield
    finally:
        app.conf.broker_url = previous
        app._pool = None
        app.amqp._producer_pool = None


def wait_for(condition: "object", *, timeout: float, interval: float = 0.1, what: str = "the condition") -> float:
    """Polls `condition()` until it is true; returns the seconds it took, or fails after `timeout`."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():  # type: ignore[operator]
            return time.monotonic() - started
        time.sleep(interval)
    raise AssertionError(f"{what} did not happen within {timeout} s")


def delivery_quiesce(*, timeout: float, logs: Path) -> float:
    """Waits until no platform change is pending (faults stopped); returns the seconds it took."""
    from records.models import OutboxStatus, PlatformChange

    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if not PlatformChange.objects.exclude(status=OutboxStatus.DELIVERED).exists():
            return time.monotonic() - started
        time.sleep(0.25)
    left = dict(PlatformChange.objects.exclude(status=OutboxStatus.DELIVERED).values_list("pk", "last_error")[:5])
    raise AssertionError(f"not quiesced in {timeout} s; e.g. {left}; logs in {logs}")


def assert_delivery_invariant(stub_db: Path, records: "list[Any]", *, changes_per_record: int = 1) -> None:
    """The invariant of docs/faults.md once delivery has quiesced: what we consider delivered is exactly what the
    platform stored, once each; it holds each record's latest version; one outbox entry per business change; nothing
    pending, nothing parked."""
    import sqlite3

    from records.models import OutboxStatus, PlatformChange

    delivered = {c.delivery_key: (c.record_id, c.version) for c in PlatformChange.objects.all()}
    with sqlite3.connect(stub_db) as db:
        received = {
            key: (rid, v) for key, rid, v in db.execute("SELECT delivery_key, record_id, version FROM received")
        }
        current = dict(db.execute("SELECT record_id, version FROM current"))
    assert received == delivered
    for record in records:
        record.refresh_from_db()
        assert current[record.pk] == record.version, record.pk
    assert PlatformChange.objects.count() == len(records) * changes_per_record
    assert not PlatformChange.objects.exclude(status=OutboxStatus.DELIVERED).exists()


__all__ = [
    "REDIS_SERVER",
    "REPO",
    "Redis",
    "Server",
    "Worker",
    "assert_delivery_invariant",
    "broker",
    "delivery_quiesce",
    "free_port",
    "process_env",
    "wait_for",
]
