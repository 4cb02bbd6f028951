"""Local government debt: indicators computed from the figures and the repayments, tiers at their boundaries, a
balance above its limit refused with nothing written, the scheduled job idempotent, disclosures' lateness."""

from decimal import Decimal

import pytest
import time_machine

from kernel.errors import DomainError, NotAllowed
from outbox.models import PlatformChange
from records.models import DishonestyRecord, RecordStatus, Severity
from sectors.models import DebtDisclosureDeadline, DebtRegionYear, DebtRepayment, RiskTierRule
from sectors.models.debt import RiskTier
from sectors.services.debt import (
    DEBT_YEAR_KIND,
    debt_disclosure_record,
    debt_disclosure_timeliness,
    debt_indicators,
    debt_repayments_watch,
    debt_year_publish,
)
from tests.conftest import City
from tests.sectors.debt_support import TODAY, D, make_bond, make_repayment, make_year, year_values

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock() -> object:
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller


def test_the_indicators_are_computed_from_the_figures_and_the_repayments(world: City) -> None:
    row = make_year(world.office_a, world.district_a)
    bond = make_bond(world.office_a, world.district_a)
    make_repayment(world.office_a, bond, due_on=D(2026, 3, 1), amount_due=Decimal("40"), kind="principal")
    make_repayment(
        world.office_a,
        bond,
        due_on=D(2026, 3, 1),
        amount_due=Decimal("10"),
        paid_amount=Decimal("10"),
        paid_on=D(2026, 3, 1),
    )
    make_repayment(world.office_a, bond, due_on=D(2026, 12, 1), amount_due=Decimal("50"), kind="principal")
    make_repayment(world.office_a, bond, due_on=D(2025, 12, 1), amount_due=Decimal("70"), kind="principal")

    assessment = debt_indicators(DebtRegionYear.objects.with_indicators().get(pk=row.pk))

    assert assessment.values["debt_ratio"] == Decimal("0.8000")  # 800 / 1000
    assert assessment.values["limit_use"] == Decimal("0.8000")  # 800 / 1000
    assert assessment.values["repayment_ratio"] == Decimal("0.1000")  # (40 + 10 + 50) due in 2026 / 1000
    assert assessment.values["overdue_ratio"] == Decimal("0.4000")  # 40 overdue unpaid / 100 due


def test_an_indicator_exactly_at_a_threshold_is_in_that_tier(world: City) -> None:
    rule = RiskTierRule.objects.in_force(D(2026, 1, 1)).get(indicator="debt_ratio")
    assert rule.tier(Decimal("1.1999")) == RiskTier.GREEN
    assert rule.tier(Decimal("1.2")) == RiskTier.YELLOW
    assert rule.tier(Decimal("2.0")) == RiskTier.ORANGE
    assert rule.tier(Decimal("3.0")) == RiskTier.RED
    # A region whose debt ratio is exactly 120 % (and every other indicator green) is yellow.
    row = make_year(
        world.office_a,
        world.district_a,
        limit_general=Decimal("1000"),
        limit_special=Decimal("1000"),
        balance_general=Decimal("600"),
        balance_special=Decimal("600"),
        fiscal_capacity=Decimal("1000"),
    )
    assessment = debt_indicators(row)
    assert assessment.values["debt_ratio"] == Decimal("1.2000")
    assert assessment.tiers["debt_ratio"] == RiskTier.YELLOW
    assert assessment.tier == RiskTier.YELLOW


def test_a_later_rule_applies_from_its_effective_date(world: City) -> None:
    RiskTierRule.objects.filter(indicator="debt_ratio").update(effective_to=D(2026, 1, 1))
    RiskTierRule.objects.create(
        indicator="debt_ratio",
        yellow_from=Decimal("0.7"),
        orange_from=Decimal("0.9"),
        red_from=Decimal("1.5"),
        effective_from=D(2026, 1, 1),
        source="test",
    )
    old = make_year(world.office_a, world.district_a, year=2025)
    new = make_year(world.office_a, world.district_a, year=2026)
    assert debt_indicators(old).tiers["debt_ratio"] == RiskTier.GREEN  # 80 % under the old rule
    assert debt_indicators(new).tiers["debt_ratio"] == RiskTier.YELLOW  # 80 % under the new one


def test_a_balance_above_its_limit_is_refused_and_nothing_is_written(world: City) -> None:
    with pytest.raises(DomainError) as refused:
        make_year(world.office_a, world.district_a, balance_special=Decimal("400.01"))
    errors = refused.value.field_errors()
    assert "balance_special" in errors
    assert "超过" in errors["balance_special"][0] and "限额" in errors["balance_special"][0]
    assert not DebtRegionYear.objects.exists()


def test_an_update_above_the_limit_leaves_the_figures_as_they_were(world: City) -> None:
    row = make_year(world.office_a, world.district_a)
    with pytest.raises(DomainError):
        make_year(world.office_a, world.district_a, balance_general=Decimal("700"))
    row.refresh_from_db()
    assert row.balance_general == Decimal("500")


def test_bad_input_is_refused_in_chinese_every_problem_at_once(world: City) -> None:
    with pytest.raises(DomainError) as refused:
        make_year(world.office_a, world.agency_a, year=1990, fiscal_capacity="许多", limit_general=Decimal("-1"))
    errors = refused.value.field_errors()
    assert set(errors) >= {"region", "year", "fiscal_capacity", "limit_general"}
    assert "地区" in errors["region"][0] or "政府" in errors["region"][0]
    assert not DebtRegionYear.objects.exists()


def test_a_special_bond_needs_its_project_and_plan(world: City) -> None:
    with pytest.raises(DomainError) as refused:
        make_bond(world.office_a, world.district_a, kind="special")
    assert set(refused.value.field_errors()) == {"project", "revenue_plan"}


def test_an_outsider_may_not_enter_figures_for_another_region(world: City) -> None:
    with pytest.raises(NotAllowed):
        make_year(world.outsider, world.district_a)
    assert not DebtRegionYear.objects.exists()


def test_publishing_queues_the_figures_for_the_platform(world: City) -> None:
    row = debt_year_publish(actor=world.office_a, row=make_year(world.office_a, world.district_a))
    change = PlatformChange.objects.get(kind=DEBT_YEAR_KIND)
    assert change.object_id == row.pk
    assert change.payload["tier"] == RiskTier.GREEN
    with pytest.raises(DomainError):
        debt_year_publish(actor=world.office_a, row=row)


def test_the_job_marks_late_repayments_and_proposes_one_serious_candidate(world: City, settings: object) -> None:
    settings.DEBT_OVERDUE_BREACH_DAYS = 30  # type: ignore[attr-defined]
    bond = make_bond(world.office_a, world.district_a)
    long_overdue = make_repayment(world.office_a, bond, due_on=D(2026, 9, 1))
    recent = make_repayment(world.office_a, bond, due_on=D(2026, 10, 20), kind="principal", amount_due=Decimal("10"))
    paid_late = make_repayment(
        world.office_a,
        bond,
        due_on=D(2026, 6, 1),
        amount_due=Decimal("5"),
        paid_amount=Decimal("5"),
        paid_on=D(2026, 6, 3),
    )
    on_time = make_repayment(
        world.office_a,
        bond,
        due_on=D(2026, 5, 1),
        amount_due=Decimal("5"),
        paid_amount=Decimal("5"),
        paid_on=D(2026, 5, 1),
    )

    run = debt_repayments_watch()

    assert (run.marked_late, run.breaches) == (3, 1)
    late = set(DebtRepayment.objects.filter(late=True).values_list("pk", flat=True))
    assert late == {long_overdue.pk, recent.pk, paid_late.pk} and on_time.pk not in late
    long_overdue.refresh_from_db()
    record = DishonestyRecord.objects.get(pk=long_overdue.record_id)
    assert record.status == RecordStatus.CANDIDATE
    assert record.severity == Severity.SERIOUS
    assert record.subject_agency_id == world.district_a.pk
    assert record.origin_id == long_overdue.pk

    again = debt_repayments_watch()
    assert (again.marked_late, again.breaches) == (0, 0)
    assert DishonestyRecord.objects.count() == 1


def test_a_recorded_default_proposes_a_candidate_at_once(world: City) -> None:
    bond = make_bond(world.office_a, world.district_a)
    make_repayment(world.office_a, bond, due_on=D(2026, 10, 30), defaulted=True)
    assert debt_repayments_watch().breaches == 1


def test_a_late_disclosure_records_its_days_and_a_missing_one_shows_overdue(world: City) -> None:
    budget = DebtDisclosureDeadline.objects.create(kind="budget", year=2026, due_on=D(2026, 2, 20))
    DebtDisclosureDeadline.objects.create(kind="final_accounts", year=2025, due_on=D(2026, 9, 20))
    DebtDisclosureDeadline.objects.create(kind="bond_information", year=2026, due_on=D(2026, 12, 31))
    disclosure = debt_disclosure_record(
        actor=world.office_a, region=world.district_a, deadline=budget, disclosed_on=D(2026, 3, 2)
    )
    assert disclosure.days_late == 10 and disclosure.is_late
    rows = debt_disclosure_timeliness(world.district_a)
    assert [(r["deadline"].kind, r["missing"], r["days_late"]) for r in rows] == [
        ("budget", False, 10),
        ("final_accounts", True, 43),
    ]


def test_year_values_are_plain(world: City) -> None:
    assert year_values(world.district_a)["year"] == 2026
