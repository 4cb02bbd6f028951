"""The demo city's tendering: a party warned, one blacklisted, one whose points expired, an agency tenderer whose late
deposit refund and unsigned contract became candidate records; loaded once."""

import datetime

import pytest
import time_machine

from demo.tendering import demo_tendering
from records.models import RecordStatus
from sectors.models import BadBehaviour, TenderBreach, TenderParty, TenderSanction
from sectors.services.tendering import party_score, sanctions_in_force
from tests.conftest import City

pytestmark = pytest.mark.django_db


def test_the_demo_has_every_state_and_loads_once(world: City) -> None:
    from workcalendar.services import calendar_year_seed

    calendar_year_seed(year=2026)
    today = datetime.date(2026, 11, 2)
    with time_machine.travel(datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC), tick=False):
        loaded = demo_tendering(office=world.office_a, today=today)
        assert demo_tendering(office=world.office_a, today=today) == {}
        warned = TenderParty.objects.get(name="临江恒信建设工程有限公司")
        expired = TenderParty.objects.get(name="临江清源装饰工程有限公司")
        assert TenderSanction.objects.filter(party=warned, kind="warning").exists()
        assert party_score(expired) == 0 and TenderSanction.objects.filter(party=expired).exists()
        barred = set(sanctions_in_force(today).values_list("party__name", flat=True))
        assert {"临江同舟市政工程有限公司", "王建国", "临江明德招标代理有限公司"} <= barred
        assert BadBehaviour.objects.filter(published_on__isnull=True).count() == 1
        assert BadBehaviour.objects.filter(archived_on__isnull=False).count() == 1
    assert loaded["tender projects"] == 3
    breaches = TenderBreach.objects.select_related("record")
    assert {b.kind for b in breaches} == {"late_refund", "not_signed"}
    assert {b.record.status for b in breaches if b.record} == {RecordStatus.CANDIDATE}


def test_the_scale_generator_writes_parties_and_records_that_score(world: City) -> None:
    from demo.tendering import create_tendering
    from sectors.services.tendering import parties_with_scores

    rows = create_tendering(root=world.district_a, user=world.clerk_a, behaviours=50, batch_size=20)
    assert rows == 55
    assert BadBehaviour.objects.count() == 50
    assert sum(p.score for p in parties_with_scores(TenderParty.objects.all())) > 0
