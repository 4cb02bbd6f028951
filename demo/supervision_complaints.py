"""Breach complaints and 12345 tickets in the demo city (`demo_complaints`), through the services: complaints about
东城区's bodies in every state (received on the site and from the hotline, one of them overdue; accepted; not
accepted; transferred; found untrue; rectification ordered; rectified; confirmed with its candidate record), and two
months of 12345 tickets of its bodies, closed on time or late, satisfied or not, some reopened."""

import datetime
import random
from collections import Counter
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from subjects.codes import make_uscc
from subjects.models import Agency
from supervision.models.complaints import BreachComplaint
from supervision.models.hotline import HotlineTicket, Satisfaction, TicketType
from supervision.services import complaints as services
from supervision.services.hotline import hotline_import_write
from workcalendar.workdays import add_working_days

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DISTRICT = "临江市东城区人民政府"
COMPANIES = [
    ("临江市启明科技有限公司", "91330102MA27XK0Y5", "arrears", "信息化项目验收合格已满一年，尾款38万元至今未付。"),
    ("临江市恒达建设工程有限公司", "91330102MA28BC3D7", "contract", "道路改造工程合同约定的进度款未按期拨付。"),
    ("临江市绿源环保科技有限公司", "91330102MA2AH4K51", "promise", "招商时承诺的设备补贴未兑现，多次催告无回复。"),
    ("临江市安泰物业服务有限公司", "91330102MA2CJ7P83", "arrears", "办公楼物业服务费2025年第三、四季度未结算。"),
    ("临江市百川餐饮管理有限公司", "91330102MA2DN9Q24", "contract", "食堂承包合同提前解除，未依约补偿。"),
]
PEOPLE = [
    ("王芳", "promise", "拆迁安置补偿承诺两年未兑现。"),
    ("陈建国", "other", "承诺的营业执照变更办理时限一再拖延。"),
]


def demo_complaints_loaded() -> bool:
    return BreachComplaint.objects.filter(complainant_name=COMPANIES[0][0]).exists()


def _bodies() -> list[Agency]:
    district = Agency.objects.get(name=DISTRICT)
    return list(
        Agency.objects.filter(path__startswith=district.path, active=True).exclude(pk=district.pk).order_by("path")[:6]
    )


def _file(office: User, body: Agency, index: int, *, days_ago: int = 0, channel: str = "site") -> BreachComplaint:
    today = timezone.localdate()
    if index < len(COMPANIES):
        name, first_17, category, facts = COMPANIES[index]
        kind, uscc = "company", make_uscc(first_17[:17])
    else:
        name, category, facts = PEOPLE[index - len(COMPANIES)]
        kind, uscc = "person", ""
    data = services.ComplaintInput(
        channel=channel,
        complainant_kind=kind,
        complainant_name=name,
        complainant_uscc=uscc,
        complainant_contact=f"1391234{5670 + index:04d}",
        respondent=body,
        category=category,
        amount=Decimal(380000 - index * 45000) if category in ("arrears", "contract") else None,
        facts=facts,
        received_on=today - datetime.timedelta(days=days_ago),
        attachments=(SimpleUploadedFile("合同扫描件.pdf", PDF, content_type="application/pdf"),),
    )
    complaint, _code = services.complaint_file(data=data, filed_by=office)
    return complaint


def demo_complaints(users: dict[str, User]) -> Counter[str]:
    office, clerk = users["demo-office"], users["demo-clerk"]
    found = _bodies()

    def body(index: int) -> Agency:
        return found[index % len(found)]

    finance = Agency.objects.get(name="东城区财政局")
    today = timezone.localdate()
    # Received on the site today, and one from the 12345 hotline ten days ago, now overdue.
    _file(office, finance, 0)
    _file(office, body(1), 5, days_ago=10, channel="12345")
    accepted = _file(office, body(2), 6, channel="12350")
    services.complaint_accept(actor=office, complaint=accepted, reason="属于违约失信投诉受理范围。")
    refused = _file(office, body(3), 4, channel="letter")
    services.complaint_refuse(
        actor=office, complaint=refused, reason="合同纠纷已由法院生效判决处理，不属于投诉受理范围。"
    )
    steps = []
    for index, respondent in ((1, body(0)), (2, finance), (3, finance), (0, body(4)), (2, body(5))):
        complaint = _file(office, respondent, index, channel="miit_arrears" if index == 3 else "internet_plus")
        complaint = services.complaint_accept(actor=office, complaint=complaint)
        steps.append(services.complaint_transfer(actor=office, complaint=complaint))
    _transferred, untrue, rectifying, rectified, confirmed = steps
    services.complaint_verify_untrue(
        actor=office, complaint=untrue, reason="经核实，相关款项已于合同约定期限内支付，投诉不属实。"
    )
    due = add_working_days(today, 10)
    for complaint in (rectifying, rectified, confirmed):
        services.complaint_order_rectification(
            actor=office, complaint=complaint, due_on=due, reason="经核实投诉属实，责令限期履约。"
        )
    services.complaint_rectified(
        actor=clerk if rectified.respondent_id == clerk.agency_id else office,
        complaint=rectified,
        reason="已全额支付并取得企业确认。",
        attachments=[SimpleUploadedFile("付款凭证.pdf", PDF, content_type="application/pdf")],
    )
    services.complaint_confirm_breach(
        actor=office, complaint=confirmed, reason="被投诉单位明确拒绝整改，认定违约失信。"
    )
    hotline = demo_hotline(office, bodies=[finance, *found], today=today)
    states = Counter(BreachComplaint.objects.values_list("status", flat=True))
    states["12345 tickets"] = hotline
    return states


def demo_hotline(actor: User, *, bodies: list[Agency], today: datetime.date, count: int = 40, seed: int = 12345) -> int:
    generator = random.Random(seed)
    rows = []
    for n in range(count):
        received = today - datetime.timedelta(days=generator.randint(1, 60))
        due = received + datetime.timedelta(days=generator.choice([3, 5, 7, 15]))
        closed = None
        if generator.random() < 0.85:
            closed = received + datetime.timedelta(days=generator.randint(0, (due - received).days + 4))
            closed = min(closed, today)
        rows.append(
            {
                "number": f"GD{received:%Y%m%d}{n:04d}",
                "type": generator.choice(TicketType.values),
                "unit": generator.choice(bodies),
                "summary": generator.choice(
                    ["咨询营商环境政策", "反映工程款拖欠", "投诉办事窗口服务态度", "建议优化审批流程"]
                ),
                "received_on": received,
                "due_on": due,
                "closed_on": closed,
                "satisfaction": generator.choice(Satisfaction.values) if closed else Satisfaction.NONE,
                "reopened_count": generator.choice([0, 0, 0, 0, 1, 2]),
            }
        )
    created, _updated = hotline_import_write(actor=actor, rows=rows)
    return created


def create_complaints_and_tickets(
    *, run_number: int, agency_ids: list[int], complaints: int, tickets: int, batch_size: int
) -> int:
    """Scale volumes (bulk rows): breach complaints in every status and 12345 tickets spread over `agency_ids`.
    Tracking and ticket numbers carry the run's number, so runs never collide. Returns the rows written."""
    from supervision.models.complaints import BreachComplaintStatus as S

    today = timezone.localdate()
    statuses = [
        S.RECEIVED,
        S.ACCEPTED,
        S.NOT_ACCEPTED,
        S.TRANSFERRED,
        S.NOT_TRUE,
        S.RECTIFYING,
        S.RECTIFIED,
        S.CONFIRMED,
    ]
    closed = {S.NOT_ACCEPTED, S.NOT_TRUE, S.RECTIFIED, S.CONFIRMED}
    generator = random.Random(run_number)
    written = 0
    rows: list[BreachComplaint] = []
    for index in range(complaints):
        status = statuses[index % len(statuses)]
        received = today - datetime.timedelta(days=generator.randint(0, 365))
        agency_id = agency_ids[index % len(agency_ids)]
        rows.append(
            BreachComplaint(
                tracking_number=f"WS{run_number:02d}{index:010d}",
                query_code_digest="0" * 64,  # no code opens a generated complaint
                channel=generator.choice(["site", "12345", "12350", "letter", "internet_plus", "miit_arrears"]),
                complainant_kind="person",
                complainant_name="规模测试投诉人",
                complainant_contact="13900000000",
                respondent_id=agency_id,
                handling_agency_id=agency_id if status not in (S.RECEIVED, S.ACCEPTED, S.NOT_ACCEPTED) else None,
                category=generator.choice(["contract", "promise", "arrears", "other"]),
                facts="规模测试：合同约定的款项未按期支付。",
                status=status,
                received_on=received,
                stage_due_on=received + datetime.timedelta(days=5) if status not in closed else None,
                rectification_due_on=received + datetime.timedelta(days=30) if status == S.RECTIFYING else None,
                late_stages=generator.choice([0, 0, 0, 1]),
                closed_on=received + datetime.timedelta(days=20) if status in closed else None,
            )
        )
        if len(rows) >= batch_size:
            BreachComplaint.objects.bulk_create(rows)
            written += len(rows)
            rows = []
    BreachComplaint.objects.bulk_create(rows)
    written += len(rows)
    ticket_rows: list[HotlineTicket] = []
    for index in range(tickets):
        received = today - datetime.timedelta(days=generator.randint(1, 365))
        due = received + datetime.timedelta(days=generator.choice([3, 5, 7, 15]))
        closed_on = received + datetime.timedelta(days=generator.randint(0, 20)) if generator.random() < 0.9 else None
        ticket_rows.append(
            HotlineTicket(
                number=f"GS{run_number:02d}{index:010d}",
                type=generator.choice(TicketType.values),
                unit_id=agency_ids[index % len(agency_ids)],
                received_on=received,
                due_on=due,
                closed_on=closed_on,
                satisfaction=generator.choice(Satisfaction.values) if closed_on else Satisfaction.NONE,
                reopened_count=generator.choice([0, 0, 0, 1]),
            )
        )
        if len(ticket_rows) >= batch_size:
            HotlineTicket.objects.bulk_create(ticket_rows)
            written += len(ticket_rows)
            ticket_rows = []
    HotlineTicket.objects.bulk_create(ticket_rows)
    return written + len(ticket_rows)
