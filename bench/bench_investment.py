"""Investment-promotion list benchmark: the staff list of agreements (its hot page: one page of 50 with the counts
of overdue, changed and broken obligations per agreement, and its capped count) for the credit office of a region,
against a baseline measured in the same run on the same rows — one plain query of the same 50 agreements (the
region's latest signed, nothing joined or counted).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/govcredit_bench_inv .venv/bin/python bench/bench_investment.py

The database must be migrated. Unless a scale run with investment agreements is already there, the script loads
`generate_scale --agencies A --people 0 --investment-agreements N` (defaults: 500 agencies, 20,000 agreements, so
80,000 rows with their obligations). The full-scale figure: --agreements 200000 (800,000 rows). The page is rendered
in-process through the test client (middleware, session, template), so the ratio is the page's whole cost over the
query's. Target: the first page ≤ 10× the bare query, the filtered page likewise.
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
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def timed(action: Callable[[], object], repeat: int) -> float:
    """The median wall time of `repeat` runs after one warm-up, in milliseconds."""
    action()
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        runs.append((time.perf_counter() - started) * 1000)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agencies", type=int, default=500)
    parser.add_argument("--agreements", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=20)
    options = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    from accounts.models import Role, User
    from accounts.services import user_create
    from sectors.models import InvestmentAgreement
    from subjects.models import Agency

    setup_test_environment()  # the test client's host is allowed
    root = Agency.objects.filter(name__startswith="规模测试市", parent__isnull=True).order_by("-pk").first()
    if root is None or not InvestmentAgreement.objects.filter(agency__path__startswith=root.path).exists():
        started = time.monotonic()
        call_command(
            "generate_scale",
            agencies=options.agencies,
            people=0,
            investment_agreements=options.agreements,
            batch_size=2000,
        )
        print(f"loaded in {time.monotonic() - started:.0f} s")
        root = Agency.objects.filter(name__startswith="规模测试市", parent__isnull=True).order_by("-pk").first()
    assert root is not None
    rows = InvestmentAgreement.objects.filter(agency__path__startswith=root.path).count()
    office = User.objects.filter(username=f"bench-investment-office-{root.pk}").first() or user_create(
        username=f"bench-investment-office-{root.pk}", password=None, role=Role.CREDIT_OFFICE, agency=root
    )
    client = Client()
    client.force_login(office)
    url = "/staff/sectors/investment/"

    def page(query: str = "") -> Callable[[], object]:
        def get() -> object:
            response = client.get(url + query)
            assert response.status_code == 200, response.status_code
            return response

        return get

    def baseline() -> object:
        return list(
            InvestmentAgreement.objects.filter(agency__path__startswith=root.path).order_by("-signed_on", "-pk")[:50]
        )

    base = timed(baseline, options.repeat)
    first = timed(page(), options.repeat)
    overdue = timed(page("?status=overdue"), options.repeat)
    broken_late = timed(page("?status=broken&page=20"), options.repeat)
    print(f"agreements in the region: {rows:,} (with {rows * 3:,} obligations)")
    print(f"baseline query (50 latest agreements): {base:.1f} ms")
    print(f"list, first page:            {first:.1f} ms  ratio {first / base:.1f}x")
    print(f"list, overdue filter:        {overdue:.1f} ms  ratio {overdue / base:.1f}x")
    print(f"list, broken filter, page 20: {broken_late:.1f} ms  ratio {broken_late / base:.1f}x")


if __name__ == "__main__":
    main()
