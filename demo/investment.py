"""The demo city's investment promotion (招商引资): agreements of 东城区投资促进局 with investors, their obligations in
every state — pending, fulfilled with evidence, overdue, one lawfully changed with every step, one broken with its
candidate record. Written through the services."""

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from sectors.models import InvestmentAgreement
from sectors.services.investment import (
    AgreementInput,
    ObligationChangeInput,
    ObligationInput,
    agreement_create,
    investment_obligations_watch,
    obligation_break,
    obligation_change,
    obligation_fulfil,
)
from subjects.codes import make_uscc
from subjects.models import Agency, CivilServant

AGENCY = "东城区投资促进局"
EVIDENCE = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def demo_investment_loaded() -> bool:
    return InvestmentAgreement.objects.filter(agency__name=AGENCY).exists()


def demo_investment(*, office: User, today: datetime.date) -> dict[str, int]:
    """Four agreements and their obligations; `office` (the district's credit office) enters and decides. Nothing
    is added when they exist."""
    if demo_investment_loaded():
        return {}
    agency = Agency.objects.get(name=AGENCY)
    person = CivilServant.objects.filter(agency=agency, active=True).order_by("pk").first()
    day = lambda n: today + datetime.timedelta(days=n)  # noqa: E731 - a short offset from today reads best here

    # No policy commitment is linked here yet: on this branch a demo commitment would be shown in the work queue,
    # whose commitment links (commitments:warnings…) arrive with the commitments' staff pages.
    def agreement(
        number: str, investor: str, code: str, project: str, amount: str, signed: int, items: list[ObligationInput]
    ) -> InvestmentAgreement:
        return agreement_create(
            actor=office,
            data=AgreementInput(
                agency=agency,
                number=number,
                investor_name=investor,
                investor_uscc=make_uscc(code),
                signed_on=day(signed),
                project=project,
                total_investment=Decimal(amount),
                summary=f"{investor}投资建设{project}，区政府提供用地、审批和政策兑现保障。",
                secret_terms="设备补贴分期兑付的具体比例和条件。",  # noqa: S106 - a trade secret, not a password
                investment_is_secret=number.endswith("3号"),
                responsible_person=person,
            ),
            obligations=items,
        )

    battery = agreement(
        "东招协〔2025〕3号",
        "临江新能源电池有限公司",
        "91330102MA0000001",
        "新能源电池生产基地",
        "600000000",
        -400,
        [
            ObligationInput("交付项目建设用地", day(-200)),
            ObligationInput("兑付设备投资奖励首期", day(60), Decimal("8000000"), amount_is_secret=True),
        ],
    )
    medical = agreement(
        "东招协〔2025〕9号",
        "临江生物医药有限公司",
        "91330102MA0000002",
        "生物医药产业园",
        "250000000",
        -300,
        [ObligationInput("建成园区配套道路", day(-30)), ObligationInput("办理施工许可", day(20))],
    )
    logistics = agreement(
        "东招协〔2025〕12号",
        "临江智慧物流有限公司",
        "91330102MA0000003",
        "智慧物流中心",
        "120000000",
        -250,
        [
            ObligationInput("兑付物流中心建设补贴", day(-90), Decimal("3000000")),
            ObligationInput("协调接入市政管网", day(-5)),
        ],
    )
    agreement(
        "东招协〔2026〕2号",
        "临江数据科技有限公司",
        "91330102MA0000004",
        "数据中心",
        "90000000",
        -60,
        [
            ObligationInput("提供电力增容保障", day(150)),
            ObligationInput("兑付人才公寓租金补贴", day(200), Decimal("600000")),
        ],
    )
    land, _bonus = battery.obligations.order_by("due_on")
    obligation_fulfil(
        actor=office,
        obligation=land,
        fulfilled_on=day(-205),
        note="用地按期交付，双方签署交地确认书。",
        files=[SimpleUploadedFile("交地确认书.pdf", EVIDENCE, content_type="application/pdf")],
    )
    road, _permit = medical.obligations.order_by("due_on")
    obligation_change(
        actor=office,
        obligation=road,
        change=ObligationChangeInput(
            ground="public_interest",
            authority="临江市东城区人民政府",
            decision_number="东政决〔2026〕3号",
            description="因地铁线路规划调整，配套道路改线建设，完工期限顺延六个月。",
            legality_review_on=day(-60),
            collective_decision_on=day(-50),
            investor_notified_on=day(-45),
            published_on=day(-40),
            compensation_amount=Decimal("1200000"),
            investor_response="accepted",
            investor_response_note="投资方书面同意调整方案及补偿。",
            new_due_on=day(150),
        ),
    )
    subsidy, _pipes = logistics.obligations.order_by("due_on")
    obligation_break(
        actor=office,
        obligation=subsidy,
        reason="区政府以领导调整为由拒绝兑付已到期的建设补贴，经催告仍未履行。",
    )
    run = investment_obligations_watch(today=today)  # the overdue pipe connection is reminded
    return {"agreements": 4, "overdue": run.overdue, "due_notices": run.due_notices}


# The scale generator (manage.py generate_scale --investment-agreements N) ------------------------------------------

SCALE_STATES = ("pending", "pending", "fulfilled", "overdue", "pending", "fulfilled", "changed", "broken", "pending")


def scale_investment(
    *, region: str, run_number: int, agency_ids: list[int], count: int, actor: User, batch_size: int
) -> int:
    """`count` agreements spread over `agency_ids`, three obligations each in a mix of states, with bulk_create:
    load-test data (no events, no changes, no candidate records), not business data. Returns the rows written."""
    import itertools

    from sectors.models import InvestmentObligation

    today = datetime.date.today()
    written = 0
    states = itertools.cycle(SCALE_STATES)
    for start in range(0, count, batch_size):
        agreements = [
            InvestmentAgreement(
                agency_id=agency_ids[n % len(agency_ids)],
                number=f"规模招协-{run_number:02d}-{n:07d}",
                investor_name=f"规模测试投资{n}有限公司",
                investor_uscc=make_uscc(f"91{region}J{run_number:02d}{n % 1_000_000:06d}"),
                signed_on=today - datetime.timedelta(days=30 + n % 900),
                project=f"规模测试项目{n}",
                total_investment=Decimal(1_000_000 + n % 997 * 10_000),
                summary="规模测试数据。",
                created_by=actor,
            )
            for n in range(start, min(start + batch_size, count))
        ]
        InvestmentAgreement.objects.bulk_create(agreements, batch_size=batch_size)
        obligations = []
        for agreement in agreements:
            for k in range(3):
                state = next(states)
                due = agreement.signed_on + datetime.timedelta(days=60 + 120 * k)
                obligations.append(
                    InvestmentObligation(
                        agreement=agreement,
                        description=f"规模测试义务{k + 1}",
                        amount=Decimal(100_000 * (k + 1)),
                        due_on=due,
                        status=state,
                        fulfilled_on=due if state == "fulfilled" else None,
                        breach_reason="规模测试违约。" if state == "broken" else "",
                    )
                )
        InvestmentObligation.objects.bulk_create(obligations, batch_size=batch_size * 3)
        written += len(agreements) + len(obligations)
    return written
