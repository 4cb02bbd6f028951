"""The SME payment clock: interest, disputed parts, the daily job (twice changes nothing), reminders, breach
candidates, the arrears ledger and the yearly disclosure (docs/sectors.md#procurement)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kernel.errors import DomainError, NotAllowed
from notices.models import Notification
from outbox.models import PlatformChange
from records.models import DishonestyRecord, RecordStatus
from sectors.models import Contract, Payment, PaymentObligation, ProcurementEvent
from sectors.services.procurement import (
    arrears_ledger,
    disclosure_generate,
    disclosure_publish,
    obligation_complaint_confirm,
    obligation_dispute,
    payment_record,
    procurement_overdue_run,
)
from tests.conftest import City
from tests.factories import make_person
from tests.sectors.procurement_support import D, add_obligation, at, contract_input, make_contract

pytestmark = pytest.mark.django_db
TODAY = D(2026, 11, 2)


@pytest.fixture
def calendar(db: None) -> None:
    from workcalendar.services import calendar_year_seed

    calendar_year_seed(year=2026)


def fresh(obligation: PaymentObligation) -> PaymentObligation:
    return PaymentObligation.objects.get(pk=obligation.pk)


def test_interest_accrues_daily_at_the_statutory_rate_on_the_unpaid_undisputed_amount(
    world: City, calendar: None
) -> None:
    with at(TODAY):
        contract = make_contract(world.clerk_a, world.agency_a)
        obligation = add_obligation(world.clerk_a, contract)  # due 1 July 2026
    obligation = fresh(obligation)
    # 124 days after 1 July, 10,000 yuan at 0.05% a day.
    assert (obligation.status, obligation.overdue_days, obligation.interest) == ("overdue", 124, Decimal("620.00"))


def test_an_agreed_rate_replaces_the_statutory_one(world: City, calendar: None) -> None:
    with at(TODAY):
        contract = make_contract(world.clerk_a, world.agency_a, agreed_daily_rate=Decimal("0.0002"))
        obligation = add_obligation(world.clerk_a, contract)
    assert fresh(obligation).interest == Decimal("248.00")


def test_interest_stops_on_the_payment_date_for_the_part_paid(world: City, calendar: None) -> None:
    with at(TODAY):
        contract = make_contract(world.clerk_a, world.agency_a)
        obligation = add_obligation(world.clerk_a, contract)
        payment = payment_record(
            actor=world.clerk_a, obligation=obligation, paid_on=D(2026, 8, 1), amount=Decimal("4000")
        )
    assert (payment.late_days, payment.interest) == (31, Decimal("62.00"))
    # 62.00 on the part paid 31 days late, and 6,000 × 0.05% × 124 days on the rest.
    assert fresh(obligation).interest == Decimal("434.00")
    with at(TODAY):
        payment_record(actor=world.clerk_a, obligation=obligation, paid_on=TODAY, amount=Decimal("6000"))
    obligation = fresh(obligation)
    assert (obligation.status, obligation.settled_on, obligation.interest) == ("settled", TODAY, Decimal("434.00"))
    assert ProcurementEvent.objects.filter(obligation=obligation, kind="settled").count() == 1


def test_the_undisputed_part_is_still_due_on_time(world: City, calendar: None) -> None:
    with at(TODAY):
        contract = make_contract(world.clerk_a, world.agency_a)
        obligation = add_obligation(world.clerk_a, contract)
        obligation_dispute(actor=world.clerk_a, obligation=obligation, disputed_amount=Decimal("3000"), note="质量争议")
    obligation = fresh(obligation)
    assert (obligation.status, obligation.interest) == ("overdue", Decimal("434.00"))  # 7,000 undisputed
    with at(TODAY):
        payment_record(actor=world.clerk_a, obligation=obligation, paid_on=TODAY, amount=Decimal("7000"))
    obligation = fresh(obligation)
    assert (obligation.status, obligation.overdue_days) == ("disputed", 0)


def test_a_payment_on_time_carries_no_interest(world: City, calendar: None) -> None:
    with at(TODAY):
        contract = make_contract(world.clerk_a, world.agency_a)
        obligation = add_obligation(world.clerk_a, contract, delivered_on=D(2026, 10, 20))
        payment = payment_record(actor=world.clerk_a, obligation=obligation, paid_on=TODAY, amount=Decimal("10000"))
    assert (payment.interest, fresh(obligation).status) == (Decimal("0.00"), "settled")


def test_the_job_reminds_once_and_a_second_run_changes_nothing(world: City, calendar: None) -> None:
    with at(D(2026, 6, 20)):
        contract = make_contract(world.clerk_a, world.agency_a)
        first = add_obligation(world.clerk_a, contract)
        second = add_obligation(world.clerk_a, contract, label="二期款", delivered_on=D(2026, 6, 10))
    assert fresh(first).status == "pending"
    with at(TODAY):
        run = procurement_overdue_run()
        snapshot = list(PaymentObligation.objects.order_by("pk").values())
        again = procurement_overdue_run()
    assert (run.recomputed, run.reminded, run.breaches) == (2, 2, 0)
    assert (again.recomputed, again.reminded, again.breaches) == (0, 0, 0)
    assert list(PaymentObligation.objects.order_by("pk").values()) == snapshot
    assert fresh(second).overdue_days == 115 and fresh(second).reminded_on == TODAY
    assert Notification.objects.filter(agency=world.agency_a, subject__contains="2").count() == 1


def test_arrears_past_the_deadline_after_the_reminder_propose_a_candidate_record(
    world: City, calendar: None, settings: object
) -> None:
    principal = make_person(world.agency_a, "王局长", is_principal=True)
    with at(TODAY):
        contract = make_contract(world.clerk_a, world.agency_a, responsible_person=world.person_a)
        obligation = add_obligation(world.clerk_a, contract)
        procurement_overdue_run()
    with at(D(2026, 12, 1)):
        assert procurement_overdue_run().breaches == 0
    with at(D(2026, 12, 2)):
        assert procurement_overdue_run().breaches == 1
        assert procurement_overdue_run().breaches == 0
    obligation = fresh(obligation)
    record = DishonestyRecord.objects.get(pk=obligation.breach_record_id)
    assert (record.status, record.source, record.sector) == (
        RecordStatus.CANDIDATE,
        "breach_of_contract",
        "procurement",
    )
    assert record.origin == obligation and record.subject_agency == world.agency_a
    assert set(record.responsibilities.values_list("person_id", "kind")) == {
        (principal.pk, "principal"),
        (world.person_a.pk, "direct"),
    }
    assert ProcurementEvent.objects.filter(obligation=obligation, kind="breach_proposed").count() == 1


def test_a_confirmed_complaint_of_non_payment_proposes_the_candidate_at_once(world: City, calendar: None) -> None:
    with at(TODAY):
        contract = make_contract(world.clerk_a, world.agency_a, responsible_person=world.person_a)
        obligation = add_obligation(world.clerk_a, contract)
        with pytest.raises(NotAllowed):
            obligation_complaint_confirm(actor=world.clerk_a, obligation=obligation, complaint="TS-1", note="核实")
        with pytest.raises(DomainError) as refused:
            obligation_complaint_confirm(actor=world.sector_a, obligation=obligation, complaint="", note="")
        assert set(refused.value.field_errors()) == {"complaint", "note"}
        obligation_complaint_confirm(actor=world.sector_a, obligation=obligation, complaint="TS-1", note="经核实未付款")
    record = DishonestyRecord.objects.get(pk=fresh(obligation).breach_record_id)
    assert record.status == RecordStatus.CANDIDATE
    assert ProcurementEvent.objects.filter(obligation=obligation, kind="complaint_confirmed").count() == 1


def test_a_complaint_about_a_payment_not_overdue_is_refused(world: City, calendar: None) -> None:
    with at(TODAY):
        contract = make_contract(world.clerk_a, world.agency_a)
        obligation = add_obligation(world.clerk_a, contract, delivered_on=D(2026, 10, 20))
        with pytest.raises(DomainError):
            obligation_complaint_confirm(actor=world.office_a, obligation=obligation, complaint="TS-2", note="核实")
    assert not DishonestyRecord.objects.exists()


def test_the_outsider_may_enter_nothing_for_agency_a(world: City, calendar: None) -> None:
    with at(TODAY):
        contract = make_contract(world.clerk_a, world.agency_a)
        obligation = add_obligation(world.clerk_a, contract)
        with pytest.raises(NotAllowed):
            make_contract(world.outsider, world.agency_a)
        with pytest.raises(NotAllowed):
            add_obligation(world.outsider, contract)
        with pytest.raises(NotAllowed):
            payment_record(actor=world.outsider, obligation=obligation, paid_on=TODAY, amount=Decimal("1"))
    assert (Contract.objects.count(), PaymentObligation.objects.count(), Payment.objects.count()) == (1, 1, 0)


def test_bad_input_is_refused_with_every_problem_and_nothing_written(world: City, calendar: None) -> None:
    with at(TODAY):
        from sectors.services.procurement import contract_create

        with pytest.raises(DomainError) as refused:
            contract_create(
                actor=world.clerk_a,
                data=contract_input(
                    world.agency_a,
                    supplier_uscc="91330100ABC",
                    supplier_size="huge",
                    amount=Decimal("-5"),
                    agreed_daily_rate=Decimal("0.5"),
                    signed_on=D(2027, 1, 1),
                    responsible_person=world.person_b,
                ),
            )
        assert set(refused.value.field_errors()) == {
            "supplier_uscc",
            "supplier_size",
            "amount",
            "agreed_daily_rate",
            "signed_on",
            "responsible_person",
        }
        contract = make_contract(world.clerk_a, world.agency_a)
        obligation = add_obligation(world.clerk_a, contract)
        with pytest.raises(DomainError) as refused:
            payment_record(actor=world.clerk_a, obligation=obligation, paid_on=D(2026, 5, 1), amount=Decimal("20000"))
        assert set(refused.value.field_errors()) == {"paid_on", "amount"}
    assert Contract.objects.count() == 1 and not Payment.objects.exists()


def test_the_ledger_of_a_district_counts_its_agencies_in_one_query(world: City, calendar: None) -> None:
    with at(TODAY):
        own = make_contract(world.clerk_a, world.agency_a)
        add_obligation(world.clerk_a, own)  # 124 days, 620.00
        add_obligation(world.clerk_a, own, label="二期款", amount=Decimal("5000"), delivered_on=D(2026, 9, 1))
        below = make_contract(world.office_a, world.unit_a)
        add_obligation(world.office_a, below, amount=Decimal("2000"), delivered_on=D(2026, 8, 3))
        large = make_contract(world.clerk_a, world.agency_a, supplier_size="large")
        add_obligation(world.clerk_a, large)  # not an SME: not in the ledger
        elsewhere = make_contract(world.outsider, world.agency_b)
        add_obligation(world.outsider, elsewhere)
        with CaptureQueriesContext(connection) as queries:
            ledger = arrears_ledger(under=world.district_a)
    assert len(queries) == 1
    assert {row.agency_id for row in ledger.rows} == {world.agency_a.pk, world.unit_a.pk}
    assert (ledger.count, ledger.amount, ledger.oldest_days) == (3, Decimal("17000.00"), 124)
    own_only = arrears_ledger(under=world.agency_a, own_only=True)
    assert (own_only.count, own_only.amount) == (2, Decimal("15000.00"))


def test_the_yearly_disclosure_is_a_snapshot_of_the_year_end_and_its_publication_reaches_the_outbox(
    world: City, calendar: None
) -> None:
    with at(D(2025, 11, 20)):
        contract = make_contract(world.clerk_a, world.agency_a, signed_on=D(2025, 10, 1))
        obligation = add_obligation(world.clerk_a, contract, delivered_on=D(2025, 11, 3))  # due 3 December 2025
    with at(TODAY):
        payment_record(actor=world.clerk_a, obligation=obligation, paid_on=D(2026, 1, 10), amount=Decimal("10000"))
        with pytest.raises(DomainError):
            disclosure_generate(actor=world.clerk_a, agency=world.agency_a, year=2026)
        with pytest.raises(NotAllowed):
            disclosure_generate(actor=world.outsider, agency=world.agency_a, year=2025)
        disclosure = disclosure_generate(actor=world.clerk_a, agency=world.agency_a, year=2025)
        assert (disclosure.obligation_count, disclosure.contract_count, disclosure.amount) == (
            1,
            1,
            Decimal("10000.00"),
        )
        assert (disclosure.oldest_days, disclosure.interest) == (28, Decimal("140.00"))
        disclosure_publish(actor=world.reviewer_a, disclosure=disclosure)
        with pytest.raises(DomainError):
            disclosure_generate(actor=world.clerk_a, agency=world.agency_a, year=2025)
    change = PlatformChange.objects.get(kind="procurement_disclosure")
    assert change.payload["amount"] == "10000.00" and change.agency_id == world.agency_a.pk
