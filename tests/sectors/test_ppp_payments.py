"""Government payment obligations of PPP projects: the scheduled job flags late ones with one UPDATE, reminds once,
and proposes the breach of one long unpaid, attributed by traceback; a second run changes nothing."""

from decimal import Decimal

import pytest

from kernel.errors import DomainError
from notices.models import Notification
from records.models import DishonestyRecord, RecordStatus
from sectors.models import PppBreach, PppPaymentObligation
from sectors.services.ppp import (
    PppPaymentInput,
    ppp_payment_add,
    ppp_payment_record,
    ppp_payments_watch,
    ppp_stage_advance,
    ppp_stage_assign,
    ppp_stage_hand_over,
)
from subjects.services import civil_servant_move
from tests.conftest import City
from tests.factories import make_agency, make_person
from tests.sectors.ppp_support import TODAY, D, at, make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def calendar(db: None) -> None:
    from workcalendar.services import calendar_year_seed

    calendar_year_seed(year=2026)


def project_with_payments(world: City) -> object:
    project = make_project(world.clerk_a, world.agency_a)
    for stage, day in (("preparation", D(2020, 9, 1)), ("procurement", D(2021, 1, 4)), ("execution", D(2021, 7, 1))):
        project = ppp_stage_advance(actor=world.clerk_a, project=project, to_stage=stage, on=day)
    ppp_stage_assign(
        actor=world.clerk_a,
        project=project,
        stage="execution",
        agency=world.agency_a,
        person=world.person_a,
        starts_on=D(2021, 7, 1),
    )
    for year, due in ((2025, D(2025, 6, 30)), (2026, D(2026, 6, 30))):
        ppp_payment_add(
            actor=world.clerk_a,
            data=PppPaymentInput(
                project=project, year=year, kind="availability", amount_due=Decimal("1200.00"), due_on=due
            ),
        )
    ppp_payment_add(
        actor=world.clerk_a,
        data=PppPaymentInput(
            project=project, year=2026, kind="operations_subsidy", amount_due=Decimal("300.00"), due_on=D(2026, 11, 20)
        ),
    )
    return project


def snapshot() -> tuple[object, ...]:
    return (
        sorted(PppPaymentObligation.objects.values_list("pk", "late", "reminded_on")),
        DishonestyRecord.objects.count(),
        PppBreach.objects.count(),
        Notification.objects.count(),
    )


def test_the_job_flags_late_reminds_and_proposes_a_breach_once(world: City, calendar: None) -> None:
    other = make_agency("东城区住房和城乡建设局", parent=world.district_a)
    with at(TODAY):
        project_with_payments(world)
        paid = PppPaymentObligation.objects.get(year=2025)
        ppp_payment_record(actor=world.clerk_a, payment=paid, amount=Decimal("1200.00"), paid_on=D(2025, 6, 20))
        # The holder of the execution stage in mid-2026 has since moved to another agency.
        civil_servant_move(actor=world.office_a, person=world.person_a, to_agency=other, moved_on=D(2026, 9, 1))
        first = ppp_payments_watch()
        before = snapshot()
        second = ppp_payments_watch()
    assert (first.marked_late, first.reminded, first.breaches) == (1, 1, 1)
    assert (second.marked_late, second.reminded, second.breaches) == (0, 0, 0)
    assert snapshot() == before

    late = PppPaymentObligation.objects.get(year=2026, kind="availability")
    assert late.late and not PppPaymentObligation.objects.get(year=2025).late
    breach = PppBreach.objects.get()
    assert (breach.payment_id, breach.occurred_on, breach.stage) == (late.pk, D(2026, 7, 1), "execution")
    assert (breach.agency_id, breach.person_id) == (world.agency_a.pk, world.person_a.pk)
    record = breach.record
    assert record is not None and record.status == RecordStatus.CANDIDATE
    assert record.subject_agency_id == world.agency_a.pk
    assert record.responsibilities.filter(person=world.person_a, kind="direct").exists()
    assert PppPaymentObligation.objects.get(kind="operations_subsidy").reminded_on == TODAY


def test_a_payment_late_by_fewer_working_days_than_configured_is_flagged_but_no_breach(
    world: City, calendar: None, settings: object
) -> None:
    settings.PPP_BREACH_AFTER_WORKING_DAYS = 500  # type: ignore[attr-defined]
    with at(TODAY):
        project_with_payments(world)
        run = ppp_payments_watch()
    assert run.marked_late == 2 and run.breaches == 0
    assert not PppBreach.objects.exists()


def test_a_handover_after_the_due_date_does_not_move_the_breach(world: City, calendar: None) -> None:
    successor = make_person(world.agency_a, "王芳")
    with at(TODAY):
        project = project_with_payments(world)
        ppp_payment_record(
            actor=world.clerk_a,
            payment=PppPaymentObligation.objects.get(year=2025),
            amount=Decimal("1200.00"),
            paid_on=D(2025, 6, 20),
        )
        ppp_stage_hand_over(
            actor=world.clerk_a,
            project=project,
            stage="execution",
            agency=world.agency_a,
            person=successor,
            on=D(2026, 8, 3),
            note="交接",
        )
        ppp_payments_watch()
    assert PppBreach.objects.get().person_id == world.person_a.pk


def test_a_payment_cannot_exceed_what_is_due_and_bad_obligations_are_refused_in_chinese(world: City) -> None:
    with at(TODAY):
        project = project_with_payments(world)
        payment = PppPaymentObligation.objects.get(year=2026, kind="availability")
        with pytest.raises(DomainError) as too_much:
            ppp_payment_record(actor=world.clerk_a, payment=payment, amount=Decimal("5000"), paid_on=D(2026, 7, 1))
        with pytest.raises(DomainError) as bad:
            ppp_payment_add(
                actor=world.clerk_a,
                data=PppPaymentInput(
                    project=project, year=1990, kind="nonsense", amount_due=Decimal("-1"), due_on=D(2026, 1, 1)
                ),
            )
        with pytest.raises(DomainError) as twice:
            ppp_payment_add(
                actor=world.clerk_a,
                data=PppPaymentInput(
                    project=project, year=2026, kind="availability", amount_due=Decimal("1"), due_on=D(2026, 1, 1)
                ),
            )
    assert "超过" in too_much.value.field_errors()["amount"][0]
    assert set(bad.value.field_errors()) == {"year", "kind", "amount_due", "due_on"}
    assert "年度" in bad.value.field_errors()["year"][0]
    assert "已有" in twice.value.field_errors()["kind"][0]
    payment.refresh_from_db()
    assert payment.paid_amount == 0
    assert PppPaymentObligation.objects.count() == 3
