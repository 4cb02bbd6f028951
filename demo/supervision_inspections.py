"""Inspections in the demo city, through the services (`demo_inspections`): the city's mid-year check of 东城区 with
findings about three of its units and rectification items in every state (to rectify, overdue, submitted, returned,
accepted, refused with a candidate record), and the previous year's year-end assessment with its results. The scale
generator's bulk rows are `create_inspection_rows`."""

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Max
from django.utils import timezone

from accounts.models import User
from subjects.models import Agency
from supervision.models import Inspection, InspectionFinding, RectificationItem
from supervision.models.inspections import RectificationStatus
from supervision.services.inspections import (
    FindingInput,
    InspectionInput,
    finding_add,
    inspection_create,
    item_propose_record,
    item_refuse,
    item_submit,
    item_verify,
    rectification_overdue_run,
    result_set,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
REGION = "临江市东城区人民政府"
BODY = "临江市社会信用体系建设领导小组办公室"


def demo_inspections_loaded() -> bool:
    return Inspection.objects.filter(region__name=REGION, inspecting_body=BODY).exists()


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _back_date(item: RectificationItem, due_on: datetime.date) -> RectificationItem:
    # The demo is loaded in one go: an item meant to be overdue gets a deadline in the past.
    RectificationItem.objects.filter(pk=item.pk).update(due_on=due_on)
    item.due_on = due_on
    return item


def demo_inspections(users: dict[str, User], today: datetime.date | None = None) -> str:
    today = today or timezone.localdate()
    office = users["demo-city-office"]
    clerk = users["demo-clerk"]  # 东城区财政局
    region = Agency.objects.get(name=REGION)
    finance = Agency.objects.get(name="东城区财政局")
    investment = Agency.objects.get(name="东城区投资促进局")
    street = Agency.objects.get(name="东城区江滨街道办事处")
    year = today.year
    check = inspection_create(
        actor=office,
        data=InspectionInput(
            region=region,
            kind="mid_year",
            year=year,
            title=f"{year}年政务诚信建设年中专项督查",
            inspecting_body=BODY,
            starts_on=today - datetime.timedelta(days=40),
            ends_on=today - datetime.timedelta(days=30),
        ),
    )

    def item(agency: Agency, finding: str, severity: str, what: str, due: datetime.date) -> RectificationItem:
        found = finding_add(
            actor=office,
            inspection=check,
            data=FindingInput(agency=agency, text=finding, severity=severity, item_text=what, item_due_on=due),
        )
        return RectificationItem.objects.get(finding=found)

    later = today + datetime.timedelta(days=20)
    item(finance, "政府采购合同履约验收信息未按期公开。", "general", "补充公开2024年以来的履约验收信息。", later)
    late = item(investment, "招商引资政策承诺兑现台账不完整。", "serious", "补齐政策承诺兑现台账并报送。", later)
    _back_date(late, today - datetime.timedelta(days=5))
    sent = item(finance, "政务失信记录归集不及时。", "general", "建立失信记录按月归集制度。", later)
    item_submit(actor=clerk, item=sent, report="已印发按月归集制度，并完成本年度归集。", files=[_pdf("归集制度.pdf")])
    back = item(street, "街道公开承诺未在公开栏公示。", "minor", "在政务公开栏公示全部公开承诺。", later)
    back = item_submit(actor=users["demo-admin"], item=back, report="已公示。", files=[_pdf("公示照片.pdf")])
    item_verify(actor=office, item=back, accepted=False, reason="照片不清晰，请补充公示清单。")
    done = item(finance, "信用承诺制度未覆盖全部审批事项。", "general", "梳理事项清单，实现信用承诺全覆盖。", later)
    done = item_submit(actor=clerk, item=done, report="已覆盖全部42项审批事项。", files=[_pdf("事项清单.pdf")])
    item_verify(actor=office, item=done, accepted=True)
    refused = item(investment, "对企业投诉的政策兑现问题未作答复。", "serious", "30日内书面答复企业并兑现政策。", later)
    refused = item_refuse(actor=office, item=refused, reason="逾期未答复，经督促仍未整改。")
    item_propose_record(actor=office, item=refused, reason="拒不整改，移交信用办认定。")
    rectification_overdue_run(today)

    assessment = inspection_create(
        actor=office,
        data=InspectionInput(
            region=region,
            kind="year_end",
            year=year - 1,
            title=f"{year - 1}年度政务诚信建设年终考核",
            inspecting_body=BODY,
            starts_on=datetime.date(year, 1, 8),
            ends_on=datetime.date(year, 1, 20),
        ),
    )
    for agency, score, grade in ((finance, 93, "优秀"), (investment, 78, "合格"), (street, 85, "良好")):
        result_set(actor=office, inspection=assessment, agency=agency, score=Decimal(score), grade=grade, note="")
    counts = {s: RectificationItem.objects.filter(status=s).count() for s in RectificationStatus.values}
    return f"2 inspections, {sum(counts.values())} rectification items ({counts})"


def create_inspection_rows(*, creator: User, agency_ids: list[int], count: int, batch_size: int) -> int:
    """Scale volumes: one inspection per 1000 items, `count` rectification items spread over `agency_ids` in every
    state, with their findings. Returns the items written."""
    if not agency_ids or count < 1:
        return 0
    today = timezone.localdate()
    region = Agency.objects.get(pk=agency_ids[0])
    statuses = RectificationStatus.values
    start = (RectificationItem.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
    written = 0
    for offset in range(0, count, 1000):
        inspection = Inspection.objects.create(
            region=region,
            kind="mid_year",
            year=today.year,
            title=f"规模测试督查{start + offset}",
            inspecting_body="规模测试",
            starts_on=today - datetime.timedelta(days=60),
            ends_on=today - datetime.timedelta(days=50),
            created_by=creator,
        )
        size = min(1000, count - offset)
        findings = InspectionFinding.objects.bulk_create(
            [
                InspectionFinding(
                    inspection=inspection,
                    agency_id=agency_ids[(offset + i) % len(agency_ids)],
                    text="规模测试问题",
                    severity="general",
                    created_by=creator,
                )
                for i in range(size)
            ],
            batch_size=batch_size,
        )
        rows = []
        for i, finding in enumerate(findings):
            status = statuses[(offset + i) % len(statuses)]
            due = today + datetime.timedelta(days=((offset + i) % 90) - 45)
            rows.append(
                RectificationItem(
                    finding=finding,
                    agency_id=finding.agency_id,
                    text="规模测试整改",
                    due_on=due,
                    status=status,
                    submitted_on=due if status in ("submitted", "accepted") else None,
                    accepted_on=due if status == "accepted" else None,
                )
            )
        written += len(RectificationItem.objects.bulk_create(rows, batch_size=batch_size))
    return written
