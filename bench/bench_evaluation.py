# ruff: noqa: S603 - runs local tools (psql) with arguments built here; prints its figures
"""Evaluation benchmark (issue 17): the full recompute of a period and the incremental recompute after one change,
against one GROUP BY of the records table by agency and severity measured in the same run on the same data.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/govcredit_bench_evaluation .venv/bin/python \\
        bench/bench_evaluation.py --agencies 5000 --records 1000000

1. Creates the database if missing, migrates, and loads `generate_scale --agencies --records` unless a scale run with
   records is there (--rebuild starts from an empty database); vacuums the records and score tables (autovacuum is
   off on the bench machine); the default indicator set and this year's year-end period are made once.
2. Measures (median of --repeat runs, DEBUG off):
   - baseline: `SELECT subject_agency_id, severity, count(*) FROM records_dishonestyrecord GROUP BY 1, 2`;
   - compute: `engine.compute(period)` — every source fetched once for all units, every unit scored, nothing written;
   - full recompute: `engine.recompute(period)` when nothing changed (the nightly check's cost: compute, compare,
     write nothing) and cold (every score row deleted first, so all are written and ranked);
   - incremental: one unit marked dirty (`mark_dirty`), then `recompute_dirty()` — the 5-minute job after one change.
Targets: full recompute ≤ 2× the GROUP BY; incremental ≤ 100 ms. See bench/README.md.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/govcredit_bench_evaluation"
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")
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
    parser.add_argument("--agencies", type=int, default=5000)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    ensure_database(os.environ["DATABASE_URL"], args.rebuild)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from evaluation import engine
    from evaluation.defaults import default_set
    from evaluation.models import Half, Period, Score
    from evaluation.services.periods import period_create
    from evaluation.services.recompute import mark_dirty, recompute_dirty
    from records.models import DishonestyRecord
    from subjects.models import Agency

    call_command("migrate", verbosity=0)
    if not DishonestyRecord.objects.exists():
        started = time.monotonic()
        call_command("generate_scale", agencies=args.agencies, people=0, records=args.records, stdout=sys.stderr)
        print(f"loaded in {time.monotonic() - started:.0f} s", file=sys.stderr)
    # Autovacuum is off on the bench machine: vacuum as it would on a live database — the visibility map the
    # evaluation's index-only scans rely on, and the dead score rows earlier runs' cold recomputes left behind.
    with connection.cursor() as cursor:
        for table in (DishonestyRecord._meta.db_table, Score._meta.db_table):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    year = timezone.localdate().year
    period = Period.objects.filter(year=year, half=Half.YEAR_END).first()
    if period is None:
        period = period_create(actor=None, year=year, half=Half.YEAR_END, indicator_set=default_set(year))
    units = Score.objects.filter(period=period).count()
    print(
        f"{DishonestyRecord.objects.count():,} records, {Agency.objects.count():,} agencies, {units:,} units scored "
        f"in {period}"
    )

    def group_by() -> object:
        with connection.cursor() as cursor:
            cursor.execute("SELECT subject_agency_id, severity, count(*) FROM records_dishonestyrecord GROUP BY 1, 2")
            return cursor.fetchall()

    def cold() -> object:
        with transaction.atomic():
            Score.objects.filter(period=period).delete()
            return engine.recompute(period)

    unit = Score.objects.filter(period=period).order_by("agency_id").values_list("agency_id", flat=True).first()
    assert unit is not None

    def incremental() -> object:
        with transaction.atomic():
            mark_dirty([unit], period.start)
        return recompute_dirty()

    baseline = median_seconds(group_by, args.repeat)
    figures = {
        "compute (no writes)": median_seconds(lambda: engine.compute(period), args.repeat),
        "full recompute, nothing changed": median_seconds(lambda: engine.recompute(period), args.repeat),
        "full recompute, cold (all rows written)": median_seconds(cold, max(1, args.repeat // 2)),
    }
    incremental_seconds = median_seconds(incremental, args.repeat * 4)
    print(f"baseline GROUP BY records by agency and severity: {baseline * 1000:.0f} ms")
    for label, seconds in figures.items():
        print(f"{label}: {seconds * 1000:.0f} ms = {seconds / baseline:.2f}× the GROUP BY (target ≤ 2×)")
    print(f"incremental after one change: {incremental_seconds * 1000:.1f} ms (target ≤ 100 ms)")


if __name__ == "__main__":
    main()
