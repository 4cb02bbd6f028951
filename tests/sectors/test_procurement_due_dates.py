"""The legal due date of a payment to a supplier: from delivery or passed acceptance, 30 days when silent, at most 60
for an SME, the start day not counted and a last day on a rest day moved to the next working day (docs/sectors.md)."""

import datetime

import pytest

from sectors.models import ProcurementEvent
from sectors.rules.procurement import legal_due_date
from sectors.services.procurement import acceptance_record
from tests.conftest import City
from tests.sectors.procurement_support import D, add_obligation, at, make_contract

pytestmark = pytest.mark.django_db


@pytest.fixture
def calendar(db: None) -> None:
    from workcalendar.services import calendar_year_seed

    calendar_year_seed(year=2026)


def due(**overrides: object) -> datetime.date | None:
    values: dict[str, object] = {
        "delivered_on": D(2026, 6, 1),
        "accepted_on": None,
        "acceptance_conditions_payment": False,
        "agreed_term_days": None,
        "sme": True,
    }
    values.update(overrides)
    found = legal_due_date(**values)  # type: ignore[arg-type]
    return found.due_on if found else None


def test_a_silent_contract_gives_thirty_days_from_delivery_the_start_day_not_counted(calendar: None) -> None:
    # Delivered Monday 1 June; the 30th day after it is Wednesday 1 July, a working day.
    assert due() == D(2026, 7, 1)


def test_an_sme_term_over_sixty_days_is_flagged_and_sixty_applies(calendar: None) -> None:
    found = legal_due_date(
        delivered_on=D(2026, 6, 1), accepted_on=None, acceptance_conditions_payment=False, agreed_term_days=90, sme=True
    )
    assert found is not None
    assert (found.term_days, found.term_unlawful, found.due_on) == (60, True, D(2026, 7, 31))


def test_an_sme_term_within_sixty_days_applies_as_agreed(calendar: None) -> None:
    assert due(agreed_term_days=45) == D(2026, 7, 16)


def test_a_large_enterprise_keeps_its_longer_agreed_term_and_thirty_days_when_silent(calendar: None) -> None:
    found = legal_due_date(
        delivered_on=D(2026, 6, 1),
        accepted_on=None,
        acceptance_conditions_payment=False,
        agreed_term_days=90,
        sme=False,
    )
    assert found is not None and (found.term_days, found.term_unlawful) == (90, False)
    assert due(sme=False) == D(2026, 7, 1)


def test_passed_acceptance_starts_the_term_where_the_contract_makes_it_the_condition(calendar: None) -> None:
    assert due(acceptance_conditions_payment=True) is None
    assert due(acceptance_conditions_payment=True, accepted_on=D(2026, 6, 10)) == D(2026, 7, 10)
    # Without the condition, acceptance does not move the start.
    assert due(accepted_on=D(2026, 6, 10)) == D(2026, 7, 1)


def test_a_last_day_on_a_weekend_moves_to_the_next_working_day(calendar: None) -> None:
    found = legal_due_date(
        delivered_on=D(2026, 6, 4),
        accepted_on=None,
        acceptance_conditions_payment=False,
        agreed_term_days=None,
        sme=True,
    )
    assert found is not None
    # 4 June + 30 days is Saturday 4 July: Civil Code art. 203 moves it to Monday 6 July.
    assert (found.moved_from, found.due_on) == (D(2026, 7, 4), D(2026, 7, 6))


def test_a_last_day_in_the_national_day_holiday_moves_past_the_holiday(calendar: None) -> None:
    found = legal_due_date(
        delivered_on=D(2026, 9, 1),
        accepted_on=None,
        acceptance_conditions_payment=False,
        agreed_term_days=None,
        sme=True,
    )
    assert found is not None
    # 1 September + 30 days is 1 October, National Day; the holiday runs to 7 October, the 8th is a working day.
    assert (found.moved_from, found.due_on) == (D(2026, 10, 1), D(2026, 10, 8))


def test_a_last_day_on_a_working_day_does_not_move(calendar: None) -> None:
    found = legal_due_date(
        delivered_on=D(2026, 6, 1),
        accepted_on=None,
        acceptance_conditions_payment=False,
        agreed_term_days=None,
        sme=True,
    )
    assert found is not None and found.moved_from is None


def test_an_obligation_stores_its_computed_due_date_and_acceptance_fills_it_in(world: City, calendar: None) -> None:
    with at(D(2026, 11, 2)):
        contract = make_contract(world.clerk_a, world.agency_a, acceptance_conditions_payment=True, agreed_term_days=75)
        obligation = add_obligation(world.clerk_a, contract, delivered_on=D(2026, 6, 1))
        assert (obligation.due_on, obligation.status) == (None, "awaiting")
        acceptance_record(
            actor=world.clerk_a, obligation=obligation, inspected_on=D(2026, 6, 5), passed=False, note="数量不符"
        )
        obligation.refresh_from_db()
        assert obligation.due_on is None
        acceptance_record(actor=world.clerk_a, obligation=obligation, inspected_on=D(2026, 6, 12), passed=True, note="")
    obligation.refresh_from_db()
    assert obligation.starts_on == D(2026, 6, 12)
    assert (obligation.term_days, obligation.term_unlawful, obligation.due_on) == (60, True, D(2026, 8, 11))
    assert ProcurementEvent.objects.filter(obligation=obligation, kind="acceptance").count() == 2
