"""Named personas shared by every test.

The city has two districts. Agency A (财政局) sits in district A, agency B in district B.
- clerk_a, reviewer_a: agency A's own staff;
- office_a: the credit office of district A (sees district A's whole subtree), inspector_a likewise, read-only;
- sector_a: district A's procurement authority;
- admin: the administrator;
- outsider: a clerk of agency B in district B, who must see nothing of A's.

A test that needs real transactions (threads, live server, workers) is marked
`@pytest.mark.django_db(transaction=True, serialized_rollback=True)`: the flush after a transactional test would
otherwise wipe the migrations' seed data (disclosure rules, measures) for every test after it.
"""

import datetime
import os
from dataclasses import dataclass

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.cache import cache
from django.utils import translation

from accounts.models import Role, Sector, User
from subjects.models import Agency, AgencyKind, CivilServant
from tests.factories import make_agency, make_person, make_user

# The `page` fixture of the browser tests (headless Chromium).
pytest_plugins = ["tests.browser_support"]

PASSWORD = "correct-horse-battery-9"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--today",
        default=os.environ.get("TEST_TODAY", ""),
        help="Run the whole suite as if today were this date (YYYY-MM-DD; also TEST_TODAY, `make test TODAY=…`). "
        "The clock keeps ticking from there; tests that fix their own clock still do.",
    )


def pytest_configure(config: pytest.Config) -> None:
    today = config.getoption("--today")
    if today:
        day = datetime.date.fromisoformat(today)
        now = datetime.datetime.now(datetime.UTC)
        traveller = time_machine.travel(datetime.datetime.combine(day, now.time(), tzinfo=datetime.UTC), tick=True)
        traveller.start()
        config.add_cleanup(traveller.stop)


def pytest_report_header(config: pytest.Config) -> str:
    return f"today: {datetime.date.today().isoformat()}" + (
        " (moved with --today)" if config.getoption("--today") else ""
    )


@dataclass
class City:
    city: Agency
    district_a: Agency
    agency_a: Agency
    unit_a: Agency  # a sub-unit below agency A
    district_b: Agency
    agency_b: Agency
    person_a: CivilServant
    person_b: CivilServant
    clerk_a: User
    reviewer_a: User
    office_a: User
    inspector_a: User
    sector_a: User
    admin: User
    outsider: User
    office_b: User


@pytest.fixture(autouse=True)
def _fast_hashing_and_clean_cache(settings: object) -> None:
    # Argon2 is what production uses (tests/accounts/test_security.py checks); tests need thousands of logins.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]
    cache.clear()
    # A request through the test client leaves its language active in the thread: every test starts in the
    # product's default language, so a message read outside a request does not depend on the test before.
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture
def world(db: None) -> City:
    city = make_agency("临江市人民政府", kind=AgencyKind.GOVERNMENT)
    district_a = make_agency("临江市东城区人民政府", parent=city, kind=AgencyKind.GOVERNMENT)
    agency_a = make_agency("东城区财政局", parent=district_a)
    unit_a = make_agency("东城区财政局国库支付中心", parent=agency_a, kind=AgencyKind.PUBLIC_INSTITUTION)
    district_b = make_agency("临江市西城区人民政府", parent=city, kind=AgencyKind.GOVERNMENT)
    agency_b = make_agency("西城区财政局", parent=district_b)
    return City(
        city=city,
        district_a=district_a,
        agency_a=agency_a,
        unit_a=unit_a,
        district_b=district_b,
        agency_b=agency_b,
        person_a=make_person(agency_a, "张伟", id_number="33010219850312148X"),
        person_b=make_person(agency_b, "李娜"),
        clerk_a=make_user(Role.CLERK, agency_a, username="clerk-a"),
        reviewer_a=make_user(Role.REVIEWER, agency_a, username="reviewer-a"),
        office_a=make_user(Role.CREDIT_OFFICE, district_a, username="office-a"),
        inspector_a=make_user(Role.INSPECTOR, district_a, username="inspector-a"),
        sector_a=make_user(Role.SECTOR_AUTHORITY, district_a, username="sector-a", sector=Sector.PROCUREMENT),
        admin=make_user(Role.ADMINISTRATOR, None, username="admin"),
        outsider=make_user(Role.CLERK, agency_b, username="outsider"),
        office_b=make_user(Role.CREDIT_OFFICE, district_b, username="office-b"),
    )
