"""What other screens read of the evaluation (the dashboards, the public agency page), scoped like every staff list:
a user reaches the scores of the units accounts.scope.agency_q lets them see (an outsider: none)."""

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from accounts.models import AnyUser
from accounts.scope import agency_q
from evaluation.models import Indicator, Period, PeriodStatus, Score, SnapshotGrade
from subjects.models import Agency

GRADES = ("A", "B", "C", "D")


def latest_period() -> Period | None:
    return Period.objects.select_related("indicator_set").order_by("-end", "-pk").first()


def latest_scores(user: AnyUser | None, period: Period | None = None) -> QuerySet[Score]:
    """The scores of `period` (the latest period when None) the user may see, best first."""
    period = period or latest_period()
    if period is None:
        return Score.objects.none()
    return (
        Score.objects.filter(period=period)
        .filter(agency_q(user, "agency"))
        .select_related("agency", "parent")
        .order_by("-total", "agency_id")
    )


def grade_distribution(user: AnyUser | None, period: Period | None = None) -> dict[str, int]:
    counts = Counter(latest_scores(user, period).order_by().values_list("grade", flat=True))
    return {grade: counts.get(grade, 0) for grade in GRADES}


@dataclass(frozen=True)
class HeatRow:
    agency_id: int
    name: str
    total: Decimal
    grade: str
    groups: list[Decimal | None]


@dataclass(frozen=True)
class HeatTable:
    columns: list[tuple[str, str]]  # (code, name) of each first-level indicator
    rows: list[HeatRow]


def heat_table(user: AnyUser | None, period: Period | None = None, *, limit: int = 500) -> HeatTable:
    """Units × first-level points (at most `limit` units, best first)."""
    period = period or latest_period()
    if period is None:
        return HeatTable(columns=[], rows=[])
    columns = list(
        Indicator.objects.filter(indicator_set_id=period.indicator_set_id, level=1)
        .order_by("position")
        .values_list("code", "name")
    )
    rows = [
        HeatRow(
            agency_id=s.agency_id,
            name=s.agency.name,
            total=s.total,
            grade=s.grade,
            groups=[Decimal(s.groups[c]) if c in s.groups else None for c, _n in columns],
        )
        for s in latest_scores(user, period)[:limit]
    ]
    return HeatTable(columns=columns, rows=rows)


@dataclass(frozen=True)
class RankRow:
    agency_id: int
    name: str
    parent: str
    kind: str
    total: Decimal
    grade: str
    rank: int | None
    rank_of: int | None
    change: int | None  # positive: moved up since the previous period


def ranking(user: AnyUser | None, period: Period | None = None, *, limit: int = 500) -> list[RankRow]:
    """Ranks within the same parent region and unit kind, with the change since the previous period."""
    scores = latest_scores(user, period).order_by("parent_id", "kind", "rank", "agency_id")[:limit]
    return [
        RankRow(
            agency_id=s.agency_id,
            name=s.agency.name,
            parent=s.parent.name if s.parent else "",
            kind=s.kind,
            total=s.total,
            grade=s.grade,
            rank=s.rank,
            rank_of=s.rank_of,
            change=s.rank_change,
        )
        for s in scores
    ]


@dataclass(frozen=True)
class FrozenGrade:
    period: Period
    grade: str
    total: Decimal
    vetoed: bool
    version: int


def latest_frozen_grade(agency: Agency | int) -> FrozenGrade | None:
    """The unit's grade in the latest frozen period, from that period's latest snapshot version (never live scores):
    what the public agency page shows."""
    row = (
        SnapshotGrade.objects.filter(
            agency_id=agency if isinstance(agency, int) else agency.pk, snapshot__period__status=PeriodStatus.FROZEN
        )
        .select_related("snapshot__period")
        .order_by("-snapshot__period__end", "-snapshot__version")
        .first()
    )
    if row is None:
        return None
    return FrozenGrade(
        period=row.snapshot.period, grade=row.grade, total=row.total, vetoed=row.vetoed, version=row.snapshot.version
    )
