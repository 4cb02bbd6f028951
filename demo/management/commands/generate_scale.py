"""`manage.py generate_scale --agencies 5000 --people 100000 --records 1000000`: benchmark volumes under a root of
their own.

Each run adds a new root agency (规模测试市 N) with codes of its own, so it never collides with the demo city or an
earlier run. One function per kind of row (`create_agencies`, `create_people`, `create_records`,
`create_commitments`, …): later issues add theirs.
"""

import datetime
import io
import random
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from itertools import islice
from typing import Any, TypeVar

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from accounts.models import Role, Sector, User
from accounts.services import user_create
from commitments.models import (
    ChangeGround,
    Commitment,
    CommitmentKind,
    CommitmentStatus,
    ServiceArea,
    sector_of_kind,
)
from demo.debt import create_debt_rows
from demo.investment import scale_investment
from demo.ppp import create_ppp_projects
from demo.procurement import create_procurement
from demo.streets import create_creation_applications
from demo.supervision_complaints import create_complaints_and_tickets
from demo.supervision_inspections import create_inspection_rows
from demo.supervision_ledger import create_ledger_rows
from demo.supervision_suggestions import create_suggestion_rows
from demo.tendering import create_tendering
from records.disclosure import Window, window_for
from records.models import DishonestyRecord, RecordSource, RecordStatus, Severity, SpecialField
from subjects.codes import make_uscc
from subjects.models import Agency, AgencyKind, CivilServant
from subjects.personal_data import make_id_number
from subjects.services import agency_create

try:  # name search grams arrived with the records issue; older trees have no such column
    from subjects.search import grams_of
except ImportError:  # pragma: no cover
    grams_of = None  # type: ignore[assignment]

T = TypeVar("T")

MAX_RUNS = 99
MAX_AGENCIES = 999_999  # six digits of sequence in the code body
MAX_RECORDS = 20_000_000
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
USCC_PREFIX: dict[str, str] = {
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
    level1: list[tuple[str, str, int]] = [(f"第{i + 1}区人民政府", AgencyKind.GOVERNMENT, 0) for i in range(districts)]
    level2: list[tuple[str, str, int]] = []
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
    level3: list[tuple[str, str, int]] = []
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


# Records: what each source's facts and legal basis read like (load-test text, not real cases).
RECORD_TEXTS = {
    RecordSource.JUDICIAL_JUDGMENT: (
        "拒不履行生效判决确定的付款义务。",
        "《中华人民共和国民事诉讼法》第二百六十五条",
        "拒不履行判决",
    ),
    RecordSource.ADMINISTRATIVE_PENALTY: (
        "违规收取费用，被责令退还并处罚款。",
        "《中华人民共和国行政处罚法》第二十八条",
        "违规收费",
    ),
    RecordSource.DISHONEST_DEBTOR: (
        "被人民法院列为失信被执行人。",
        "《最高人民法院关于公布失信被执行人名单信息的若干规定》",
        "失信被执行人",
    ),
    RecordSource.UTILITY_ARREARS: ("拖欠水电费逾期未缴。", "《政府机构失信问题专项治理工作方案》", "水电费欠缴"),
    RecordSource.BREACH_OF_CONTRACT: (
        "拖欠中小企业货款逾期未支付。",
        "《保障中小企业款项支付条例》第八条",
        "违约拖欠账款",
    ),
    RecordSource.BROKEN_COMMITMENT: (
        "未履行招商引资中作出的政策承诺。",
        "《国务院关于加强政务诚信建设的指导意见》",
        "政策承诺未兑现",
    ),
    RecordSource.ACCOUNTABILITY: ("履职不力造成不良社会影响，被问责。", "《中国共产党问责条例》第七条", "问责"),
}
# (target status, cumulative share): most records are in force, the rest cover every other state.
STATUS_SHARES = [
    (RecordStatus.PUBLISHED, 0.79),
    (RecordStatus.CORRECTED, 0.86),
    (RecordStatus.REVOKED, 0.89),
    (RecordStatus.REPAIRED, 0.90),
    (RecordStatus.DRAFT, 0.93),
    (RecordStatus.AWAITING_REVIEW, 0.94),
    (RecordStatus.SUBMITTED, 0.96),
    (RecordStatus.RETURNED, 0.97),
    (RecordStatus.EXPIRED, 1.00),
]
UNPUBLISHED = frozenset(
    {RecordStatus.DRAFT, RecordStatus.AWAITING_REVIEW, RecordStatus.SUBMITTED, RecordStatus.RETURNED}
)
SEVERITY_SHARES = [(Severity.MINOR, 0.10), (Severity.GENERAL, 0.70), (Severity.SERIOUS, 1.00)]
SPECIAL_FIELD_SHARE = 0.02
PERSON_SHARE = 0.15
# Share of records whose window has closed but which the expiry job has not reached yet: disclosed() must hide them.
EXPIRY_LAG_SHARE = 0.02
RECORD_COLUMNS = [f for f in DishonestyRecord._meta.concrete_fields if not f.primary_key]


def _pick(shares: Sequence[tuple[str, float]], roll: float) -> str:
    return next(value for value, upto in shares if roll < upto)


def scale_user(run: Run, root: Agency, suffix: str = "") -> User:
    """The clerk the run's rows are entered by (no password: nobody signs in as it); one per run and suffix."""
    username = f"generate-scale-{run.number}{suffix}"
    existing = User.objects.filter(username=username).first()
    if existing is not None:
        return existing
    return user_create(username=username, password=None, role=Role.CLERK, agency=root)


def record_rows(
    run: Run,
    agencies: Sequence[tuple[int, str, str, str]],
    people: dict[int, list[tuple[int, str]]],
    count: int,
    *,
    user_id: int,
    now: datetime.datetime,
) -> Iterator[dict[str, Any]]:
    """`count` records as column values: spread over `agencies` (id, name, uscc, kind), departments and districts
    (the first agencies) holding more than committees; ~15% about a civil servant of the agency."""
    rng = random.Random(run.number)
    today = timezone.localdate(now)

    @cache  # one rule lookup per (date, tier, source, field) combination, not per record; for this run only
    def cached_window(decision_date: datetime.date, severity: str, source: str, special_field: str) -> Window:
        return window_for(decision_date=decision_date, severity=severity, source=source, special_field=special_field)

    deciders = agencies[: max(1, min(len(agencies), 200))]
    grams: dict[str, str] = {}
    sources = list(RECORD_TEXTS)
    sectors = list(Sector.values)
    for sequence in range(count):
        agency_id, agency_name, _uscc, _kind = agencies[int(len(agencies) * rng.random() ** 1.5)]
        person_id, subject_name = None, agency_name
        staff = people.get(agency_id)
        if staff and rng.random() < PERSON_SHARE:
            person_id, subject_name = staff[rng.randrange(len(staff))]
        status = _pick(STATUS_SHARES, rng.random())
        severity = _pick(SEVERITY_SHARES, rng.random())
        # Every (date, tier, source, field) combination costs a rule lookup: one special field, on general records only.
        special = severity == Severity.GENERAL and rng.random() < SPECIAL_FIELD_SHARE
        special_field = SpecialField.WORK_SAFETY if special else ""
        if status == RecordStatus.EXPIRED:  # older than three years: past the longest window of every rule
            days_ago = 1100 + rng.randrange(700)
        elif status in UNPUBLISHED:
            days_ago = 1 + rng.randrange(120)
        else:  # recent decisions are the commonest
            days_ago = 1 + int(900 * rng.random() ** 2)
        decision_date = today - datetime.timedelta(days=days_ago)
        source = sources[sequence % len(sources)]
        window = cached_window(decision_date, severity, source, special_field)
        closed = window.ends_on < today
        if status in {RecordStatus.PUBLISHED, RecordStatus.CORRECTED} and closed and rng.random() >= EXPIRY_LAG_SHARE:
            status = RecordStatus.EXPIRED
        published_at = None
        if status not in UNPUBLISHED:
            published_at = datetime.datetime.combine(
                decision_date + datetime.timedelta(days=1 + rng.randrange(30)),
                datetime.time(8),
                tzinfo=datetime.UTC,
            ) + datetime.timedelta(seconds=rng.randrange(36_000), microseconds=rng.randrange(1_000_000))
            if published_at > now:
                published_at = now - datetime.timedelta(seconds=1 + rng.randrange(86_400))
        created_at = published_at or now - datetime.timedelta(days=days_ago, seconds=-rng.randrange(36_000))
        facts, basis, category = RECORD_TEXTS[source]
        decider_id, decider_name, decider_uscc, _ = deciders[sequence % len(deciders)]
        if subject_name not in grams:
            grams[subject_name] = grams_of(subject_name) if grams_of is not None else ""
        yield {
            "subject_agency_id": agency_id,
            "subject_person_id": person_id,
            "subject_name": subject_name,
            "search_grams": grams[subject_name],
            "source": source,
            "sector": sectors[sequence % len(sectors)],
            "severity": severity,
            "special_field": special_field,
            "document_number": f"规模{run.number}决〔{decision_date.year}〕{sequence + 1}号",
            "deciding_agency_id": decider_id,
            "deciding_body_name": decider_name,
            "deciding_body_uscc": decider_uscc,
            "decision_date": decision_date,
            "facts": facts,
            "legal_basis": basis,
            "categories": category,
            "fine_amount": Decimal(rng.randrange(5, 5000)) / 100
            if source == RecordSource.ADMINISTRATIVE_PENALTY
            else None,
            "other_amount": None,
            "loss_description": "内部：损失情况说明",
            "social_impact": "内部：社会影响说明",
            "data_source_agency_id": agency_id,
            "status": status,
            "disclosure_rule_id": window.rule.pk,
            "publicly_disclosed": window.publicly_disclosed,
            "disclosure_starts_on": window.starts_on,
            "earliest_repair_on": window.earliest_repair_on,
            "disclosure_ends_on": window.ends_on,
            # No objections are generated: nothing is under objection. No record was found by another app.
            "under_objection": False,
            "origin_type_id": None,
            "origin_id": None,
            "origin_label": "",
            "explanation": "",
            "explained_at": None,
            "version": 1 if status in UNPUBLISHED else 2 + (status != RecordStatus.PUBLISHED),
            "published_at": published_at,
            "created_by_id": user_id,
            "created_at": created_at,
            "updated_at": published_at or created_at,
        }


COPY_SPECIAL = re.compile(r"[\\\t\n\r]")
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_value(value: Any) -> str:
    """One value in PostgreSQL's COPY text format (strings first: most columns are text)."""
    if value.__class__ is str:
        return value.translate(COPY_ESCAPES) if COPY_SPECIAL.search(value) else value
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, datetime.date):  # datetimes too
        return value.isoformat()
    return str(value)


def _copy(table: str, columns: Sequence[str], lines: list[str]) -> None:
    quote = connection.ops.quote_name
    sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    data = "".join(lines)
    with connection.cursor() as cursor:
        raw = cursor.cursor
        if hasattr(raw, "copy_expert"):  # psycopg2
            raw.copy_expert(sql, io.StringIO(data))
        else:  # psycopg 3
            with raw.copy(sql) as copy:
                copy.write(data)


def create_records(run: Run, root: Agency, count: int, batch_size: int) -> int:
    """`count` dishonesty records over the run's agencies in every state and tier, each with the window the rules
    give its decision date. PostgreSQL gets them through COPY (~10× bulk_create), others bulk_create."""
    agencies = list(Agency.objects.subtree_of(root).order_by("path").values_list("pk", "name", "uscc", "kind"))
    people: dict[int, list[tuple[int, str]]] = {}
    for pk, agency_id, name in CivilServant.objects.filter(agency__path__startswith=root.path).values_list(
        "pk", "agency_id", "name"
    ):
        people.setdefault(agency_id, []).append((pk, name))
    user = scale_user(run, root)
    rows = record_rows(run, agencies, people, count, user_id=user.pk, now=timezone.now())
    attnames = [f.attname for f in RECORD_COLUMNS]
    made = 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Fewer, larger merges of the search-grams GIN index's pending list (for this transaction only).
            cursor.execute("SET LOCAL gin_pending_list_limit = '64MB'")
        # COPY batches of 20k rows: a few MB of text each.
        for chunk in batched(rows, max(batch_size, 20_000)):
            _copy(
                DishonestyRecord._meta.db_table,
                [f.column for f in RECORD_COLUMNS],
                ["\t".join([_copy_value(row[name]) for name in attnames]) + "\n" for row in chunk],
            )
            made += len(chunk)
        with connection.cursor() as cursor:
            # Fresh statistics, or the planner guesses for the benchmark's first minutes.
            cursor.execute(f"ANALYZE {connection.ops.quote_name(DishonestyRecord._meta.db_table)}")
        return made
    for chunk in batched(rows, batch_size):
        DishonestyRecord.objects.bulk_create([DishonestyRecord(**row) for row in chunk], batch_size=batch_size)
        made += len(chunk)
    return made


# Commitments: what they promise (load-test text), (title, recurring standard or None for a target value, unit).
COMMITMENT_TEXTS = [
    ("企业开办一日办结", "每件不超过1个工作日", ""),
    ("不动产登记三个工作日办结", "每件不超过3个工作日", ""),
    ("政务服务事项全程网办", None, "项"),
    ("中小企业账款按期支付", "合同约定期限内支付", ""),
    ("新增公办幼儿园学位", None, "个"),
    ("老旧小区改造", None, "户"),
    ("城镇新增就业", None, "人"),
    ("空气质量优良天数比率", None, "%"),
    ("招商引资奖励资金兑现", None, "万元"),
    ("社区养老服务站建设", None, "个"),
]
# (target status, cumulative share): most published commitments are open or kept, every state is there.
COMMITMENT_SHARES = [
    (CommitmentStatus.PUBLISHED, 0.12),
    (CommitmentStatus.IN_PROGRESS, 0.47),
    (CommitmentStatus.STALLED, 0.52),
    (CommitmentStatus.KEPT, 0.77),
    (CommitmentStatus.PARTLY_KEPT, 0.84),
    (CommitmentStatus.BROKEN, 0.89),
    (CommitmentStatus.CHANGED, 0.92),
    (CommitmentStatus.DRAFT, 0.96),
    (CommitmentStatus.SUBMITTED, 0.98),
    (CommitmentStatus.WITHDRAWN, 1.00),
]
COMMITMENTS_PER_AGENCY = 10
TOWN_KINDS = frozenset({AgencyKind.SUBDISTRICT, AgencyKind.TOWN})
OTHER_KINDS = [kind for kind in CommitmentKind.values if kind != CommitmentKind.TOWN_SERVICE]


def commitment_rows(
    run: Run, agencies: Sequence[tuple[int, str, str]], count: int, *, user_id: int, now: datetime.datetime
) -> Iterator[Commitment]:
    """`count` commitments over `agencies` (id, name, kind), departments and districts holding more than committees,
    of this year and the two before (a few of next year), in every state; open ones past their due date are overdue.
    Sub-districts and towns promise public services with a service area."""
    rng = random.Random(run.number * 7919)
    today = timezone.localdate(now)
    areas = list(ServiceArea.values)
    grounds = list(ChangeGround.values)
    for sequence in range(count):
        agency_id, agency_name, agency_kind = agencies[int(len(agencies) * rng.random() ** 1.5)]
        status = _pick(COMMITMENT_SHARES, rng.random())
        year = today.year - int(3 * rng.random() ** 1.5) if rng.random() > 0.03 else today.year + 1
        due_on = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(365))
        promised_on = datetime.date(year, 1, 1) - datetime.timedelta(days=rng.randrange(60))
        published = status not in {CommitmentStatus.DRAFT, CommitmentStatus.SUBMITTED, CommitmentStatus.WITHDRAWN}
        decided = status in {
            CommitmentStatus.KEPT,
            CommitmentStatus.PARTLY_KEPT,
            CommitmentStatus.BROKEN,
            CommitmentStatus.CHANGED,
        }
        town = agency_kind in TOWN_KINDS and sequence % 2 == 0
        kind = CommitmentKind.TOWN_SERVICE if town else OTHER_KINDS[sequence % len(OTHER_KINDS)]
        title, standard, unit = COMMITMENT_TEXTS[sequence % len(COMMITMENT_TEXTS)]
        published_at = (
            min(
                datetime.datetime.combine(
                    promised_on + datetime.timedelta(days=7), datetime.time(9), tzinfo=datetime.UTC
                ),
                now,
            )
            if published
            else None
        )
        percent = 100 if status == CommitmentStatus.KEPT else rng.randrange(0, 100) if published else 0
        last_report = min(promised_on + datetime.timedelta(days=30 + rng.randrange(200)), today) if percent else None
        decided_at = (
            min(datetime.datetime.combine(due_on, datetime.time(15), tzinfo=datetime.UTC), now) if decided else None
        )
        changed = status == CommitmentStatus.CHANGED
        yield Commitment(
            code=f"GM{run.number:02d}-{sequence + 1:07d}",
            agency_id=agency_id,
            kind=kind,
            sector=sector_of_kind(kind),
            service_area=areas[sequence % len(areas)] if town else "",
            title=title,
            content=f"{agency_name}承诺：{title}。",
            baseline=None,
            target_value=None if standard else Decimal(10 + rng.randrange(990)),
            unit=unit,
            recurring_standard=standard or "",
            source_document_number=f"规模{run.number}承〔{year}〕{sequence + 1}号",
            source_date=promised_on,
            promised_on=promised_on,
            due_on=due_on,
            liability="未按期兑现的，依照有关规定追究责任。",
            year=year,
            status=status,
            progress_percent=percent,
            last_progress_on=last_report,
            outcome_reason="经核查，按认定结果公示。" if decided else "",
            outcome_decided_at=decided_at,
            change_ground=grounds[sequence % len(grounds)] if changed else "",
            change_authority=f"{agency_name}上级人民政府" if changed else "",
            change_description="因公共利益需要调整承诺内容。" if changed else "",
            version=1 + published + decided,
            published_at=published_at,
            search_grams=grams_of(f"{title} {agency_name}") if grams_of is not None else "",
            created_by_id=user_id,
        )


def create_commitments(run: Run, root: Agency, count: int, batch_size: int) -> int:
    """`count` public commitments over the run's agencies, in every state (bulk_create: no events, progress reports
    or warnings; load-test data)."""
    agencies = list(Agency.objects.subtree_of(root).order_by("path").values_list("pk", "name", "kind"))
    user = scale_user(run, root)
    made = 0
    for chunk in batched(commitment_rows(run, agencies, count, user_id=user.pk, now=timezone.now()), batch_size):
        Commitment.objects.bulk_create(chunk, batch_size=batch_size)
        made += len(chunk)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(Commitment._meta.db_table)}")
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
        "Generate benchmark volumes under a new root agency (规模测试市 N): --agencies units (root included), "
        "--people civil servants, with valid codes and ID numbers, --records dishonesty records in every state "
        "and tier, and --commitments public commitments in every state (10 per agency unless told). Each run adds "
        "a fresh root with codes of its own. Rows are written with bulk_create (records with COPY on PostgreSQL) "
        "and deliberately bypass the history trail (django-simple-history does not see bulk writes), the events, "
        "the measures and the progress reports: this is load-test data, not business data. Prints rows/s."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agencies", type=int, default=5000)
        parser.add_argument("--people", type=int, default=100_000)
        parser.add_argument("--records", type=int, default=0)
        parser.add_argument(
            "--commitments",
            type=int,
            default=None,
            help=f"public commitments (default: {COMMITMENTS_PER_AGENCY} per agency)",
        )
        parser.add_argument("--contracts", type=int, default=0, help="Procurement contracts (e.g. 200000).")
        parser.add_argument("--obligations", type=int, default=0, help="Their payment obligations (e.g. 1000000).")
        parser.add_argument(
            "--tender-behaviours", type=int, default=0, help="Tendering bad-behaviour records (e.g. 100000)."
        )
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument(
            "--investment-agreements", type=int, default=0, help="Investment-promotion agreements, 3 obligations each."
        )
        parser.add_argument(
            "--ppp-projects", type=int, default=0, help="PPP projects (e.g. 20000), with their stages and payments."
        )
        parser.add_argument("--ppp-payments-per-project", type=int, default=5)
        parser.add_argument(
            "--creation-applications",
            type=int,
            default=0,
            help="Honest street and town applications (e.g. 20000), over the years 2020–2026 in every status.",
        )
        parser.add_argument(
            "--debt-regions", type=int, default=0, help="Agencies given ten years of debt figures and bonds (e.g. 500)."
        )
        parser.add_argument("--debt-bonds-per-region", type=int, default=20)
        parser.add_argument(
            "--suggestions", type=int, default=0, help="NPC suggestions and CPPCC proposals (e.g. 50000), in bulk."
        )
        parser.add_argument(
            "--breach-complaints", type=int, default=0, help="Breach complaints in every status (e.g. 50000)."
        )
        parser.add_argument("--hotline-tickets", type=int, default=0, help="12345 tickets (e.g. 1000000).")
        parser.add_argument(
            "--supervision-items",
            type=int,
            default=0,
            help="Inspection rectification items, and as many work ledger assignments (e.g. 100000).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        agencies, people, batch_size = options["agencies"], options["people"], options["batch_size"]
        records = options["records"]
        commitments = options["commitments"]
        if commitments is None:
            commitments = COMMITMENTS_PER_AGENCY * agencies
        if not 1 <= agencies <= MAX_AGENCIES:
            raise CommandError(f"--agencies must be between 1 and {MAX_AGENCIES}.")
        if not 0 <= people < BIRTH_DAYS * 1000:
            raise CommandError(f"--people must be between 0 and {BIRTH_DAYS * 1000 - 1}.")
        if not 0 <= records <= MAX_RECORDS:
            raise CommandError(f"--records must be between 0 and {MAX_RECORDS}.")
        if not 0 <= commitments <= MAX_RECORDS:
            raise CommandError(f"--commitments must be between 0 and {MAX_RECORDS}.")
        if options["obligations"] and options["contracts"] < 1:
            raise CommandError("--obligations needs --contracts to spread them over.")
        started = time.monotonic()
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
            if records:
                self._timed("dishonesty records", lambda: create_records(run, root, records, batch_size))
            if commitments:
                self._timed("public commitments", lambda: create_commitments(run, root, commitments, batch_size))
            if options["investment_agreements"]:
                self._timed(
                    "investment agreements and obligations",
                    lambda: scale_investment(
                        region=run.region,
                        run_number=run.number,
                        agency_ids=agency_ids,
                        count=options["investment_agreements"],
                        actor=User.objects.filter(username=f"generate-scale-{run.number}").first()
                        or scale_user(run, root),
                        batch_size=batch_size,
                    ),
                )
            if options["ppp_projects"]:
                creator = User.objects.filter(username=f"generate-scale-{run.number}").first() or scale_user(run, root)
                self._timed(
                    "PPP projects, responsibility rows and payment obligations",
                    lambda: create_ppp_projects(
                        creator=creator,
                        agency_ids=agency_ids,
                        count=options["ppp_projects"],
                        payments_per_project=options["ppp_payments_per_project"],
                        batch_size=batch_size,
                    ),
                )
            if options["creation_applications"]:
                applicant = User.objects.filter(username=f"generate-scale-{run.number}").first() or scale_user(
                    run, root
                )
                self._timed(
                    "honest street and town applications",
                    lambda: create_creation_applications(
                        creator=applicant,
                        agency_ids=list(agency_ids),
                        count=options["creation_applications"],
                        batch_size=batch_size,
                    ),
                )
            if options["supervision_items"]:
                inspector = User.objects.filter(username=f"generate-scale-{run.number}").first() or scale_user(
                    run, root
                )
                self._timed(
                    "inspection rectification items and work ledger assignments",
                    lambda: (
                        create_inspection_rows(
                            creator=inspector,
                            agency_ids=list(agency_ids),
                            count=options["supervision_items"],
                            batch_size=batch_size,
                        )
                        + create_ledger_rows(
                            creator=inspector,
                            agency_ids=list(agency_ids),
                            count=options["supervision_items"],
                            batch_size=batch_size,
                        )
                    ),
                )
            if options["contracts"]:
                self._timed(
                    "procurement contracts and obligations",
                    lambda: create_procurement(
                        root=root,
                        user=scale_user(run, root, suffix="-procurement"),
                        prefix=f"S{run.number:02d}-",
                        contracts=options["contracts"],
                        obligations=options["obligations"],
                        batch_size=batch_size,
                    ),
                )
            if options["debt_regions"]:
                regions = list(Agency.objects.filter(pk__in=agency_ids[: options["debt_regions"]]))
                self._timed(
                    "debt figures, bonds and repayments",
                    lambda: sum(create_debt_rows(regions, bonds_per_region=options["debt_bonds_per_region"]).values()),
                )
            if options["suggestions"]:
                leads = list(Agency.objects.filter(pk__in=agency_ids[:500]))
                self._timed(
                    "NPC suggestions and CPPCC proposals",
                    lambda: create_suggestion_rows(
                        leads,
                        options["suggestions"],
                        random.Random(run.number),
                        timezone.localdate(),
                        f"S{run.number}-",
                    ),
                )
            if options["tender_behaviours"]:
                self._timed(
                    "tendering parties and bad-behaviour records",
                    lambda: create_tendering(
                        root=root,
                        user=scale_user(run, root, suffix="-tendering"),
                        behaviours=options["tender_behaviours"],
                        batch_size=batch_size,
                    ),
                )
            if options["breach_complaints"] or options["hotline_tickets"]:
                self._timed(
                    "breach complaints and 12345 tickets",
                    lambda: create_complaints_and_tickets(
                        run_number=run.number,
                        agency_ids=agency_ids,
                        complaints=options["breach_complaints"],
                        tickets=options["hotline_tickets"],
                        batch_size=batch_size,
                    ),
                )
        # The commit runs the deferred foreign-key checks of every row: part of the cost, so part of the figure.
        self.stdout.write(f"total, commit included: {time.monotonic() - started:.1f} s")
        self.stdout.write(
            self.style.SUCCESS(f"Done: {root.name} (id {root.pk}, code {root.uscc}), database {connection.vendor}.")
        )

    def _timed(self, label: str, make: Callable[[], int]) -> int:
        started = time.monotonic()
        rows = make()
        elapsed = max(time.monotonic() - started, 1e-6)
        self.stdout.write(f"{label}: {rows} rows in {elapsed:.1f} s ({rows / elapsed:,.0f} rows/s)")
        return rows
