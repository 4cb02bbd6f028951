"""`manage.py generate_scale --agencies 5000 --people 100000`: benchmark volumes under a root of their own.

Each run adds a new root agency (规模测试市 N) with codes of its own, so it never collides with the demo city or an
earlier run. One function per kind of row (`create_agencies`, `create_people`, …): later issues add theirs.
"""

import datetime
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any, TypeVar

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat

from records.codes import make_uscc
from records.models import Agency, AgencyKind, CivilServant
from records.personal_data import make_id_number
from records.services import agency_create

try:  # name search grams arrived with the records issue; older trees have no such column
    from records.search import grams_of
except ImportError:  # pragma: no cover
    grams_of = None  # type: ignore[assignment]

T = TypeVar("T")

MAX_RUNS = 99
MAX_AGENCIES = 999_999  # six digits of sequence in the code body
BIRTH_DAYS = 14_600  # 1960-01-01 + 40 years: the spread of birth dates
BIRTH_START = datetime.date(1960, 1, 1)
DEPARTMENTS = [
    "财政局",
    "发展和改革局",
    "公共资源交易监督管理局",
    "投资促进局",
    "生态环境局",
    "人力资源和社会保障局",
    "信用办",
]
POSITIONS = [("科员", "一级科员"), ("科员", "二级科员"), ("科长", "一级主任科员"), ("副科长", "三级主任科员")]
USCC_PREFIX = {
    AgencyKind.PUBLIC_INSTITUTION: "12",
    AgencyKind.RESIDENTS_COMMITTEE: "54",
    AgencyKind.VILLAGERS_COMMITTEE: "54",
}


@dataclass(frozen=True)
class Run:
    """One generator run: its number decides the region code and the code bodies, so runs never collide."""

    number: int

    @property
    def region(self) -> str:
        return f"3399{self.number:02d}"

    def uscc(self, kind: str, sequence: int) -> str:
        return make_uscc(f"{USCC_PREFIX.get(kind, '11')}{self.region}K{self.number:02d}{sequence:06d}")

    def id_number(self, sequence: int) -> str:
        # Distinct for every sequence below BIRTH_DAYS * 1000: the birth date and the order code vary together.
        birth = BIRTH_START + datetime.timedelta(days=sequence % BIRTH_DAYS)
        return make_id_number(self.region, birth, sequence // BIRTH_DAYS)


def batched(items: Sequence[T] | Iterator[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def next_run() -> Run:
    for number in range(1, MAX_RUNS + 1):
        run = Run(number)
        if not Agency.objects.filter(uscc=run.uscc(AgencyKind.GOVERNMENT, 0)).exists():
            return run
    raise CommandError(f"{MAX_RUNS} scale runs are already loaded; use a fresh database.")


def create_root(run: Run) -> Agency:
    """The root goes through the service, like any agency: it has its event and its history."""
    return agency_create(
        actor=None,
        name=f"规模测试市{run.number}人民政府",
        kind=AgencyKind.GOVERNMENT,
        uscc=run.uscc(AgencyKind.GOVERNMENT, 0),
        region_code=run.region,
        parent=None,
        reason="generate_scale",
    )


def tree_plan(count: int) -> list[list[tuple[str, str, int]]]:
    """Levels below the root as (name, kind, index of the parent in the level above); `count` includes the root.

    Districts (one per ~100 units), then departments, sub-districts and towns, then committees under the
    sub-districts and towns — roughly the shape of a real city.
    """
    remaining = count - 1
    districts = min(remaining, max(1, round(remaining / 100)))
    remaining -= districts
    middle = min(remaining, max(districts, round(remaining * 0.4)))
    bottom = remaining - middle
    level1 = [(f"第{i + 1}区人民政府", AgencyKind.GOVERNMENT, 0) for i in range(districts)]
    level2 = []
    short_names = []  # 第1区第3街道: what the committees below it are named after
    departments_in: dict[int, int] = {}
    for i in range(middle):
        district, slot = i % districts, i // districts
        prefix = f"第{district + 1}区"
        if slot % 6 == 2:
            kind, short = AgencyKind.SUBDISTRICT, f"{prefix}第{slot + 1}街道"
            name = f"{short}办事处"
        elif slot % 6 == 5:
            kind, short = AgencyKind.TOWN, f"{prefix}第{slot + 1}镇"
            name = f"{short}人民政府"
        else:
            k = departments_in[district] = departments_in.get(district, -1) + 1
            kind, short = AgencyKind.DEPARTMENT, f"{prefix}{DEPARTMENTS[k % len(DEPARTMENTS)]}"
            name = short if k < len(DEPARTMENTS) else f"{short}直属{k // len(DEPARTMENTS)}所"
        level2.append((name, kind, district))
        short_names.append(short)
    hosts = [i for i, (_, kind, _) in enumerate(level2) if kind in {AgencyKind.SUBDISTRICT, AgencyKind.TOWN}]
    hosts = hosts or list(range(len(level2)))
    level3 = []
    for i in range(bottom):
        host = hosts[i % len(hosts)]
        town = level2[host][1] == AgencyKind.TOWN
        kind = AgencyKind.VILLAGERS_COMMITTEE if town else AgencyKind.RESIDENTS_COMMITTEE
        unit = f"第{i // len(hosts) + 1}村村民委员会" if town else f"第{i // len(hosts) + 1}社区居民委员会"
        level3.append((f"{short_names[host]}{unit}", kind, host))
    return [level for level in (level1, level2, level3) if level]


def create_agencies(root: Agency, run: Run, count: int, batch_size: int) -> list[int]:
    """The subtree under `root`, level by level: insert a level, then write its paths with one UPDATE."""
    parents = [root.pk]
    created: list[int] = [root.pk]
    sequence = 0
    for level in tree_plan(count):
        rows = []
        for name, kind, parent_index in level:
            sequence += 1
            row = Agency(
                name=name,
                kind=kind,
                uscc=run.uscc(kind, sequence),
                region_code=run.region,
                parent_id=parents[parent_index],
                path="",
            )
            if grams_of is not None:
                row.name_grams = grams_of(name)
            rows.append(row)
        ids = _insert(rows, batch_size, key="uscc")
        # path = parent's path + own id + "/", computed by the database for the whole level.
        parent_path = Agency.objects.filter(pk=OuterRef("parent_id")).values("path")[:1]
        for chunk in batched(ids, batch_size):
            Agency.objects.filter(pk__in=chunk).update(
                path=Concat(Subquery(parent_path), Cast("pk", CharField()), Value("/"), output_field=CharField())
            )
        parents = ids
        created.extend(ids)
    return created


def create_people(run: Run, agency_ids: Sequence[int], count: int, batch_size: int) -> int:
    """`count` civil servants spread over the agencies; the first one placed in each agency is its principal."""
    made = 0
    for chunk in batched(range(count), batch_size):
        rows = []
        for sequence in chunk:
            position, rank = ("主要负责人", "正科级") if sequence < len(agency_ids) else POSITIONS[sequence % 4]
            person = CivilServant(
                name=f"测试{run.number}号{sequence + 1}",
                agency_id=agency_ids[sequence % len(agency_ids)],
                position=position,
                rank=rank,
                is_principal=sequence < len(agency_ids),
            )
            # Digest, cipher and mask exactly as the service stores them.
            person.set_id_number(run.id_number(sequence))
            rows.append(person)
        CivilServant.objects.bulk_create(rows, batch_size=batch_size)
        made += len(rows)
    return made


def _insert(rows: list[Agency], batch_size: int, *, key: str) -> list[int]:
    """bulk_create, returning ids in the order of `rows` (looked up by `key` where the database returns none)."""
    Agency.objects.bulk_create(rows, batch_size=batch_size)
    if all(row.pk is not None for row in rows):
        return [row.pk for row in rows]
    values = [getattr(row, key) for row in rows]
    found: dict[Any, int] = {}
    for chunk in batched(values, batch_size):
        found.update(Agency.objects.filter(**{f"{key}__in": chunk}).values_list(key, "pk"))
    return [found[value] for value in values]


class Command(BaseCommand):
    help = (
        "Generate benchmark volumes under a new root agency (规模测试市 N): --agencies units (root included) and "
        "--people civil servants, with valid codes and ID numbers. Each run adds a fresh root with codes of its "
        "own. Rows are written with bulk_create and deliberately bypass the history trail (django-simple-history "
        "does not see bulk writes) and the events: this is load-test data, not business data. Prints rows/s."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agencies", type=int, default=5000)
        parser.add_argument("--people", type=int, default=100_000)
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args: Any, **options: Any) -> None:
        agencies, people, batch_size = options["agencies"], options["people"], options["batch_size"]
        if not 1 <= agencies <= MAX_AGENCIES:
            raise CommandError(f"--agencies must be between 1 and {MAX_AGENCIES}.")
        if not 0 <= people < BIRTH_DAYS * 1000:
            raise CommandError(f"--people must be between 0 and {BIRTH_DAYS * 1000 - 1}.")
        with transaction.atomic():
            run = next_run()
            root = create_root(run)
            agency_ids: list[int] = []

            def make_agencies() -> int:
                agency_ids.extend(create_agencies(root, run, agencies, batch_size))
                return len(agency_ids)

            self._timed("agencies", make_agencies)
            if people:
                self._timed("civil servants", lambda: create_people(run, agency_ids, people, batch_size))
        self.stdout.write(
            self.style.SUCCESS(f"Done: {root.name} (id {root.pk}, code {root.uscc}), database {connection.vendor}.")
        )

    def _timed(self, label: str, make: Callable[[], int]) -> int:
        started = time.monotonic()
        rows = make()
        elapsed = max(time.monotonic() - started, 1e-6)
        self.stdout.write(f"{label}: {rows} rows in {elapsed:.1f} s ({rows / elapsed:,.0f} rows/s)")
        return rows
