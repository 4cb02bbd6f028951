"""Public commitments for the demo city, of every kind and in every state (docs/domain.md §6).

Taken through the services by the demo users, as the agencies and credit offices would: entered, submitted,
published, reported on (with a file of evidence), marked stalled, decided kept, partly kept or broken (the broken one
proposes its candidate dishonesty record), lawfully changed, withdrawn; some overdue or due soon, with the warnings the
scheduled job raises. Dates are counted from the day the demo is loaded. `commitments_loaded()` makes loading twice a
no-op.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from commitments.models import Commitment, CommitmentKind, ServiceArea
from commitments.services import (
    CommitmentInput,
    LawfulChange,
    commitment_change,
    commitment_create,
    commitment_decide,
    commitment_mark_stalled,
    commitment_publish,
    commitment_report_progress,
    commitment_submit,
    commitment_warnings_raise,
    commitment_withdraw,
)
from subjects.models import Agency, CivilServant

CITY = "临江市"
EVIDENCE = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass(frozen=True)
class Plan:
    """One demo commitment: whose, what, when (days from today), and how far it goes."""

    state: str
    agency: str
    kind: str
    title: str
    content: str
    due_in: int  # days from today
    standard: str = ""  # a recurring standard, or a target:
    baseline: Decimal | None = None
    target: Decimal | None = None
    unit: str = ""
    service_area: str = ""
    promised_ago: int = 120
    reports: tuple[tuple[int, int, str], ...] = ()  # (days ago, percent, narrative)
    outcome_reason: str = ""
    with_person: bool = False
    counterparty: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


PLANS = [
    Plan("draft", "东城区财政局", CommitmentKind.TIME_LIMIT, "政府采购资金支付时限承诺",
         "政府采购合同约定的资金，自收到发票之日起十五日内支付。", 200, standard="每笔不超过15日"),
    Plan("submitted", "东城区财政局", CommitmentKind.SERVICE_QUALITY, "财政业务窗口“好差评”全覆盖",
         "财政业务办理窗口全部接入政务服务“好差评”系统，差评整改率达到100%。", 150, target=Decimal("100"), unit="%"),
    Plan("withdrawn", "东城区财政局", CommitmentKind.TIME_LIMIT, "非税收入退付五日办结",
         "非税收入退付申请材料齐全的，五个工作日内办结。", 90, standard="每件不超过5个工作日"),
    Plan("published", "东城区财政局", CommitmentKind.TIME_LIMIT, "企业开办一日办结",
         "企业开办申请材料齐全的，一个工作日内办结。", 60, standard="每件不超过1个工作日", promised_ago=20),
    Plan("in_progress", "东城区人力资源和社会保障局", CommitmentKind.WORK_REPORT_TARGET, "城镇新增就业1200人",
         "全年城镇新增就业1200人以上，城镇调查失业率控制在5.5%以内。", 45,
         baseline=Decimal("0"), target=Decimal("1200"), unit="人",
         reports=((100, 35, "一季度城镇新增就业420人，举办招聘会6场。"),
                  (30, 78, "前三季度城镇新增就业936人，帮扶就业困难人员再就业118人。"))),
    Plan("stalled", "东城区生态环境局", CommitmentKind.ENVIRONMENT_TARGET, "空气质量优良天数比率达到90%",
         "全年空气质量优良天数比率达到90%以上，细颗粒物浓度同比下降3%。", 80,
         baseline=Decimal("86.5"), target=Decimal("90"), unit="%",
         reports=((110, 20, "完成重点企业超低排放改造方案编制。"),)),
    Plan("kept", "东城区投资促进局", CommitmentKind.INVESTMENT_POLICY, "招商引资奖励资金六十日内兑现",
         "对符合条件的招商引资项目，自认定之日起六十日内兑现奖励资金。", -40, standard="每个项目不超过60日",
         counterparty="临江市智造科技有限公司",
         reports=((60, 100, "奖励资金380万元已全部拨付到位。"),),
         outcome_reason="经核查拨付凭证和企业确认书，奖励资金已于期限内足额兑现。"),
    Plan("partly_kept", "东城区江滨街道办事处", CommitmentKind.TOWN_SERVICE, "社区养老服务站新增3个",
         "年内在辖区新建社区养老服务站3个，为老年人提供助餐、助浴服务。", -30, target=Decimal("3"), unit="个",
         service_area=ServiceArea.ELDERLY_CARE, reports=((45, 67, "已建成并运营养老服务站2个。"),),
         outcome_reason="经实地核查，已建成2个，第3个因选址调整尚未完工，认定部分兑现。"),
    Plan("broken", "东城区财政局", CommitmentKind.GUARANTEE, "中小企业账款按期支付",
         "保障中小企业款项按合同约定期限支付，不新增拖欠。", -25, standard="合同约定期限内支付",
         with_person=True, reports=((70, 40, "已支付到期账款四成，其余资金尚未落实。"),),
         outcome_reason="经核查，到期仍有3笔共86万元账款未支付，且未履行合法变更程序，认定未兑现。"),
    Plan("changed", f"{CITY}住房和城乡建设局", CommitmentKind.WORK_REPORT_TARGET, "老旧小区改造3000户",
         "年内完成老旧小区改造3000户，同步加装电梯40部。", 50, target=Decimal("3000"), unit="户",
         reports=((90, 30, "已开工改造小区8个，涉及住户950户。"),)),
    Plan("overdue", "东城区桃源镇人民政府", CommitmentKind.TOWN_SERVICE, "新增公办幼儿园学位200个",
         "年内新增公办幼儿园学位200个，缓解适龄儿童入园难。", -20, target=Decimal("200"), unit="个",
         service_area=ServiceArea.SCHOOLING, reports=((60, 55, "新园主体工程完工，正在进行内部装修。"),)),
    Plan("due_soon", "西城区财政局", CommitmentKind.PUBLIC_INSTITUTION, "国库集中支付三日办结",
         "国库集中支付申请材料齐全的，三个工作日内办结。", 5, standard="每件不超过3个工作日", promised_ago=200,
         reports=((20, 90, "已实现全流程电子化，平均办理时间2.1个工作日。"),)),
    Plan("last_year_kept", "东城区财政局", CommitmentKind.SERVICE_QUALITY, "惠企资金直达快享",
         "惠企资金通过直达系统拨付，企业免申即享。", 0, target=Decimal("100"), unit="%", promised_ago=300,
         reports=((340, 100, "惠企资金全部通过直达系统拨付。"),),
         outcome_reason="经核查直达系统拨付记录，全部惠企资金已免申直达。"),
]  # fmt: skip


def commitments_loaded(city: Agency) -> bool:
    return Commitment.objects.filter(agency__path__startswith=city.path).exists()


class CommitmentsBuilder:
    def __init__(self, users: dict[str, User], today: datetime.date) -> None:
        self.users = users
        self.today = today
        self.east = Agency.objects.get(name=f"{CITY}东城区人民政府")

    def actors(self, agency: Agency) -> tuple[User, User, User]:
        """Who enters, who submits and who publishes or decides, as for the demo records."""
        clerk, reviewer, office = self.users["demo-clerk"], self.users["demo-reviewer"], self.users["demo-office"]
        if agency.pk == clerk.agency_id:
            return clerk, reviewer, office
        if agency.path.startswith(self.east.path):
            return self.users["demo-office-2"], self.users["demo-office-2"], office
        if agency.pk == self.users["demo-clerk-2"].agency_id:
            return self.users["demo-clerk-2"], self.users["demo-city-office-2"], self.users["demo-city-office"]
        return self.users["demo-city-office-2"], self.users["demo-city-office-2"], self.users["demo-city-office"]

    def day(self, days_from_today: int) -> datetime.date:
        return self.today + datetime.timedelta(days=days_from_today)

    def due_on(self, plan: Plan) -> datetime.date:
        if plan.state == "last_year_kept":  # last year's, for the report card's year chooser
            return datetime.date(self.today.year - 1, 11, 30)
        return self.day(plan.due_in)

    def data(self, plan: Plan, agency: Agency) -> CommitmentInput:
        due_on = self.due_on(plan)
        promised_on = min(due_on - datetime.timedelta(days=plan.promised_ago), self.day(-plan.promised_ago))
        person = (
            CivilServant.objects.filter(agency=agency, is_principal=True).order_by("pk").first()
            if plan.with_person
            else None
        )
        return CommitmentInput(
            agency=agency,
            kind=plan.kind,
            title=plan.title,
            content=plan.content,
            source_document_number=f"{agency.name[:2]}政办〔{promised_on.year}〕{len(plan.title)}号",
            source_date=promised_on,
            promised_on=promised_on,
            due_on=due_on,
            liability="未按期兑现的，依照《临江市政务诚信建设实施方案》追究责任，并记入政务失信记录。",
            year=due_on.year,
            responsible_person=person,
            service_area=plan.service_area,
            baseline=plan.baseline,
            target_value=plan.target,
            unit=plan.unit,
            recurring_standard=plan.standard,
            counterparty_name=plan.counterparty,
        )

    def take(self, plan: Plan) -> Commitment:
        agency = Agency.objects.get(name=plan.agency)
        enter, submit, decide = self.actors(agency)
        commitment = commitment_create(actor=enter, data=self.data(plan, agency))
        if plan.state == "draft":
            return commitment
        if plan.state == "withdrawn":
            return commitment_withdraw(actor=enter, commitment=commitment, reason="与年度重点工作承诺重复，撤回。")
        commitment = commitment_submit(actor=submit, commitment=commitment)
        if plan.state == "submitted":
            return commitment
        commitment = commitment_publish(actor=decide, commitment=commitment)
        for index, (days_ago, percent, narrative) in enumerate(plan.reports):
            files = [SimpleUploadedFile(f"进展佐证{index + 1}.pdf", EVIDENCE, content_type="application/pdf")]
            reported_on = min(max(self.day(-days_ago), commitment.promised_on), commitment.due_on, self.today)
            commitment_report_progress(
                actor=enter,
                commitment=commitment,
                reported_on=reported_on,
                percent=percent,
                narrative=narrative,
                files=files if index == 0 else [],
            )
        commitment.refresh_from_db()
        if plan.state == "stalled":
            return commitment_mark_stalled(actor=decide, commitment=commitment, reason="专项资金未到位，工程暂停。")
        if plan.outcome_reason:
            outcome = "kept" if plan.state == "last_year_kept" else plan.state
            return commitment_decide(actor=decide, commitment=commitment, outcome=outcome, reason=plan.outcome_reason)
        if plan.state == "changed":
            change = LawfulChange(
                ground="public_interest",
                authority=f"{CITY}人民政府",
                description="因轨道交通建设征收，原计划改造的3个小区纳入征收范围，改造目标调整为2600户。",
                legality_review_on=self.day(-12),
                collective_decision_on=self.day(-10),
                published_on=self.day(-8),
                new_due_on=None,
            )
            return commitment_change(actor=decide, commitment=commitment, change=change)
        return commitment

    def build(self, city: Agency) -> Counter[str]:
        for plan in PLANS:
            self.take(plan)
        # What the daily job does: the overdue and the due-soon commitments are warned about.
        commitment_warnings_raise(today=self.today)
        mine = Commitment.objects.filter(agency__path__startswith=city.path)
        return Counter(mine.values_list("status", flat=True))


def build_commitments(city: Agency, users: dict[str, User], today: datetime.date | None = None) -> Counter[str]:
    return CommitmentsBuilder(users, today or timezone.localdate()).build(city)
