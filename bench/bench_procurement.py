"""Procurement benchmark: the arrears ledger of a district and the daily overdue job at scale, each against a
baseline measured in the same run on the same rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/govcredit_bench_procurement .venv/bin/python \
        bench/bench_procurement.py --contracts 200000 --obligations 1000000

1. Migrates the database and loads `generate_scale --agencies --contracts --obligations` unless a run of that size
   is already there.
2. Ledger: `arrears_ledger(under=district)` (one GROUP BY of the overdue SME rows of the district's subtree) for the
   largest district of the run, against one GROUP BY of the whole payment-obligation table by agency. Target <= 2x.
3. Overdue job: the set-based recompute of every open row due before today (`procurement_overdue_recompute`, after
   clearing the rows' `computed_on` so each is recomputed) against one plain UPDATE of the same rows. Target <= 3x.
   The whole job (recompute, reminders, breach candidates) is timed once too. Every write is rolled back.

Each figure is the median of --repeat runs, baseline and measured alternately. Defaults are modest (--contracts
20000 --obligations 100000); see bench/README.md.
"""

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
for name in ("REDIS_URL", "CELERY_BROKER_URL"):
    os.environ.pop(name, None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("DEBUG", "false")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402

from sectors.models import PaymentObligation  # noqa: E402
from sectors.services.procurement import (  # noqa: E402
    arrears_ledger,
    procurement_overdue_recompute,
    procurement_overdue_run,
)
from subjects.models import Agency  # noqa: E402


class Rollback(Exception):
    pass


def timed(work: Callable[[], object], *, rollback: bool = False) -> float:
    started = time.perf_counter()
    if not rollback:
        work()
        return time.perf_counter() - started
    try:
        with transaction.atomic():
            started = time.perf_counter()
            work()
            elapsed = time.perf_counter() - started
            raise Rollback
    except Rollback:
        return elapsed


def median_pair(measured: Callable[[], float], baseline: Callable[[], float], repeat: int) -> tuple[float, float]:
    ours, base = [], []
    for _ in range(repeat):
        base.append(baseline())
        ours.append(measured())
    return statistics.median(ours), statistics.median(base)


def ensure_data(contracts: int, obligations: int, agencies: int) -> None:
    call_command("migrate", verbosity=0)
    have = PaymentObligation.objects.count()
    if have >= obligations:
        print(f"data: {have:,} payment obligations already loaded")
        vacuum()
        return
    print(f"data: loading {contracts:,} contracts and {obligations:,} obligations under {agencies:,} agencies…")
    call_command(
        "generate_scale",
        agencies=agencies,
        people=0,
        contracts=contracts,
        obligations=obligations,
        batch_size=5000,
    )
    vacuum()


def vacuum() -> None:
    """The steady state autovacuum keeps: fresh statistics, and no dead rows left by an earlier run's rolled-back
    writes (they would bloat the partial indexes the ledger reads)."""
    with connection.cursor() as cursor:
        for table in ("sectors_paymentobligation", "sectors_contract", "records_agency"):
            cursor.execute(f"VACUUM ANALYZE {table}")


def largest_district() -> Agency:
    """The child of a scale root with the most obligations below it."""
    root = Agency.objects.filter(name__startswith="规模测试市", parent__isnull=True).order_by("-pk").first()
    if root is None:
        raise SystemExit("no generate_scale root found")
    best, best_count = root, -1
    for child in Agency.objects.filter(parent=root):
        count = PaymentObligation.objects.filter(agency__path__startswith=child.path).count()
        if count > best_count:
            best, best_count = child, count
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contracts", type=int, default=20_000)
    parser.add_argument("--obligations", type=int, default=100_000)
    parser.add_argument("--agencies", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("run against PostgreSQL (DATABASE_URL)")
    ensure_data(args.contracts, args.obligations, args.agencies)
    today = timezone.localdate()
    total = PaymentObligation.objects.count()
    district = largest_district()
    in_district = PaymentObligation.objects.filter(agency__path__startswith=district.path).count()
    print(f"rows: {total:,} payment obligations; district {district.name}: {in_district:,}")

    # Ledger vs one GROUP BY of the payment-obligation table.
    def group_by_all() -> float:
        return timed(lambda: list(PaymentObligation.objects.values("agency_id").annotate(n=Count("pk")).order_by()))

    def ledger() -> float:
        return timed(lambda: arrears_ledger(under=district))

    group_by_all()
    ledger()  # warm the caches
    ours, base = median_pair(ledger, group_by_all, args.repeat)
    figures = arrears_ledger(under=district)
    print(
        f"ledger of the district: {ours * 1000:.1f} ms ({figures.count:,} overdue, {len(figures.rows)} agencies); "
        f"GROUP BY of the table: {base * 1000:.1f} ms; ratio {ours / base:.2f} (target <= 2)"
    )

    root = Agency.objects.get(pk=district.ancestor_ids[0])
    city, _base = median_pair(lambda: timed(lambda: arrears_ledger(under=root)), group_by_all, args.repeat)
    print(f"ledger of the whole city, for comparison: {city * 1000:.1f} ms; ratio {city / base:.2f}")

    # The overdue recompute vs one UPDATE of the same rows (every write rolled back).
    moving = PaymentObligation.objects.filter(status__in=["pending", "overdue"], due_on__lt=today)
    count = moving.count()

    def job() -> float:
        def work() -> None:
            moving.update(computed_on=None)
            started = time.perf_counter()
            procurement_overdue_recompute(today=today)
            work.elapsed = time.perf_counter() - started  # type: ignore[attr-defined]

        timed(work, rollback=True)
        return work.elapsed  # type: ignore[attr-defined]

    def plain_update() -> float:
        def work() -> None:
            moving.update(computed_on=None)
            started = time.perf_counter()
            moving.update(computed_on=today)
            work.elapsed = time.perf_counter() - started  # type: ignore[attr-defined]

        timed(work, rollback=True)
        return work.elapsed  # type: ignore[attr-defined]

    ours, base = median_pair(job, plain_update, args.repeat)
    print(
        f"overdue recompute of {count:,} rows: {ours:.2f} s; one UPDATE of the same rows: {base:.2f} s; "
        f"ratio {ours / base:.2f} (target <= 3)"
    )
    whole = timed(lambda: procurement_overdue_run(today=today), rollback=True)
    print(f"the whole job (recompute, reminders, breach candidates), once: {whole:.2f} s")


if __name__ == "__main__":
    main()
