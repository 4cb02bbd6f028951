"""Helpers of the debt tests: a region's year, a bond, a repayment, through the services."""

import datetime
from decimal import Decimal
from typing import Any

from accounts.models import User
from sectors.models import DebtBond, DebtRegionYear, DebtRepayment
from sectors.services.debt import debt_bond_create, debt_repayment_create, debt_year_save
from subjects.models import Agency

TODAY = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=datetime.UTC)
D = datetime.date


def year_values(region: Agency, year: int = 2026, **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "region": region,
        "year": year,
        "limit_general": Decimal("600"),
        "limit_special": Decimal("400"),
        "balance_general": Decimal("500"),
        "balance_special": Decimal("300"),
        "fiscal_capacity": Decimal("1000"),
    }
    values.update(changes)
    return values


def make_year(actor: User, region: Agency, year: int = 2026, **changes: Any) -> DebtRegionYear:
    return debt_year_save(actor=actor, values=year_values(region, year, **changes))


def bond_values(region: Agency, code: str = "2101001", **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "region": region,
        "code": code,
        "kind": "general",
        "amount": Decimal("100"),
        "issued_on": D(2021, 3, 1),
        "term_years": 10,
        "rate": Decimal("3.25"),
        "use_of_funds": "城市道路改造",
        "project": "",
        "revenue_plan": "",
    }
    values.update(changes)
    return values


def make_bond(actor: User, region: Agency, code: str = "2101001", **changes: Any) -> DebtBond:
    return debt_bond_create(actor=actor, values=bond_values(region, code, **changes))


def make_repayment(actor: User, bond: DebtBond, **changes: Any) -> DebtRepayment:
    values: dict[str, Any] = {
        "bond": bond,
        "kind": "interest",
        "due_on": D(2026, 3, 1),
        "amount_due": Decimal("3.25"),
        "paid_amount": None,
        "paid_on": None,
    }
    values.update(changes)
    return debt_repayment_create(actor=actor, values=values)
