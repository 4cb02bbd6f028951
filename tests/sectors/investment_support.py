"""Factories for the investment-promotion tests: a valid agreement of agency A, its obligations, a lawful change."""

import datetime
from decimal import Decimal
from typing import Any

from accounts.models import Role, Sector, User
from sectors.models import InvestmentAgreement
from sectors.services.investment import AgreementInput, ObligationChangeInput, ObligationInput, agreement_create
from subjects.models import Agency
from tests.conftest import City
from tests.factories import make_user, next_uscc

D = datetime.date
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def investment_authority(world: City) -> User:
    return make_user(Role.SECTOR_AUTHORITY, world.district_a, username="invest-a", sector=Sector.INVESTMENT)


def agreement_input(agency: Agency, **overrides: Any) -> AgreementInput:
    values: dict[str, Any] = {
        "agency": agency,
        "number": "东招协〔2026〕8号",
        "investor_name": "临江新能源科技有限公司",
        "investor_uscc": next_uscc("91"),
        "signed_on": D(2026, 3, 1),
        "project": "新能源电池生产基地",
        "total_investment": Decimal("500000000.00"),
        "summary": "投资方在东城区建设电池生产基地，区政府提供用地保障和设备补贴。",
        "secret_terms": "设备补贴按投资额的百分之五分期兑付。",
    }
    values.update(overrides)
    return AgreementInput(**values)


def obligation_inputs() -> list[ObligationInput]:
    return [
        ObligationInput(description="交付项目建设用地", due_on=D(2026, 6, 30)),
        ObligationInput(description="兑付设备补贴首期", due_on=D(2026, 12, 31), amount=Decimal("5000000.00")),
    ]


def make_agreement(world: City, **overrides: Any) -> InvestmentAgreement:
    return agreement_create(
        actor=world.clerk_a, data=agreement_input(world.agency_a, **overrides), obligations=obligation_inputs()
    )


def change_input(**overrides: Any) -> ObligationChangeInput:
    values: dict[str, Any] = {
        "ground": "public_interest",
        "authority": "临江市东城区人民政府",
        "decision_number": "东政决〔2026〕3号",
        "description": "因地铁线路规划调整，原定用地改为相邻地块，交付期限顺延三个月。",
        "legality_review_on": D(2026, 5, 10),
        "collective_decision_on": D(2026, 5, 20),
        "investor_notified_on": D(2026, 5, 22),
        "published_on": D(2026, 5, 25),
        "investor_response": "accepted",
        "compensation_amount": Decimal("300000.00"),
        "new_due_on": D(2026, 9, 30),
    }
    values.update(overrides)
    return ObligationChangeInput(**values)
