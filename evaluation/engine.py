"""The recompute: set-based (one fetch per source for every unit at once, then pure Python over the measures).

`compute(period, agency_ids)` reads: the set's indicators, grades and veto rules, the units, one fetch per source
(every source reads the units asked for — or all of them for a ratio to the best unit), the manual scores and
vetoes; then it scores each unit with evaluation.formulas. `store(period, results)` writes only what changed and
re-ranks the groups (same parent, same unit kind) the units are in. The query count does not grow with the units.
"""

import datetime
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from evaluation import formulas
from evaluation.formulas import Line
from evaluation.models import (
    FormulaType,
    GradeRule,
    Indicator,
    ManualScore,
    ManualVeto,
    Period,
    Score,
    VetoRule,
)
from kernel.sources import Measure, computation, source
from subjects.models import Agency

NO_SOURCE = "no_source"
NO_DATA = "no_data"
NOT_APPLICABLE = "not_applicable"


@dataclass
class UnitResult:
    agency_id: int
    kind: str
    parent_id: int | None
    total: Decimal
    grade: str
    vetoed: bool
    veto_reasons: list[dict[str, str]]
    # Per second-level indicator (indicator, raw, flag, inputs) and the re-spread's (effective weight, points): the
    # `lines` dicts are built from them only when the values are read (a row to write, a comparison), not for a row
    # whose digest matches.
    parts: "list[tuple[_Prepared, str | None, str, dict[str, Any]]]"
    spread_lines: list[tuple[str, str]]
    groups: dict[str, str]
    no_data: int
    digest_text: str = ""
    built_lines: list[dict[str, Any]] | None = None

    @property
    def lines(self) -> list[dict[str, Any]]:
        if self.built_lines is None:
            self.built_lines = [
                {
                    "code": line.code,
                    "group": line.group,
                    "weight": line.weight_str,
                    "raw": raw,
                    "flag": flag,
                    "inputs": inputs,
                    "effective_weight": effective,
                    "points": scaled,
                }
                for (line, raw, flag, inputs), (effective, scaled) in zip(self.parts, self.spread_lines, strict=True)
            ]
        return self.built_lines

    def digest(self) -> str:
        """SHA-256 of the values: a stored row whose digest matches needs no write (and is not even read in full).
        score_unit hashes a text that determines every value — each line's fragment (code, group, weight, raw, flag,
        inputs: computed once per distinct figure) and the re-spread's (once per distinct combination of points) —
        far cheaper than serialising every unit's lines; only this recompute compares it."""
        if not self.digest_text:
            self.digest_text = repr(self.values())
        return hashlib.sha256(self.digest_text.encode()).hexdigest()

    def values(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "parent_id": self.parent_id,
            "total": self.total,
            "grade": self.grade,
            "vetoed": self.vetoed,
            "veto_reasons": self.veto_reasons,
            "lines": self.lines,
            "groups": self.groups,
            "no_data": self.no_data,
        }


def _inputs(measure: Measure | None) -> dict[str, Any]:
    if measure is None:
        return {}
    data: dict[str, Any] = {"total": measure.total, "good": measure.good}
    if measure.partial:
        data["partial"] = measure.partial
    if measure.by_level:
        data["by_level"] = dict(sorted(measure.by_level.items()))
    if measure.value is not None:
        data["value"] = str(measure.value)
    return data


# A re-spread as stored: per line (effective weight, points), the groups' points, the total, its digest fragment.
SpreadStrings = tuple[list[tuple[str, str]], dict[str, str], Decimal, str]


@dataclass
class Plan:
    """What one computation of a period reads, fetched once for every unit."""

    period: Period
    indicators: list[Indicator]
    grades: list[tuple[str, Decimal]]
    vetoes: list[VetoRule]
    units: list[tuple[int, str, int | None]]
    kinds: dict[int, str] = field(default_factory=dict)
    group_weights: dict[str, Decimal] = field(default_factory=dict)
    parent_code: dict[int, str] = field(default_factory=dict)
    measures: dict[str, Mapping[int, Measure]] = field(default_factory=dict)
    best: dict[str, Decimal | None] = field(default_factory=dict)
    manual: dict[tuple[int, int], Decimal] = field(default_factory=dict)
    manual_vetoes: dict[int, list[int]] = field(default_factory=dict)
    prepared: "list[_Prepared] | None" = None
    spreads: "dict[tuple[Decimal | None, ...], SpreadStrings]" = field(default_factory=dict)


def plan(period: Period, agency_ids: Sequence[int] | None = None) -> Plan:
    indicator_set = period.indicator_set
    indicators = list(Indicator.objects.filter(indicator_set=indicator_set).order_by("position", "code"))
    grades = [(g.grade, Decimal(g.min_score)) for g in GradeRule.objects.filter(indicator_set=indicator_set)]
    vetoes = list(VetoRule.objects.filter(indicator_set=indicator_set))
    units_qs = Agency.objects.filter(active=True, kind__in=list(indicator_set.unit_kinds or []))
    if agency_ids is not None:
        units_qs = units_qs.filter(pk__in=list(agency_ids))
    units = list(units_qs.order_by("pk").values_list("pk", "kind", "parent_id"))
    ids = [u[0] for u in units]
    result = Plan(
        period=period,
        indicators=indicators,
        grades=grades,
        vetoes=vetoes,
        units=units,
        kinds={a: k for a, k, _ in units},
    )
    if not ids:
        return result
    need_all = {i.source_code for i in indicators if i.formula == FormulaType.RATIO_TO_BEST and i.source_code}
    # A few units (the incremental run): no fetch for an indicator that applies to none of their kinds.
    kinds = set(result.kinds.values())
    codes = {
        i.source_code
        for i in indicators
        if i.source_code and i.formula != FormulaType.MANUAL and (agency_ids is None or any(map(i.applies, kinds)))
    }
    codes |= need_all
    codes |= {v.source_code for v in vetoes if v.source_code}
    with computation():  # sources reading the same rows share one query
        for code in sorted(codes):
            src = source(code)
            if src is None:
                continue
            # Every unit: the sources' plain GROUP BYs (no list of ids); the units not evaluated are never looked up.
            asked = None if agency_ids is None or code in need_all else ids
            result.measures[code] = src.fetch(period.start, period.end, asked)
    if need_all:
        # The best unit is looked for among every unit the set evaluates whose kind the indicator applies to.
        every = dict(
            Agency.objects.filter(active=True, kind__in=list(indicator_set.unit_kinds or [])).values_list("pk", "kind")
        )
        for indicator in indicators:
            if indicator.formula == FormulaType.RATIO_TO_BEST and indicator.source_code in result.measures:
                rated = [
                    m
                    for a, m in result.measures[indicator.source_code].items()
                    if a in every and indicator.applies(every[a])
                ]
                result.best[indicator.code] = formulas.best_rate(rated, indicator.params or {})
    manual_codes = [i.pk for i in indicators if i.formula == FormulaType.MANUAL]
    if manual_codes:
        for agency_id, indicator_id, points in ManualScore.objects.filter(
            period=period, agency_id__in=ids, indicator_id__in=manual_codes
        ).values_list("agency_id", "indicator_id", "points"):
            result.manual[(agency_id, indicator_id)] = Decimal(points)
    for agency_id, rule_id in ManualVeto.objects.filter(period=period, agency_id__in=ids).values_list(
        "agency_id", "rule_id"
    ):
        result.manual_vetoes.setdefault(agency_id, []).append(rule_id)
    return result


@dataclass
class _Prepared:
    """One second-level indicator, read once per plan: what scoring a unit needs, and the points already computed
    for a measure (units with the same figures score the same: the formulas are pure)."""

    indicator: Indicator
    code: str
    group: str
    weight: Decimal
    weight_str: str
    measures: Mapping[int, Measure] | None  # None: no source (manual, or not registered)
    kinds: frozenset[str] | None  # the unit kinds it applies to (None: every kind)
    # per measure key: points, raw (their string), inputs, the line's digest fragment
    memo: dict[Any, tuple[Decimal | None, str | None, dict[str, Any], str]] = field(default_factory=dict)

    fixed: dict[tuple[str | None, str], str] = field(default_factory=dict)  # fragments of the other branches

    def fragment(self, raw: str | None, flag: str, inputs: Mapping[str, Any]) -> str:
        return repr((self.code, self.group, self.weight_str, raw, flag, inputs))

    def fixed_fragment(self, raw: str | None, flag: str) -> str:
        found = self.fixed.get((raw, flag))
        if found is None:
            found = self.fixed[(raw, flag)] = self.fragment(raw, flag, {})
        return found


def _measure_key(measure: Measure | None) -> Any:
    if measure is None:
        return None
    if not measure.by_level and measure.value is None:
        return (measure.total, measure.good, measure.partial)
    return (measure.total, measure.good, measure.partial, tuple(measure.by_level.items()), measure.value)


def _prepare(p: Plan) -> list[_Prepared]:
    if p.prepared is None:
        p.group_weights = {i.code: Decimal(i.weight) for i in p.indicators if i.level == 1}
        p.parent_code = {i.pk: i.code for i in p.indicators if i.level == 1}
        p.prepared = []
        for indicator in p.indicators:
            if indicator.level == 1:
                continue
            weight = Decimal(indicator.weight)
            p.prepared.append(
                _Prepared(
                    indicator=indicator,
                    code=indicator.code,
                    group=p.parent_code.get(indicator.parent_id or 0, ""),
                    weight=weight,
                    weight_str=str(weight),
                    measures=None if indicator.formula == FormulaType.MANUAL else p.measures.get(indicator.source_code),
                    kinds=frozenset(indicator.applies_to) if indicator.applies_to else None,
                )
            )
    return p.prepared


def _points(p: Plan, line: _Prepared, measure: Measure | None) -> Decimal | None:
    indicator, weight = line.indicator, line.weight
    params: Mapping[str, Any] = indicator.params or {}
    if indicator.formula == FormulaType.RATE:
        return formulas.rate(measure, params, weight)
    if indicator.formula == FormulaType.DEDUCTION:
        return formulas.deduction(measure, params, weight)
    if indicator.formula == FormulaType.TIER:
        return formulas.tier(measure, params, weight)
    return formulas.ratio_to_best(measure, params, weight, p.best.get(indicator.code))


def _spread(p: Plan, points: tuple[Decimal | None, ...]) -> "SpreadStrings":
    """The re-spread for one combination of points (many units share one), as the strings the lines store."""
    found = p.spreads.get(points)
    if found is None:
        lines = [
            Line(code=line.code, group=line.group, weight=line.weight, points=value)
            for line, value in zip(p.prepared or [], points, strict=True)
        ]
        spread = formulas.spread(lines, p.group_weights)
        strings = [(str(spread.effective_weight[x.code]), str(spread.points[x.code])) for x in lines]
        groups = {g: str(v) for g, v in spread.groups.items()}
        found = (strings, groups, spread.total, repr((strings, groups, spread.total)))
        p.spreads[points] = found
    return found


def score_unit(p: Plan, agency_id: int, kind: str, parent_id: int | None) -> UnitResult:
    prepared = _prepare(p)
    points: list[Decimal | None] = []
    parts: list[tuple[_Prepared, str | None, str, dict[str, Any]]] = []
    fragments: list[str] = []
    no_data = 0
    for line in prepared:
        indicator = line.indicator
        value: Decimal | None
        raw: str | None
        inputs: dict[str, Any]
        if line.kinds is not None and kind not in line.kinds:
            value, raw, flag, inputs = None, None, NOT_APPLICABLE, {}
            fragment = line.fixed_fragment(raw, flag)
        elif indicator.formula == FormulaType.MANUAL:
            value = formulas.manual(p.manual.get((agency_id, indicator.pk)), line.weight)
            raw, flag, inputs = (None, NO_DATA, {}) if value is None else (str(value), "", {})
            fragment = line.fixed_fragment(raw, flag)
        elif line.measures is None:
            value, raw, flag, inputs = None, None, NO_SOURCE, {}
            fragment = line.fixed_fragment(raw, flag)
        else:
            measure = line.measures.get(agency_id)
            key = _measure_key(measure)
            known = line.memo.get(key)
            if known is None:
                computed = _points(p, line, measure)
                text = None if computed is None else str(computed)
                data = _inputs(measure)
                known = (computed, text, data, line.fragment(text, NO_DATA if computed is None else "", data))
                line.memo[key] = known
            value, raw, inputs, fragment = known
            flag = NO_DATA if value is None else ""
        if flag:
            no_data += 1
        points.append(value)
        fragments.append(fragment)
        parts.append((line, raw, flag, inputs))
    spread_lines, groups, total, spread_fragment = _spread(p, tuple(points))
    reasons: list[dict[str, str]] = []
    for rule in p.vetoes:
        if rule.source_code:
            measure = p.measures.get(rule.source_code, {}).get(agency_id)
            count = (measure.by_level.get(rule.level, 0) if rule.level else measure.total) if measure else 0
            if count > 0:
                reasons.append({"code": rule.code, "kind": rule.kind, "count": str(count)})
        elif rule.pk in p.manual_vetoes.get(agency_id, []):
            reasons.append({"code": rule.code, "kind": rule.kind, "count": "1"})
    vetoed = bool(reasons)
    grade = formulas.grade_of(total, p.grades, vetoed)
    head = repr((kind, parent_id, str(total), grade, vetoed, reasons, no_data))
    return UnitResult(
        agency_id=agency_id,
        kind=kind,
        parent_id=parent_id,
        total=total,
        grade=grade,
        vetoed=vetoed,
        veto_reasons=reasons,
        parts=parts,
        spread_lines=spread_lines,
        groups=dict(groups),
        no_data=no_data,
        digest_text="\n".join([head, spread_fragment, *fragments]),
    )


def compute(period: Period, agency_ids: Sequence[int] | None = None) -> dict[int, UnitResult]:
    p = plan(period, agency_ids)
    return {a: score_unit(p, a, k, parent) for a, k, parent in p.units}


def _rank(rows: Iterable[tuple[int, Decimal, bool]]) -> dict[int, tuple[int, int]]:
    """Competition ranking (1, 2, 2, 4) by total, vetoed units after the others: {agency: (rank, of)}."""
    ordered = sorted(rows, key=lambda r: (r[2], -r[1], r[0]))
    ranks: dict[int, tuple[int, int]] = {}
    previous: tuple[bool, Decimal] | None = None
    rank = 0
    for position, (agency_id, total, vetoed) in enumerate(ordered, start=1):
        if (vetoed, total) != previous:
            rank, previous = position, (vetoed, total)
        ranks[agency_id] = (rank, len(ordered))
    return ranks


def previous_period(period: Period) -> Period | None:
    return Period.objects.filter(end__lt=period.start).order_by("-end").first()


def store(period: Period, results: Mapping[int, UnitResult], *, full: bool = False) -> int:
    """Writes the results (only rows that changed), re-ranks the groups touched; `full`: the results are every unit,
    scores of units no longer evaluated are removed. Returns how many score rows changed."""
    now = timezone.now()
    rows = Score.objects.filter(period=period)
    if not full:
        rows = rows.filter(agency_id__in=list(results))
    existing = {
        agency_id: (pk, digest, parent_id, kind)
        for agency_id, pk, digest, parent_id, kind in rows.values_list("agency_id", "pk", "digest", "parent_id", "kind")
    }
    groups: set[tuple[int | None, str]] = set()
    new: list[Score] = []
    changed: list[Score] = []
    fields = list(next(iter(results.values())).values()) if results else []
    for agency_id, result in results.items():
        digest = result.digest()
        groups.add((result.parent_id, result.kind))
        row = existing.get(agency_id)
        if row is None:
            new.append(Score(period=period, agency_id=agency_id, computed_at=now, digest=digest, **result.values()))
            continue
        pk, stored_digest, parent_id, kind = row
        groups.add((parent_id, kind))
        if stored_digest != digest:  # the values (and their lines) are built only for a row to write
            changed.append(
                Score(pk=pk, period=period, agency_id=agency_id, computed_at=now, digest=digest, **result.values())
            )
    removed = 0
    if full:
        # Every score row of the period was read: the ones of units no longer evaluated go.
        gone = [(pk, parent_id, kind) for a, (pk, _d, parent_id, kind) in existing.items() if a not in results]
        if gone:
            groups |= {(parent_id, kind) for _pk, parent_id, kind in gone}
            removed, _ = Score.objects.filter(pk__in=[pk for pk, _p, _k in gone]).delete()
    if new:
        Score.objects.bulk_create(new, batch_size=1000)
    if changed:
        Score.objects.bulk_update(changed, [*fields, "digest", "computed_at"], batch_size=1000)
    if new or changed or removed:
        rerank(period, None if full else groups)
    return len(new) + len(changed) + removed


def rerank(period: Period, groups: set[tuple[int | None, str]] | None) -> int:
    """Ranks within the same parent and unit kind, with the rank in the previous period."""
    rows = Score.objects.filter(period=period)
    if groups is not None:
        condition = Q(pk__in=[])
        for parent_id, kind in groups:
            condition |= Q(parent_id=parent_id, kind=kind) if parent_id else Q(parent__isnull=True, kind=kind)
        rows = rows.filter(condition)
    scores = list(
        rows.only("pk", "agency_id", "parent_id", "kind", "total", "vetoed", "rank", "rank_of", "previous_rank")
    )
    by_group: dict[tuple[int | None, str], list[tuple[int, Decimal, bool]]] = defaultdict(list)
    for s in scores:
        by_group[(s.parent_id, s.kind)].append((s.agency_id, Decimal(s.total), s.vetoed))
    ranks: dict[int, tuple[int, int]] = {}
    for members in by_group.values():
        ranks.update(_rank(members))
    before = previous_period(period)
    previous: dict[int, int | None] = {}
    if before is not None:
        previous = dict(
            Score.objects.filter(period=before, agency_id__in=[s.agency_id for s in scores]).values_list(
                "agency_id", "rank"
            )
        )
    changed: list[Score] = []
    for s in scores:
        rank, of = ranks[s.agency_id]
        prev = previous.get(s.agency_id)
        if (s.rank, s.rank_of, s.previous_rank) != (rank, of, prev):
            s.rank, s.rank_of, s.previous_rank = rank, of, prev
            changed.append(s)
    _update_ranks([(s.pk, s.rank, s.rank_of, s.previous_rank) for s in changed])
    return len(changed)


def _update_ranks(rows: Sequence[tuple[int, int | None, int | None, int | None]], batch: int = 1000) -> None:
    """One UPDATE … FROM (VALUES …) per thousand rows: bulk_update's CASE WHEN per row costs seconds for a period."""
    table = connection.ops.quote_name(Score._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            values = ", ".join(["(%s::bigint, %s::integer, %s::integer, %s::integer)"] * len(chunk))
            cursor.execute(
                f"UPDATE {table} AS s SET rank = v.rank, rank_of = v.rank_of, previous_rank = v.previous_rank "  # noqa: S608 — names
                f"FROM (VALUES {values}) AS v (id, rank, rank_of, previous_rank) WHERE s.id = v.id",
                [value for row in chunk for value in row],
            )


def bests_of(p: Plan) -> dict[str, str | None]:
    return {code: None if best is None else str(best) for code, best in sorted(p.best.items())}


class FrozenPeriod(Exception):
    """A frozen period's scores are what its snapshot holds; only a correction (a new snapshot version) recomputes."""


def recompute(period: Period, agency_ids: Sequence[int] | None = None, *, correction: bool = False) -> int:
    """Recomputes some units (or all: None) of a period and stores what changed. When a best unit's rate moved
    (ratio-to-best indicators), every unit's points move with it: the whole period is recomputed. A frozen period
    is refused unless this is a correction (evaluation.services.periods.period_correct)."""
    if period.status != "open" and not correction:
        raise FrozenPeriod(f"period {period.pk} is frozen")
    p = plan(period, agency_ids)
    if agency_ids is not None and bests_of(p) != (period.bests or {}):
        return recompute(period, None, correction=correction)
    results = {a: score_unit(p, a, k, parent) for a, k, parent in p.units}
    if agency_ids is None:
        Period.objects.filter(pk=period.pk).update(bests=bests_of(p), computed_at=timezone.now())
        period.bests = bests_of(p)
    elif set(agency_ids) - set(results):
        # Units asked for that are no longer evaluated (inactive, another kind) lose their score.
        gone = Score.objects.filter(period=period, agency_id__in=list(agency_ids)).exclude(agency_id__in=list(results))
        groups: set[tuple[int | None, str]] = set(gone.values_list("parent_id", "kind"))
        removed, _ = gone.delete()
        if removed:
            rerank(period, groups)
    return store(period, results, full=agency_ids is None)


def today() -> datetime.date:
    return timezone.localdate()
