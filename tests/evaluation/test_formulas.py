"""Each formula type on hand-computed examples (evaluation/formulas.py, pure functions: no database)."""

from decimal import Decimal as D

from evaluation import formulas
from evaluation.formulas import Line
from kernel.sources import Measure


def test_rate_counts_partial_items_at_their_share_and_subtracts_penalties() -> None:
    m = Measure(total=10, good=7, partial=2, by_level={"arrears": 1})
    # (7 + 0.5 × 2) / 10 = 0.8 of 8 points = 6.40; one arrears item at 2 points → 4.40
    assert formulas.rate(m, {"partial": "0.5"}, D(8)) == D("6.40")
    assert formulas.rate(m, {"partial": "0.5", "penalty": {"arrears": 2}}, D(8)) == D("4.40")
    # the floor is 0
    assert formulas.rate(Measure(total=2, good=0, by_level={"arrears": 9}), {"penalty": {"arrears": 2}}, D(8)) == D(0)


def test_rate_without_items_is_no_data_unless_told_full() -> None:
    assert formulas.rate(None, {}, D(5)) is None
    assert formulas.rate(Measure(total=0), {}, D(5)) is None
    assert formulas.rate(None, {"empty": "full"}, D(5)) == D("5.00")


def test_deduction_per_item_by_severity_with_a_floor_of_zero() -> None:
    per_item = {"per_item": {"serious": 5, "general": 2, "minor": "0.5"}}
    assert formulas.deduction(Measure(by_level={"general": 1, "minor": 1}), per_item, D(10)) == D("7.50")
    # 10 − 5 − 2 × 2 − 3 × 0.5 = −0.5 → 0
    assert formulas.deduction(Measure(by_level={"serious": 1, "general": 2, "minor": 3}), per_item, D(10)) == D(0)
    assert formulas.deduction(None, per_item, D(10)) == D("10.00")


def test_tier_table_with_a_penalty() -> None:
    params = {"tiers": [[120, 1], [200, "0.6"], [300, "0.2"]], "else": 0, "penalty": {"late_disclosure": 1}}
    assert formulas.tier(Measure(value=D(100)), params, D(5)) == D("5.00")
    assert formulas.tier(Measure(value=D(150)), params, D(5)) == D("3.00")
    assert formulas.tier(Measure(value=D(150), by_level={"late_disclosure": 1}), params, D(5)) == D("2.00")
    assert formulas.tier(Measure(value=D(250)), params, D(5)) == D("1.00")
    assert formulas.tier(Measure(value=D(350)), params, D(5)) == D(0)
    assert formulas.tier(Measure(), params, D(5)) is None
    assert formulas.tier(None, params, D(5)) is None


def test_ratio_to_the_best_unit() -> None:
    measures = [Measure(total=10, good=6), Measure(total=5, good=4), Measure(total=0)]
    best = formulas.best_rate(measures, {})
    assert best == D("0.8")
    # 0.6 / 0.8 × 4 = 3.00
    assert formulas.ratio_to_best(measures[0], {}, D(4), best) == D("3.00")
    assert formulas.ratio_to_best(measures[1], {}, D(4), best) == D("4.00")
    assert formulas.ratio_to_best(measures[2], {}, D(4), best) is None
    assert formulas.ratio_to_best(Measure(total=3, good=0), {}, D(4), D(0)) == D("4.00")


def test_manual_points_are_capped_by_the_weight() -> None:
    assert formulas.manual(D("2.5"), D(3)) == D("2.50")
    assert formulas.manual(D(5), D(3)) == D("3.00")
    assert formulas.manual(None, D(3)) is None


def test_no_data_weight_is_spread_inside_its_first_level_group() -> None:
    lines = [
        Line("A1", "A", D(10), D(8)),
        Line("A2", "A", D(5), D(5)),
        Line("A3", "A", D(5), None),
        Line("A4", "A", D(5), D("2.5")),
        Line("B1", "B", D(75), D(75)),
    ]
    result = formulas.spread(lines, {"A": D(25), "B": D(75)})
    # A's 25 points over the 20 with data: × 1.25
    assert result.effective_weight == {"A1": D("12.50"), "A2": D("6.25"), "A3": D(0), "A4": D("6.25"), "B1": D("75.00")}
    assert result.points["A1"] == D("10.00")
    assert result.points["A3"] == D(0)
    assert result.groups["A"] == D("19.38")  # (8 + 5 + 2.5) × 1.25 = 19.375
    assert result.total == D("94.38")


def test_a_group_without_any_data_gives_its_weight_to_the_other_groups() -> None:
    lines = [Line("A1", "A", D(25), None), Line("B1", "B", D(75), D(60))]
    result = formulas.spread(lines, {"A": D(25), "B": D(75)})
    assert result.groups == {"A": D(0), "B": D("80.00")}  # 60 / 75 of 100
    assert result.total == D("80.00")


def test_grades_and_the_veto() -> None:
    rules = [("A", D(90)), ("B", D(80)), ("C", D(60)), ("D", D(0))]
    assert formulas.grade_of(D(90), rules, False) == "A"
    assert formulas.grade_of(D("89.99"), rules, False) == "B"
    assert formulas.grade_of(D(60), rules, False) == "C"
    assert formulas.grade_of(D("59.99"), rules, False) == "D"
    assert formulas.grade_of(D(95), rules, True) == "D"


def test_parameters_are_checked_per_formula_type() -> None:
    assert formulas.params_errors("deduction", {"per_item": {"serious": 5}}) == []
    assert formulas.params_errors("deduction", {}) != []
    assert formulas.params_errors("tier", {"tiers": [[200, 1], [100, 0]]}) == ["各档上限须从小到大排列。"]
    assert formulas.params_errors("rate", {"partial": 2, "bogus": 1}) == [
        "不认识的参数：bogus。",
        "“partial”必须在 0 到 1 之间。",
    ]
    assert formulas.params_errors("manual", {}) == []
    assert formulas.params_errors("nonsense", {}) == ["未知的计分方式。"]
