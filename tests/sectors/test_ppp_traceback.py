"""Traceback (项目责任回溯): a breach of a PPP project dated D is attributed to whoever held the stage in force on D,
even after that person moved to another agency; stages move through the transition helper with event rows."""

import pytest
from django.contrib.contenttypes.models import ContentType

from kernel.errors import DomainError, NotAllowed
from records.models import RecordStatus
from sectors.models import PppBreach, PppProjectEvent, PppStageAssignment
from sectors.services.ppp import (
    person_agency_on,
    ppp_breach_propose,
    ppp_responsible_on,
    ppp_stage_advance,
    ppp_stage_assign,
    ppp_stage_hand_over,
    ppp_traceback,
)
from subjects.services import civil_servant_move
from tests.conftest import City
from tests.factories import make_agency, make_person
from tests.sectors.ppp_support import TODAY, D, at, make_project

pytestmark = pytest.mark.django_db


def executing_project(world: City) -> object:
    project = make_project(world.clerk_a, world.agency_a)
    for stage, day in (("preparation", D(2020, 9, 1)), ("procurement", D(2021, 1, 4)), ("execution", D(2021, 7, 1))):
        project = ppp_stage_advance(actor=world.clerk_a, project=project, to_stage=stage, on=day)
    return project


def test_each_stage_move_writes_its_event_and_date(world: City) -> None:
    with at(TODAY):
        project = executing_project(world)
    assert project.stage == "execution"
    assert (project.preparation_on, project.procurement_on, project.execution_on) == (
        D(2020, 9, 1),
        D(2021, 1, 4),
        D(2021, 7, 1),
    )
    moves = list(PppProjectEvent.objects.filter(project=project, kind="stage").values_list("from_stage", "to_stage"))
    assert moves == [("identification", "preparation"), ("preparation", "procurement"), ("procurement", "execution")]
    assert project.stage_on(D(2021, 3, 1)) == "procurement"
    assert project.stage_on(D(2019, 1, 1)) is None


def test_a_stage_cannot_be_skipped_or_dated_before_the_last(world: City) -> None:
    with at(TODAY):
        project = make_project(world.clerk_a, world.agency_a)
        with pytest.raises(DomainError) as skipped:
            ppp_stage_advance(actor=world.clerk_a, project=project, to_stage="execution", on=D(2021, 1, 1))
        assert skipped.value.code == "illegal_transition"
        with pytest.raises(DomainError) as early:
            ppp_stage_advance(actor=world.clerk_a, project=project, to_stage="preparation", on=D(2019, 1, 1))
        assert "不能早于" in early.value.field_errors()["on"][0]
    project.refresh_from_db()
    assert project.stage == "identification"
    assert not PppProjectEvent.objects.filter(project=project, kind="stage").exists()


def test_execution_needs_the_partner_and_the_signed_contract(world: City) -> None:
    with at(TODAY):
        project = make_project(world.clerk_a, world.agency_a, partner_name="", partner_uscc="", contract_signed_on=None)
        project = ppp_stage_advance(actor=world.clerk_a, project=project, to_stage="preparation", on=D(2020, 9, 1))
        project = ppp_stage_advance(actor=world.clerk_a, project=project, to_stage="procurement", on=D(2021, 1, 4))
        with pytest.raises(DomainError) as refused:
            ppp_stage_advance(actor=world.clerk_a, project=project, to_stage="execution", on=D(2021, 7, 1))
    assert set(refused.value.field_errors()) == {"partner_name", "contract_signed_on"}
    project.refresh_from_db()
    assert project.stage == "procurement"


def test_a_breach_goes_to_whoever_held_the_stage_on_its_date_even_after_a_move(world: City) -> None:
    other = make_agency("东城区发展和改革局", parent=world.district_a)
    successor = make_person(world.agency_a, "王芳")
    principal = make_person(world.agency_a, "赵局长", is_principal=True)
    with at(TODAY):
        project = executing_project(world)
        ppp_stage_assign(
            actor=world.clerk_a,
            project=project,
            stage="execution",
            agency=world.agency_a,
            person=world.person_a,
            starts_on=D(2021, 7, 1),
        )
        ppp_stage_hand_over(
            actor=world.clerk_a,
            project=project,
            stage="execution",
            agency=world.agency_a,
            person=successor,
            on=D(2024, 1, 2),
            note="移交2023年度绩效考核资料，2024年可用性付费待支付。",
        )
        # Years later the first holder works elsewhere (调动).
        civil_servant_move(actor=world.office_a, person=world.person_a, to_agency=other, moved_on=D(2024, 3, 1))
        breach = ppp_breach_propose(
            actor=world.office_a, project=project, occurred_on=D(2023, 5, 10), facts="未按合同约定移交项目用地。"
        )

    world.person_a.refresh_from_db()
    assert world.person_a.agency_id == other.pk
    assert person_agency_on(world.person_a, D(2023, 5, 10)) == world.agency_a.pk
    held = ppp_responsible_on(project, "execution", D(2023, 5, 10))
    assert held is not None and held.person_id == world.person_a.pk and held.ends_on == D(2024, 1, 1)
    assert held.handover_note.startswith("移交2023年度")
    assert ppp_responsible_on(project, "execution", D(2024, 6, 1)).person_id == successor.pk  # type: ignore[union-attr]
    assert ppp_traceback(project, D(2021, 3, 1)) == ("procurement", None)

    assert (breach.stage, breach.agency_id, breach.person_id) == ("execution", world.agency_a.pk, world.person_a.pk)
    record = breach.record
    assert record is not None and record.status == RecordStatus.CANDIDATE
    assert record.subject_agency_id == world.agency_a.pk
    assert record.source == "breach_of_contract" and record.sector == "ppp"
    assert {(r.person_id, r.kind) for r in record.responsibilities.all()} == {
        (world.person_a.pk, "direct"),
        (principal.pk, "principal"),
    }
    assert (record.origin_type, record.origin_id) == (ContentType.objects.get_for_model(PppBreach), breach.pk)
    assert "张伟" in record.facts
    assert PppProjectEvent.objects.filter(project=project, kind="breach").count() == 1


def test_a_later_breach_goes_to_the_successor(world: City) -> None:
    successor = make_person(world.agency_a, "王芳")
    with at(TODAY):
        project = executing_project(world)
        ppp_stage_assign(
            actor=world.clerk_a,
            project=project,
            stage="execution",
            agency=world.agency_a,
            person=world.person_a,
            starts_on=D(2021, 7, 1),
        )
        ppp_stage_hand_over(
            actor=world.clerk_a,
            project=project,
            stage="execution",
            agency=world.agency_a,
            person=successor,
            on=D(2024, 1, 2),
            note="交接",
        )
        breach = ppp_breach_propose(actor=world.office_a, project=project, occurred_on=D(2025, 2, 3), facts="拖延审批")
    assert breach.person_id == successor.pk


def test_a_handover_needs_its_note_and_a_holder_and_writes_nothing_when_refused(world: City) -> None:
    with at(TODAY):
        project = executing_project(world)
        with pytest.raises(DomainError) as nobody:
            ppp_stage_hand_over(
                actor=world.clerk_a,
                project=project,
                stage="execution",
                agency=world.agency_a,
                person=world.person_a,
                on=D(2022, 1, 1),
                note="交接",
            )
        ppp_stage_assign(
            actor=world.clerk_a,
            project=project,
            stage="execution",
            agency=world.agency_a,
            person=world.person_a,
            starts_on=D(2021, 7, 1),
        )
        with pytest.raises(DomainError) as no_note:
            ppp_stage_hand_over(
                actor=world.clerk_a,
                project=project,
                stage="execution",
                agency=world.agency_a,
                person=make_person(world.agency_a),
                on=D(2022, 1, 1),
                note=" ",
            )
        with pytest.raises(DomainError) as elsewhere:
            ppp_stage_assign(
                actor=world.clerk_a,
                project=project,
                stage="procurement",
                agency=world.agency_b,
                person=world.person_a,
                starts_on=D(2021, 1, 4),
            )
    assert "尚无" in str(nobody.value.message) or nobody.value.field == "stage"
    assert "交接说明" in no_note.value.field_errors()["note"][0]
    assert "person" in elsewhere.value.field_errors()
    assert PppStageAssignment.objects.filter(project=project).count() == 1


def test_the_outsider_may_neither_hand_over_nor_report_a_breach(world: City) -> None:
    with at(TODAY):
        project = executing_project(world)
        with pytest.raises(NotAllowed):
            ppp_stage_assign(
                actor=world.outsider,
                project=project,
                stage="execution",
                agency=world.agency_a,
                person=world.person_a,
                starts_on=D(2021, 7, 1),
            )
        with pytest.raises(NotAllowed):
            ppp_breach_propose(actor=world.outsider, project=project, occurred_on=D(2023, 5, 10), facts="x")
        with pytest.raises(NotAllowed):
            ppp_breach_propose(actor=world.clerk_a, project=project, occurred_on=D(2023, 5, 10), facts="x")
    assert not PppBreach.objects.exists()
