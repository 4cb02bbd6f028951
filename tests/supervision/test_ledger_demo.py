"""The demo's work ledger and inspections: seed 004's 22 annex rows through the import into 东城区, each unit's status
in every state; the inspections' items in every state."""

import pytest

from accounts.models import Role
from demo.supervision_inspections import demo_inspections
from demo.supervision_ledger import demo_ledger
from records.models import RecordStatus
from subjects.models import AgencyKind
from supervision.models import LedgerAssignment, LedgerTask, RectificationItem
from supervision.models.inspections import RectificationStatus
from supervision.models.ledger import LedgerStatus
from tests.factories import make_agency, make_user
from tests.supervision.inspections_support import TODAY, at

pytestmark = pytest.mark.django_db


def test_the_demo_loads_the_binhai_ledger_and_inspections_in_every_state(world):
    make_agency("东城区投资促进局", parent=world.district_a)
    make_agency("东城区江滨街道办事处", parent=world.district_a, kind=AgencyKind.SUBDISTRICT)
    users = {
        "demo-office": world.office_a,
        "demo-admin": world.admin,
        "demo-clerk": world.clerk_a,
        "demo-city-office": make_user(Role.CREDIT_OFFICE, world.city, username="city-office"),
    }
    with at(TODAY):
        summary = demo_ledger(users)
        demo_inspections(users)
    assert summary.startswith("22 tasks")
    assert LedgerTask.objects.filter(region=world.district_a, year=2026).count() == 22
    assert set(LedgerAssignment.objects.values_list("status", flat=True)) == set(LedgerStatus.values)
    assert LedgerAssignment.objects.exclude(mid_year_result="").exists()
    assert set(RectificationItem.objects.values_list("status", flat=True)) == set(RectificationStatus.values)
    refused = RectificationItem.objects.get(status=RectificationStatus.REFUSED)
    assert refused.candidate_record is not None and refused.candidate_record.status == RecordStatus.CANDIDATE
    assert RectificationItem.objects.overdue(TODAY).count() == 1


def test_the_scale_rows_are_written_in_every_state(world):
    from demo.supervision_inspections import create_inspection_rows
    from demo.supervision_ledger import create_ledger_rows

    units = [world.agency_a.pk, world.unit_a.pk, world.agency_b.pk]
    with at(TODAY):
        assert create_inspection_rows(creator=world.admin, agency_ids=units, count=12, batch_size=5) == 12
        assert create_ledger_rows(creator=world.admin, agency_ids=units, count=30, batch_size=7) > 0
    assert set(RectificationItem.objects.values_list("status", flat=True)) == set(RectificationStatus.values)
    assert LedgerAssignment.objects.filter(status=LedgerStatus.DONE).exists()
