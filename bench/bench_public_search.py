# ruff: noqa: S603, S607 - runs local tools (psql, createdb, gunicorn, openloop) with arguments built here
"""Public search and pages benchmark: 1,000,000 records, 50,000 public commitments and 5,000 agencies in PostgreSQL,
the public mix against a trivial view of the same server, under the same constant-rate (open-loop) load, plus every
distinct SQL query of the mix under EXPLAIN ANALYZE.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/govcredit_bench_public .venv/bin/python bench/bench_public_search.py

1. Creates the database if missing (template0, UTF-8), migrates, and loads `generate_scale --agencies --people
   --records --commitments` unless the records are already there (--rebuild starts from an empty database; a database
   loaded before commitments existed gets them added over its first scale run's agencies).
2. Builds a corpus of public paths from the data: name searches of 1, 2 (the commonest) and 3-6 characters, code
   searches (full and prefix), two-word searches, record searches by words and filters (district, severity, source,
   decision year) or filters alone, document numbers (whole, or what follows the year), agency pages (with their
   commitments of a year), record pages, the recently-published list and some of its older pages, the report cards
   of agencies, districts and the city, commitment pages and commitment searches. --kinds measures some of them only.
3. Runs each corpus path in-process, captures its SQL, and runs every distinct statement under EXPLAIN ANALYZE.
4. Starts gunicorn (2 workers, DEBUG off, persistent connections) on a free 127.0.0.1 port and runs
   ../shared/tools/openloop.py at the same rate against /healthz (one SELECT 1) and against the mix, alternately,
   each run drawing its own random sequence of paths. The server keeps whole public pages (disclosure/cache.py) in
   Redis with --redis-url (as in production; else in each worker's memory) for --response-cache-seconds (0: off, the
   cold figure); its access log notes each request's hit, miss or pass, from which the hit ratios are counted.

Targets: mix median <= 3x and p95 <= 5x the trivial view; no query of the corpus over 100 ms. Each kind alone is also
printed as a ratio to the trivial view of the same run. See bench/README.md.
"""

import argparse
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
# ../shared/tools/openloop.py beside the checkout (or beside the folder of worktrees a checkout sits in).
OPENLOOP = next(
    (path for path in (d / "shared" / "tools" / "openloop.py" for d in BASE_DIR.parents) if path.exists()),
    BASE_DIR.parent / "shared" / "tools" / "openloop.py",
)
PYTHON = sys.executable
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/govcredit_bench_public"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
QUERY_LIMIT_MS = 100.0
# Share of each kind of request in the mix: two characters is the commonest public query. Since issue 11 the search
# takes several words, filters the records (district, severity, source, decision year) and finds document numbers:
# search_words is two fragments of a name ("第9区 村"), search_filtered words and filters over the records (or
# filters alone), search_document a whole document number or its part after the year.
MIX = {
    "search_2": 25,
    "search_1": 10,
    "search_3plus": 5,
    "search_code": 5,
    "search_words": 10,
    "search_filtered": 10,
    "search_document": 5,
    "agency": 10,
    "record": 10,
    "recent": 10,
    # Public commitments (issue 13): the agency page lists a year's (the "agency" kind above), the yearly report
    # card of an agency or a district (a whole district's subtree, and the city's), a commitment's page, and the
    # search's list of commitments.
    "report_card": 6,
    "commitment": 4,
    "search_commitments": 4,
}
SEARCH_KINDS = tuple(kind for kind in MIX if kind.startswith("search"))

sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")
# The in-process pass (EXPLAIN) uses Django's test client; the server below gets its own environment.
os.environ["ALLOWED_HOSTS"] = "127.0.0.1,testserver"
# The in-process pass captures every path's SQL: it must render each one, never answer from the page cache.
os.environ["DISCLOSURE_RESPONSE_CACHE_SECONDS"] = "0"
for name in ("REDIS_URL", "CELERY_BROKER_URL"):
    os.environ.pop(name, None)


def log(message: str) -> None:
    print(message, flush=True)


def database_parts() -> tuple[str, str, str, int]:
    url = urlsplit(os.environ["DATABASE_URL"])
    host, name = url.hostname or "", url.path.lstrip("/")
    if host not in LOCAL_HOSTS:
        raise SystemExit(f"Only a local database is benchmarked here, not {host!r}.")
    return host, url.username or "postgres", name, url.port or 5432


def ensure_database(rebuild: bool) -> None:
    host, user, name, port = database_parts()
    base = ["-h", host, "-U", user, "-p", str(port)]
    listed = subprocess.run(
        ["psql", *base, "-Atc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'", "postgres"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    exists = listed.stdout.strip() == "1"
    if exists and rebuild:
        if not name.startswith("govcredit_bench"):
            raise SystemExit(f"--rebuild drops the database: only a govcredit_bench* one, not {name!r}.")
        subprocess.run(["dropdb", *base, name], check=True, timeout=120)
        exists = False
    if not exists:
        subprocess.run(["createdb", *base, "-T", "template0", "-E", "UTF8", name], check=True, timeout=60)
        log(f"created database {name}")
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=BASE_DIR, check=True, timeout=600)


def add_commitments(count: int) -> None:
    """Commitments for a database loaded before generate_scale made them: over the first scale run's agencies."""
    from django.db import connection, transaction

    from demo.management.commands.generate_scale import Run, create_commitments
    from subjects.models import Agency

    root = Agency.objects.filter(parent=None, name__startswith="规模测试市").order_by("pk").first()
    if root is None:
        raise SystemExit("no generate_scale root to add commitments to: use --rebuild")
    started = time.monotonic()
    with transaction.atomic():
        made = create_commitments(
            Run(int(root.name.removeprefix("规模测试市").removesuffix("人民政府"))), root, count, 1000
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE commitments_commitment")
    log(f"added {made:,} commitments in {time.monotonic() - started:.0f} s")


def load_data(agencies: int, people: int, records: int, commitments: int) -> float | None:
    """Loads the volumes unless they are there; returns the load time in seconds (None when reused)."""
    from django.db import connection

    from commitments.models import Commitment
    from records.models import DishonestyRecord

    have = DishonestyRecord.objects.count()
    if have >= records:
        log(f"reusing {have:,} records already loaded")
        if Commitment.objects.count() < commitments:
            add_commitments(commitments - Commitment.objects.count())
        return None
    log(f"loading {agencies:,} agencies, {people:,} civil servants and {records:,} records with generate_scale ...")
    started = time.monotonic()
    subprocess.run(
        [
            PYTHON,
            "manage.py",
            "generate_scale",
            f"--agencies={agencies}",
            f"--people={people}",
            f"--records={records}",
            f"--commitments={commitments}",
        ],
        cwd=BASE_DIR,
        check=True,
        timeout=3600,
    )
    loaded = time.monotonic() - started
    with connection.cursor() as cursor:
        # What autovacuum would do in the hours after such a load: statistics and the visibility map.
        cursor.execute("VACUUM ANALYZE records_dishonestyrecord")
        cursor.execute("VACUUM ANALYZE records_agency")
        cursor.execute("VACUUM ANALYZE commitments_commitment")
    log(f"loaded in {loaded:.0f} s (vacuum and analyze: {time.monotonic() - started - loaded:.0f} s more)")
    return loaded


def _fragment(rnd: random.Random, name: str, length: int) -> str:
    start = rnd.randrange(0, max(1, len(name) - length + 1))
    return name[start : start + length]


def _filters(rnd: random.Random, districts: list[int], years: list[int]) -> dict[str, str]:
    """One to three of the record filters, drawn at random."""
    from records.models import RecordSource, Severity

    choices = {
        "district": [str(pk) for pk in districts],
        "severity": [Severity.GENERAL, Severity.SERIOUS],
        "source": list(RecordSource.values),
        "year": [str(year) for year in years],
    }
    names = rnd.sample(sorted(choices), rnd.randint(1, 3))
    return {name: str(rnd.choice(choices[name])) for name in names if choices[name]}


def build_corpus(size: int, seed: int) -> dict[str, list[str]]:
    """Distinct paths of each kind, taken from the data."""
    from django.utils import timezone

    from disclosure.queries import Cursor, recent_page
    from disclosure.search import public_districts
    from records.models import DishonestyRecord
    from subjects.models import Agency

    rnd = random.Random(seed)
    agencies = list(Agency.objects.values_list("pk", "name", "uscc"))
    districts = [district.pk for district in public_districts()]
    this_year = timezone.localdate().year
    years = list(range(this_year - 4, this_year + 1))
    per_kind = max(5, size // len(MIX))
    kinds: dict[str, set[str]] = {kind: set() for kind in MIX}

    def search(q: str, **params: str) -> str:
        return "/search/?" + urlencode({"q": q, **params} if q else params)

    for _ in range(per_kind * 20):
        if all(len(paths) >= per_kind for paths in kinds.values()):
            break
        pk, name, uscc = rnd.choice(agencies)
        kinds["search_1"].add(search(_fragment(rnd, name, 1)))
        kinds["search_2"].add(search(_fragment(rnd, name, 2)))
        kinds["search_3plus"].add(search(_fragment(rnd, name, rnd.randint(3, 6))))
        kinds["search_code"].add(search(uscc if rnd.random() < 0.5 else uscc[: rnd.randint(8, 12)]))
        head = name[: rnd.randint(2, 3)]
        words = f"{head} {_fragment(rnd, name[len(head) + 1 :] or name, rnd.randint(1, 2))}"
        kinds["search_words"].add(search(words))
        # Words and filters over the records, or (one time in four) filters alone.
        q = "" if rnd.random() < 0.25 else (words if rnd.random() < 0.5 else _fragment(rnd, name, 2))
        kinds["search_filtered"].add(search(q, **_filters(rnd, districts, years), kind="records"))
        kinds["agency"].add(f"/agencies/{pk}/" + ("?page=2" if rnd.random() < 0.2 else ""))
    lowest = DishonestyRecord.objects.order_by("pk").values_list("pk", flat=True).first() or 0
    highest = DishonestyRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    for _ in range(20):
        sample = [rnd.randint(lowest, highest) for _ in range(per_kind * 3)]
        found = DishonestyRecord.objects.disclosed().filter(pk__in=sample).values_list("pk", "document_number")
        for pk, number in found:
            kinds["record"].add(f"/records/{pk}/")
            # The whole number, or what follows the year (〔2026〕12号 → 12号), as readers copy it.
            tail = number.rpartition("〕")[2]
            kinds["search_document"].add(search(number if rnd.random() < 0.6 or len(tail) < 3 else tail))
        if len(kinds["record"]) >= per_kind and len(kinds["search_document"]) >= per_kind:
            break
    add_commitment_paths(rnd, kinds, per_kind, districts, years)
    # The first page and older pages reached by following the cursor, as a reader would.
    kinds["recent"].add("/records/")
    page = recent_page()
    for _ in range(per_kind - 1):
        if page.older is None:
            break
        kinds["recent"].add(f"/records/?before={page.older.encode()}")
        page = recent_page(before=Cursor.decode(page.older.encode()))
    return {kind: sorted(paths)[: per_kind * 2] for kind, paths in kinds.items()}


def add_commitment_paths(
    rnd: random.Random, kinds: dict[str, set[str]], per_kind: int, districts: list[int], years: list[int]
) -> None:
    """Report cards of agencies that have commitments (their own, or with the agencies under them), of the districts
    and of the whole city; commitment pages; searches by a fragment of a commitment's title and its agency's name."""
    from commitments.models import Commitment
    from subjects.models import Agency

    public = Commitment.objects.public()
    lowest = public.order_by("pk").values_list("pk", flat=True).first()
    if lowest is None:
        return
    highest = public.order_by("-pk").values_list("pk", flat=True).first() or lowest
    roots = list(Agency.objects.filter(parent=None).values_list("pk", flat=True))
    for _ in range(20):
        sample = [rnd.randint(lowest, highest) for _ in range(per_kind * 3)]
        for pk, agency_id, title, name, year in public.filter(pk__in=sample).values_list(
            "pk", "agency_id", "title", "agency__name", "year"
        ):
            kinds["commitment"].add(f"/commitments/{pk}/")
            year_param = f"?year={year}" if rnd.random() < 0.5 else ""
            kinds["report_card"].add(f"/agencies/{agency_id}/report-card/{year_param}")
            if rnd.random() < 0.3:
                kinds["report_card"].add(f"/districts/{rnd.choice(districts or roots)}/report-card/{year_param}")
            if rnd.random() < 0.1:
                kinds["report_card"].add(f"/districts/{rnd.choice(roots)}/report-card/?show=overdue")
            words = f"{_fragment(rnd, name, 2)} {_fragment(rnd, title, rnd.randint(2, 4))}"
            q = words if rnd.random() < 0.5 else _fragment(rnd, title, rnd.randint(2, 4))
            kinds["search_commitments"].add("/search/?" + urlencode({"q": q, "kind": "commitments"}))
        if all(len(kinds[kind]) >= per_kind for kind in ("commitment", "report_card", "search_commitments")):
            break
    if years:
        kinds["report_card"].add(f"/districts/{roots[0]}/report-card/?year={years[-1]}")


def explain_corpus(corpus: dict[str, list[str]]) -> dict[str, Any]:
    """Runs every path in-process, then replays each distinct SQL statement it issued under EXPLAIN ANALYZE, in a
    transaction with the request's own session settings (the search's SET LOCAL) applied first."""
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    requests: list[tuple[str, list[str]]] = []
    seen: set[str] = set()
    errors = []
    for kind, paths in corpus.items():
        for path in paths:
            with CaptureQueriesContext(connection) as captured:
                status = client.get(path).status_code
            if status != 200:
                errors.append((path, status))
            requests.append((kind, [query["sql"] for query in captured.captured_queries]))
    timings = []
    for kind, statements in requests:
        with transaction.atomic(), connection.cursor() as cursor:
            for sql in statements:
                if sql.lstrip().upper().startswith("SET "):
                    cursor.execute(sql)
                    continue
                if sql in seen or not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                    continue
                seen.add(sql)
                cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
                plan = cursor.fetchone()[0]
                plan = json.loads(plan) if isinstance(plan, str) else plan
                timings.append((plan[0]["Planning Time"] + plan[0]["Execution Time"], kind, sql))
            transaction.set_rollback(True)
    timings.sort(reverse=True)
    return {
        "statements": len(timings),
        "errors": errors,
        "max_ms": round(timings[0][0], 2) if timings else 0.0,
        "median_ms": round(statistics.median(t for t, _k, _s in timings), 2) if timings else 0.0,
        "over_limit": sum(t > QUERY_LIMIT_MS for t, _k, _s in timings),
        "slowest": [{"ms": round(t, 2), "kind": k, "sql": s[:300]} for t, k, s in timings[:5]],
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(
    port: int, workers: int, *, redis_url: str, cache_seconds: int, access_log: str
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DJANGO_ENV": "development",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DB_CONN_MAX_AGE": "60",
        "LOG_LEVEL": "WARNING",
        "DISCLOSURE_RESPONSE_CACHE_SECONDS": str(cache_seconds),
    }
    if redis_url:
        # A key prefix of this run's own: no page kept by an earlier run (of other data) can answer.
        env.update(REDIS_URL=redis_url, CACHE_KEY_PREFIX=f"govcredit-bench-{os.getpid()}-{time.time_ns()}")
    server = subprocess.Popen(
        [
            str(Path(PYTHON).with_name("gunicorn")),
            "config.wsgi:application",
            f"--workers={workers}",
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
            # One line a request: what the page cache did (disclosure.cache.ENVIRON_KEY) and the time in µs.
            f"--access-logfile={access_log}",
            "--access-logformat=%({disclosure.response_cache}e)s %(D)s %(U)s",
        ],
        cwd=BASE_DIR,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)


def openloop(port: int, rate: float, seconds: float, paths: list[str], seed: int) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write("\n".join(paths) + "\n")
    try:
        result = subprocess.run(
            [
                PYTHON,
                str(OPENLOOP),
                f"--rate={rate}",
                f"--seconds={seconds}",
                f"--port={port}",
                f"--paths-file={handle.name}",
                # A sequence of its own each run: replaying one sequence would find every page kept the second time.
                f"--seed={seed}",
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 120,
        )
    finally:
        os.unlink(handle.name)
    return json.loads(result.stdout.strip().splitlines()[-1])


class AccessLog:
    """The server's access log, read run by run: how many public requests the page cache answered."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.offset = 0

    def next_run(self) -> dict[str, Any]:
        time.sleep(0.5)  # the last lines of the run reach the file
        with open(self.path, encoding="utf-8", errors="replace") as handle:
            handle.seek(self.offset)
            lines = handle.read().splitlines()
            self.offset = handle.tell()
        # "-": a request that is not a public page (/healthz).
        outcomes: dict[str, list[int]] = {"hit": [], "miss": [], "pass": [], "-": []}
        for line in lines:
            parts = line.split(" ", 2)
            if len(parts) >= 2 and parts[0] in outcomes and parts[1].isdigit():
                outcomes[parts[0]].append(int(parts[1]))
        looked_up = len(outcomes["hit"]) + len(outcomes["miss"])
        return {
            "hit_ratio": round(len(outcomes["hit"]) / looked_up, 3) if looked_up else None,
            "hits": len(outcomes["hit"]),
            "misses": len(outcomes["miss"]),
            "passes": len(outcomes["pass"]),
            "server_p50_ms": {
                name: round(statistics.median(times) / 1000, 2) for name, times in outcomes.items() if times
            },
        }


def weighted(corpus: dict[str, list[str]]) -> list[str]:
    """The mix as a list openloop picks from uniformly: each kind's paths repeated to its share."""
    paths = []
    for kind, share in MIX.items():
        pool = corpus.get(kind)
        if not pool:
            continue
        paths.extend(pool[i % len(pool)] for i in range(share * 10))
    return paths


def _ratio(hits: int, rounds: list[dict[str, Any]]) -> float | None:
    looked_up = sum(r["mix"]["cache"]["hits"] + r["mix"]["cache"]["misses"] for r in rounds)
    return round(hits / looked_up, 3) if looked_up else None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--agencies", type=int, default=5000)
    ap.add_argument("--people", type=int, default=20_000)
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--commitments", type=int, default=50_000)
    ap.add_argument("--rebuild", action="store_true", help="drop and recreate the (govcredit_bench*) database")
    ap.add_argument("--corpus", type=int, default=700, help="distinct paths in the corpus (about)")
    ap.add_argument("--rate", type=float, default=25, help="requests per second, the same for both targets")
    ap.add_argument("--seconds", type=float, default=20, help="per run")
    ap.add_argument("--rounds", type=int, default=3, help="baseline/mix pairs, alternated")
    ap.add_argument("--warmup", type=float, default=10)
    ap.add_argument("--per-kind-seconds", type=float, default=8, help="0 skips the per-kind runs")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument(
        "--response-cache-seconds",
        type=int,
        default=300,
        help="the server's DISCLOSURE_RESPONSE_CACHE_SECONDS; 0 turns the page cache off (the cold figure)",
    )
    ap.add_argument("--redis-url", default="", help="the server's REDIS_URL (else each worker caches in memory)")
    ap.add_argument(
        "--kinds",
        default="",
        help=f"comma-separated kinds to measure (mix and per kind), e.g. {','.join(SEARCH_KINDS)}; default all",
    )
    a = ap.parse_args()
    kinds = [kind for kind in a.kinds.split(",") if kind] or list(MIX)
    if unknown := set(kinds) - set(MIX):
        ap.error(f"unknown kinds: {sorted(unknown)}; choose from {list(MIX)}")
    if not 1 <= a.rounds <= 10 or not 1 <= a.seconds <= 600 or not 1 <= a.rate <= 2000:
        ap.error("keep --rounds 1-10, --seconds 1-600 and --rate 1-2000")

    log(f"load average (1, 5, 15 min): {os.getloadavg()} on {os.cpu_count()} CPUs")
    ensure_database(a.rebuild)
    import django

    django.setup()
    loaded = load_data(a.agencies, a.people, a.records, a.commitments)

    from commitments.models import Commitment
    from records.models import DishonestyRecord
    from subjects.models import Agency

    volumes = {
        "agencies": Agency.objects.count(),
        "records": DishonestyRecord.objects.count(),
        "commitments": Commitment.objects.count(),
    }
    log(f"volumes: {volumes}")
    corpus = {kind: paths for kind, paths in build_corpus(a.corpus, a.seed).items() if kind in kinds}
    log("corpus: " + ", ".join(f"{kind} {len(paths)}" for kind, paths in corpus.items()))

    explained = explain_corpus(corpus)
    log(
        f"EXPLAIN ANALYZE: {explained['statements']} distinct statements, median {explained['median_ms']} ms, "
        f"slowest {explained['max_ms']} ms, {explained['over_limit']} over {QUERY_LIMIT_MS:.0f} ms"
    )
    for slow in explained["slowest"]:
        log(f"  {slow['ms']:>8} ms  {slow['kind']:<13} {slow['sql'][:160]}")
    if explained["errors"]:
        log(f"  non-200 answers in the corpus: {explained['errors'][:5]}")

    mix = weighted(corpus)
    port = free_port()
    access_log = tempfile.NamedTemporaryFile("w", suffix=".log", delete=False)  # noqa: SIM115 - gunicorn writes it
    access_log.close()
    server = start_server(
        port,
        a.workers,
        redis_url=a.redis_url,
        cache_seconds=a.response_cache_seconds,
        access_log=access_log.name,
    )
    log(
        f"page cache: {a.response_cache_seconds} s"
        + (f" in Redis ({a.redis_url})" if a.redis_url else " in each worker's memory")
        if a.response_cache_seconds
        else "page cache: off"
    )
    accesses = AccessLog(access_log.name)
    seeds = iter(range(a.seed * 1000, a.seed * 1000 + 1000))
    rounds = []
    per_kind: dict[str, dict[str, Any]] = {}
    try:
        openloop(port, a.rate, a.warmup, mix, next(seeds))
        log(f"warm-up: {accesses.next_run()}")
        for n in range(a.rounds):
            baseline = openloop(port, a.rate, a.seconds, ["/healthz"], next(seeds))
            baseline["server_p50_ms"] = accesses.next_run()["server_p50_ms"].get("-")
            measured = openloop(port, a.rate, a.seconds, mix, next(seeds))
            measured["cache"] = accesses.next_run()
            rounds.append({"trivial": baseline, "mix": measured})
            log(f"round {n + 1}: trivial {baseline}")
            log(f"round {n + 1}: mix     {measured}")
        if a.per_kind_seconds:
            for kind, paths in corpus.items():
                per_kind[kind] = openloop(port, a.rate, a.per_kind_seconds, paths, next(seeds))
                per_kind[kind]["cache"] = accesses.next_run()
                log(f"  {kind:<13} {per_kind[kind]}")
    finally:
        stop_server(server)
        os.unlink(access_log.name)

    def mid(target: str, key: str) -> float:
        return statistics.median(r[target][key] for r in rounds)

    summary = {
        "load_average_1m_5m_15m": [round(x, 2) for x in os.getloadavg()],
        "volumes": volumes,
        "load_seconds": None if loaded is None else round(loaded),
        "rate": a.rate,
        "seconds": a.seconds,
        "rounds": a.rounds,
        "trivial_p50_ms": mid("trivial", "p50_ms"),
        "trivial_p95_ms": mid("trivial", "p95_ms"),
        "mix_p50_ms": mid("mix", "p50_ms"),
        "mix_p95_ms": mid("mix", "p95_ms"),
        "errors": sum(r["mix"]["errors"] + r["trivial"]["errors"] for r in rounds),
        "response_cache_seconds": a.response_cache_seconds,
        "response_cache": ("redis" if a.redis_url else "worker memory") if a.response_cache_seconds else "off",
        "mix_hit_ratio": _ratio(sum(r["mix"]["cache"]["hits"] for r in rounds), rounds),
        "mix_hit_ratio_per_round": [r["mix"]["cache"]["hit_ratio"] for r in rounds],
        "per_kind_p50_p95_ms": {kind: (r["p50_ms"], r["p95_ms"]) for kind, r in per_kind.items()},
        "per_kind_hit_ratio": {kind: r["cache"]["hit_ratio"] for kind, r in per_kind.items()},
        "slowest_query_ms": explained["max_ms"],
        "queries_over_100_ms": explained["over_limit"],
    }
    summary["p50_ratio"] = round(summary["mix_p50_ms"] / max(summary["trivial_p50_ms"], 0.1), 2)
    summary["p95_ratio"] = round(summary["mix_p95_ms"] / max(summary["trivial_p95_ms"], 0.1), 2)
    # Each kind against the trivial view of the same run (the rounds' median), at the door and inside the server
    # (the access log's own time: the rest of the machine stretches it less).
    trivial_server = statistics.median(r["trivial"]["server_p50_ms"] or 0.0 for r in rounds)
    summary["trivial_server_p50_ms"] = trivial_server
    summary["per_kind_ratio_p50_p95"] = {
        kind: (
            round(r["p50_ms"] / max(summary["trivial_p50_ms"], 0.1), 2),
            round(r["p95_ms"] / max(summary["trivial_p95_ms"], 0.1), 2),
        )
        for kind, r in per_kind.items()
    }
    summary["per_kind_server_p50_ms"] = {kind: r["cache"]["server_p50_ms"] for kind, r in per_kind.items()}
    if per_kind:
        log(
            f"\nper kind against the trivial view ({summary['trivial_p50_ms']} ms p50, "
            f"{trivial_server} ms in the server):"
        )
    for kind, r in per_kind.items():
        p50_ratio, p95_ratio = summary["per_kind_ratio_p50_p95"][kind]
        server = {name: ms for name, ms in r["cache"]["server_p50_ms"].items() if name != "-"}
        server_ratios = {name: round(ms / max(trivial_server, 0.01), 1) for name, ms in server.items()}
        log(
            f"  {kind:<16} p50 {r['p50_ms']:>7} ms = {p50_ratio:>5}x   p95 {r['p95_ms']:>7} ms = {p95_ratio:>5}x   "
            f"server p50 {server} ms = {server_ratios}x"
        )
    hit_ratio = summary["mix_hit_ratio"]
    log(f"\npage cache: {summary['response_cache']}; hit ratio in the measured mix: {hit_ratio}")
    log(
        f"median {summary['mix_p50_ms']} ms vs {summary['trivial_p50_ms']} ms = {summary['p50_ratio']}x "
        f"(target <= 3x); p95 {summary['mix_p95_ms']} ms vs {summary['trivial_p95_ms']} ms = "
        f"{summary['p95_ratio']}x (target <= 5x); slowest query {summary['slowest_query_ms']} ms (target <= 100)"
    )
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
