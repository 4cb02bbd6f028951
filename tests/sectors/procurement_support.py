"""Shared helpers of the procurement tests: a contract and its instalments, entered through the services."""

import datetime
from decimal import Decimal
from typing import Any

import time_machine

from accounts.models import User
from sectors.models import Contract, PaymentObligation
from sectors.services.procurement import ContractInput, ObligationInput, contract_create, obligation_add
from subjects.models import Agency
from tests.factories import next_uscc

D = datetime.date


def at(day: datetime.date) -> time_machine.travel:
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=datetime.UTC), tick=False)


def contract_input(agency: Agency, **overrides: Any) -> ContractInput:
    values: dict[str, Any] = {
        "agency": agency,
        "number": f"CG-{next_uscc()[-6:]}",
        "supplier_name": "临江市小微科技有限公司",
        "supplier_uscc": next_uscc("91"),
        "supplier_size": "small",
        "subject": "办公设备采购",
        "amount": Decimal("100000.00"),
        "signed_on": D(2026, 5, 1),
    }
    values.update(overrides)
    return ContractInput(**values)


def make_contract(actor: User, agency: Agency, **overrides: Any) -> Contract:
    return contract_create(actor=actor, data=contract_input(agency, **overrides))


def add_obligation(actor: User, contract: Contract, **overrides: Any) -> PaymentObligation:
    values: dict[str, Any] = {"label": "首期款", "amount": Decimal("10000.00"), "delivered_on": D(2026, 6, 1)}
    values.update(overrides)
    return obligation_add(actor=actor, contract=contract, data=ObligationInput(**values))
