"""Factories of the PPP tests: a project of agency A entered by its clerk, well before the clock the tests fix."""

import datetime
from decimal import Decimal
from typing import Any

import time_machine

from accounts.models import Role, Sector, User
from sectors.models import PppProject
from sectors.services.ppp import PppProjectInput, ppp_project_create
from subjects.models import Agency
from tests.factories import make_user, next_uscc

D = datetime.date
TODAY = D(2026, 11, 2)


def at(day: datetime.date) -> time_machine.travel:
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(6, 30), tzinfo=datetime.UTC), tick=False)


def project_input(agency: Agency, **overrides: Any) -> PppProjectInput:
    values: dict[str, Any] = {
        "agency": agency,
        "name": "城东污水处理厂PPP项目",
        "industry": "water",
        "mode": "bot",
        "return_mechanism": "viability_gap",
        "regime": "legacy",
        "term_years": 25,
        "total_investment": Decimal("48000.00"),
        "identification_on": D(2020, 3, 2),
        "partner_name": "临江水务投资有限公司",
        "partner_uscc": next_uscc("91", "330100"),
        "company_name": "临江城东水务有限公司",
        "company_uscc": next_uscc("91", "330100"),
        "contract_signed_on": D(2021, 6, 30),
        "contract_summary": "合作期25年，政府按绩效支付可行性缺口补助。",
    }
    values.update(overrides)
    return PppProjectInput(**values)


def make_project(actor: User, agency: Agency, **overrides: Any) -> PppProject:
    return ppp_project_create(actor=actor, data=project_input(agency, **overrides))


def ppp_authority(agency: Agency) -> User:
    return make_user(Role.SECTOR_AUTHORITY, agency, sector=Sector.PPP)
