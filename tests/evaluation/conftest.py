"""Fixtures of the evaluation tests: the default indicator set, this year's open year-end period, the city's office."""

import datetime
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Role, User
from evaluation.defaults import default_set
from evaluation.models import Half, Period
from evaluation.services.periods import period_create
from records.models import DishonestyRecord
from records.services import record_create, record_publish, record_submit
from tests.conftest import City
from tests.factories import make_user, record_input


@pytest.fixture
def period(world: City) -> Period:
    year = timezone.localdate().year
    return period_create(actor=None, year=year, half=Half.YEAR_END, indicator_set=default_set(year))


@pytest.fixture
def city_office(world: City) -> User:
    return make_user(Role.CREDIT_OFFICE, world.city, username="office-city")


def publish(world: City, **overrides: Any) -> DishonestyRecord:
    """A record about agency A entered by its clerk, submitted by its reviewer, published by district A's office."""
    overrides.setdefault("decision_date", timezone.localdate() - datetime.timedelta(days=10))
    record = record_create(actor=world.clerk_a, data=record_input(world.agency_a, **overrides))
    record = record_submit(actor=world.reviewer_a, record=record)
    return record_publish(actor=world.office_a, record=record)
