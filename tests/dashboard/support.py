"""Shared helpers of the dashboard tests: fixed clocks, data in each warning's state."""

import datetime
from decimal import Decimal
from typing import Any

import time_machine

from records.models import DishonestyRecord, Rectification
from repair.models import Complaint
from repair.services.complaints import complaint_file
from sectors.models import PaymentObligation
from subjects.models import Agency
from tests.conftest import City
from tests.public_support import published

D = datetime.date
DAY = D(2026, 11, 2)


def at(day: datetime.date) -> time_machine.travel:
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=datetime.UTC), tick=False)


def filer(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "statement": "异议超期未处理。",
        "filer_name": "王律师",
        "filer_contact": "13800000000",
        "commitment_signed": True,
    }
    body.update(overrides)
    return body


def record_in(world: City, subject: Agency | None = None, **overrides: Any) -> DishonestyRecord:
    """A record published on DAY about `subject` (default agency A)."""
    with at(DAY):
        return published(world, subject, **overrides)


def record_in_b(world: City, **overrides: Any) -> DishonestyRecord:
    """A record about agency B, entered and published by district B's own staff on DAY."""
    from accounts.models import Role
    from records.services import record_publish, record_submit
    from tests.factories import make_record, make_user

    with at(DAY):
        reviewer = make_user(Role.REVIEWER, world.agency_b)
        record = record_submit(actor=reviewer, record=make_record(world.outsider, world.agency_b, **overrides))
        return record_publish(actor=world.office_b, record=record, today=DAY)


def complaint_about(record: DishonestyRecord, *, stage_due_on: datetime.date | None = None) -> Complaint:
    complaint, _code = complaint_file(record=record, **filer())
    if stage_due_on is not None:
        Complaint.objects.filter(pk=complaint.pk).update(stage_due_on=stage_due_on)
    return complaint


def rectification_due(record: DishonestyRecord, deadline: datetime.date) -> Rectification | None:
    rectification = Rectification.objects.filter(measure__record=record).first()
    if rectification is not None:
        Rectification.objects.filter(pk=rectification.pk).update(deadline=deadline)
        rectification.refresh_from_db()
    return rectification


def sme_obligation(world: City, agency: Agency, *, due_on: datetime.date, status: str) -> PaymentObligation:
    from tests.sectors.procurement_support import add_obligation, make_contract

    office = world.office_a if agency.path.startswith(world.district_a.path) else world.office_b
    with at(D(2026, 6, 1)):
        contract = make_contract(office, agency)
        obligation = add_obligation(office, contract)
    PaymentObligation.objects.filter(pk=obligation.pk).update(
        due_on=due_on, status=status, overdue_days=max(0, (DAY - due_on).days), amount=Decimal("10000.00")
    )
    obligation.refresh_from_db()
    return obligation
