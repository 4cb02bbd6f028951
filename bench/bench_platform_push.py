# ruff: noqa: S603, S607 - runs local tools (psql, createdb, manage.py, celery) with arguments built here
"""Platform push benchmark: delivery throughput of 10,000 outbox changes to the platform stub, as a ratio to
the stub's own receive capacity measured in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/govcredit_bench_push .venv/bin/python bench/bench_platform_push.py

1. Creates the database if missing (template0, UTF-8, C.UTF-8 ctype), migrates, and adds `generate_scale` records
   until there are --changes published ones. Empties the outbox (TRUNCATE: the model forbids deletes through the
   ORM) and queues one `published` change per record through the product's own path,
   `records.services.platform.platform_change_emit`, in transactions of 500, with PLATFORM_URL empty so nothing is
   sent yet.
2. Starts the platform stub (python -m platform_stub, fresh SQLite in a temporary directory) and a Celery worker
   (2 processes) pointed at it.
3. Each round, every measurement on an empty platform (the stub is reset before each) and a fully pending outbox
   (the rows are reset to pending with raw SQL, then VACUUM FULL and ANALYZE, so every measurement starts from a
   packed table like a freshly written outbox):
   a. capacity: this process posts the pre-built items (`delivery.services.item` of the same rows, JSON bodies
      built beforehand, signed at send time) in batches of --batch-size over one keep-alive connection, then the same
      with two threads, each on its own connection; the better of the two is the stub's capacity;
   b. delivery through Celery: `delivery.tasks.deliver.delay()` once per worker process, timed until no change is
      pending (polled every 50 ms);
   c. delivery in this process: `delivery.services.deliver_due()` with the settings pointed at the stub (one
      process), with the time split into claim, send (`client.post_items`: encode, sign, HTTP, decode) and the rest of
      `batch_deliver` (items, marking the outcome).
   Each delivery is checked: the stub received every change once, rejected none, and every row is delivered.
4. Prints the medians over --rounds and the ratios delivery / capacity (target >= 0.5); the last line is JSON.

See bench/README.md.
"""

import argparse
import cProfile
import io
import json
import math
import os
import pstats
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from http.client import HTTPConnection
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/govcredit_bench_push"
DEFAULT_REDIS = "redis://127.0.0.1:6379/12"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
EMIT_TRANSACTION = 500
POLL_SECONDS = 0.05
TARGET_RATIO = 0.5
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["DEBUG"] = "false"  # as in production: with DEBUG on, Django keeps the text of every query
# Nothing may be sent while the outbox is built: delivery_kick() does nothing while PLATFORM_URL is empty. The
# in-process measurement points the settings at the stub with override_settings.
os.environ["PLATFORM_URL"] = ""


def log(message: str) -> None:
    print(message, flush=True)


def database_parts() -> tuple[str, str, str, int]:
    url = urlsplit(os.environ["DATABASE_URL"])
    host, name = url.hostname or "", url.path.lstrip("/")
    if host not in LOCAL_HOSTS:
        raise SystemExit(f"Only a local database is benchmarked here, not {host!r}.")
    if not name.startswith("govcredit_bench"):
        raise SystemExit(f"This benchmark empties the outbox: only a govcredit_bench* database, not {name!r}.")
    return host, url.username or "postgres", name, url.port or 5432


def ensure_database() -> None:
    host, user, name, port = database_parts()
    base = ["-h", host, "-U", user, "-p", str(port)]
    listed = subprocess.run(
        ["psql", *base, "-Atc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'", "postgres"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    if listed.stdout.strip() != "1":
        subprocess.run(
            ["createdb", *base, "-T", "template0", "-E", "UTF8", "--lc-ctype=C.UTF-8", name], check=True, timeout=60
        )
        log(f"created database {name}")
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=BASE_DIR, check=True, timeout=600)


# -- data -----------------------------------------------------------------------------------------------------------


def ensure_records(changes: int) -> list[int]:
    """Ids of `changes` published records, generated with generate_scale when there are too few."""
    from records.models import DishonestyRecord, RecordStatus

    def published() -> list[int]:
        return list(
            DishonestyRecord.objects.filter(status=RecordStatus.PUBLISHED)
            .order_by("pk")
            .values_list("pk", flat=True)[:changes]
        )

    ids = published()
    if len(ids) < changes:
        # About 77% of generate_scale's records come out published.
        more = math.ceil((changes - len(ids)) / 0.7) + 100
        log(f"{len(ids):,} published records; generating {more:,} more with generate_scale ...")
        subprocess.run(
            [PYTHON, "manage.py", "generate_scale", "--agencies=50", "--people=500", f"--records={more}"],
            cwd=BASE_DIR,
            check=True,
            timeout=1800,
        )
        ids = published()
    if len(ids) < changes:
        raise SystemExit(f"only {len(ids):,} published records after generate_scale")
    return ids


def outbox_build(record_ids: list[int]) -> float:
    """Empties the outbox, then queues one published change per record the product's way; returns seconds."""
    from django.db import connection, transaction

    from records.models import DishonestyRecord, PlatformChange
    from records.services.platform import platform_change_emit

    table = connection.ops.quote_name(PlatformChange._meta.db_table)
    with connection.cursor() as cursor:
        # The model refuses deletes (UndeletableQuerySet); only the platform's answers reference its rows.
        cursor.execute(f"TRUNCATE {table}, delivery_platformanswer")
    started = time.monotonic()
    for start in range(0, len(record_ids), EMIT_TRANSACTION):
        chunk = record_ids[start : start + EMIT_TRANSACTION]
        records = DishonestyRecord.objects.filter(pk__in=chunk).select_related(
            "subject_agency", "data_source_agency", "subject_person"
        )
        with transaction.atomic():
            for record in records.order_by("pk"):
                platform_change_emit(record=record, change_type="published")
    elapsed = time.monotonic() - started
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {table}")
    return elapsed


def outbox_reset() -> None:
    """Every change pending again, as if just queued: same rows, same delivery keys (the stub is reset too)."""
    from django.db import connection

    from records.models import PlatformChange

    table = connection.ops.quote_name(PlatformChange._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = 'pending', attempts = 0, next_attempt_at = NULL, leased_until = NULL,"
            " last_attempt_at = NULL, delivered_at = NULL, failed_at = NULL, last_error = '', failure = '',"
            " refusals = 0"
        )
        # The platform's state as on a fresh deployment: no pause left from an earlier run's failure.
        cursor.execute("DELETE FROM delivery_platformstate")
        # Each measurement starts from the same physical table as a freshly written outbox (rows packed, no dead
        # versions, no free space for HOT updates), not one carrying the last round's dead rows.
        cursor.execute(f"VACUUM FULL {table}")
        cursor.execute(f"ANALYZE {table}")


def outbox_items() -> list[dict[str, Any]]:
    from delivery.services import Claimed, item
    from records.models import PlatformChange

    fields = ("pk", "record_id", "version", "change_type", "generation", "attempts", "refusals", "payload")
    rows = PlatformChange.objects.order_by("pk").values_list(*fields).iterator(chunk_size=2000)
    return [item(Claimed(*row[:-1], json.dumps(row[-1], ensure_ascii=False))) for row in rows]


def pending_count() -> int:
    from records.models import PlatformChange

    return PlatformChange.objects.filter(status="pending").count()


def outbox_check() -> dict[str, int]:
    from django.db.models import Count, Q

    from records.models import PlatformChange

    return PlatformChange.objects.aggregate(
        delivered=Count("pk", filter=Q(status="delivered")),
        not_delivered=Count("pk", filter=~Q(status="delivered")),
        retried=Count("pk", filter=Q(attempts__gt=1)),
    )


# -- processes ------------------------------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU of one process (Linux /proc), 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def process_tree(pid: int) -> list[int]:
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with suppress(OSError):
            pids += [int(child) for child in (task / "children").read_text().split()]
    return pids


def tree_cpu_seconds(pid: int) -> float:
    return sum(cpu_seconds(p) for p in process_tree(pid))


class Worker:
    """`celery -A config worker --concurrency N`, in its own process group so its pool children go with it."""

    def __init__(self, logfile: Path, concurrency: int) -> None:
        self.logfile = logfile
        self.concurrency = concurrency
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, env: dict[str, str]) -> None:
        command = [PYTHON, "-m", "celery", "-A", "config", "worker", "--concurrency", str(self.concurrency)]
        command += ["--without-mingle", "--without-gossip", "-l", "WARNING", "-n", f"benchpush-{os.getpid()}@%h"]
        with self.logfile.open("ab") as out:
            self.process = subprocess.Popen(
                command, cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        from config.celery import app

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the Celery worker exited ({self.process.returncode}); see {self.logfile}")
            if app.control.ping(timeout=0.5, destination=[f"benchpush-{os.getpid()}@{os.uname().nodename}"]):
                return
        raise RuntimeError(f"the Celery worker did not answer a ping in 60 s; see {self.logfile}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def cpu(self) -> float:
        return 0.0 if self.process is None else tree_cpu_seconds(self.process.pid)


# -- measurements ---------------------------------------------------------------------------------------------------


def prebuilt_bodies(items: list[dict[str, Any]], batch_size: int) -> list[bytes]:
    """The bodies delivery would send (delivery/client.py's encoding), built before the clock starts."""
    return [
        json.dumps(
            {"batch_id": f"bench-{uuid.uuid4().hex}", "items": items[start : start + batch_size]},
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
        for start in range(0, len(items), batch_size)
    ]


def post_bodies(port: int, secret: str, bodies: list[bytes]) -> None:
    """One keep-alive connection, one batch after the other, as fast as the stub answers."""
    from tests.stub_support import signed_headers

    connection = HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        for body in bodies:
            headers = {"Content-Type": "application/json", **signed_headers(secret, body)}
            connection.request("POST", "/api/v1/batches", body=body, headers=headers)
            response = connection.getresponse()
            answer = response.read()
            if response.status != 200:
                raise RuntimeError(f"the stub answered {response.status}: {answer[:300]!r}")
    finally:
        connection.close()


def capacity(stub: Any, bodies: list[bytes], items: int, threads: int) -> dict[str, Any]:
    stub.reset()
    cpu_before = cpu_seconds(stub.process.pid)
    errors: list[BaseException] = []

    def run(share: list[bytes]) -> None:
        try:
            post_bodies(stub.port, stub.secret, share)
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=run, args=(bodies[n::threads],)) for n in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    stats = stub.stats()
    if stats["received"] != items or stats["rejected"] or stats["duplicates"]:
        raise RuntimeError(f"capacity run with {threads} thread(s): the stub says {stats}")
    return {
        "seconds": round(elapsed, 3),
        "items_per_s": round(items / elapsed),
        "stub_cpu_s": round(cpu_seconds(stub.process.pid) - cpu_before, 2),
    }


def delivery_verify(stub: Any, changes: int, label: str) -> dict[str, int]:
    stats = stub.stats()
    outbox = outbox_check()
    if stats["received"] != changes or stats["rejected"] or outbox["delivered"] != changes:
        raise RuntimeError(f"{label}: the stub says {stats}, the outbox {outbox}")
    # A resend (lease run out, lost answer) shows as a duplicate: worth knowing, not an error.
    return {"duplicates": stats["duplicates"], "batches": stats["batches"], "retried": outbox["retried"]}


def deliver_celery(stub: Any, worker: Worker, changes: int, triggers: int, timeout: float) -> dict[str, Any]:
    from delivery.tasks import deliver

    outbox_reset()
    stub.reset()
    stub_cpu, worker_cpu = cpu_seconds(stub.process.pid), worker.cpu()
    started = time.perf_counter()
    for _ in range(triggers):
        deliver.delay()
    while pending_count():
        if time.perf_counter() - started > timeout:
            raise RuntimeError(f"Celery delivery: {pending_count():,} changes still pending after {timeout:.0f} s")
        time.sleep(POLL_SECONDS)
    elapsed = time.perf_counter() - started
    result = {
        "seconds": round(elapsed, 3),
        "items_per_s": round(changes / elapsed),
        "stub_cpu_s": round(cpu_seconds(stub.process.pid) - stub_cpu, 2),
        "worker_cpu_s": round(worker.cpu() - worker_cpu, 2),
    }
    result |= delivery_verify(stub, changes, "Celery delivery")
    time.sleep(0.5)  # let the tasks see that nothing is due and finish before the next measurement
    return result


@contextmanager
def timed_calls(targets: list[tuple[Any, str]], spent: dict[str, list[float]]) -> Iterator[None]:
    """Wraps module functions to note the wall time of each call (they are looked up through the module at call
    time, so deliver_due and batch_deliver call the wrappers)."""
    originals = [(module, name, getattr(module, name)) for module, name in targets]

    def wrap(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent[name].append(time.perf_counter() - started)

        return wrapper

    for module, name, original in originals:
        spent.setdefault(name, [])
        setattr(module, name, wrap(name, original))
    try:
        yield
    finally:
        for module, name, original in originals:
            setattr(module, name, original)


def backend_pid() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def deliver_in_process(stub: Any, changes: int, batch_size: int, profile: bool = False) -> dict[str, Any]:
    from django.test import override_settings

    from delivery import client, services

    outbox_reset()
    stub.reset()
    pg_pid = backend_pid()
    calls: dict[str, list[float]] = {}
    profiler = cProfile.Profile() if profile else None
    settings = {"PLATFORM_URL": stub.url, "PLATFORM_SECRET": stub.secret, "PLATFORM_BATCH_SIZE": batch_size}
    with (
        override_settings(**settings),
        timed_calls([(services, "changes_claim"), (services, "batch_deliver"), (client, "post_items")], calls),
    ):
        stub_cpu, pg_cpu, own_cpu = cpu_seconds(stub.process.pid), cpu_seconds(pg_pid), time.process_time()
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        while pending_count():
            services.deliver_due()
        if profiler:
            profiler.disable()
        elapsed = time.perf_counter() - started
        stub_cpu = cpu_seconds(stub.process.pid) - stub_cpu
        pg_cpu = cpu_seconds(pg_pid) - pg_cpu
        own_cpu = time.process_time() - own_cpu
    spent = {name: sum(durations) for name, durations in calls.items()}
    claims = calls["changes_claim"]  # the last call is the one that found nothing
    result: dict[str, Any] = {
        "seconds": round(elapsed, 3),
        "items_per_s": round(changes / elapsed),
        "split_s": {
            "claim": round(spent["changes_claim"], 3),
            "post_items": round(spent["post_items"], 3),
            "mark_and_items": round(spent["batch_deliver"] - spent["post_items"], 3),
            "other": round(elapsed - spent["changes_claim"] - spent["batch_deliver"], 3),
        },
        # The claim's SELECT walks the pending index past the versions left dead by earlier batches: its cost grows
        # with the number of changes already drained until a VACUUM clears them.
        "claim_ms": {
            "first_5": round(1000 * statistics.median(claims[:5]), 1),
            "last_5": round(1000 * statistics.median(claims[-6:-1] or claims[-1:]), 1),
        },
        "cpu_s": {
            "this_process": round(own_cpu, 2),
            "its_postgres_backend": round(pg_cpu, 2),
            "stub": round(stub_cpu, 2),
        },
    }
    result |= delivery_verify(stub, changes, "in-process delivery")
    if profiler:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("tottime").print_stats(30)
        stats.sort_stats("cumulative").print_stats(40)
        result["profile"] = out.getvalue()
    return result


# -- main -----------------------------------------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--changes", type=int, default=10_000)
    ap.add_argument("--batch-size", type=int, default=None, help="default: settings.PLATFORM_BATCH_SIZE")
    ap.add_argument("--rounds", type=int, default=3, help="each measurement is repeated; medians are reported")
    ap.add_argument("--concurrency", type=int, default=2, help="Celery worker processes")
    ap.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS), help="flushed first")
    ap.add_argument("--timeout", type=float, default=600, help="seconds allowed for one delivery")
    ap.add_argument("--profile", action="store_true", help="cProfile one more in-process delivery and print it")
    a = ap.parse_args()
    if not 1 <= a.rounds <= 20 or not 1 <= a.changes <= 1_000_000 or not 1 <= a.concurrency <= 16:
        ap.error("keep --rounds 1-20, --changes 1-1,000,000 and --concurrency 1-16")
    # The trigger (deliver.delay) goes through this broker; the worker gets the same one.
    os.environ["REDIS_URL"] = os.environ["CELERY_BROKER_URL"] = a.redis

    log(f"load average (1, 5, 15 min): {os.getloadavg()} on {os.cpu_count()} CPUs")
    ensure_database()
    import django

    django.setup()
    from django.conf import settings
    from redis import Redis

    from tests.stub_support import PlatformStub

    batch_size = a.batch_size or settings.PLATFORM_BATCH_SIZE
    if not 1 <= batch_size <= 1000:
        ap.error("--batch-size must be 1-1000 (the platform takes at most 1000 items a batch)")
    Redis.from_url(a.redis).flushdb()

    record_ids = ensure_records(a.changes)
    build_seconds = outbox_build(record_ids)
    log(f"outbox: {a.changes:,} changes queued through platform_change_emit in {build_seconds:.1f} s")
    items = outbox_items()
    bodies = prebuilt_bodies(items, batch_size)
    log(f"{len(bodies)} batches of up to {batch_size} items, {sum(map(len, bodies)) / len(items):,.0f} bytes an item")

    rounds: list[dict[str, Any]] = []
    profile = None
    with tempfile.TemporaryDirectory(prefix="bench-push-") as tmp:
        stub = PlatformStub(Path(tmp) / "stub.sqlite3")
        worker = Worker(Path(tmp) / "worker.log", a.concurrency)
        try:
            stub.start()
            worker.start(
                {
                    **os.environ,
                    "DATABASE_URL": os.environ["DATABASE_URL"],
                    "REDIS_URL": a.redis,
                    "CELERY_BROKER_URL": a.redis,
                    "PLATFORM_URL": stub.url,
                    "PLATFORM_SECRET": stub.secret,
                    "PLATFORM_BATCH_SIZE": str(batch_size),
                    "DEBUG": "false",
                    "DB_CONN_MAX_AGE": "60",  # production's value
                }
            )
            log(f"stub on {stub.url}, Celery worker with {a.concurrency} processes")
            for n in range(a.rounds):
                one = capacity(stub, bodies, len(items), threads=1)
                two = capacity(stub, bodies, len(items), threads=2)
                celery = deliver_celery(stub, worker, a.changes, a.concurrency, a.timeout)
                local = deliver_in_process(stub, a.changes, batch_size)
                best = max(one["items_per_s"], two["items_per_s"])
                rounds.append({"capacity_1": one, "capacity_2": two, "celery": celery, "in_process": local})
                log(
                    f"round {n + 1}: capacity {one['items_per_s']:,}/s (1 thread), {two['items_per_s']:,}/s "
                    f"(2 threads); delivery Celery {celery['items_per_s']:,}/s = "
                    f"{celery['items_per_s'] / best:.2f}x, in-process {local['items_per_s']:,}/s = "
                    f"{local['items_per_s'] / best:.2f}x"
                )
                log(f"  capacity 1 thread {one}")
                log(f"  capacity 2 threads {two}")
                log(f"  Celery     {celery}")
                log(f"  in-process {local}")
            if a.profile:
                profile = deliver_in_process(stub, a.changes, batch_size, profile=True)
                log(f"profiled in-process delivery ({profile['items_per_s']:,}/s under the profiler):")
                log(profile["profile"])
        except BaseException:
            if worker.logfile.exists():
                log("worker log (tail):\n" + worker.logfile.read_text(errors="replace")[-3000:])
            if stub.log.exists():
                log("stub log (tail):\n" + stub.log.read_text(errors="replace")[-3000:])
            raise
        finally:
            worker.stop()
            stub.kill()
        # Warnings of the worker (e.g. parked changes, an unreachable platform) are part of the result; its banner
        # and the superuser notice are not.
        worker_log = worker.logfile.read_text(errors="replace") if worker.logfile.exists() else ""
        warnings = [line for line in worker_log.splitlines() if re.search(r"(WARNING|ERROR|CRITICAL)/|Traceback", line)]
        if warnings:
            log("worker warnings:\n" + "\n".join(warnings[-20:]))

    def mid(kind: str, key: str = "items_per_s") -> float:
        return statistics.median(r[kind][key] for r in rounds)

    def mid_ratio(kind: str) -> float:
        return round(
            statistics.median(
                r[kind]["items_per_s"] / max(r["capacity_1"]["items_per_s"], r["capacity_2"]["items_per_s"])
                for r in rounds
            ),
            2,
        )

    split = {
        part: round(statistics.median(r["in_process"]["split_s"][part] for r in rounds), 3)
        for part in rounds[0]["in_process"]["split_s"]
    }
    cpu = {
        part: round(statistics.median(r["in_process"]["cpu_s"][part] for r in rounds), 2)
        for part in rounds[0]["in_process"]["cpu_s"]
    }
    summary = {
        "changes": a.changes,
        "batch_size": batch_size,
        "rounds": a.rounds,
        "outbox_build_s": round(build_seconds, 1),
        "capacity_1_thread_per_s": mid("capacity_1"),
        "capacity_2_threads_per_s": mid("capacity_2"),
        "capacity_per_s": statistics.median(
            max(r["capacity_1"]["items_per_s"], r["capacity_2"]["items_per_s"]) for r in rounds
        ),
        "celery_per_s": mid("celery"),
        "in_process_per_s": mid("in_process"),
        "ratio_celery": mid_ratio("celery"),
        "ratio_in_process": mid_ratio("in_process"),
        "target_ratio": TARGET_RATIO,
        "in_process_split_s": split,
        "in_process_cpu_s": cpu,
        "in_process_claim_ms": {
            part: round(statistics.median(r["in_process"]["claim_ms"][part] for r in rounds), 1)
            for part in ("first_5", "last_5")
        },
        "stub_cpu_s": {
            "capacity_1": mid("capacity_1", "stub_cpu_s"),
            "celery": mid("celery", "stub_cpu_s"),
            "in_process": cpu["stub"],
        },
        "celery_worker_cpu_s": mid("celery", "worker_cpu_s"),
        "duplicates": sum(r["celery"]["duplicates"] + r["in_process"]["duplicates"] for r in rounds),
        "retried": sum(r["celery"]["retried"] + r["in_process"]["retried"] for r in rounds),
        "load_average_1m_5m_15m": [round(x, 2) for x in os.getloadavg()],
    }
    if profile:
        summary["profiled_in_process_per_s"] = profile["items_per_s"]
    log(
        f"\ncapacity {summary['capacity_per_s']:,}/s (1 thread {summary['capacity_1_thread_per_s']:,}, 2 threads "
        f"{summary['capacity_2_threads_per_s']:,}); delivery through Celery ({a.concurrency} processes) "
        f"{summary['celery_per_s']:,}/s = {summary['ratio_celery']}x, in-process (1) {summary['in_process_per_s']:,}/s "
        f"= {summary['ratio_in_process']}x (target >= {TARGET_RATIO}x); in-process split {split}"
    )
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
