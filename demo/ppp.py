"""PPP projects of the demo city, through the services (`demo_ppp`), and PPP volumes for the scale generator
(`create_ppp_projects`, bulk rows: load-test data, not business data).

The demo shows every state the sector asks for: a project in execution whose stage was handed over from one civil
servant to another, the first of whom later moved to another agency; a payment paid late and one still unpaid, whose
breach the payment job proposes as a candidate record attributed to the person who held the stage on its date (the one
who moved); a project in procurement under the 2023 new mechanism; one just identified."""

import datetime
import random
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils import timezone

from accounts.models import User
from sectors.models import PppPaymentObligation, PppProject, PppStageAssignment
from sectors.models.ppp import STAGE_DATE_FIELDS, STAGE_ORDER
from sectors.services.ppp import (
    PppPaymentInput,
    PppProjectInput,
    ppp_consultant_add,
    ppp_payment_add,
    ppp_payment_record,
    ppp_payments_watch,
    ppp_project_create,
    ppp_project_publish,
    ppp_stage_advance,
    ppp_stage_assign,
    ppp_stage_hand_over,
)
from subjects.codes import make_uscc
from subjects.models import Agency, CivilServant
from subjects.services import civil_servant_move

D = datetime.date
DEMO_CODES = ("LJ-PPP-2019-001", "LJ-PPP-2024-002", "LJ-PPP-2026-003")


def demo_ppp_loaded() -> bool:
    return PppProject.objects.filter(code__in=DEMO_CODES).exists()


def _unmoved(agency: Agency, count: int) -> list[CivilServant]:
    """People of `agency` who never moved, so each worked there on every date the demo gives them a stage; not its
    principal, who stays where the demo city put one per agency."""
    people = list(
        CivilServant.objects.filter(agency=agency, active=True, moves__isnull=True, is_principal=False).order_by("pk")[
            :count
        ]
    )
    if len(people) < count:
        raise RuntimeError(f"{agency.name} has fewer than {count} civil servants who never moved")
    return people


def demo_ppp(users: dict[str, User], today: datetime.date | None = None) -> dict[str, int]:
    """The demo city's PPP projects (see the module's docstring); `users` are the demo users by username."""
    today = today or timezone.localdate()
    office, admin = users["demo-office"], users["demo-admin"]
    ndrc = Agency.objects.get(name="东城区发展和改革局")
    finance = Agency.objects.get(name="东城区财政局")
    first, second = _unmoved(ndrc, 2)
    (treasury_person,) = _unmoved(finance, 1)

    # 1. In execution since 2020; the stage changed hands in 2023; payments from 2021 on.
    sewage = ppp_project_create(
        actor=office,
        data=PppProjectInput(
            agency=ndrc,
            code=DEMO_CODES[0],
            name="城东污水处理厂提标改造PPP项目",
            industry="water",
            mode="bot",
            return_mechanism="viability_gap",
            regime="legacy",
            term_years=25,
            total_investment=Decimal("68500.00"),
            identification_on=D(2019, 4, 1),
            partner_name="临江水务环境投资集团有限公司",
            partner_uscc=make_uscc("91330100MA2B001X0"),
            company_name="临江城东水务有限公司",
            company_uscc=make_uscc("91330102MA2B002X0"),
            contract_signed_on=D(2020, 8, 18),
            contract_summary=(
                "合作期25年（建设期2年、运营期23年）。项目公司负责城东污水处理厂提标改造及运营维护，"
                "政府方按年度绩效考核结果支付可行性缺口补助；期满无偿移交。"
            ),
        ),
    )
    for stage, day in (("preparation", D(2019, 10, 8)), ("procurement", D(2020, 3, 2)), ("execution", D(2020, 9, 1))):
        sewage = ppp_stage_advance(actor=office, project=sewage, to_stage=stage, on=day)
    ppp_consultant_add(actor=office, project=sewage, name="临江正信工程咨询有限公司", role="实施方案编制、物有所值评价")
    ppp_consultant_add(actor=office, project=sewage, name="浙江明律律师事务所", role="法律顾问")
    for stage, person, day in (("procurement", first, D(2020, 3, 2)), ("execution", first, D(2020, 9, 1))):
        ppp_stage_assign(actor=office, project=sewage, stage=stage, agency=ndrc, person=person, starts_on=day)
    ppp_stage_hand_over(
        actor=office,
        project=sewage,
        stage="execution",
        agency=ndrc,
        person=second,
        on=D(2023, 3, 1),
        note="移交2020—2022年度绩效考核资料；2022年度可行性缺口补助尚未支付，已报财政部门。",
    )
    # The first holder moves to the finance bureau the same day: the 2022 arrears stay his.
    civil_servant_move(actor=admin, person=first, to_agency=finance, moved_on=D(2023, 3, 1), reason="轮岗交流")
    for year in range(2021, today.year + 1):
        ppp_payment_add(
            actor=office,
            data=PppPaymentInput(
                project=sewage,
                year=year,
                kind="viability_gap",
                amount_due=Decimal("2860.00"),
                due_on=D(year, 6, 30),
            ),
        )
    for payment in PppPaymentObligation.objects.filter(project=sewage).order_by("year"):
        if payment.year == 2022 or payment.due_on >= today:
            continue  # 2022 is never paid: the breach
        paid_on = D(payment.year, 8, 15) if payment.year == 2023 else D(payment.year, 6, 20)  # 2023: late
        ppp_payment_record(actor=office, payment=payment, amount=payment.amount_due, paid_on=paid_on)

    # 2. Under the 2023 new mechanism, in procurement.
    parking = ppp_project_create(
        actor=office,
        data=PppProjectInput(
            agency=finance,
            code=DEMO_CODES[1],
            name="东城区智慧停车特许经营项目",
            industry="transport",
            mode="bot",
            return_mechanism="user_pays",
            regime="new_2023",
            term_years=20,
            total_investment=Decimal("12800.00"),
            identification_on=D(2024, 2, 1),
        ),
    )
    for stage, day in (("preparation", D(2024, 6, 3)), ("procurement", D(2025, 1, 6))):
        parking = ppp_stage_advance(actor=office, project=parking, to_stage=stage, on=day)
    ppp_stage_assign(
        actor=office,
        project=parking,
        stage="procurement",
        agency=finance,
        person=treasury_person,
        starts_on=D(2025, 1, 6),
    )

    # 3. Just identified.
    ppp_project_create(
        actor=office,
        data=PppProjectInput(
            agency=ndrc,
            code=DEMO_CODES[2],
            name="东城区社区养老服务中心PPP项目",
            industry="health",
            mode="rot",
            return_mechanism="viability_gap",
            regime="legacy",
            term_years=15,
            total_investment=Decimal("5600.00"),
            identification_on=min(today, D(2026, 3, 2)),
        ),
    )

    run = ppp_payments_watch(today=today)
    ppp_project_publish(actor=office, project=sewage)
    return {"projects": 3, "late": run.marked_late, "breaches": run.breaches}


# Scale --------------------------------------------------------------------------------------------------------------


def create_ppp_projects(
    *, creator: User, agency_ids: Sequence[int], count: int, payments_per_project: int, batch_size: int, seed: int = 14
) -> int:
    """`count` projects spread over `agency_ids`, each with its stage dates, one responsibility row for its current
    stage where the agency has people, and `payments_per_project` yearly obligations (some late). Returns the rows
    written."""
    rng = random.Random(seed)
    person_of = dict(
        CivilServant.objects.filter(agency_id__in=list(agency_ids))
        .order_by("agency_id", "pk")
        .values_list("agency_id", "pk")
    )
    prefix = f"SCALE-{creator.pk}-"
    written = 0
    for start in range(0, count, batch_size):
        projects: list[PppProject] = []
        for index in range(start, min(start + batch_size, count)):
            stage_count = rng.randint(1, len(STAGE_ORDER))
            begun = D(2015, 1, 1) + datetime.timedelta(days=rng.randrange(2500))
            values: dict[str, Any] = {}
            for stage in STAGE_ORDER[:stage_count]:
                values[STAGE_DATE_FIELDS[stage]] = begun
                begun += datetime.timedelta(days=rng.randrange(60, 400))
            executing = stage_count >= 4
            projects.append(
                PppProject(
                    code=f"{prefix}{index:08d}",
                    name=f"规模测试PPP项目{index}",
                    agency_id=rng.choice(agency_ids),
                    industry=rng.choice(["municipal", "transport", "water", "environment"]),
                    mode=rng.choice(["bot", "tot", "rot", "boo"]),
                    return_mechanism=rng.choice(["user_pays", "viability_gap", "government_pays"]),
                    regime="legacy",
                    term_years=rng.randint(10, 30),
                    total_investment=Decimal(rng.randrange(1000, 200_000)),
                    partner_name="规模测试社会资本方" if executing else "",
                    contract_signed_on=values.get("execution_on") if executing else None,
                    contract_summary="规模测试",
                    stage=STAGE_ORDER[stage_count - 1],
                    published_at=timezone.now() if rng.random() < 0.5 else None,
                    created_by=creator,
                    **values,
                )
            )
        PppProject.objects.bulk_create(projects, batch_size=batch_size)
        assignments, payments = [], []
        for project in projects:
            person = person_of.get(project.agency_id)
            if person is not None:
                assignments.append(
                    PppStageAssignment(
                        project=project,
                        stage=project.stage,
                        agency_id=project.agency_id,
                        person_id=person,
                        starts_on=project.stage_began_on(project.stage) or project.identification_on,
                        created_by=creator,
                    )
                )
            if project.execution_on is not None:
                for offset in range(payments_per_project):
                    year = project.execution_on.year + 1 + offset
                    due = D(year, 6, 30)
                    paid = rng.random() < 0.85
                    payments.append(
                        PppPaymentObligation(
                            project=project,
                            year=year,
                            kind="availability",
                            amount_due=Decimal(rng.randrange(100, 5000)),
                            due_on=due,
                            paid_amount=0,
                            late=not paid and due < timezone.localdate(),
                        )
                    )
                    if paid:
                        payments[-1].paid_amount = payments[-1].amount_due
                        payments[-1].paid_on = due
        PppStageAssignment.objects.bulk_create(assignments, batch_size=batch_size)
        PppPaymentObligation.objects.bulk_create(payments, batch_size=batch_size)
        written += len(projects) + len(assignments) + len(payments)
    return written
