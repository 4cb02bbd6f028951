# ruff: noqa: S603, S607, S310 - runs local tools (psql, createdb, gunicorn, openloop) and asks 127.0.0.1 only
"""The credit-office leader's dashboard under constant-rate load against a trivial view (bench/README.md).

1. Creates the database if missing, migrates, loads `generate_scale` (agencies, records, commitments, procurement
   contracts and obligations) unless the records are there, then VACUUM ANALYZE.
2. Signs in a credit-office user at the scale city's root (a session row; its cookie goes with every request).
3. Starts gunicorn (2 sync workers, DEBUG off) and runs ../shared/tools/openloop.py at the same rate against /healthz
   (one SELECT 1) and against the dashboard (the city's top and its districts' nodes), alternately for --rounds, with
   the aggregates kept DASHBOARD_CACHE_SECONDS (--cache-seconds, 60). Before that, the cold computation of the
   city's figures in this process (--cold times): what a request pays when the cache has expired.
4. Prints p50 and p95 of each and their ratios; targets: p50 <= 3x, p95 <= 5x the trivial view.
"""

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
OPENLOOP = next(
    (path for path in (d / "shared" / "tools" / "openloop.py" for d in BASE_DIR.parents) if path.exists()),
    BASE_DIR.parent / "shared" / "tools" / "openloop.py",
)
PYTHON = sys.executable
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/govcredit_bench_dashboard"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def database_parts() -> tuple[str, str, str, int]:
    url = urlsplit(os.environ["DATABASE_URL"])
    host, name = url.hostname or "", url.path.lstrip("/")
    if host not in LOCAL_HOSTS:
        raise SystemExit(f"Only a local database is benchmarked here, not {host!r}.")
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
        subprocess.run(["createdb", *base, "-T", "template0", "-E", "UTF8", name], check=True, timeout=60)
        log(f"created database {name}")
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=BASE_DIR, check=True, timeout=900)


def load_data(a: argparse.Namespace) -> None:
    from django.db import connection

    from records.models import DishonestyRecord

    have = DishonestyRecord.objects.count()
    if have >= a.records:
        log(f"reusing {have:,} records already loaded")
        return
    log(f"loading {a.agencies:,} agencies and {a.records:,} records with generate_scale ...")
    started = time.monotonic()
    subprocess.run(
        [
            PYTHON,
            "manage.py",
            "generate_scale",
            f"--agencies={a.agencies}",
            f"--people={a.people}",
            f"--records={a.records}",
            f"--commitments={a.commitments}",
            f"--contracts={a.contracts}",
            f"--obligations={a.obligations}",
        ],
        cwd=BASE_DIR,
        check=True,
        timeout=7200,
    )
    log(f"loaded in {time.monotonic() - started:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def leader_session(district_count: int) -> tuple[str, list[str]]:
    """A credit-office user at the root of the largest tree, signed in: its session key and the dashboard paths."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.models import Role, User
    from accounts.services import user_create
    from subjects.models import Agency

    root = Agency.objects.filter(parent=None).order_by("-pk").first()
    if root is None:
        raise SystemExit("no agencies loaded")
    user = User.objects.filter(username="bench-leader").first()
    if user is None:
        user = user_create(username="bench-leader", password=None, role=Role.CREDIT_OFFICE, agency=root, sector="")
    elif user.agency_id != root.pk:
        User.objects.filter(pk=user.pk).update(agency=root)
        user.refresh_from_db()
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    districts = list(Agency.objects.filter(parent=root).order_by("pk").values_list("pk", flat=True)[:district_count])
    paths = ["/staff/dashboard/"] + [f"/staff/dashboard/?node={pk}" for pk in districts]
    return str(session.session_key), paths


def cold_seconds(times: int) -> list[float]:
    """The leader's figures at the top of the city computed in this process with nothing kept (what a request pays
    when the cache has expired)."""
    from django.utils import timezone

    from accounts.models import User
    from dashboard.figures import _leader_figures, node_for

    user = User.objects.get(username="bench-leader")
    node = node_for(user, None)
    assert node is not None
    out = []
    for _n in range(times):
        started = time.perf_counter()
        _leader_figures(user, node, timezone.localdate())
        out.append(round(time.perf_counter() - started, 2))
    return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int, workers: int, cache_seconds: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DJANGO_ENV": "development",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DB_CONN_MAX_AGE": "60",
        "LOG_LEVEL": "WARNING",
        "DASHBOARD_CACHE_SECONDS": str(cache_seconds),
    }
    server = subprocess.Popen(
        [
            str(Path(PYTHON).with_name("gunicorn")),
            "config.wsgi:application",
            f"--workers={workers}",
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
            "--timeout=120",
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


def openloop(port: int, rate: float, seconds: float, paths: list[str], cookie: str) -> dict[str, Any]:
    result = subprocess.run(
        [
            PYTHON,
            str(OPENLOOP),
            f"--rate={rate}",
            f"--seconds={seconds}",
            f"--port={port}",
            f"--header=Cookie: sessionid={cookie}",
            *paths,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 180,
    )
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def _ms(result: dict[str, Any], key: str) -> float:
    for name in (f"{key}_ms", key):
        if name in result:
            return float(result[name])
    raise KeyError(key)


def measure(a: argparse.Namespace, cookie: str, paths: list[str], cache_seconds: int) -> dict[str, Any]:
    port = free_port()
    server = start_server(port, a.workers, cache_seconds)
    try:
        for path in paths:  # each node's figures computed once, one at a time, before the load
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}{path}", headers={"Cookie": f"sessionid={cookie}"}
            )
            with urllib.request.urlopen(request, timeout=300) as response:
                if response.status != 200:
                    raise SystemExit(f"{path} answered {response.status}")
        openloop(port, a.rate, a.warmup, paths, cookie)  # connections, imports, the planner's caches
        rounds = []
        for n in range(a.rounds):
            trivial = openloop(port, a.rate, a.seconds, ["/healthz"], cookie)
            board = openloop(port, a.rate, a.seconds, paths, cookie)
            row = {
                "round": n + 1,
                "trivial_p50": _ms(trivial, "p50"),
                "trivial_p95": _ms(trivial, "p95"),
                "dashboard_p50": _ms(board, "p50"),
                "dashboard_p95": _ms(board, "p95"),
                "errors": int(trivial.get("errors", 0)) + int(board.get("errors", 0)),
            }
            row["p50_ratio"] = row["dashboard_p50"] / max(row["trivial_p50"], 0.001)
            row["p95_ratio"] = row["dashboard_p95"] / max(row["trivial_p95"], 0.001)
            log(json.dumps(row))
            rounds.append(row)
    finally:
        stop_server(server)
    return {
        "cache_seconds": cache_seconds,
        "p50_ratio": statistics.median(r["p50_ratio"] for r in rounds),
        "p95_ratio": statistics.median(r["p95_ratio"] for r in rounds),
        "trivial_p50": statistics.median(r["trivial_p50"] for r in rounds),
        "dashboard_p50": statistics.median(r["dashboard_p50"] for r in rounds),
        "dashboard_p95": statistics.median(r["dashboard_p95"] for r in rounds),
        "errors": sum(r["errors"] for r in rounds),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agencies", type=int, default=5000)
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--commitments", type=int, default=20_000)
    parser.add_argument("--contracts", type=int, default=20_000)
    parser.add_argument("--obligations", type=int, default=100_000)
    parser.add_argument("--rate", type=float, default=10)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--redis-url", default="", help="a Redis database of your own for the shared cache")
    parser.add_argument("--districts", type=int, default=3, help="district nodes in the mix beside the top")
    parser.add_argument("--cache-seconds", default="300", help="the runs' DASHBOARD_CACHE_SECONDS, comma-separated")
    parser.add_argument("--cold", type=int, default=3, help="in-process computations of the figures, cache off")
    a = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    if a.redis_url:
        os.environ["REDIS_URL"] = a.redis_url  # one cache for both workers, under a key prefix of this run's own
        os.environ["CACHE_KEY_PREFIX"] = f"govcredit-bench-dashboard-{os.getpid()}-{time.time_ns()}"
    else:
        os.environ.pop("REDIS_URL", None)  # each worker's own memory
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    ensure_database()
    import django

    django.setup()
    load_data(a)
    cookie, paths = leader_session(a.districts)
    from os import getloadavg

    cold = cold_seconds(a.cold)
    log(f"cold computation of the city's figures: {cold}")
    results = [measure(a, cookie, paths, int(s)) for s in a.cache_seconds.split(",") if s.strip()]
    summary = {
        "load": [round(x, 1) for x in getloadavg()],
        "rate": a.rate,
        "paths": len(paths),
        "cold_seconds": cold,
        "runs": results,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
