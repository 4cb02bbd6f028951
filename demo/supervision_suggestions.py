"""NPC suggestions, CPPCC proposals and court cases of the demo city, through the services
(`demo_supervision_suggestions`), and their volumes for the scale generator (`create_suggestion_rows`, bulk rows:
load-test data, not business data).

Every state shows: a suggestion being handled, one overdue, one extended with the approval, one replied class A and
closed satisfied, one replied class B (its commitment sent to the credit office), one unsatisfied and being handled
again, one replied again and closed, a CPPCC proposal with its consultation awaiting the opinion; a case pending with
the head in court, one where the head was absent (reason and evidence), one judgment performed on time, one to perform,
one not performed by its deadline (the job proposes its candidate record), one won and closed, a judicial suggestion
answered and one not."""

import datetime
import random
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from subjects.models import Agency
from supervision.models import CourtCase, Suggestion
from supervision.models.suggestions import SuggestionStatus
from supervision.services.courts import (
    CaseInput,
    HearingInput,
    JudgmentInput,
    case_create,
    court_judgments_watch,
    hearing_add,
    judgment_perform,
    judgment_record,
    judicial_suggestion_add,
    judicial_suggestion_answer,
)
from supervision.services.suggestions import (
    ReplyInput,
    SuggestionInput,
    suggestion_consult,
    suggestion_create,
    suggestion_extend,
    suggestion_feedback,
    suggestion_reply,
)

DEMO_NUMBER = "临人大建〔演示〕001号"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SESSION_NPC = "临江市第十七届人民代表大会第三次会议"
SESSION_CPPCC = "政协临江市第十四届委员会第三次会议"


def demo_supervision_suggestions_loaded() -> bool:
    return Suggestion.objects.filter(number=DEMO_NUMBER).exists()


def _day(today: datetime.date, days: int) -> datetime.date:
    return today - datetime.timedelta(days=days)


def demo_supervision_suggestions(users: dict[str, User], today: datetime.date | None = None) -> dict[str, int]:
    """The demo city's suggestions and court cases (see the module's docstring); `users` are the demo users."""
    today = today or timezone.localdate()
    clerk, reviewer, office = users["demo-clerk"], users["demo-reviewer"], users["demo-office"]
    lead = clerk.agency
    assert lead is not None and lead.parent is not None
    others = list(Agency.objects.filter(parent=lead.parent, active=True).exclude(pk=lead.pk).order_by("pk")[:2])
    west = Agency.objects.filter(name="西城区财政局").first()
    co = [unit for unit in [west, *others[:1]] if unit is not None]
    second = others[1] if len(others) > 1 else lead

    def make(number: str, title: str, assigned_days: int, actor: User = clerk, **extra: Any) -> Suggestion:
        values: dict[str, Any] = {
            "number": number,
            "kind": "suggestion",
            "session": SESSION_NPC,
            "title": title,
            "deputy": "王芳",
            "deputy_contact": "0571-8888 1234",
            "lead_unit": lead,
            "co_units": co,
            "assigned_on": _day(today, assigned_days),
            "content": f"{title}。建议明确责任单位和时间表，按期办结并向代表反馈。",
        }
        values.update(extra)
        return suggestion_create(actor=actor, data=SuggestionInput(**values))

    def reply(suggestion: Suggestion, cls: str, days: int, actor: User = clerk, **extra: Any) -> Suggestion:
        data = ReplyInput(
            reply_class=cls,
            replied_on=_day(today, days),
            text=f"关于“{suggestion.title}”的答复：经研究，我单位已会同有关部门落实相关措施。",
            summary=extra.pop("summary", "已会同有关部门研究落实。"),
            **extra,
        )
        return suggestion_reply(actor=actor, suggestion=suggestion, data=data)

    make(DEMO_NUMBER, "关于加快清理政府拖欠中小企业账款的建议", 30)
    make("临人大建〔演示〕002号", "关于规范政府采购合同履约付款的建议", 120, deputy="李强")
    extended = make("临人大建〔演示〕003号", "关于推进招商引资政策兑现的建议", 100, deputy="陈静")
    suggestion_extend(actor=office, suggestion=extended, approval="市政府办公室批复同意延期办理")
    closed = make("临人大建〔演示〕004号", "关于公开政务服务承诺兑现情况的建议", 80)
    suggestion_consult(actor=clerk, suggestion=closed, held_on=_day(today, 60), note="登门面商，听取代表意见")
    closed = reply(closed, "A", 50, summary="已在门户网站按季度公开承诺兑现情况。")
    suggestion_feedback(actor=clerk, suggestion=closed, satisfaction="satisfied", feedback_on=_day(today, 40))
    b_class = make("临人大建〔演示〕005号", "关于建立涉企收费清单动态调整机制的建议", 70, deputy="赵敏")
    reply(
        b_class, "B", 20, actor=reviewer, promised_due_on=today + relativedelta(months=4), summary="正在修订收费清单。"
    )
    again = make("临人大建〔演示〕006号", "关于完善政务失信记录修复机制的建议", 90, deputy="孙伟")
    again = reply(again, "C", 60, summary="列入明年工作计划逐步解决。")
    suggestion_feedback(
        actor=clerk,
        suggestion=again,
        satisfaction="unsatisfied",
        feedback_on=_day(today, 10),
        rehandle_due_on=_day(today, 10) + relativedelta(months=2),
        note="代表希望明确时间表",
    )
    twice = make(
        "临人大建〔演示〕007号", "关于加强街道诚信建设考核的建议", 200, lead_unit=second, co_units=[], actor=office
    )
    twice = reply(twice, "C", 150, actor=office)
    twice = suggestion_feedback(
        actor=office,
        suggestion=twice,
        satisfaction="unsatisfied",
        feedback_on=_day(today, 140),
        rehandle_due_on=_day(today, 140) + relativedelta(months=2),
    )
    twice = reply(twice, "A", 100, actor=office, summary="已将诚信建设纳入街道年度考核。")
    suggestion_feedback(actor=office, suggestion=twice, satisfaction="basically", feedback_on=_day(today, 90))
    proposal = make(
        "临政协提〔演示〕001号",
        "关于优化政务诚信评价指标的提案",
        60,
        kind="proposal",
        session=SESSION_CPPCC,
        deputy="民建临江市委会",
    )
    suggestion_consult(actor=clerk, suggestion=proposal, held_on=_day(today, 40), note="召开座谈会面商")
    reply(proposal, "D", 15, summary="提案意见留作今后工作参考。")
    cases = _demo_cases(clerk, lead, today)
    return {
        "suggestions": Suggestion.objects.filter(number__contains="演示").count(),
        "closed": Suggestion.objects.filter(number__contains="演示", status=SuggestionStatus.CLOSED).count(),
        "court_cases": cases,
    }


def _demo_cases(clerk: User, agency: Agency, today: datetime.date) -> int:
    def case(number: str, cause: str, filed_days: int, **extra: Any) -> CourtCase:
        values: dict[str, Any] = {
            "case_number": number,
            "court": "临江市东城区人民法院",
            "kind": "administrative",
            "agency": agency,
            "party_role": "defendant",
            "cause": cause,
            "counterparty": "临江市某某科技有限公司",
            "filing_notice_on": _day(today, filed_days),
        }
        values.update(extra)
        return case_create(actor=clerk, data=CaseInput(**values))

    def judged(row: CourtCase, days: int, due_in: int, obligation: str = "支付合同价款及逾期利息。") -> CourtCase:
        return judgment_record(
            actor=clerk,
            case=row,
            data=JudgmentInput(
                judged_on=_day(today, days),
                result="lost",
                obligation=obligation,
                performance_due_on=_day(today, days) + datetime.timedelta(days=due_in),
            ),
        )

    pending = case(f"（{today.year}）浙0102行初101号", "政府信息公开", 60)
    hearing_add(
        actor=clerk,
        case=pending,
        data=HearingInput(held_on=_day(today, 20), head_appeared=True, head_name="局长 陈国华"),
    )
    absent = case(f"（{today.year}）浙0102行初102号", "行政许可", 90)
    hearing_add(
        actor=clerk,
        case=absent,
        data=HearingInput(
            held_on=_day(today, 45),
            head_appeared=False,
            absence_reason="负责人参加市政府专题会议，委托副局长出庭。",
            evidence=SimpleUploadedFile("会议通知.pdf", PDF, content_type="application/pdf"),
        ),
    )
    answered = judicial_suggestion_add(
        actor=clerk, case=absent, received_on=_day(today, 30), content="建议规范行政许可审查程序，按时作出决定。"
    )
    judicial_suggestion_answer(
        actor=clerk, suggestion=answered, answered_on=_day(today, 15), answer="已修订审查规程并函复法院。"
    )
    performed = judged(case(f"（{today.year}）浙0102民初201号", "买卖合同纠纷", 200, kind="civil"), 120, 30)
    judgment_perform(actor=clerk, case=performed, performed_on=_day(today, 100))
    judged(case(f"（{today.year}）浙0102民初202号", "建设工程施工合同纠纷", 150, kind="civil"), 20, 60)
    overdue = judged(case(f"（{today.year}）浙0102民初203号", "政府采购合同纠纷", 260, kind="civil"), 150, 60)
    judicial_suggestion_add(
        actor=clerk, case=overdue, received_on=_day(today, 5), content="建议及时履行生效判决，避免产生失信记录。"
    )
    won = case(f"（{today.year}）浙0102行初103号", "行政处罚", 120)
    judgment_record(actor=clerk, case=won, data=JudgmentInput(judged_on=_day(today, 30), result="won"))
    court_judgments_watch(today=today)
    return CourtCase.objects.filter(agency=agency).count()


def create_suggestion_rows(
    agencies: list[Agency], count: int, rng: random.Random, today: datetime.date, prefix: str = ""
) -> int:
    """`count` suggestions spread over `agencies` in bulk (replied, overdue, closed), for load tests."""
    rows = []
    classes = ["A", "B", "C", "D"]
    for n in range(count):
        assigned = today - datetime.timedelta(days=rng.randint(10, 400))
        due = assigned + relativedelta(months=3)
        replied = rng.random() < 0.7
        reply_day = assigned + datetime.timedelta(days=rng.randint(20, 110)) if replied else None
        if reply_day is not None and reply_day > today:
            reply_day = None
        cls = rng.choice(classes) if reply_day else ""
        rows.append(
            Suggestion(
                number=f"{prefix}规模建议{n:07d}",
                kind="suggestion" if n % 3 else "proposal",
                session=SESSION_NPC if n % 3 else SESSION_CPPCC,
                title=f"关于改进政务服务的第{n}条建议",
                deputy="代表",
                lead_unit=agencies[n % len(agencies)],
                assigned_on=assigned,
                due_on=due,
                status=SuggestionStatus.CLOSED if reply_day else SuggestionStatus.ASSIGNED,
                reply_class="A" if cls == "B" else cls,
                replied_on=reply_day,
                reply_summary="已办理。" if reply_day else "",
                satisfaction=rng.choice(["satisfied", "basically"]) if reply_day else "",
                feedback_on=reply_day,
            )
        )
    Suggestion.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
