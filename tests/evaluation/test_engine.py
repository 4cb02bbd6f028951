"""The recompute: dirty marks in the change's transaction, the deduction, the veto, no-data spreading, ranks."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluation import engine
from evaluation.defaults import TABLE
from evaluation.models import Dirty, Indicator, Period, Score
from evaluation.services.recompute import full_check, recompute_dirty
from subjects.models import AgencyKind
from tests.conftest import City
from tests.evaluation.conftest import publish
from tests.factories import make_agency


def line(score: Score, code: str) -> dict[str, str]:
    return next(x for x in score.lines if x["code"] == code)


def test_the_default_set_has_six_groups_twenty_two_indicators_and_weights_summing_to_100(period: Period) -> None:
    indicators = list(Indicator.objects.filter(indicator_set=period.indicator_set))
    groups = [i for i in indicators if i.level == 1]
    assert len(groups) == 6 and len(indicators) - 6 == 22 and len(TABLE) == 6
    assert sum(i.weight for i in groups) == 100
    for group in groups:
        assert sum(i.weight for i in indicators if i.parent_id == group.pk) == group.weight


def test_every_unit_is_scored_when_the_period_opens(world: City, period: Period) -> None:
    scores = {s.agency_id: s for s in Score.objects.filter(period=period)}
    units = (world.city, world.district_a, world.district_b, world.agency_a, world.agency_b, world.unit_a)
    assert set(scores) == {a.pk for a in units}
    clean = scores[world.agency_b.pk]
    # Nothing against it: every indicator with data is full, the ones without are spread and flagged.
    assert clean.total == Decimal("100.00") and clean.grade == "A" and not clean.vetoed
    assert line(clean, "A3")["flag"] == engine.NO_DATA  # manual, nothing entered
    assert line(clean, "B1")["flag"] == engine.NO_DATA  # supervision's source: no judgment in the period
    assert line(clean, "C4")["flag"] == engine.NOT_APPLICABLE  # debt: governments only
    # Only A1 and A2 (deductions: no item means full points) have data in this empty city: A's 25 go to their 15,
    # and the groups without any data give their 75 to A: A1 counts 10 × 100 / 15.
    assert line(clean, "A1")["effective_weight"] == "66.67"
    assert line(clean, "A4")["flag"] == engine.NO_DATA and line(clean, "A4")["effective_weight"] == "0.00"


def test_a_published_record_marks_the_unit_dirty_and_the_job_deducts_it(world: City, period: Period) -> None:
    publish(world, severity="general")
    assert Dirty.objects.filter(period=period, agency=world.agency_a).exists()
    assert recompute_dirty() >= 1
    assert not Dirty.objects.filter(period=period, agency=world.agency_a).exists()
    score = Score.objects.get(period=period, agency=world.agency_a)
    assert line(score, "A1")["raw"] == "8.00"  # 10 − 2 for a general record
    assert line(score, "A1")["inputs"]["by_level"] == {"general": 1}
    assert score.total < 100 and not score.vetoed
    # Idempotent: once more changes nothing.
    assert recompute_dirty() == 0
    assert full_check(period).differences == 0


def test_a_serious_record_vetoes_forces_d_keeps_the_score_and_says_why(world: City, period: Period) -> None:
    publish(world, severity="serious", source="accountability", legal_basis="《公务员法》")
    recompute_dirty()
    score = Score.objects.get(period=period, agency=world.agency_a)
    assert score.vetoed and score.grade == "D"
    assert score.total > 60  # the points stay visible
    assert {"code": "V2", "kind": "serious_record", "count": "1"} in score.veto_reasons


def test_ranks_within_parent_and_kind_and_the_queries_do_not_grow_with_units(world: City, period: Period) -> None:
    publish(world, severity="general")
    recompute_dirty()
    a = Score.objects.get(period=period, agency=world.agency_a)
    b = Score.objects.get(period=period, agency=world.agency_b)
    # Different parents (district A, district B): each first of its group.
    assert (a.rank, a.rank_of, b.rank, b.rank_of) == (1, 1, 1, 1)

    def queries() -> int:
        Score.objects.filter(period=period).delete()
        with CaptureQueriesContext(connection) as ctx:
            engine.recompute(period)
        return len(ctx.captured_queries)

    few = queries()
    for n in range(15):
        make_agency(f"东城区第{n}部门", parent=world.district_a, kind=AgencyKind.DEPARTMENT)
    assert queries() == few
    siblings = Score.objects.filter(period=period, parent=world.district_a, kind=AgencyKind.DEPARTMENT)
    assert siblings.count() == 16 and set(siblings.values_list("rank_of", flat=True)) == {16}
    assert Score.objects.get(period=period, agency=world.agency_a).rank == 16


@pytest.mark.parametrize("severity", ["minor", "general"])
def test_incremental_equals_full(world: City, period: Period, severity: str) -> None:
    publish(world, severity=severity)
    recompute_dirty()
    stored = {s.agency_id: s for s in Score.objects.filter(period=period)}
    for agency_id, result in engine.compute(period).items():
        assert all(getattr(stored[agency_id], k) == v for k, v in result.values().items())


def test_an_indicator_whose_source_is_not_registered_is_flagged_and_its_weight_spread(
    world: City, period: Period, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A source whose app is not installed (or not yet built) is never read as zero."""
    from kernel import sources

    registered = dict(sources._sources)
    registered.pop("supervision.judgments_performed")
    monkeypatch.setattr(sources, "_sources", registered)
    engine.recompute(period)
    clean = Score.objects.get(period=period, agency=world.agency_b)
    assert line(clean, "B1")["flag"] == engine.NO_SOURCE and line(clean, "B1")["effective_weight"] == "0.00"
    assert clean.total == Decimal("100.00")


def test_the_sources_counting_published_records_share_one_scan_and_one_unit_reads_the_same(
    world: City, period: Period
) -> None:
    publish(world, severity="general")
    publish(world, severity="minor", source="dishonest_debtor")
    with CaptureQueriesContext(connection) as ctx:
        everyone = engine.plan(period).measures
    # records.published_by_severity and repair.objections_upheld read one GROUPING SETS query between them.
    assert sum("GROUPING(" in q["sql"] for q in ctx.captured_queries) == 1
    for agency in (world.agency_a, world.agency_b, world.unit_a):
        one = engine.plan(period, [agency.pk]).measures
        for code in ("records.published_by_severity", "records.dishonest_debtor", "repair.objections_upheld"):
            assert one[code].get(agency.pk) == everyone[code].get(agency.pk), (code, agency)
    assert everyone["records.published_by_severity"][world.agency_a.pk].by_level == {"general": 1, "minor": 1}
    assert everyone["records.dishonest_debtor"][world.agency_a.pk].by_level == {"listed": 1}
