"""The scoping rules of accounts/scope.py, role by role, on the querysets every page and endpoint uses."""

import pytest

from accounts.models import Role
from accounts.scope import may_edit_people_of, may_manage_agencies_under
from subjects.models import Agency, AnnualAssessment, CivilServant
from subjects.services import assessment_record
from tests.conftest import City
from tests.factories import make_user


def names(queryset: object) -> set[str]:
    return {str(row) for row in queryset}  # type: ignore[attr-defined]


def test_a_clerk_and_a_reviewer_see_only_their_own_agency(world: City) -> None:
    for user in (world.clerk_a, world.reviewer_a):
        assert names(Agency.objects.visible_to(user)) == {"东城区财政局"}
        assert names(CivilServant.objects.visible_to(user)) == {"张伟"}


def test_the_credit_office_sees_its_whole_subtree_and_nothing_beside_it(world: City) -> None:
    assert names(Agency.objects.visible_to(world.office_a)) == {
        "临江市东城区人民政府",
        "东城区财政局",
        "东城区财政局国库支付中心",
    }
    assert names(CivilServant.objects.visible_to(world.office_a)) == {"张伟"}


def test_the_inspector_reads_its_region(world: City) -> None:
    assert world.agency_a in Agency.objects.visible_to(world.inspector_a)
    assert world.agency_b not in Agency.objects.visible_to(world.inspector_a)
    assert list(CivilServant.objects.visible_to(world.inspector_a)) == [world.person_a]


def test_a_sector_authority_sees_the_agencies_of_its_region_but_no_personal_files(world: City) -> None:
    assert world.agency_a in Agency.objects.visible_to(world.sector_a)
    assert world.agency_b not in Agency.objects.visible_to(world.sector_a)
    assert not CivilServant.objects.visible_to(world.sector_a).exists()


def test_the_administrator_sees_everything(world: City) -> None:
    assert Agency.objects.visible_to(world.admin).count() == Agency.objects.count()
    assert CivilServant.objects.visible_to(world.admin).count() == 2


def test_the_outsider_sees_nothing_of_agency_a(world: City) -> None:
    assert world.agency_a not in Agency.objects.visible_to(world.outsider)
    assert world.person_a not in CivilServant.objects.visible_to(world.outsider)


def test_anonymous_and_deactivated_users_see_nothing(world: City) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert not Agency.objects.visible_to(AnonymousUser()).exists()
    assert not Agency.objects.visible_to(None).exists()
    world.office_a.is_active = False
    assert not Agency.objects.visible_to(world.office_a).exists()


def test_integrity_files_follow_the_person_scope(world: City) -> None:
    assessment_record(actor=world.clerk_a, person=world.person_a, year=2024, result="competent")
    assert AnnualAssessment.objects.visible_to(world.office_a).count() == 1
    assert AnnualAssessment.objects.visible_to(world.outsider).count() == 0
    assert AnnualAssessment.objects.visible_to(world.sector_a).count() == 0


@pytest.mark.parametrize(
    ("persona", "own", "below", "other"),
    [
        ("clerk_a", True, False, False),
        ("reviewer_a", True, False, False),
        ("office_a", True, True, False),
        ("inspector_a", False, False, False),
        ("sector_a", False, False, False),
        ("admin", True, True, True),
        ("outsider", False, False, True),  # agency B is its own
    ],
)
def test_who_may_edit_people(world: City, persona: str, own: bool, below: bool, other: bool) -> None:
    user = getattr(world, persona)
    assert may_edit_people_of(user, world.agency_a) is own
    assert may_edit_people_of(user, world.unit_a) is below
    assert may_edit_people_of(user, world.agency_b) is other


def test_only_administrators_and_the_credit_office_manage_agencies(world: City) -> None:
    assert may_manage_agencies_under(world.admin, None)
    assert may_manage_agencies_under(world.office_a, world.agency_a)
    assert not may_manage_agencies_under(world.office_a, world.agency_b)
    assert not may_manage_agencies_under(world.office_a, None)
    assert not may_manage_agencies_under(world.clerk_a, world.agency_a)


def test_a_user_without_agency_who_is_not_administrator_sees_nothing(world: City) -> None:
    user = make_user(Role.INSPECTOR, world.agency_a)
    user.agency = None
    assert not Agency.objects.visible_to(user).exists()
