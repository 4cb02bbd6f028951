import datetime
from decimal import Decimal

import pytest

from kernel.errors import DomainError, NotAllowed
from subjects.integrity import EXCELLENT_RATING_CHECKS, register_excellent_rating_check
from subjects.models import (
    Agency,
    AgencyEvent,
    AgencyEventKind,
    AnnualAssessment,
    CivilServant,
    CivilServantMove,
)
from subjects.services import (
    agency_create,
    agency_merge,
    agency_move,
    agency_rename,
    agency_set_active,
    assessment_record,
    civil_servant_create,
    civil_servant_move,
    civil_servant_update,
    training_record,
)
from tests.conftest import City
from tests.factories import make_agency, next_id_number, next_uscc


def test_creating_an_agency_places_it_in_the_tree_with_an_event(world: City) -> None:
    agency = agency_create(
        actor=world.office_a,
        name="东城区生态环境局",
        kind="department",
        uscc=next_uscc(),
        region_code="330102",
        parent=world.district_a,
    )
    assert agency.path == f"{world.district_a.path}{agency.pk}/"
    assert agency in Agency.objects.subtree_of(world.district_a)
    event = AgencyEvent.objects.get(agency=agency)
    assert (event.kind, event.actor, event.to_value) == (AgencyEventKind.CREATED, world.office_a, "东城区生态环境局")


def test_an_agency_code_is_unique_and_checked(world: City) -> None:
    with pytest.raises(DomainError) as caught:
        agency_create(
            actor=world.admin,
            name="重复",
            kind="department",
            uscc=world.agency_a.uscc,
            region_code="330102",
            parent=None,
        )
    assert caught.value.field == "uscc"
    with pytest.raises(DomainError) as caught:
        agency_create(
            actor=world.admin,
            name="错码",
            kind="department",
            uscc="11100000000013127E",
            region_code="330102",
            parent=None,
        )
    assert caught.value.field == "uscc"
    assert not Agency.objects.filter(name__in=["重复", "错码"]).exists()


def test_the_credit_office_cannot_add_agencies_outside_its_region(world: City) -> None:
    with pytest.raises(NotAllowed):
        agency_create(
            actor=world.office_a,
            name="西城区某局",
            kind="department",
            uscc=next_uscc(),
            region_code="330106",
            parent=world.district_b,
        )
    with pytest.raises(NotAllowed):
        agency_create(
            actor=world.clerk_a,
            name="科室",
            kind="department",
            uscc=next_uscc(),
            region_code="330102",
            parent=world.agency_a,
        )


def test_moving_an_agency_moves_its_whole_subtree(world: City) -> None:
    agency_move(actor=world.admin, agency=world.agency_a, new_parent=world.district_b, reason="划转")
    world.unit_a.refresh_from_db()
    world.agency_a.refresh_from_db()
    assert world.agency_a.parent == world.district_b
    assert world.unit_a.path == f"{world.district_b.path}{world.agency_a.pk}/{world.unit_a.pk}/"
    assert set(Agency.objects.subtree_of(world.district_b)) >= {world.agency_a, world.unit_a}
    assert world.unit_a not in Agency.objects.subtree_of(world.district_a)
    assert AgencyEvent.objects.filter(agency=world.agency_a, kind=AgencyEventKind.MOVED).count() == 1


def test_an_agency_cannot_move_under_its_own_unit(world: City) -> None:
    with pytest.raises(DomainError):
        agency_move(actor=world.admin, agency=world.agency_a, new_parent=world.unit_a, reason="")
    world.agency_a.refresh_from_db()
    assert world.agency_a.parent == world.district_a


def test_renaming_keeps_the_old_name_in_the_event_and_history(world: City) -> None:
    agency_rename(actor=world.office_a, agency=world.agency_a, name="东城区财政局（国资委）", reason="机构改革")
    event = AgencyEvent.objects.get(agency=world.agency_a, kind=AgencyEventKind.RENAMED)
    assert (event.from_value, event.to_value, event.reason) == ("东城区财政局", "东城区财政局（国资委）", "机构改革")
    assert [h.name for h in world.agency_a.history.order_by("history_date")] == [
        "东城区财政局",
        "东城区财政局（国资委）",
    ]


def test_a_merged_agency_hands_its_lineage_to_the_successor(world: City) -> None:
    new = make_agency("东城区财政和国资局", parent=world.district_a)
    agency_merge(actor=world.office_a, agency=world.agency_a, successor=new, reason="东编〔2026〕3号")
    world.agency_a.refresh_from_db()
    assert world.agency_a.active is False and world.agency_a.successor == new
    assert new.lineage() == [world.agency_a, new]
    with pytest.raises(DomainError):
        agency_merge(actor=world.office_a, agency=new, successor=world.agency_a, reason="循环")


def test_a_merge_needs_its_reform_decision(world: City) -> None:
    new = make_agency("新局", parent=world.district_a)
    with pytest.raises(DomainError) as caught:
        agency_merge(actor=world.office_a, agency=world.agency_a, successor=new, reason=" ")
    assert caught.value.field == "reason"


def test_deactivating_writes_one_event_and_is_idempotent(world: City) -> None:
    agency_set_active(actor=world.admin, agency=world.unit_a, active=False, reason="撤销")
    agency_set_active(actor=world.admin, agency=world.unit_a, active=False, reason="撤销")
    assert AgencyEvent.objects.filter(agency=world.unit_a, kind=AgencyEventKind.DEACTIVATED).count() == 1


def test_a_clerk_registers_and_edits_people_of_its_own_agency_only(world: City) -> None:
    person = civil_servant_create(actor=world.clerk_a, name="王芳", id_number=next_id_number(), agency=world.agency_a)
    civil_servant_update(
        actor=world.clerk_a, person=person, name="王芳", position="副科长", rank="二级主任科员", is_principal=False
    )
    assert CivilServant.objects.get(pk=person.pk).position == "副科长"
    with pytest.raises(NotAllowed):
        civil_servant_create(actor=world.clerk_a, name="赵强", id_number=next_id_number(), agency=world.agency_b)
    with pytest.raises(NotAllowed):
        civil_servant_update(actor=world.outsider, person=person, name="x", position="", rank="", is_principal=False)


def test_a_bad_id_number_is_refused_on_its_field(world: City) -> None:
    with pytest.raises(DomainError) as caught:
        civil_servant_create(actor=world.clerk_a, name="王芳", id_number="330102198503121301", agency=world.agency_a)
    assert caught.value.field == "id_number"


def test_a_move_is_kept_in_the_posting_history(world: City) -> None:
    move = civil_servant_move(
        actor=world.office_a,
        person=world.person_a,
        to_agency=world.unit_a,
        moved_on=datetime.date(2026, 3, 1),
        reason="轮岗",
    )
    world.person_a.refresh_from_db()
    assert world.person_a.agency == world.unit_a
    assert (move.from_agency, move.to_agency) == (world.agency_a, world.unit_a)
    assert list(CivilServantMove.objects.filter(person=world.person_a)) == [move]


def test_a_clerk_cannot_move_people_out_of_its_reach(world: City) -> None:
    with pytest.raises(NotAllowed):
        civil_servant_move(
            actor=world.clerk_a, person=world.person_a, to_agency=world.agency_b, moved_on=datetime.date(2026, 3, 1)
        )
    world.person_a.refresh_from_db()
    assert world.person_a.agency == world.agency_a


def test_one_assessment_per_person_and_year(world: City) -> None:
    assessment_record(actor=world.clerk_a, person=world.person_a, year=2024, result="excellent")
    with pytest.raises(DomainError) as caught:
        assessment_record(actor=world.clerk_a, person=world.person_a, year=2024, result="competent")
    assert caught.value.field == "year"
    assert AnnualAssessment.objects.get(person=world.person_a, year=2024).result == "excellent"


def test_an_excellent_rating_is_refused_when_a_registered_check_objects(world: City) -> None:
    # The records app registers the real check (a dishonesty record that year); the hook is what is tested here.
    def no_excellent_in_2025(person: CivilServant, year: int) -> str | None:
        return "有失信记录" if year == 2025 and person.pk == world.person_a.pk else None

    register_excellent_rating_check(no_excellent_in_2025)
    try:
        with pytest.raises(DomainError) as caught:
            assessment_record(actor=world.clerk_a, person=world.person_a, year=2025, result="excellent")
        assert caught.value.code == "excellent_blocked"
        assessment_record(actor=world.clerk_a, person=world.person_a, year=2025, result="competent")
        assessment_record(actor=world.clerk_a, person=world.person_a, year=2024, result="excellent")
    finally:
        EXCELLENT_RATING_CHECKS.remove(no_excellent_in_2025)
    assert AnnualAssessment.objects.filter(person=world.person_a).count() == 2


def test_training_hours_must_be_positive(world: City) -> None:
    with pytest.raises(DomainError) as caught:
        training_record(
            actor=world.clerk_a,
            person=world.person_a,
            title="诚信教育",
            hours=Decimal(0),
            attended_on=datetime.date(2026, 5, 1),
        )
    assert caught.value.field == "hours"


def test_nobody_moves_to_an_inactive_agency(world: City) -> None:
    agency_set_active(actor=world.admin, agency=world.unit_a, active=False, reason="撤销")
    with pytest.raises(DomainError) as caught:
        civil_servant_move(
            actor=world.office_a, person=world.person_a, to_agency=world.unit_a, moved_on=datetime.date(2026, 3, 1)
        )
    assert caught.value.field == "to_agency"


def test_a_person_leaves_the_active_list_with_a_reason_kept_in_history(world: City) -> None:
    from subjects.services import civil_servant_set_active

    with pytest.raises(DomainError):
        civil_servant_set_active(actor=world.clerk_a, person=world.person_a, active=False, reason="")
    civil_servant_set_active(actor=world.clerk_a, person=world.person_a, active=False, reason="退休")
    world.person_a.refresh_from_db()
    assert world.person_a.active is False
    assert world.person_a.history.latest().history_change_reason == "退休"
    with pytest.raises(NotAllowed):
        civil_servant_set_active(actor=world.outsider, person=world.person_a, active=True, reason="x")


def test_reports_and_trainings_refuse_empty_or_impossible_values(world: City) -> None:
    from subjects.services import matters_report_record

    with pytest.raises(DomainError) as caught:
        training_record(
            actor=world.clerk_a,
            person=world.person_a,
            title=" ",
            hours=Decimal(2),
            attended_on=datetime.date(2026, 5, 1),
        )
    assert caught.value.field == "title"
    with pytest.raises(DomainError) as caught:
        matters_report_record(
            actor=world.clerk_a,
            person=world.person_a,
            year=3000,
            reported_on=datetime.date(2026, 1, 10),
            summary="房产变动",
        )
    assert caught.value.field == "year"
