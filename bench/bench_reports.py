"""Credit-report benchmark: full-version reports per minute for a unit with 500 dishonesty records, issued by two
worker processes at once (snapshot, hash and stored row, then the HTML page and the PDF with Noto CJK), and the
share of each report's time spent turning HTML into PDF (WeasyPrint) — against a baseline measured in the same run:
the same report as the printable HTML page only.

    createdb -h 127.0.0.1 -U postgres -T template0 -E UTF8 govcredit_bench_reports
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/govcredit_bench_reports .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/govcredit_bench_reports .venv/bin/python bench/bench_reports.py

Options: --records 500, --workers 2, --html-reports 10 and --pdf-reports 3 (per worker). The unit and its records
are made once (a record through the services, then copies of its row with their own document numbers and facts;
published, in force, disclosed) and reused by later runs. Each worker is its own process with its own database
connection, as two Celery or gunicorn workers would be.
"""

import argparse
import multiprocessing
import os
import secrets
import statistics
import sys
import time
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
UNIT = "基准测试信用报告单位"


def setup_unit(records: int) -> tuple[int, int]:
    """The unit (with `records` published records) and a credit-office user over it: their ids."""
    import datetime

    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Role, User
    from accounts.services import user_create
    from records.models import DishonestyRecord, RecordStatus
    from records.services import record_create
    from subjects.codes import make_uscc
    from subjects.models import Agency, AgencyKind
    from subjects.services import agency_create
    from tests.factories import record_input

    agency = Agency.objects.filter(name=UNIT).first()
    if agency is None:
        agency = agency_create(
            actor=None,
            name=UNIT,
            kind=AgencyKind.DEPARTMENT,
            uscc=make_uscc("11330199000000123"),
            region_code="330199",
            parent=None,
        )
    office = User.objects.filter(username="bench-reports-office").first()
    if office is None:
        office = user_create(
            username="bench-reports-office", password=secrets.token_urlsafe(16), role=Role.CREDIT_OFFICE, agency=agency
        )
    have = DishonestyRecord.objects.filter(subject_agency=agency).count()
    if have < records:
        template = DishonestyRecord.objects.filter(subject_agency=agency).first() or record_create(
            actor=office,
            data=record_input(agency, decision_date=datetime.date(2026, 1, 5), document_number="基准模板〔2026〕1号"),
        )
        today = timezone.localdate()
        rows = []
        for i in range(records - have):
            row = DishonestyRecord.objects.get(pk=template.pk)
            row.pk = None
            row.document_number = f"基准决〔2026〕{have + i}-{secrets.token_hex(3)}号"
            row.facts = f"第{have + i}条：拖欠中小企业货款逾期未支付，经催告仍未履行。" * 3
            row.decision_date = today - datetime.timedelta(days=(i % 300) + 1)
            row.status = RecordStatus.PUBLISHED
            row.publicly_disclosed = True
            row.disclosure_starts_on = today - datetime.timedelta(days=1)
            row.disclosure_ends_on = today + datetime.timedelta(days=365)
            row.earliest_repair_on = today + datetime.timedelta(days=90)
            row.published_at = timezone.now()
            rows.append(row)
        with transaction.atomic():
            DishonestyRecord.objects.bulk_create(rows, batch_size=500)
    return agency.pk, office.pk


def worker(args: tuple[int, int, int, int]) -> list[dict[str, float]]:
    agency_id, office_id, count, html_only = args
    import django

    django.setup()
    from accounts.models import User
    from reports.models import ReportVersion
    from reports.rendering import html_to_pdf, render_html, watermark_text
    from reports.services import report_issue
    from subjects.models import Agency

    agency = Agency.objects.get(pk=agency_id)
    office = User.objects.get(pk=office_id)
    runs = []
    for _ in range(count):
        t0 = time.perf_counter()
        report = report_issue(version=ReportVersion.FULL, actor=office, agency=agency, purpose="基准测试")
        t1 = time.perf_counter()
        html = render_html(report, site_url="https://credit.example.gov.cn/", watermark=watermark_text("基准", "测试"))
        t2 = time.perf_counter()
        pdf_bytes = 0
        if not html_only:
            pdf_bytes = len(html_to_pdf(html))
        t3 = time.perf_counter()
        runs.append({"snapshot": t1 - t0, "html": t2 - t1, "pdf": t3 - t2, "total": t3 - t0, "bytes": pdf_bytes})
    return runs


def run(
    agency_id: int, office_id: int, workers: int, count: int, html_only: bool
) -> tuple[list[dict[str, float]], float]:
    """Each worker issues `count` reports; the wall time from the first to the last (the processes start first)."""
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        pool.map(worker, [(agency_id, office_id, 0, 1)] * workers)  # warm: django.setup, fonts, templates
        started = time.perf_counter()
        parts = pool.map(worker, [(agency_id, office_id, count, int(html_only))] * workers)
        elapsed = time.perf_counter() - started
    return [r for part in parts for r in part], elapsed


def summary(label: str, measured: tuple[list[dict[str, Any]], float]) -> float:
    runs, seconds = measured
    per_minute = len(runs) / seconds * 60
    total = sum(r["total"] for r in runs) or 1
    share = {k: sum(r[k] for r in runs) / total for k in ("snapshot", "html", "pdf")}
    median = statistics.median(r["total"] for r in runs)
    size = f"; PDF {statistics.median(r['bytes'] for r in runs) / 1024:.0f} KiB" if runs[0]["bytes"] else ""
    print(
        f"{label}: {len(runs)} reports in {seconds:.0f} s = {per_minute:.1f}/min; median {median:.2f} s each; "
        f"time shares: snapshot {share['snapshot']:.0%}, HTML {share['html']:.0%}, HTML→PDF {share['pdf']:.0%}{size}"
    )
    return per_minute


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--html-reports", type=int, default=10, help="per worker, for the baseline")
    parser.add_argument("--pdf-reports", type=int, default=3, help="per worker")
    options = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    from reports.rendering import pdf_available

    if not pdf_available():
        sys.exit("WeasyPrint's system libraries are absent (.ci/run installs them).")
    agency_id, office_id = setup_unit(options.records)
    connection.close()
    print(f"unit with {options.records} records, {options.workers} workers; load average {os.getloadavg()[0]:.1f}")
    baseline = summary(
        "baseline, printable HTML only", run(agency_id, office_id, options.workers, options.html_reports, True)
    )
    full = summary("full version, HTML + PDF", run(agency_id, office_id, options.workers, options.pdf_reports, False))
    print(
        f"load average {os.getloadavg()[0]:.1f}; PDF reports per minute / HTML-only per minute = {full / baseline:.3f}"
    )


if __name__ == "__main__":
    main()
