"""Honest street and town creation in the demo city, through the services (`demo_streets`): the year's checklist, and
in 东城区 one sub-district named, one in its public notice, one returned by the district, one town whose naming a
later one-vote veto revoked."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from sectors.models import CreationApplication, CreationChecklist
from sectors.services.streets import (
    AnswerInput,
    ApplicationInput,
    CriterionInput,
    application_city_review,
    application_create,
    application_district_review,
    application_name,
    checklist_create,
    veto_declare,
)
from subjects.models import Agency

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TITLE = "{year}年度诚信街道（乡镇）创建标准"


def demo_streets_loaded() -> bool:
    return CreationChecklist.objects.filter(title__endswith="诚信街道（乡镇）创建标准").exists()


def _apply(admin: User, name: str, year: int) -> CreationApplication:
    agency = Agency.objects.get(name=name)
    return application_create(
        actor=admin,
        data=ApplicationInput(
            agency=agency,
            year=year,
            self_evaluation=f"{agency.name}对照{year}年度创建标准逐项自评：制度健全、承诺公开、无严重失信。",
            answers={
                "M1": AnswerInput(True, "已印发政务诚信宣传教育制度，全年开展学习4次。", [_pdf("宣传教育制度.pdf")]),
                "M2": AnswerInput(True, "公共服务承诺已在政务公开栏和网站公示。", [_pdf("承诺公示照片.pdf")]),
            },
        ),
    )


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _to_notice(office: User, city: User, application: CreationApplication) -> CreationApplication:
    application = application_district_review(actor=office, application=application, passed=True)
    return application_city_review(actor=city, application=application, passed=True)


def _notice_over(application: CreationApplication, today: datetime.date) -> CreationApplication:
    # The demo is loaded in one go: the notice of a named one is set to have run in the past two weeks.
    CreationApplication.objects.filter(pk=application.pk).update(
        notice_starts_on=today - datetime.timedelta(days=14), notice_ends_on=today - datetime.timedelta(days=7)
    )
    application.refresh_from_db()
    return application_name(application=application)


def demo_streets(users: dict[str, User], today: datetime.date | None = None) -> dict[str, str]:
    today = today or timezone.localdate()
    year = today.year
    admin, office, city = users["demo-admin"], users["demo-office"], users["demo-city-office"]
    checklist_create(
        actor=city,
        year=year,
        title=TITLE.format(year=year),
        criteria=[
            CriterionInput("A1", "年度内无严重失信记录", "automatic", "no_serious_record"),
            CriterionInput("A2", "年度公共服务承诺兑现率不低于80%", "automatic", "commitments_kept", 80),
            CriterionInput("A3", "年度内未被一票否决", "automatic", "no_veto"),
            CriterionInput("M1", "建立政务诚信宣传教育制度并开展学习", "manual"),
            CriterionInput("M2", "公共服务承诺向社会公开", "manual"),
        ],
    )
    named = _notice_over(_to_notice(office, city, _apply(admin, "东城区文昌街道办事处", year)), today)
    in_notice = _to_notice(office, city, _apply(admin, "东城区望湖街道办事处", year))
    returned = application_district_review(
        actor=office,
        application=_apply(admin, "东城区江滨街道办事处", year),
        passed=False,
        reason="承诺兑现率未达标，请补充说明社区养老服务站承诺的兑现情况。",
    )
    revoked = _notice_over(_to_notice(office, city, _apply(admin, "东城区桃源镇人民政府", year)), today)
    veto_declare(actor=office, agency=revoked.agency, year=year, reason="镇政府拖欠中小企业账款被认定为严重失信")
    states = CreationApplication.objects.filter(pk__in=[named.pk, in_notice.pk, returned.pk, revoked.pk])
    return {row.status: row.agency.name for row in states.select_related("agency")}


def create_creation_applications(*, creator: User, agency_ids: list[int], count: int, batch_size: int) -> int:
    """Scale volumes (bulk rows, load-test data): `count` applications spread over `agency_ids` and the years
    2020–2026 (at most one per agency and year), in every status. Returns the rows written."""
    years = list(range(2020, 2027))
    count = min(count, len(agency_ids) * len(years))
    checklists = {}
    for year in years:
        checklist = CreationChecklist.objects.filter(year=year).order_by("-version").first()
        if checklist is None:
            checklist = CreationChecklist.objects.create(year=year, version=1, title=TITLE.format(year=year))
        checklists[year] = checklist
    statuses = ["district_review", "returned", "city_review", "rejected", "notice", "named", "named", "revoked"]
    taken = set(CreationApplication.objects.filter(agency_id__in=agency_ids).values_list("agency_id", "year"))
    written = 0
    rows: list[CreationApplication] = []
    for index in range(count):
        agency_id, year = agency_ids[index % len(agency_ids)], years[(index // len(agency_ids)) % len(years)]
        if (agency_id, year) in taken:
            continue
        status = statuses[index % len(statuses)]
        publicly = status in ("notice", "named", "revoked")
        starts = datetime.date(year, 12, 1) if publicly else None
        rows.append(
            CreationApplication(
                agency_id=agency_id,
                year=year,
                checklist=checklists[year],
                status=status,
                self_evaluation="规模测试自评",
                notice_starts_on=starts,
                notice_ends_on=starts + datetime.timedelta(days=7) if starts else None,
                named_on=datetime.date(year, 12, 15) if status in ("named", "revoked") else None,
                revoked_on=datetime.date(year, 12, 28) if status == "revoked" else None,
                revocation_reason="规模测试一票否决" if status == "revoked" else "",
                created_by=creator,
            )
        )
        if len(rows) >= batch_size:
            written += len(CreationApplication.objects.bulk_create(rows))
            rows = []
    written += len(CreationApplication.objects.bulk_create(rows))
    return written
