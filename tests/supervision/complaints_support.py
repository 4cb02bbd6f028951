"""Shared by the breach complaint tests: a fixed clock on a plain working week, valid inputs, filing helpers."""

import datetime
from typing import Any

import time_machine
from django.test import Client

from accounts.models import User
from subjects.codes import make_uscc
from subjects.models import Agency
from supervision.models.complaints import BreachComplaint
from supervision.services.complaints import ComplaintInput, complaint_file

# Monday 2 March 2026, 10:00 in Shanghai: no holiday within three weeks either way.
NOW = datetime.datetime(2026, 3, 2, 2, 0, tzinfo=datetime.UTC)
MONDAY = datetime.date(2026, 3, 2)
COMPANY_USCC = make_uscc("91330100MA27XK0Y5")


def at(day: datetime.date, hour: int = 10) -> Any:
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(hour - 8), tzinfo=datetime.UTC), tick=False)


def complaint_input(respondent: Agency, **overrides: Any) -> ComplaintInput:
    values: dict[str, Any] = {
        "channel": "site",
        "complainant_kind": "company",
        "complainant_name": "临江市启明科技有限公司",
        "complainant_uscc": COMPANY_USCC,
        "complainant_contact": "13912345678",
        "respondent": respondent,
        "category": "arrears",
        "amount": 380000,
        "facts": "2025年验收合格的信息化项目尾款38万元，合同约定验收后30日内支付，至今未付。",
    }
    values.update(overrides)
    return ComplaintInput(**values)


def filed(respondent: Agency, **overrides: Any) -> tuple[BreachComplaint, str]:
    return complaint_file(data=complaint_input(respondent, **overrides))


def form_data(about: Agency, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "complainant_kind": "company",
        "complainant_name": "临江市启明科技有限公司",
        "complainant_uscc": COMPANY_USCC,
        "complainant_contact": "13912345678",
        "complainant_email": "",
        "respondent": about.pk,
        "category": "arrears",
        "amount": "380000",
        "facts": "2025年验收合格的信息化项目尾款38万元，合同约定验收后30日内支付，至今未付。",
    }
    data.update(overrides)
    return data


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client
