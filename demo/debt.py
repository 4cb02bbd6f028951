"""Local government debt of the demo city, through the services (`demo_debt`), and debt volumes for the scale
generator (`create_debt_rows`, bulk rows: load-test data, not business data).

The demo shows every state the sector asks for: a district in the green tier and one in the orange tier, five years
of limits and balances each (the chart), general and special bonds, a repayment paid on time and one long unpaid whose
candidate record the job proposes, a disclosure on time and one late."""

import datetime
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone

from accounts.models import User
from sectors.models import DebtBond, DebtDisclosureDeadline, DebtRegionYear, DebtRepayment
from sectors.services.debt import (
    debt_bond_create,
    debt_disclosure_record,
    debt_repayment_create,
    debt_repayments_watch,
    debt_year_publish,
    debt_year_save,
)
from subjects.models import Agency, AgencyKind

D = datetime.date
DEMO_BONDS = ("2105871", "2205872", "2005873")  # local-bond codes are 7 digits


def demo_debt_loaded() -> bool:
    return DebtBond.objects.filter(code__in=DEMO_BONDS).exists()


def _districts() -> tuple[Agency, Agency]:
    city = Agency.objects.filter(kind=AgencyKind.GOVERNMENT, parent__isnull=True).order_by("pk").first()
    assert city is not None
    first, second = Agency.objects.filter(kind=AgencyKind.GOVERNMENT, parent=city).order_by("pk")[:2]
    return first, second


def demo_debt(users: dict[str, User], today: datetime.date | None = None) -> dict[str, int]:
    """The demo city's debt (see the module's docstring); `users` are the demo users by username."""
    today = today or timezone.localdate()
    office = users["demo-city-office"]
    green, orange = _districts()
    last = today.year
    for offset in range(5):
        year = last - 4 + offset
        growth = Decimal(1 + offset) / 10
        for region, capacity, share in (
            (green, Decimal("850000"), Decimal("0.55")),
            (orange, Decimal("300000"), Decimal("2.2")),
        ):
            limit = (capacity * share * (1 + growth)).quantize(Decimal("1"))
            balance = (limit * Decimal("0.93")).quantize(Decimal("1"))
            row = debt_year_save(
                actor=office,
                values={
                    "region": region,
                    "year": year,
                    "limit_general": (limit * Decimal("0.6")).quantize(Decimal("1")),
                    "limit_special": limit - (limit * Decimal("0.6")).quantize(Decimal("1")),
                    "balance_general": (balance * Decimal("0.6")).quantize(Decimal("1")),
                    "balance_special": balance - (balance * Decimal("0.6")).quantize(Decimal("1")),
                    "fiscal_capacity": capacity * (1 + growth / 2),
                },
            )
            debt_year_publish(actor=office, row=row)
    general = debt_bond_create(
        actor=office,
        values={
            "region": green,
            "code": DEMO_BONDS[0],
            "kind": "general",
            "amount": Decimal("50000"),
            "issued_on": D(2021, 4, 15),
            "term_years": 10,
            "rate": Decimal("3.21"),
            "use_of_funds": "老旧小区改造、城市道路提升",
        },
    )
    special = debt_bond_create(
        actor=office,
        values={
            "region": green,
            "code": DEMO_BONDS[1],
            "kind": "special",
            "amount": Decimal("80000"),
            "issued_on": D(2022, 6, 20),
            "term_years": 15,
            "rate": Decimal("3.05"),
            "use_of_funds": "产业园区基础设施",
            "project": "东城智能制造产业园基础设施项目",
            "revenue_plan": "以园区厂房租金和配套服务收入还本付息，覆盖倍数1.32。",
        },
    )
    strained = debt_bond_create(
        actor=office,
        values={
            "region": orange,
            "code": DEMO_BONDS[2],
            "kind": "general",
            "amount": Decimal("60000"),
            "issued_on": D(2020, 9, 10),
            "term_years": 7,
            "rate": Decimal("3.40"),
            "use_of_funds": "学校和医院建设",
        },
    )
    paid_on = D(last, 4, 15) if D(last, 4, 15) <= today else D(last - 1, 4, 15)
    for bond, rate in ((general, Decimal("0.0321")), (special, Decimal("0.0305"))):
        debt_repayment_create(
            actor=office,
            values={
                "bond": bond,
                "kind": "interest",
                "due_on": paid_on,
                "amount_due": (bond.amount * rate).quantize(Decimal("0.01")),
                "paid_amount": (bond.amount * rate).quantize(Decimal("0.01")),
                "paid_on": paid_on,
            },
        )
    debt_repayment_create(
        actor=office,
        values={
            "bond": strained,
            "kind": "interest",
            "due_on": today - datetime.timedelta(days=75),
            "amount_due": Decimal("2040.00"),
        },
    )
    deadlines = {}
    for kind, year, due in (
        ("budget", last, D(last, 2, 20)),
        ("final_accounts", last - 1, D(last, 9, 20)),
        ("bond_information", last - 1, D(last, 6, 30)),
    ):
        deadlines[kind], _created = DebtDisclosureDeadline.objects.get_or_create(
            kind=kind, year=year, defaults={"due_on": due}
        )
    for deadline in deadlines.values():
        if deadline.due_on < today:
            debt_disclosure_record(actor=office, region=green, deadline=deadline, disclosed_on=deadline.due_on)
    budget = deadlines["budget"]
    if budget.due_on + datetime.timedelta(days=18) <= today:
        debt_disclosure_record(
            actor=office, region=orange, deadline=budget, disclosed_on=budget.due_on + datetime.timedelta(days=18)
        )
    run = debt_repayments_watch(today=today)
    return {
        "years": DebtRegionYear.objects.count(),
        "bonds": DebtBond.objects.count(),
        "late": run.marked_late,
        "candidates": run.breaches,
    }


def create_debt_rows(regions: list[Agency], *, bonds_per_region: int, seed: int = 7) -> dict[str, Any]:
    """Scale data: for each region ten years of figures, `bonds_per_region` bonds and two repayments each (bulk)."""
    rng = random.Random(seed)
    years, bonds, repayments = [], [], []
    for region in regions:
        for year in range(2017, 2027):
            limit = Decimal(rng.randint(100000, 900000))
            balance = (limit * Decimal(rng.randint(60, 99)) / 100).quantize(Decimal("1"))
            years.append(
                DebtRegionYear(
                    region=region,
                    year=year,
                    limit_general=limit,
                    limit_special=limit,
                    balance_general=balance,
                    balance_special=balance,
                    fiscal_capacity=Decimal(rng.randint(200000, 1200000)),
                    published_at=timezone.now(),
                )
            )
        for n in range(bonds_per_region):
            bonds.append(
                DebtBond(
                    region=region,
                    code=f"SCALE-{region.pk}-{n}",
                    kind="general",
                    amount=Decimal(rng.randint(1000, 90000)),
                    issued_on=D(2016 + n % 10, 1 + n % 12, 1),
                    term_years=10,
                    rate=Decimal("3.1"),
                    use_of_funds="规模测试",
                )
            )
    DebtRegionYear.objects.bulk_create(years, ignore_conflicts=True)
    created = DebtBond.objects.bulk_create(bonds, ignore_conflicts=True)
    for bond in DebtBond.objects.filter(code__startswith="SCALE-"):
        for offset in (1, 2):
            repayments.append(
                DebtRepayment(
                    bond=bond,
                    kind="interest",
                    due_on=bond.issued_on.replace(year=bond.issued_on.year + offset),
                    amount_due=(bond.amount * Decimal("0.031")).quantize(Decimal("0.01")),
                )
            )
    DebtRepayment.objects.bulk_create(repayments, ignore_conflicts=True)
    return {"years": len(years), "bonds": len(created), "repayments": len(repayments)}
