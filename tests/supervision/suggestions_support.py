"""Factories of the NPC suggestion and court case tests: agency A (东城区财政局) leads, agency B of the other district
co-handles; the clock is fixed at TODAY."""

import datetime
from typing import Any

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from subjects.models import Agency
from supervision.models import CourtCase, Suggestion
from supervision.services.courts import CaseInput, JudgmentInput, case_create, judgment_record
from supervision.services.suggestions import ReplyInput, SuggestionInput, suggestion_create, suggestion_reply

D = datetime.date
TODAY = D(2026, 11, 2)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def at(day: datetime.date) -> time_machine.travel:
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(6, 30), tzinfo=datetime.UTC), tick=False)


def evidence(name: str = "请假说明.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


_numbers = iter(range(1, 100_000))


def suggestion_input(lead: Agency | None, **overrides: Any) -> SuggestionInput:
    values: dict[str, Any] = {
        "number": f"建议第{next(_numbers):04d}号",
        "kind": "suggestion",
        "session": "市十七届人大三次会议",
        "title": "关于优化营商环境、清理政府拖欠企业账款的建议",
        "deputy": "王芳",
        "deputy_contact": "13800000000",
        "lead_unit": lead,
        "assigned_on": D(2026, 8, 31),
        "content": "建议建立拖欠账款清理台账，按期清偿。",
    }
    values.update(overrides)
    return SuggestionInput(**values)


def make_suggestion(actor: User, lead: Agency, **overrides: Any) -> Suggestion:
    return suggestion_create(actor=actor, data=suggestion_input(lead, **overrides))


def reply_input(**overrides: Any) -> ReplyInput:
    values: dict[str, Any] = {
        "reply_class": "A",
        "replied_on": D(2026, 10, 20),
        "text": "已建立台账，拖欠账款已全部清偿。",
        "summary": "已全部清偿拖欠账款。",
    }
    values.update(overrides)
    return ReplyInput(**values)


def replied(actor: User, lead: Agency, **overrides: Any) -> Suggestion:
    suggestion = make_suggestion(actor, lead)
    return suggestion_reply(actor=actor, suggestion=suggestion, data=reply_input(**overrides))


def case_input(agency: Agency | None, **overrides: Any) -> CaseInput:
    values: dict[str, Any] = {
        "case_number": f"（2026）浙0102行初{next(_numbers)}号",
        "court": "临江市东城区人民法院",
        "kind": "administrative",
        "agency": agency,
        "party_role": "defendant",
        "cause": "政府信息公开",
        "counterparty": "临江市某某科技有限公司",
        "filing_notice_on": D(2026, 3, 2),
    }
    values.update(overrides)
    return CaseInput(**values)


def make_case(actor: User, agency: Agency, **overrides: Any) -> CourtCase:
    return case_create(actor=actor, data=case_input(agency, **overrides))


JUDGMENT_DUE = D(2026, 9, 30)


def judged_case(actor: User, agency: Agency, *, due: datetime.date = JUDGMENT_DUE) -> CourtCase:
    case = make_case(actor, agency)
    return judgment_record(
        actor=actor,
        case=case,
        data=JudgmentInput(
            judged_on=D(2026, 8, 1), result="lost", obligation="支付合同欠款人民币50万元。", performance_due_on=due
        ),
    )
