"""The demo city's breach complaints (one in each state, the confirmed one with its candidate record) and 12345
tickets; the scale generator's complaints and tickets."""

import io

import pytest
from django.core.management import call_command

from demo.supervision_complaints import demo_complaints, demo_complaints_loaded
from records.models import DishonestyRecord
from supervision.models import BreachComplaint, HotlineTicket
from supervision.models.complaints import BreachComplaintStatus
from tests.conftest import City
from tests.supervision.complaints_support import MONDAY, at

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_complaint_in_each_state_and_tickets(world: City, settings: object) -> None:
    users = {"demo-office": world.office_a, "demo-clerk": world.clerk_a}
    with at(MONDAY):
        assert not demo_complaints_loaded()
        loaded = demo_complaints(users)
    assert demo_complaints_loaded()
    assert set(BreachComplaint.objects.values_list("status", flat=True)) == set(BreachComplaintStatus.values)
    assert loaded["12345 tickets"] == HotlineTicket.objects.count() == 40
    confirmed = BreachComplaint.objects.get(status="confirmed")
    assert DishonestyRecord.objects.filter(pk=confirmed.record_id, status="candidate").exists()


def test_the_scale_generator_writes_complaints_and_tickets(db: None) -> None:
    out = io.StringIO()
    call_command(
        "generate_scale", "--agencies", "5", "--people", "0", "--commitments", "0", "--breach-complaints", "16",
        "--hotline-tickets", "30", stdout=out,
    )  # fmt: skip
    assert BreachComplaint.objects.count() == 16 and HotlineTicket.objects.count() == 30
    assert len(set(BreachComplaint.objects.values_list("status", flat=True))) == 8
