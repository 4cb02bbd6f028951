"""The life of a public commitment: entry, review, publication, progress, outcome, lawful change (docs/domain.md §6)."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from commitments.models import Commitment, CommitmentEvent, CommitmentStatus, ProgressEvidence, ProgressReport
from commitments.services import (
    COMMITMENT_KIND,
    LawfulChange,
    commitment_change,
    commitment_decide,
    commitment_mark_stalled,
    commitment_publish,
    commitment_report_progress,
    commitment_return,
    commitment_submit,
    commitment_update,
    commitment_withdraw,
    commitments_bulk,
)
from kernel.errors import DomainError, NotAllowed
from outbox.models import PlatformChange
from tests.conftest import City
from tests.factories import commitment_input, make_commitment, published_commitment

D = datetime.date
TODAY = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=datetime.UTC)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock() -> object:
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller


def events(commitment: Commitment) -> list[tuple[str, str, str]]:
    return [(e.kind, e.from_status, e.to_status) for e in CommitmentEvent.objects.filter(commitment=commitment)]


def test_the_whole_happy_path_writes_one_event_per_step_and_tells_the_platform(world: City) -> None:
    commitment = make_commitment(world.clerk_a, world.agency_a, responsible_person=world.person_a)
    assert commitment.code == f"CN2027-{commitment.pk:07d}"
    assert commitment.status == CommitmentStatus.DRAFT and commitment.sector == "other"
    commitment = commitment_submit(actor=world.reviewer_a, commitment=commitment)
    commitment = commitment_publish(actor=world.office_a, commitment=commitment)
    assert commitment.published_at is not None and commitment.version == 2
    commitment_report_progress(
        actor=world.clerk_a,
        commitment=commitment,
        reported_on=D(2026, 11, 1),
        percent=40,
        narrative="已完成流程再造。",
        files=[SimpleUploadedFile("进度.pdf", PDF, content_type="application/pdf")],
    )
    commitment.refresh_from_db()
    assert (commitment.status, commitment.progress_percent, commitment.last_progress_on) == (
        CommitmentStatus.IN_PROGRESS,
        40,
        D(2026, 11, 1),
    )
    commitment = commitment_decide(
        actor=world.office_a, commitment=commitment, outcome="kept", reason="抽查100件均按时办结"
    )
    assert events(commitment) == [
        ("created", "draft", "draft"),
        ("submitted", "draft", "submitted"),
        ("published", "submitted", "published"),
        ("resumed", "published", "in_progress"),
        ("progress", "in_progress", "in_progress"),
        ("decided", "in_progress", "kept"),
    ]
    changes = PlatformChange.objects.filter(kind=COMMITMENT_KIND, object_id=commitment.pk).order_by("version")
    assert [(c.version, c.change_type, c.payload["status"]) for c in changes] == [
        (2, "published", "published"),
        (3, "corrected", "kept"),
    ]
    assert changes[0].agency_id == world.agency_a.pk and changes[0].record_id is None
    assert ProgressEvidence.objects.get().report.commitment_id == commitment.pk


def test_an_outcome_is_revised_only_with_a_reason_and_its_history_is_kept(world: City) -> None:
    commitment = published_commitment(world)
    commitment = commitment_decide(actor=world.office_a, commitment=commitment, outcome="partly_kept", reason="完成80%")
    with pytest.raises(DomainError) as refused:
        commitment_decide(actor=world.office_a, commitment=commitment, outcome="kept", reason=" ")
    assert "reason" in refused.value.field_errors()
    commitment = commitment_decide(
        actor=world.office_a, commitment=commitment, outcome="kept", reason="补充材料证明已全部完成"
    )
    assert commitment.status == CommitmentStatus.KEPT
    assert events(commitment)[-2:] == [("decided", "published", "partly_kept"), ("revised", "partly_kept", "kept")]
    assert commitment.history.count() >= 3


@pytest.mark.parametrize(
    ("persona", "act"),
    [
        ("outsider", lambda w, c: commitment_submit(actor=w.outsider, commitment=c)),
        ("clerk_a", lambda w, c: commitment_submit(actor=w.clerk_a, commitment=c)),
        ("reviewer_a", lambda w, c: commitment_publish(actor=w.reviewer_a, commitment=c)),
        ("office_b", lambda w, c: commitment_publish(actor=w.office_b, commitment=c)),
        ("inspector_a", lambda w, c: commitment_publish(actor=w.inspector_a, commitment=c)),
        ("sector_a", lambda w, c: commitment_decide(actor=w.sector_a, commitment=c, outcome="kept", reason="x")),
    ],
)
def test_the_wrong_role_or_region_is_refused_and_nothing_moves(world: City, persona: str, act: object) -> None:
    commitment = make_commitment(world.clerk_a, world.agency_a)
    if persona in {"reviewer_a", "office_b", "inspector_a"}:
        commitment = commitment_submit(actor=world.reviewer_a, commitment=commitment)
    before = commitment.status
    with pytest.raises(NotAllowed):
        act(world, commitment)  # type: ignore[operator]
    commitment.refresh_from_db()
    assert commitment.status == before


def test_the_outsider_cannot_enter_for_another_agency(world: City) -> None:
    with pytest.raises(NotAllowed):
        make_commitment(world.outsider, world.agency_a)
    assert not Commitment.objects.exists()


def test_bad_input_names_every_field_at_once_in_chinese_and_writes_nothing(world: City) -> None:
    data = commitment_input(
        world.agency_a,
        title="",
        kind="town_service",
        service_area="",
        due_on=D(2026, 1, 1),
        promised_on=D(2026, 3, 1),
        recurring_standard="",
        counterparty_uscc="91110000XXXXXXXXXX",
        year=2031,
        responsible_person=world.person_b,
    )
    from commitments.services import commitment_create

    with pytest.raises(DomainError) as refused:
        commitment_create(actor=world.clerk_a, data=data)
    errors = refused.value.field_errors()
    assert set(errors) >= {
        "title",
        "service_area",
        "due_on",
        "target_value",
        "counterparty_uscc",
        "counterparty_name",
        "year",
        "responsible_person",
    }
    assert "截止" in " ".join(errors["due_on"]) or "到期" in " ".join(errors["due_on"])
    assert not Commitment.objects.exists()


def test_a_draft_is_edited_and_a_published_one_is_not(world: City) -> None:
    commitment = make_commitment(world.clerk_a, world.agency_a)
    data = commitment_input(world.agency_a, title="企业开办半日办结")
    commitment = commitment_update(actor=world.clerk_a, commitment=commitment, data=data)
    assert commitment.title == "企业开办半日办结"
    assert events(commitment)[-1][0] == "edited"
    commitment = commitment_publish(
        actor=world.office_a, commitment=commitment_submit(actor=world.reviewer_a, commitment=commitment)
    )
    with pytest.raises(DomainError):
        commitment_update(actor=world.clerk_a, commitment=commitment, data=commitment_input(world.agency_a))


def test_withdrawal_only_before_publication(world: City) -> None:
    draft = make_commitment(world.clerk_a, world.agency_a)
    withdrawn = commitment_withdraw(actor=world.clerk_a, commitment=draft, reason="重复录入")
    assert withdrawn.status == CommitmentStatus.WITHDRAWN
    published = published_commitment(world, title="另一项承诺")
    with pytest.raises(DomainError) as refused:
        commitment_withdraw(actor=world.clerk_a, commitment=published, reason="不想做了")
    assert refused.value.code == "illegal_transition"


def test_the_credit_office_returns_a_submission_with_a_reason(world: City) -> None:
    commitment = commitment_submit(actor=world.reviewer_a, commitment=make_commitment(world.clerk_a, world.agency_a))
    with pytest.raises(DomainError):
        commitment_return(actor=world.office_a, commitment=commitment, reason="")
    commitment = commitment_return(actor=world.office_a, commitment=commitment, reason="目标不可量化")
    assert commitment.status == CommitmentStatus.DRAFT
    assert events(commitment)[-1] == ("returned", "submitted", "draft")


def test_stalled_then_resumed_by_the_next_report(world: City) -> None:
    commitment = published_commitment(world)
    commitment = commitment_mark_stalled(actor=world.reviewer_a, commitment=commitment, reason="资金未到位")
    assert commitment.status == CommitmentStatus.STALLED
    commitment_report_progress(
        actor=world.clerk_a, commitment=commitment, reported_on=D(2026, 11, 2), percent=10, narrative="资金已到位"
    )
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.IN_PROGRESS


def test_a_bad_progress_report_names_every_problem_and_stores_nothing(world: City) -> None:
    commitment = published_commitment(world)
    with pytest.raises(DomainError) as refused:
        commitment_report_progress(
            actor=world.clerk_a,
            commitment=commitment,
            reported_on=D(2026, 12, 1),
            percent=140,
            narrative=" ",
            files=[SimpleUploadedFile("x.pdf", b"<html><script>alert(1)</script>", content_type="application/pdf")],
        )
    assert set(refused.value.field_errors()) == {"reported_on", "percent", "narrative", "files"}
    assert not ProgressReport.objects.exists() and not ProgressEvidence.objects.exists()


def test_progress_on_a_draft_or_decided_commitment_is_refused(world: City) -> None:
    draft = make_commitment(world.clerk_a, world.agency_a)
    with pytest.raises(DomainError):
        commitment_report_progress(
            actor=world.clerk_a, commitment=draft, reported_on=D(2026, 11, 1), percent=10, narrative="x"
        )
    with pytest.raises(NotAllowed):
        commitment_report_progress(
            actor=world.outsider, commitment=draft, reported_on=D(2026, 11, 1), percent=10, narrative="x"
        )


def test_a_lawful_change_records_ground_steps_and_compensation(world: City) -> None:
    commitment = published_commitment(world, counterparty_name="临江某某科技有限公司")
    bad = LawfulChange(
        ground="new_government",
        authority="",
        description="",
        legality_review_on=None,
        collective_decision_on=D(2026, 12, 30),
        published_on=None,
    )
    with pytest.raises(DomainError) as refused:
        commitment_change(actor=world.office_a, commitment=commitment, change=bad)
    assert set(refused.value.field_errors()) >= {
        "ground",
        "authority",
        "description",
        "legality_review_on",
        "collective_decision_on",
        "published_on",
        "counterparty_notified_on",
    }
    assert "政府换届" in " ".join(refused.value.field_errors()["ground"])
    good = LawfulChange(
        ground="public_interest",
        authority="临江市东城区人民政府",
        description="因地铁建设调整用地，承诺地块改为相邻地块。",
        legality_review_on=D(2026, 10, 10),
        collective_decision_on=D(2026, 10, 15),
        published_on=D(2026, 10, 20),
        counterparty_notified_on=D(2026, 10, 16),
        compensation_amount=Decimal("150000.00"),
    )
    commitment = commitment_change(actor=world.office_a, commitment=commitment, change=good)
    assert commitment.status == CommitmentStatus.CHANGED
    assert (commitment.change_ground, commitment.compensation_amount) == ("public_interest", Decimal("150000.00"))
    assert PlatformChange.objects.filter(kind=COMMITMENT_KIND, object_id=commitment.pk).count() == 2


def test_bulk_publish_moves_what_it_can_and_names_each_refusal(world: City) -> None:
    ready = [commitment_submit(actor=world.reviewer_a, commitment=make_commitment(world.clerk_a, world.agency_a))]
    draft = make_commitment(world.clerk_a, world.agency_a)
    done, refused = commitments_bulk(actor=world.office_a, commitments=[*ready, draft], action=commitment_publish)
    assert [c.pk for c in done] == [ready[0].pk]
    assert list(refused) == [draft.pk]
