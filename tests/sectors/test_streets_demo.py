"""The demo city's honest street and town creation: one named, one in notice, one returned, one revoked."""

import pytest

from accounts.models import Role
from demo.streets import demo_streets, demo_streets_loaded
from outbox.models import PlatformChange
from sectors.models import CreationApplication
from sectors.services.streets import CREATION_KIND
from subjects.models import AgencyKind
from tests.conftest import City
from tests.factories import make_agency, make_user
from tests.sectors.streets_support import TODAY, at

pytestmark = pytest.mark.django_db


def test_the_demo_has_an_application_in_each_state(world: City) -> None:
    for name in ("东城区文昌街道办事处", "东城区望湖街道办事处", "东城区江滨街道办事处"):
        make_agency(name, parent=world.district_a, kind=AgencyKind.SUBDISTRICT)
    make_agency("东城区桃源镇人民政府", parent=world.district_a, kind=AgencyKind.TOWN)
    users = {
        "demo-admin": world.admin,
        "demo-office": world.office_a,
        "demo-city-office": make_user(Role.CREDIT_OFFICE, world.city, username="city-office"),
    }
    with at(TODAY):
        assert not demo_streets_loaded()
        loaded = demo_streets(users)
    assert demo_streets_loaded()
    assert set(loaded) == {"named", "notice", "returned", "revoked"}
    assert CreationApplication.objects.get(status="revoked").agency.kind == AgencyKind.TOWN
    assert PlatformChange.objects.filter(kind=CREATION_KIND).count() == 3  # two namings, one revocation


def test_the_scale_generator_writes_applications_in_every_status(db: None) -> None:
    import io

    from django.core.management import call_command

    call_command(
        "generate_scale", agencies=20, people=40, creation_applications=60, batch_size=25, stdout=io.StringIO()
    )
    assert CreationApplication.objects.count() == 60
    assert set(CreationApplication.objects.values_list("status", flat=True)) == {
        "district_review",
        "returned",
        "city_review",
        "rejected",
        "notice",
        "named",
        "revoked",
    }
