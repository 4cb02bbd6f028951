"""The demo city's procurement contracts and SME payments, written through the services, in every state the issue
names: paid on time, overdue with interest accruing, paid late in part, disputed in part, awaiting acceptance, a term
over the SME limit flagged, a large enterprise's longer term, one long overdue payment turned into a breach candidate,
a yearly statement published, a supplier evaluated and a supplier on the blacklist."""

import datetime
import random
from collections import Counter
from decimal import Decimal
from functools import cache
from typing import Any

from django.utils import timezone

from accounts.models import User
from sectors.models import Contract, PaymentObligation
from sectors.rules.procurement import DueDate, applied_daily_rate, legal_due_date
from sectors.services.procurement import (
    BanInput,
    ContractInput,
    EvaluationInput,
    ObligationInput,
    acceptance_record,
    contract_create,
    disclosure_generate,
    disclosure_publish,
    evaluation_record,
    obligation_add,
    obligation_dispute,
    payment_record,
    procurement_overdue_recompute,
    procurement_overdue_run,
    supplier_ban_create,
)
from subjects.codes import make_uscc
from subjects.models import Agency, AgencyKind, CivilServant
from workcalendar.workdays import is_working_day

DEMO_NUMBER_PREFIX = "临采"
FINANCE_BUREAU = "东城区财政局"
DISTRICT = "临江市东城区人民政府"
DAY = datetime.timedelta(days=1)
SUPPLIER_NAMES = ["启航", "恒信", "清源", "博远", "绿洲", "同舟", "明德", "华安"]


def procurement_loaded() -> bool:
    return Contract.objects.filter(number__startswith=DEMO_NUMBER_PREFIX).exists()


def _supplier(n: int) -> str:
    return make_uscc(f"91330102MA2{n:06d}")


def demo_procurement(*, today: datetime.date | None = None) -> Counter[str]:
    """Contracts of the East district's agencies with their payments, relative to `today`."""
    today = today or datetime.date.today()
    office = User.objects.get(username="demo-office")
    reviewer = User.objects.get(username="demo-reviewer")
    bureau = Agency.objects.get(name=FINANCE_BUREAU)
    district = Agency.objects.get(name__endswith=DISTRICT)
    others = list(
        Agency.objects.filter(path__startswith=district.path, kind=AgencyKind.DEPARTMENT)
        .exclude(pk=bureau.pk)
        .order_by("path")[:3]
    )
    buyers = [bureau, *others]
    counts: Counter[str] = Counter()
    serial = iter(range(1, 1000))

    def contract(agency: Agency, **values: Any) -> Contract:
        n = next(serial)
        person = CivilServant.objects.filter(agency=agency, active=True, is_principal=False).order_by("pk").first()
        data: dict[str, Any] = {
            "agency": agency,
            "number": f"{DEMO_NUMBER_PREFIX}{today.year}-{n:03d}",
            "supplier_name": f"临江{SUPPLIER_NAMES[n % len(SUPPLIER_NAMES)]}科技有限公司",
            "supplier_uscc": _supplier(n),
            "supplier_size": "small",
            "subject": ["办公设备", "物业服务", "信息化运维", "绿化养护", "印刷服务", "会议服务"][n % 6],
            "amount": Decimal("120000.00"),
            "signed_on": today - 240 * DAY,
            "responsible_person": person,
        }
        data.update(values)
        counts["contracts"] += 1
        return contract_create(actor=office, data=ContractInput(**data))

    def owe(on: Contract, label: str, amount: str, delivered: datetime.date, **values: Any) -> PaymentObligation:
        counts["obligations"] += 1
        data = ObligationInput(label=label, amount=Decimal(amount), delivered_on=delivered, **values)
        return obligation_add(actor=office, contract=on, data=data)

    # Paid on time.
    paid = contract(bureau, supplier_size="micro")
    first = owe(paid, "首期款", "40000", today - 200 * DAY)
    payment_record(actor=office, obligation=first, paid_on=today - 185 * DAY, amount=Decimal("40000"))
    evaluation_record(
        actor=office,
        contract=paid,
        data=EvaluationInput(evaluated_on=today - 180 * DAY, score=92, grade="excellent", note="按期履约"),
    )
    # Overdue a long time: reminded by the job as it ran 60 days ago, then a breach candidate today, the deadline
    # after the reminder having passed.
    late = contract(bureau)
    owe(late, "进度款", "60000", today - 150 * DAY)
    procurement_overdue_run(today=today - 60 * DAY)
    # Overdue, interest accruing; a second instalment paid late in part.
    for agency in buyers[1:] or [bureau]:
        partly = contract(agency, supplier_size="medium")
        owe(partly, "首期款", "30000", today - 75 * DAY)
        second = owe(partly, "二期款", "50000", today - 110 * DAY)
        payment_record(actor=office, obligation=second, paid_on=today - 40 * DAY, amount=Decimal("20000"))
    # Disputed in part: the undisputed part is still overdue.
    disputed = contract(bureau, supplier_size="small")
    part = owe(disputed, "验收款", "45000", today - 90 * DAY)
    obligation_dispute(actor=office, obligation=part, disputed_amount=Decimal("15000"), note="部分设备型号与合同不符")
    # Awaiting acceptance, which conditions payment; one acceptance failed.
    waiting = contract(bureau, acceptance_conditions_payment=True)
    pending = owe(waiting, "终验款", "80000", today - 20 * DAY)
    acceptance_record(actor=office, obligation=pending, inspected_on=today - 10 * DAY, passed=False, note="整改后复验")
    # A term over the SME limit: flagged, 60 days apply.
    long_term = contract(buyers[-1], agreed_term_days=90)
    owe(long_term, "首期款", "25000", today - 70 * DAY)
    # A large enterprise's longer agreed term stands.
    large = contract(bureau, supplier_size="large", agreed_term_days=90, amount=Decimal("900000.00"))
    owe(large, "首期款", "300000", today - 70 * DAY)

    # Today's run: reminders of the payments overdue since, the breach candidate of the long overdue one.
    run = procurement_overdue_run(today=today)
    counts["breach candidates"] += run.breaches

    # Last year's statement: a payment overdue at the year's end, paid since.
    year_end = datetime.date(today.year - 1, 12, 31)
    old = contract(bureau, signed_on=year_end - 90 * DAY)
    stale = owe(old, "尾款", "18000", year_end - 58 * DAY)
    payment_record(actor=office, obligation=stale, paid_on=min(today, year_end + 10 * DAY), amount=Decimal("18000"))
    statement = disclosure_generate(actor=reviewer, agency=bureau, year=today.year - 1)
    disclosure_publish(actor=reviewer, disclosure=statement)
    counts["statements"] += 1

    supplier_ban_create(
        actor=office,
        data=BanInput(
            decided_by=bureau,
            supplier_name="临江速达商贸有限公司",
            supplier_uscc=_supplier(999),
            document_number=f"东财采处〔{today.year}〕3号",
            facts="在政府采购活动中提供虚假材料谋取中标。",
            basis="《中华人民共和国政府采购法》第七十七条",
            years=2,
            starts_on=today - 30 * DAY,
        ),
    )
    counts["bans"] += 1
    return counts


# Scale (manage.py generate_scale --contracts N --obligations M) -----------------------------------------------------


def create_procurement(
    *, root: Agency, user: User, prefix: str, contracts: int, obligations: int, batch_size: int, seed: int = 14
) -> int:
    """`contracts` contracts of the agencies under `root` with `obligations` payment obligations spread over them:
    four in five to SMEs, delivered over the last 400 days, one in three paid in full, one in ten in part; terms
    silent, 30, 45, 90 (over the SME limit) or acceptance-conditioned. Written with bulk_create (no events: load-test
    data), then brought up to date by the overdue job's set-based recompute, as the daily job would. Returns the rows
    written."""
    rng = random.Random(seed)
    today = timezone.localdate()
    agency_ids = list(Agency.objects.filter(path__startswith=root.path).values_list("pk", flat=True))
    suppliers = [make_uscc(f"91{root.region_code}MA{n:07d}") for n in range(min(contracts, 2000) or 1)]
    sizes = ["micro", "small", "small", "medium", "large"]
    terms: list[int | None] = [None, 30, 45, 90]

    working_day = cache(is_working_day)

    def due(
        start: datetime.date, accepted: datetime.date | None, condition: bool, term: int | None, sme: bool
    ) -> DueDate | None:
        return legal_due_date(
            delivered_on=start,
            accepted_on=accepted,
            acceptance_conditions_payment=condition,
            agreed_term_days=term,
            sme=sme,
            working_day=working_day,
        )

    made_contracts: list[Contract] = []
    for n in range(contracts):
        size = sizes[rng.randrange(len(sizes))]
        made_contracts.append(
            Contract(
                agency_id=agency_ids[rng.randrange(len(agency_ids))],
                number=f"{prefix}{n:08d}",
                supplier_name=f"规模供应商{n % 2000:04d}有限公司",
                supplier_uscc=suppliers[n % len(suppliers)],
                supplier_size=size,
                subject="规模测试采购",
                amount=Decimal("500000.00"),
                signed_on=today - datetime.timedelta(days=420),
                acceptance_conditions_payment=rng.random() < 0.2,
                agreed_term_days=terms[rng.randrange(len(terms))],
                created_by=user,
            )
        )
    for chunk in _chunks(made_contracts, batch_size):
        Contract.objects.bulk_create(chunk, batch_size=batch_size)
    rows: list[PaymentObligation] = []
    written = len(made_contracts)
    for n in range(obligations):
        contract = made_contracts[n % len(made_contracts)]
        sme = contract.is_sme
        delivered = today - datetime.timedelta(days=rng.randrange(1, 400))
        accepted = delivered + datetime.timedelta(days=rng.randrange(0, 20)) if rng.random() < 0.9 else None
        if accepted is not None and accepted > today:
            accepted = today
        found = due(delivered, accepted, contract.acceptance_conditions_payment, contract.agreed_term_days, sme)
        amount = Decimal(rng.randrange(1000, 200000))
        roll = rng.random()
        paid = amount if roll < 0.33 else (amount / 2).quantize(Decimal("0.01")) if roll < 0.43 else Decimal("0.00")
        rows.append(
            PaymentObligation(
                contract_id=contract.pk,
                agency_id=contract.agency_id,
                is_sme=sme,
                label="规模测试款项",
                amount=amount,
                delivered_on=delivered,
                accepted_on=accepted,
                starts_on=found.starts_on if found else None,
                term_days=found.term_days if found else None,
                term_unlawful=bool(found and found.term_unlawful),
                due_on=found.due_on if found else None,
                due_moved_from=found.moved_from if found else None,
                daily_rate=applied_daily_rate(agreed=None, sme=sme),
                paid_amount=paid,
                status="settled" if paid == amount else ("pending" if found else "awaiting"),
                settled_on=delivered if paid == amount else None,
            )
        )
        if len(rows) >= batch_size:
            PaymentObligation.objects.bulk_create(rows, batch_size=batch_size)
            written += len(rows)
            rows = []
    if rows:
        PaymentObligation.objects.bulk_create(rows, batch_size=batch_size)
        written += len(rows)
    procurement_overdue_recompute(today=today)
    return written


def _chunks(items: list[Contract], size: int) -> list[list[Contract]]:
    return [items[start : start + size] for start in range(0, len(items), size)]
