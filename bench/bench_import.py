"""Excel import benchmark: a 100,000-row workbook imported end to end, against two baselines measured in
the same run on the same rows — reading the workbook with openpyxl in read-only mode, and PostgreSQL COPY of the
rows into a scratch table — plus the import's peak memory for a small and a large file, each in a fresh process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/govcredit_bench_import .venv/bin/python bench/bench_import.py

Options: --rows N (default 100000), --small N (default 10000), --agencies N (default 500). See bench/README.md.
"""

import argparse
import datetime
import gc
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
# The job is run here, in this process; no broker, no worker.
for name in ("REDIS_URL", "CELERY_BROKER_URL"):
    os.environ.pop(name, None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
OWN_MEDIA_ROOT = "MEDIA_ROOT" not in os.environ  # then a temporary one, removed at the end (children inherit it)
if OWN_MEDIA_ROOT:
    os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="bench-import-media-")
os.environ.setdefault("LOG_LEVEL", "WARNING")
# As in production: with DEBUG on, Django keeps the text of every query (memory that production does not spend).
os.environ.setdefault("DEBUG", "false")

import django  # noqa: E402

django.setup()

from django.core.files import File  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from openpyxl import Workbook, load_workbook  # noqa: E402
from openpyxl.cell import WriteOnlyCell  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from accounts.services import user_create  # noqa: E402
from records.excel.columns import COLUMNS, DATA_SHEET, SECTOR_LABELS, SEVERITY_LABELS, SOURCE_LABELS  # noqa: E402
from records.models import DishonestyRecord, ImportStatus  # noqa: E402
from records.services import import_job_create, import_job_run  # noqa: E402
from records.services import imports as import_services  # noqa: E402
from subjects.codes import make_uscc  # noqa: E402
from subjects.models import Agency, AgencyKind, CivilServant  # noqa: E402
from subjects.personal_data import make_id_number  # noqa: E402
from subjects.search import grams_of  # noqa: E402
from subjects.services import agency_create  # noqa: E402

HEADERS = [column.header for column in COLUMNS]
TEXT_HEADERS = {column.header for column in COLUMNS if column.kind in {"code", "id_number"}}
COURTS = [make_uscc(f"11330100{n:09d}") for n in range(900_000_001, 900_000_011)]


def _status_mb(field: str) -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise LookupError(field)


def reset_peak_rss() -> float:
    """Current RSS (MB), and the peak reset to it. Linux: ru_maxrss survives exec (a child would report its
    parent's peak), so the per-process high-water mark VmHWM is read instead, reset through clear_refs."""
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")
    return _status_mb("VmRSS")


def peak_rss_mb() -> float:
    return _status_mb("VmHWM")


# The world: agencies with principals, some civil servants, an uploader ----------------------------------------------


def make_world(run: int, agencies: int) -> dict[str, Any]:
    """A city with `agencies` units below it, created with bulk inserts (the scale generator's way)."""
    city = agency_create(
        actor=None,
        name=f"基准测试市人民政府{run}",
        kind=AgencyKind.GOVERNMENT,
        uscc=make_uscc(f"11330100{run:04d}00000"),
        region_code="330100",
        parent=None,
    )
    units = [
        Agency(
            name=f"基准测试市第{n}局{run}",
            name_grams=grams_of(f"基准测试市第{n}局{run}"),
            kind=AgencyKind.DEPARTMENT,
            uscc=make_uscc(f"11330100{run:04d}{n:05d}"),
            region_code="330100",
            parent=city,
            path="",
        )
        for n in range(1, agencies + 1)
    ]
    Agency.objects.bulk_create(units, batch_size=1000)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE records_agency SET path = %s || id || '/' WHERE parent_id = %s", [city.path, city.pk])
    people = []
    numbers = []
    for index, unit in enumerate(units):
        for k in range(3):  # a principal and two staff
            # Unique across runs: the run's last digit picks a span of birth dates, its other digits the sequence.
            birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=run % 10 * 1600 + index * 3 + k)
            number = make_id_number("330102", birth, run // 10)
            person = CivilServant(name=f"职员{index}_{k}", agency=unit, position="科员", is_principal=k == 0)
            person.set_id_number(number)
            people.append(person)
            numbers.append((unit, number, person))
    CivilServant.objects.bulk_create(people, batch_size=1000)
    uploader = user_create(
        username=f"bench-office-{run}",
        password=f"bench-{run}-not-for-login",
        role=Role.CREDIT_OFFICE,
        agency=city,
        sector="",
    )
    return {
        "city": city,
        "units": units,
        "staff": [(u, n) for u, n, p in numbers if not p.is_principal],
        "user": uploader,
    }


def rows_for(world: dict[str, Any], run: int, count: int) -> list[list[Any]]:
    rng = random.Random(run * 7 + count)
    units, staff = world["units"], world["staff"]
    sources, sectors, severities = list(SOURCE_LABELS.values()), list(SECTOR_LABELS.values()), ["一般", "严重"]
    assert set(severities) <= set(SEVERITY_LABELS.values())
    rows = []
    for n in range(count):
        if n % 10 == 0:  # one record in ten is about a civil servant
            unit, id_number = staff[n // 10 % len(staff)]
        else:
            unit, id_number = units[n % len(units)], None
        court = COURTS[n % len(COURTS)]
        rows.append(
            [
                unit.uscc,
                unit.name,
                id_number,
                sources[n % len(sources)],
                sectors[n % len(sectors)],
                severities[n % 2],
                None,
                f"基准法决〔{run}〕{count}-{n}号",
                f"临江市第{n % len(COURTS) + 1}人民法院",
                court,
                datetime.date(2024, 1, 1) + datetime.timedelta(days=rng.randrange(0, 900)),
                f"该单位拖欠中小企业货款{rng.randrange(10, 999)}万元，经催告后逾期仍未支付，造成不良社会影响。",
                "《保障中小企业款项支付条例》第八条、第十五条",
                "拖欠账款",
                round(rng.random() * 100, 2),
                None,
                "企业资金周转困难",
                "较大",
            ]
        )
    return rows


def write_workbook(rows: list[list[Any]], path: Path) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(DATA_SHEET)
    sheet.append(HEADERS)
    text_columns = [i for i, header in enumerate(HEADERS) if header in TEXT_HEADERS]
    for row in rows:
        cells: list[Any] = list(row)
        for i in text_columns:
            if cells[i] is not None:
                cell = WriteOnlyCell(sheet, value=cells[i])
                cell.number_format = "@"
                cells[i] = cell
        sheet.append(cells)
    workbook.save(path)


# The three measurements ---------------------------------------------------------------------------------------------


class Clock:
    """Wall time, and CPU time of this process plus its PostgreSQL backend: on a shared machine the CPU seconds
    compare better than the wall seconds (another job's load stretches wall time, not work done)."""

    def __init__(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            self.backend = cursor.fetchone()[0]

    def _backend_cpu(self) -> float:
        try:
            with open(f"/proc/{self.backend}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:  # PostgreSQL on another host: only this process's CPU is counted
            return 0.0

    def __enter__(self) -> "Clock":
        self.wall, self.cpu = time.perf_counter(), time.process_time() + self._backend_cpu()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() + self._backend_cpu() - self.cpu


def time_openpyxl(path: Path) -> tuple[Clock, int]:
    with Clock() as clock:
        workbook = load_workbook(path, read_only=True, data_only=True)
        count = sum(1 for _row in workbook[DATA_SHEET].iter_rows(values_only=True))
        workbook.close()
    return clock, count - 1


def time_calamine(path: Path) -> Clock:
    from python_calamine import CalamineWorkbook

    with Clock() as clock, CalamineWorkbook.from_path(str(path)) as workbook:
        for _row in workbook.get_sheet_by_name(DATA_SHEET).iter_rows():
            pass
    return clock


def time_copy(rows: list[list[Any]]) -> Clock:
    """The rows as CSV (built from the in-memory rows, as any COPY loader must) and COPYed into a plain, logged
    table with a primary key; committed."""
    import csv

    columns = ", ".join(f"c{i} text" for i in range(len(HEADERS)))
    names = ", ".join(f"c{i}" for i in range(len(HEADERS)))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_import_scratch")
        cursor.execute(f"CREATE TABLE bench_import_scratch (id bigserial PRIMARY KEY, {columns})")
        try:
            with Clock() as clock:
                buffer = io.StringIO()
                csv.writer(buffer).writerows(rows)
                buffer.seek(0)
                with transaction.atomic():
                    cursor.cursor.copy_expert(
                        f"COPY bench_import_scratch ({names}) FROM STDIN WITH (FORMAT csv)", buffer
                    )
        finally:
            cursor.execute("DROP TABLE bench_import_scratch")
    return clock


def time_import(path: Path, user: User, agency: Agency) -> dict[str, Any]:
    phases: dict[str, Any] = {}
    real_write = import_services.import_rows_write

    def timed_write(*args: Any, **kwargs: Any) -> int:
        started = time.perf_counter()
        try:
            return real_write(*args, **kwargs)
        finally:
            phases["write"] = time.perf_counter() - started

    import_services.import_rows_write = timed_write  # type: ignore[assignment]
    import_services._queue = lambda job_id, **_options: None  # type: ignore[assignment]  # run below, not after commit
    try:
        with Clock() as clock:
            started = time.perf_counter()
            with path.open("rb") as handle:
                job = import_job_create(actor=user, agency=agency, upload=File(handle, name=path.name))
            phases["upload"] = time.perf_counter() - started
            job = import_job_run(job_id=job.pk)
    finally:
        import_services.import_rows_write = real_write  # type: ignore[assignment]
    if job.status != ImportStatus.DONE:
        raise SystemExit(f"import did not finish: {job.status} {job.failure} {job.errors[:5]}")
    phases["clock"] = clock
    phases["check"] = clock.wall - phases["upload"] - phases.get("write", 0)
    phases["created"] = job.created_records
    return phases


def memory_child(path: str, user_id: int, agency_id: int, mode: str) -> None:
    """Run in a fresh process: peak RSS growth (MB) of one import (or one calamine read) of `path`."""
    user = User.objects.get(pk=user_id)
    agency = Agency.objects.get(pk=agency_id)
    DishonestyRecord.objects.exists()  # the connection and the ORM are warm before the baseline
    baseline = reset_peak_rss()
    if mode == "calamine":
        time_calamine(Path(path))
    else:
        # Rolled back: the timed run imports the same file afterwards.
        with transaction.atomic():
            time_import(Path(path), user, agency)
            transaction.set_rollback(True)
    print(json.dumps({"growth_mb": peak_rss_mb() - baseline, "baseline_mb": baseline}))


def memory_of(path: Path, world: dict[str, Any], mode: str) -> float:
    child = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, __file__, "--memory-child", str(path), str(world["user"].pk), str(world["city"].pk), mode],
        check=False,
        capture_output=True,
        text=True,
        env=os.environ.copy(),
    )
    if child.returncode:
        raise SystemExit(f"memory run failed:\n{child.stdout}\n{child.stderr}")
    return float(json.loads(child.stdout.strip().splitlines()[-1])["growth_mb"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--agencies", type=int, default=500, choices=range(1, 534), metavar="1..533")
    parser.add_argument("--memory-child", nargs=4, metavar=("PATH", "USER", "AGENCY", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        path, user_id, agency_id, mode = args.memory_child
        memory_child(path, int(user_id), int(agency_id), mode)
        return
    if connection.vendor != "postgresql":
        raise SystemExit("Run against PostgreSQL: DATABASE_URL=postgres://… (see bench/README.md)")

    run = random.SystemRandom().randrange(1000, 9999)
    world = make_world(run, args.agencies)
    workdir = Path(tempfile.mkdtemp(prefix="bench-import-"))
    print(f"Excel import benchmark · run {run} · {args.agencies} agencies · {connection.settings_dict['NAME']}")

    big_rows = rows_for(world, run, args.rows)
    big, small = workdir / f"records-{args.rows}.xlsx", workdir / f"records-{args.small}.xlsx"
    started = time.perf_counter()
    write_workbook(big_rows, big)
    write_workbook(rows_for(world, run, args.small), small)
    print(
        f"workbooks written in {time.perf_counter() - started:.1f} s (not measured): {big.stat().st_size / 1e6:.1f} MB"
    )

    # Memory first, each in a fresh process whose import is rolled back; then the timings, in this process.
    memory = {
        "import_small": memory_of(small, world, "import"),
        "import_big": memory_of(big, world, "import"),
        "calamine_big": memory_of(big, world, "calamine"),
    }
    openpyxl, read_rows = time_openpyxl(big)
    assert read_rows == args.rows, read_rows
    calamine = time_calamine(big)
    copy = time_copy(big_rows)
    del big_rows  # the import runs without the benchmark's own copy of the rows in memory
    gc.collect()
    phases = time_import(big, world["user"], world["city"])
    assert phases["created"] == args.rows
    ours = phases["clock"]

    n = args.rows
    print()
    print(f"{'':4}{'measure':46}{'wall s':>9}{'rows/s':>10}{'CPU s':>9}")
    lines = [
        ("(a) ", "openpyxl read-only read (baseline 1)", openpyxl),
        ("(b) ", "COPY into a scratch table (baseline 2)", copy),
        ("(c) ", "our import, upload to committed rows", ours),
        ("    ", "for reference: python-calamine read", calamine),
    ]
    for mark, label, clock in lines:
        print(f"{mark:4}{label:46}{clock.wall:9.2f}{n / clock.wall:10,.0f}{clock.cpu:9.2f}")
    print(
        f"{'':8}upload checks and storage {phases['upload']:.2f} s · reading and checking every row "
        f"{phases['check']:.2f} s · writing {phases['write']:.2f} s ({n / phases['write']:,.0f} records/s, "
        "with events, principals and history)"
    )
    print("    (CPU s: this process plus its PostgreSQL backend)")
    print()
    wall, cpu = ours.wall / openpyxl.wall, ours.cpu / openpyxl.cpu
    print(f"import time / openpyxl read time      = {wall:.2f} wall, {cpu:.2f} CPU   (target < 1.0)")
    print(f"import rows/s / COPY rows/s           = {copy.wall / ours.wall:.2f} wall, {copy.cpu / ours.cpu:.2f} CPU")
    print()
    print("peak RSS growth of one import in a fresh process:")
    print(f"    {args.small:>7,} rows: {memory['import_small']:6.1f} MB")
    print(f"    {args.rows:>7,} rows: {memory['import_big']:6.1f} MB")
    print(f"    python-calamine reading the {args.rows:,}-row sheet, for comparison: {memory['calamine_big']:.1f} MB")
    shutil.rmtree(workdir, ignore_errors=True)
    if OWN_MEDIA_ROOT:
        shutil.rmtree(os.environ["MEDIA_ROOT"], ignore_errors=True)


if __name__ == "__main__":
    main()
