"""Investment promotion: agreements, obligations, lawful changes, breaches and the scheduled job (docs/sectors.md)."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Sector
from commitments.models import CommitmentKind
from kernel.errors import DomainError, NotAllowed
from notices.models import Notification
from outbox.models import PlatformChange
from records.models import DishonestyRecord, RecordSource, RecordStatus
from sectors.models import (
    InvestmentAgreement,
    InvestmentEvent,
    InvestmentObligation,
    ObligationChange,
    ObligationEvidence,
    ObligationStatus,
    RefusedGround,
)
from sectors.services.investment import (
    agreement_create,
    investment_obligations_watch,
    obligation_break,
    obligation_change,
    obligation_fulfil,
)
from tests.conftest import City
from tests.factories import make_commitment, make_person
from tests.sectors.investment_support import (
    PDF,
    D,
    agreement_input,
    change_input,
    investment_authority,
    make_agreement,
    obligation_inputs,
)

pytestmark = pytest.mark.django_db


def at(day: datetime.date) -> time_machine.travel:
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(6, 40), tzinfo=datetime.UTC), tick=False)


@pytest.fixture
def calendar(db: None) -> None:
    from workcalendar.services import calendar_year_seed

    calendar_year_seed(year=2026)


def first_obligation(agreement: InvestmentAgreement) -> InvestmentObligation:
    return agreement.obligations.order_by("due_on", "pk")[0]


def test_an_agreement_is_entered_with_its_obligations_and_its_policy_commitments(world: City) -> None:
    with at(D(2026, 4, 1)):
        policy = make_commitment(world.clerk_a, world.agency_a, kind=CommitmentKind.INVESTMENT_POLICY)
        agreement = agreement_create(
            actor=world.clerk_a,
            data=agreement_input(world.agency_a, commitments=[policy], responsible_person=world.person_a),
            obligations=obligation_inputs(),
        )
    assert list(agreement.commitments.all()) == [policy]
    assert list(policy.investment_agreements.all()) == [agreement]
    assert [o.status for o in agreement.obligations.all()] == [ObligationStatus.PENDING] * 2
    assert InvestmentEvent.objects.filter(agreement=agreement).count() == 3


def test_an_agreement_breaking_the_rules_is_refused_whole_with_every_problem(world: City) -> None:
    other = make_commitment(world.clerk_a, world.agency_a)  # a time-limit promise, not an investment policy
    with at(D(2026, 4, 1)):
        make_agreement(world)
        with pytest.raises(DomainError) as refused:
            agreement_create(
                actor=world.clerk_a,
                data=agreement_input(
                    world.agency_a,
                    investor_uscc="91330100MA2B3C4D5X",
                    investor_name=" ",
                    total_investment=Decimal("-1"),
                    signed_on=D(2026, 5, 1),
                    responsible_person=world.person_b,
                    commitments=[other],
                ),
                obligations=[*obligation_inputs(), *obligation_inputs()[:1]],
            )
    errors = refused.value.field_errors()
    assert set(errors) == {
        "number",
        "investor_uscc",
        "investor_name",
        "total_investment",
        "signed_on",
        "responsible_person",
        "commitments",
    }
    assert "已有" in errors["number"][0]
    assert InvestmentAgreement.objects.count() == 1


def test_an_obligation_due_before_signing_is_refused(world: City) -> None:
    with at(D(2026, 4, 1)), pytest.raises(DomainError) as refused:
        agreement_create(
            actor=world.clerk_a,
            data=agreement_input(world.agency_a),
            obligations=[obligation_inputs()[0].__class__(description="交付用地", due_on=D(2026, 1, 1))],
        )
    assert "obligations.0.due_on" in refused.value.field_errors()
    assert not InvestmentAgreement.objects.exists()


def test_outsiders_and_other_sectors_may_not_enter_or_act(world: City) -> None:
    with at(D(2026, 4, 1)):
        agreement = make_agreement(world)
        obligation = first_obligation(agreement)
        for actor in (world.outsider, world.sector_a, world.office_b):
            with pytest.raises(NotAllowed):
                agreement_create(actor=actor, data=agreement_input(world.agency_a, number="X-1"))
        for actor in (world.outsider, world.sector_a, world.clerk_a, world.office_b):
            with pytest.raises(NotAllowed):
                obligation_break(actor=actor, obligation=obligation, reason="未交付用地")
    with at(D(2026, 6, 1)):
        for actor in (world.outsider, world.sector_a, world.reviewer_a):
            with pytest.raises(NotAllowed):
                obligation_change(actor=actor, obligation=obligation, change=change_input())
    assert InvestmentAgreement.objects.visible_to(world.outsider).count() == 0
    assert InvestmentAgreement.objects.visible_to(world.sector_a).count() == 0
    assert InvestmentAgreement.objects.visible_to(investment_authority(world)).count() == 1
    assert not ObligationChange.objects.exists()
    assert not DishonestyRecord.objects.exists()


@pytest.mark.parametrize("ground", RefusedGround.values)
def test_a_change_of_government_leaders_person_or_division_is_refused_as_a_ground(world: City, ground: str) -> None:
    with at(D(2026, 4, 1)):
        agreement = make_agreement(world)
    obligation = first_obligation(agreement)
    with at(D(2026, 6, 1)), pytest.raises(DomainError) as refused:
        obligation_change(actor=world.office_a, obligation=obligation, change=change_input(ground=ground))
    assert refused.value.code == "refused_ground"
    assert refused.value.field == "ground"
    message = str(refused.value.message)
    assert str(RefusedGround(ground).label) in message
    assert "不是改变" in message and "认定违约" in message
    obligation.refresh_from_db()
    assert obligation.status == ObligationStatus.PENDING
    assert not ObligationChange.objects.exists()
    assert not PlatformChange.objects.exists()


def test_a_lawful_change_with_every_step_is_recorded_and_the_platform_hears_of_it(world: City) -> None:
    with at(D(2026, 4, 1)):
        agreement = make_agreement(world)
    obligation = first_obligation(agreement)
    with at(D(2026, 6, 1)):
        changed = obligation_change(actor=world.office_a, obligation=obligation, change=change_input())
    assert changed.status == ObligationStatus.CHANGED
    assert changed.due_on == D(2026, 9, 30)
    change = ObligationChange.objects.get()
    assert (change.previous_due_on, change.new_due_on) == (D(2026, 6, 30), D(2026, 9, 30))
    assert change.compensation_amount == Decimal("300000.00")
    assert change.investor_response == "accepted"
    assert (change.legality_review_on, change.collective_decision_on, change.investor_notified_on) == (
        D(2026, 5, 10),
        D(2026, 5, 20),
        D(2026, 5, 22),
    )
    event = InvestmentEvent.objects.filter(obligation=obligation, kind="changed").get()
    assert (event.from_status, event.to_status, event.actor) == ("pending", "changed", world.office_a)
    sent = PlatformChange.objects.get(kind="investment_obligation")
    assert sent.payload["change"]["ground"] == "public_interest"
    assert "secret" not in str(sent.payload) and agreement.secret_terms not in str(sent.payload)


def test_a_change_without_its_steps_is_refused_with_every_problem_and_nothing_written(world: City) -> None:
    authority = investment_authority(world)
    with at(D(2026, 4, 1)):
        agreement = make_agreement(world)
    obligation = first_obligation(agreement)
    with at(D(2026, 6, 1)), pytest.raises(DomainError) as refused:
        obligation_change(
            actor=authority,
            obligation=obligation,
            change=change_input(
                legality_review_on=None,
                collective_decision_on=D(2026, 7, 1),
                investor_notified_on=None,
                published_on=D(2026, 2, 1),
                compensation_amount=Decimal("-5"),
                investor_response="disputed",
            ),
        )
    assert set(refused.value.field_errors()) == {
        "legality_review_on",
        "collective_decision_on",
        "investor_notified_on",
        "published_on",
        "compensation_amount",
        "investor_response_note",
    }
    assert not ObligationChange.objects.exists()


def test_a_declared_breach_proposes_a_candidate_record_linked_both_ways(world: City) -> None:
    principal = make_person(world.agency_a, "王局长", is_principal=True)
    with at(D(2026, 4, 1)):
        agreement = make_agreement(world, responsible_person=world.person_a)
    obligation = first_obligation(agreement)
    with at(D(2026, 7, 10)):
        broken = obligation_break(
            actor=world.office_a, obligation=obligation, reason="区政府以领导调整为由拒绝交付用地。"
        )
    assert broken.status == ObligationStatus.BROKEN
    record = DishonestyRecord.objects.get()
    assert broken.breach_record == record
    assert record.status == RecordStatus.CANDIDATE
    assert record.source == RecordSource.BREACH_OF_CONTRACT
    assert record.sector == Sector.INVESTMENT
    assert record.origin_id == obligation.pk and record.origin_type.model == "investmentobligation"
    assert set(record.responsibilities.values_list("person_id", "kind")) == {
        (principal.pk, "principal"),
        (world.person_a.pk, "direct"),
    }
    assert record.deciding_agency == world.district_a
    assert PlatformChange.objects.filter(kind="investment_obligation").count() == 1
    with pytest.raises(DomainError):
        obligation_break(actor=world.office_a, obligation=broken, reason="再次认定")
    assert DishonestyRecord.objects.count() == 1


def test_fulfilment_needs_a_safe_evidence_file(world: City) -> None:
    with at(D(2026, 4, 1)):
        agreement = make_agreement(world)
    obligation = first_obligation(agreement)
    with at(D(2026, 6, 20)):
        with pytest.raises(DomainError) as refused:
            obligation_fulfil(
                actor=world.clerk_a,
                obligation=obligation,
                fulfilled_on=D(2026, 6, 19),
                note="",
                files=[SimpleUploadedFile("交付.pdf", b"<html><script>alert(1)</script>")],
            )
        assert set(refused.value.field_errors()) == {"note", "files"}
        assert not ObligationEvidence.objects.exists()
        done = obligation_fulfil(
            actor=world.clerk_a,
            obligation=obligation,
            fulfilled_on=D(2026, 6, 19),
            note="用地已交付，签署交地确认书。",
            files=[SimpleUploadedFile("交地确认书.pdf", PDF)],
        )
    assert done.status == ObligationStatus.FULFILLED
    assert done.evidence.get().original_name == "交地确认书.pdf"


def test_the_job_notices_reminds_and_breaks_once_each_however_often_it_runs(world: City, calendar: None) -> None:
    make_person(world.agency_a, "王局长", is_principal=True)
    with at(D(2026, 4, 1)):
        agreement = make_agreement(world)
    land, subsidy = agreement.obligations.order_by("due_on")
    with at(D(2026, 6, 5)):
        first, again = investment_obligations_watch(), investment_obligations_watch()
    assert (first.due_notices, again.due_notices) == (1, 0)
    with at(D(2026, 7, 1)):
        first, again = investment_obligations_watch(), investment_obligations_watch()
    assert (first.overdue, again.overdue) == (1, 0)
    land.refresh_from_db()
    assert (land.status, land.reminded_on) == (ObligationStatus.OVERDUE, D(2026, 7, 1))
    with at(D(2026, 7, 20)):  # 13 working days after the reminder: not yet
        assert investment_obligations_watch().breaches == 0
    with at(D(2026, 7, 29)):  # 20 working days after
        first, again = investment_obligations_watch(), investment_obligations_watch()
    assert (first.breaches, again.breaches) == (1, 0)
    land.refresh_from_db()
    subsidy.refresh_from_db()
    assert land.status == ObligationStatus.BROKEN and land.breach_record is not None
    assert land.breach_record.created_by.username != ""
    assert subsidy.status == ObligationStatus.PENDING
    events = list(InvestmentEvent.objects.filter(obligation=land).values_list("kind", flat=True))
    assert events == ["obligation_added", "due_notice", "overdue", "broken", "breach_proposed"]
    counts = (Notification.objects.count(), DishonestyRecord.objects.count(), PlatformChange.objects.count())
    with at(D(2026, 7, 30)):
        investment_obligations_watch()
    assert (Notification.objects.count(), DishonestyRecord.objects.count(), PlatformChange.objects.count()) == counts
