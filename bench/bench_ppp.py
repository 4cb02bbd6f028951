# ruff: noqa: S603 - runs local tools (psql) with arguments built here; prints its figures
"""PPP benchmark: the staff project list, the public project card and the payment job at scale, each against a
baseline measured in the same run on the same data.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/govcredit_bench_ppp .venv/bin/python bench/bench_ppp.py \
        --agencies 5000 --people 50000 --projects 200000

1. Creates the database if missing, migrates, and loads `generate_scale --agencies --people --ppp-projects` unless a
   scale run with PPP projects is already there (--rebuild starts from an empty database).
2. In process (Django's test client, DEBUG off), as the credit office of the scale root, which sees every project:
   - the project list (first page with its counts by stage, a stage filter, the late-payments filter) against what
     a list with counts cannot avoid: one GROUP BY of the project table and one plain page of it (`LIMIT 50`);
   - the public card of published projects against one plain read of the project's row;
   - the payment job (`ppp_payments_watch` on a day when nothing is new, after a first run) against one UPDATE of
     the obligations it scans, rolled back.
   Each figure is the median of --repeat runs; the ratio to its baseline is printed.

Each measure prints its wall time (and its ratio to a trivial view through the same client, the framework's floor),
the time its statements spend in the database and their number, and the database time of its baseline. Target: the
database time of each measure ≤ 5× its baseline's. See bench/README.md.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/govcredit_bench_ppp"
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["ALLOWED_HOSTS"] = "127.0.0.1,testserver"
os.environ["DISCLOSURE_RESPONSE_CACHE_SECONDS"] = "0"  # every card rendered, never answered from the page cache
for name in ("REDIS_URL", "CELERY_BROKER_URL"):
    os.environ.pop(name, None)


def ensure_database(url: str, rebuild: bool) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = ["psql", "-h", parts.hostname or "127.0.0.1", "-U", parts.username or "postgres", "-d", "postgres", "-tAc"]
    if rebuild:
        subprocess.run([*admin, f'DROP DATABASE IF EXISTS "{name}"'], check=True)
    exists = subprocess.run(
        [*admin, f"SELECT 1 FROM pg_database WHERE datname = '{name}'"], check=True, capture_output=True
    )
    if not exists.stdout.strip():
        subprocess.run([*admin, f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'"], check=True)


def median_seconds(work: Callable[[], object], repeat: int) -> float:
    work()  # warm the caches
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agencies", type=int, default=2000)
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument("--projects", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    ensure_database(os.environ["DATABASE_URL"], args.rebuild)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client

    from accounts.models import Role, User
    from accounts.services import user_create
    from sectors.models import PppPaymentObligation, PppProject
    from sectors.services.ppp import ppp_payments_watch

    call_command("migrate", verbosity=0)
    if not PppProject.objects.filter(code__startswith="SCALE-").exists():
        started = time.monotonic()
        call_command(
            "generate_scale",
            agencies=args.agencies,
            people=args.people,
            ppp_projects=args.projects,
            stdout=sys.stderr,
        )
        print(f"loaded in {time.monotonic() - started:.0f} s", file=sys.stderr)
    project_count = PppProject.objects.count()
    payment_count = PppPaymentObligation.objects.count()
    sample = PppProject.objects.filter(code__startswith="SCALE-").select_related("agency").first()
    assert sample is not None
    root = sample.agency
    while root.parent_id is not None:
        root = root.parent  # type: ignore[assignment]
    office = User.objects.filter(username=f"bench-ppp-office-{root.pk}").first() or user_create(
        username=f"bench-ppp-office-{root.pk}", password=None, role=Role.CREDIT_OFFICE, agency=root
    )
    client = Client()
    client.force_login(office)
    print(f"{project_count:,} projects, {payment_count:,} payment obligations; as the credit office of {root.name}")

    def get(path: str) -> Callable[[], object]:
        def run() -> object:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            return response

        return run

    def plain_list() -> object:
        """What a list with counts cannot avoid: one GROUP BY of the project table and one page of it."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT stage, COUNT(*) FROM sectors_pppproject GROUP BY stage")
            cursor.fetchall()
            cursor.execute(
                "SELECT id, code, name, stage, agency_id, total_investment FROM sectors_pppproject "
                "ORDER BY identification_on DESC, id DESC LIMIT 50"
            )
            return cursor.fetchall()

    published = list(PppProject.objects.published().order_by("pk").values_list("pk", flat=True)[:50])

    visitor = Client()  # the public reads the cards anonymously

    def cards() -> object:
        return [visitor.get(f"/ppp/{pk}/") for pk in published[:10]]

    def plain_rows() -> object:
        with connection.cursor() as cursor:
            for pk in published[:10]:
                cursor.execute("SELECT * FROM sectors_pppproject WHERE id = %s", [pk])
                cursor.fetchall()
        return None

    def quiet_job() -> object:
        return ppp_payments_watch()

    def one_update() -> object:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE sectors_ppppaymentobligation SET late = true "
                    "WHERE late = false AND due_on < CURRENT_DATE AND paid_amount < amount_due"
                )
            transaction.set_rollback(True)
        return None

    ppp_payments_watch()  # the first run flags and proposes; the figure is the daily run after it

    def sql_of(work: Callable[[], object]) -> tuple[float, int]:
        """The time `work` spends in the database, and its number of statements."""
        spent: list[float] = []

        def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                spent.append(time.perf_counter() - started)

        with connection.execute_wrapper(timed):
            work()
        return sum(spent), len(spent)

    trivial = median_seconds(get("/healthz"), args.repeat)
    rows = [
        ("project list, first page with counts", get("/staff/sectors/ppp/"), plain_list, 5.0),
        ("project list, stage = execution", get("/staff/sectors/ppp/?stage=execution"), plain_list, 5.0),
        ("project list, late payments only", get("/staff/sectors/ppp/?late=on"), plain_list, 5.0),
        ("public cards (10)", cards, plain_rows, 5.0),
        ("payment job, a quiet day", quiet_job, one_update, 5.0),
    ]
    print(f"trivial view (/healthz, same client): {trivial * 1000:.1f} ms")
    print(
        f"{'measure':<38} {'wall ms':>8} {'×trivial':>9} {'SQL ms':>7} {'stmts':>6} "
        f"{'baseline SQL ms':>16} {'SQL ratio':>10}"
    )
    failed = False
    for label, work, baseline, target in rows:
        measured = median_seconds(work, args.repeat)
        sql = statistics.median(sql_of(work)[0] for _ in range(args.repeat))
        statements = sql_of(work)[1]
        base = statistics.median(sql_of(baseline)[0] for _ in range(args.repeat))
        ratio = sql / max(base, 1e-6)
        failed |= ratio > target
        verdict = "ok" if ratio <= target else "OVER"
        print(
            f"{label:<38} {measured * 1000:>8.1f} {measured / trivial:>8.0f}× {sql * 1000:>7.1f} {statements:>6} "
            f"{base * 1000:>16.1f} {ratio:>9.1f}× (≤ {target:g}× {verdict})"
        )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
