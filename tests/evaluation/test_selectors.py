"""The read API for the dashboards (evaluation/selectors.py): scoped like the pages."""

from accounts.models import User
from evaluation import selectors
from evaluation.models import Period
from evaluation.services.periods import period_freeze
from tests.conftest import City


def test_the_dashboard_figures_respect_scope(world: City, period: Period, city_office: User) -> None:
    assert selectors.grade_distribution(world.office_a, period) == {"A": 3, "B": 0, "C": 0, "D": 0}
    assert sum(selectors.grade_distribution(city_office, period).values()) == 6
    assert selectors.grade_distribution(world.outsider, period) == {"A": 1, "B": 0, "C": 0, "D": 0}
    assert selectors.grade_distribution(None, period) == {"A": 0, "B": 0, "C": 0, "D": 0}
    heat = selectors.heat_table(world.office_a, period)
    assert [code for code, _name in heat.columns] == ["A", "B", "C", "D", "E", "F"]
    assert {row.agency_id for row in heat.rows} == {world.district_a.pk, world.agency_a.pk, world.unit_a.pk}
    ranks = selectors.ranking(world.office_a, period)
    assert all(row.rank == 1 and row.change is None for row in ranks)
    assert selectors.latest_frozen_grade(world.agency_a) is None  # live scores are never the public grade
    period_freeze(actor=city_office, period=period)
    frozen = selectors.latest_frozen_grade(world.agency_a)
    assert frozen is not None and frozen.grade == "A" and frozen.version == 1
