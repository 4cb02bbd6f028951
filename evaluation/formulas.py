"""The formula types, as pure functions of a source's Measure and the indicator's parameters (docs/evaluation.md).

Every formula answers the points earned out of `weight`, or None for "no data" (the unit has nothing the formula
can rate: its weight is then re-spread inside its first-level group by `spread`, never silently zero).

Parameters per type (validated by `params_errors`):
- rate: {"partial": 0.5 (what a partial item counts), "penalty": {level: points per item}, "empty": "no_data"|"full"}
- deduction: {"per_item": {level: points}} — weight minus points per item by level, floor 0
- tier: {"tiers": [[below, fraction of weight], ...], "else": fraction, "penalty": {level: points per item}}
- ratio_to_best: {"partial": 0.5} — the unit's rate divided by the best rate among the units the indicator rates
- manual: {} — the points the credit office entered (ManualScore), at most the weight
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from kernel.sources import COUNT, RATE, VALUE, Measure

CENT = Decimal("0.01")
ZERO = Decimal(0)
ONE = Decimal(1)

# The source kinds each formula may read (None: no source).
SOURCE_KIND_OF = {"rate": RATE, "deduction": COUNT, "tier": VALUE, "ratio_to_best": RATE, "manual": None}


def q(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _dec(value: Any) -> Decimal:
    return Decimal(str(value))


def _penalty(measure: Measure, penalty: Mapping[str, Any]) -> Decimal:
    return sum((_dec(points) * measure.by_level.get(level, 0) for level, points in penalty.items()), ZERO)


def rate_fraction(measure: Measure, params: Mapping[str, Any]) -> Decimal | None:
    if measure.total <= 0:
        return ONE if params.get("empty") == "full" else None
    good = _dec(measure.good) + _dec(params.get("partial", "0.5")) * measure.partial
    return min(ONE, max(ZERO, good / measure.total))


def rate(measure: Measure | None, params: Mapping[str, Any], weight: Decimal) -> Decimal | None:
    """weight × (good + partial × p) / total, minus the penalties per counted item, floor 0."""
    fraction = rate_fraction(measure or Measure(), params)
    if fraction is None:
        return None
    assert measure is not None or params.get("empty") == "full"
    points = weight * fraction - _penalty(measure or Measure(), params.get("penalty", {}))
    return q(max(ZERO, points))


def deduction(measure: Measure | None, params: Mapping[str, Any], weight: Decimal) -> Decimal:
    """weight minus points per item by level, floor 0. A unit the source lists no items for keeps the weight."""
    lost = _penalty(measure or Measure(), params.get("per_item", {}))
    return q(max(ZERO, weight - lost))


def tier(measure: Measure | None, params: Mapping[str, Any], weight: Decimal) -> Decimal | None:
    """The first tier whose bound the value is below gives its fraction of the weight; minus penalties, floor 0."""
    if measure is None or measure.value is None:
        return None
    fraction = _dec(params.get("else", 0))
    for bound, share in params.get("tiers", []):
        if measure.value < _dec(bound):
            fraction = _dec(share)
            break
    points = weight * fraction - _penalty(measure, params.get("penalty", {}))
    return q(max(ZERO, points))


def ratio_to_best(
    measure: Measure | None, params: Mapping[str, Any], weight: Decimal, best: Decimal | None
) -> Decimal | None:
    """weight × the unit's rate ÷ the best unit's rate (the best earns the weight; every unit 0 → everyone full)."""
    fraction = rate_fraction(measure or Measure(), params)
    if fraction is None or best is None:
        return None
    if best <= 0:
        return q(weight)
    return q(weight * min(ONE, fraction / best))


def best_rate(measures: Sequence[Measure], params: Mapping[str, Any]) -> Decimal | None:
    rates = [r for r in (rate_fraction(m, params) for m in measures) if r is not None]
    return max(rates) if rates else None


def manual(points: Decimal | None, weight: Decimal) -> Decimal | None:
    if points is None:
        return None
    return q(min(weight, max(ZERO, points)))


@dataclass(frozen=True)
class Line:
    """One indicator's result before spreading: points out of weight, or None for no data."""

    code: str
    group: str
    weight: Decimal
    points: Decimal | None


@dataclass(frozen=True)
class Spread:
    """Per indicator: the weight it counts with after re-spreading, and the points scaled to it."""

    effective_weight: dict[str, Decimal]
    points: dict[str, Decimal]
    groups: dict[str, Decimal]
    total: Decimal


def spread(lines: Sequence[Line], group_weights: Mapping[str, Decimal]) -> Spread:
    """Re-spreads the weight of every no-data indicator over the indicators of its first-level group that have data,
    in proportion to their weights. A group with no data at all gives its weight to the other groups the same way,
    so the total is still out of 100 — the page says which indicators had none."""
    by_group: dict[str, list[Line]] = {}
    for line in lines:
        by_group.setdefault(line.group, []).append(line)
    with_data = {g: [x for x in ls if x.points is not None] for g, ls in by_group.items()}
    live_groups = {g: group_weights.get(g, ZERO) for g, ls in with_data.items() if ls and sum(x.weight for x in ls) > 0}
    live_total = sum(live_groups.values(), ZERO)
    all_total = sum((group_weights.get(g, ZERO) for g in by_group), ZERO)
    effective: dict[str, Decimal] = {}
    points: dict[str, Decimal] = {}
    groups: dict[str, Decimal] = {}
    for group, group_lines in by_group.items():
        if group not in live_groups or live_total <= 0:
            for line in group_lines:
                effective[line.code] = q(ZERO)
                points[line.code] = q(ZERO)
            groups[group] = q(ZERO)
            continue
        group_weight = live_groups[group] * all_total / live_total
        data_weight = sum((x.weight for x in with_data[group]), ZERO)
        group_points = ZERO
        for line in group_lines:
            if line.points is None:
                effective[line.code] = q(ZERO)
                points[line.code] = q(ZERO)
                continue
            factor = group_weight / data_weight
            effective[line.code] = q(line.weight * factor)
            scaled = q(line.points * factor)
            points[line.code] = scaled
            group_points += line.points * factor
        groups[group] = q(group_points)
    total = q(sum(groups.values(), ZERO))
    return Spread(effective_weight=effective, points=points, groups=groups, total=min(total, Decimal(100)))


def grade_of(total: Decimal, rules: Sequence[tuple[str, Decimal]], vetoed: bool) -> str:
    """The grade of the highest rule the total reaches; D when vetoed or below every rule."""
    if vetoed:
        return "D"
    for grade, minimum in sorted(rules, key=lambda r: r[1], reverse=True):
        if total >= minimum:
            return grade
    return "D"


def params_errors(formula: str, params: Any) -> list[str]:
    """What is wrong with an indicator's parameters for its formula type (messages in Chinese)."""
    errors: list[str] = []
    if not isinstance(params, dict):
        return ["参数必须是一个 JSON 对象。"]

    def number(value: Any) -> bool:
        try:
            _dec(value)
        except Exception:
            return False
        return not isinstance(value, bool)

    def levels(key: str) -> None:
        value = params.get(key, {})
        if not isinstance(value, dict) or not all(number(v) and _dec(v) >= 0 for v in value.values()):
            errors.append(f"“{key}”必须是“等级: 非负分值”的对象。")

    allowed = {
        "rate": {"partial", "penalty", "empty"},
        "deduction": {"per_item"},
        "tier": {"tiers", "else", "penalty"},
        "ratio_to_best": {"partial"},
        "manual": set(),
        "group": set(),
    }.get(formula)
    if allowed is None:
        return ["未知的计分方式。"]
    unknown = sorted(set(params) - allowed)
    if unknown:
        errors.append("不认识的参数：" + "、".join(unknown) + "。")
    partial = params.get("partial", "0.5")
    if formula in ("rate", "ratio_to_best") and (not number(partial) or not ZERO <= _dec(partial) <= ONE):
        errors.append("“partial”必须在 0 到 1 之间。")
    if formula == "rate" and params.get("empty", "no_data") not in ("no_data", "full"):
        errors.append("“empty”只能是 no_data 或 full。")
    if formula in ("rate", "tier") and "penalty" in params:
        levels("penalty")
    if formula == "deduction":
        if "per_item" not in params:
            errors.append("按项扣分须给出“per_item”。")
        levels("per_item")
    if formula == "tier":
        tiers = params.get("tiers")
        if not isinstance(tiers, list) or not tiers:
            errors.append("分档须给出“tiers”：[[上限, 得分比例], …]。")
        elif not all(
            isinstance(t, list) and len(t) == 2 and number(t[0]) and number(t[1]) and ZERO <= _dec(t[1]) <= ONE
            for t in tiers
        ):
            errors.append("每一档须是 [上限, 0 到 1 之间的得分比例]。")
        elif [_dec(t[0]) for t in tiers] != sorted(_dec(t[0]) for t in tiers):
            errors.append("各档上限须从小到大排列。")
        if "else" in params and (not number(params["else"]) or not ZERO <= _dec(params["else"]) <= ONE):
            errors.append("“else”必须在 0 到 1 之间。")
    return errors
