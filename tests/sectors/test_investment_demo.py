"""The demo city's investment promotion: every state of an obligation, loaded once."""

import datetime

import pytest
import time_machine

from demo.investment import demo_investment
from records.models import DishonestyRecord, RecordStatus
from sectors.models import InvestmentObligation, ObligationChange
from tests.conftest import City
from tests.factories import make_agency, make_person

pytestmark = pytest.mark.django_db


def test_the_demo_has_an_obligation_in_every_state_and_loads_once(world: City) -> None:
    from workcalendar.services import calendar_year_seed

    calendar_year_seed(year=2026)
    agency = make_agency("东城区投资促进局", parent=world.district_a)
    make_person(agency, "赵敏", is_principal=True)
    today = datetime.date(2026, 11, 2)
    with time_machine.travel(datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC), tick=False):
        loaded = demo_investment(office=world.office_a, today=today)
        assert demo_investment(office=world.office_a, today=today) == {}
    assert loaded["agreements"] == 4
    states = set(InvestmentObligation.objects.values_list("status", flat=True))
    assert states == {"pending", "fulfilled", "overdue", "changed", "broken"}
    assert ObligationChange.objects.count() == 1
    assert DishonestyRecord.objects.get().status == RecordStatus.CANDIDATE
