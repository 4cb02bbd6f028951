"""Factories of the honest street and town tests: 东城区 has a sub-district (街道) with its own clerk, the city its
credit office; the 2026 checklist has the three automatic criteria and one manual one."""

import datetime
from typing import Any

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Role, User
from commitments.models import Commitment, CommitmentStatus
from records.models import DishonestyRecord, RecordStatus, Severity
from sectors.models import CreationApplication, CreationChecklist
from sectors.services.streets import (
    AnswerInput,
    ApplicationInput,
    CriterionInput,
    application_city_review,
    application_create,
    application_district_review,
    checklist_create,
)
from subjects.models import Agency, AgencyKind
from tests.factories import make_agency, make_commitment, make_record, make_user

D = datetime.date
TODAY = D(2026, 11, 2)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def at(day: datetime.date) -> time_machine.travel:
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(6, 30), tzinfo=datetime.UTC), tick=False)


class Streets:
    def __init__(self, world: Any) -> None:
        self.world = world
        self.street = make_agency("东城区东湖街道办事处", parent=world.district_a, kind=AgencyKind.SUBDISTRICT)
        self.street_clerk = make_user(Role.CLERK, self.street, username="street-clerk")
        self.city_office = make_user(Role.CREDIT_OFFICE, world.city, username="city-office")
        self.checklist = make_checklist(self.city_office, 2026)


def make_checklist(actor: User, year: int) -> CreationChecklist:
    return checklist_create(
        actor=actor,
        year=year,
        title=f"{year}年度诚信街道（乡镇）创建标准",
        criteria=[
            CriterionInput("A1", "年度内无严重失信记录", "automatic", "no_serious_record"),
            CriterionInput("A2", "年度公开承诺兑现率不低于80%", "automatic", "commitments_kept", 80),
            CriterionInput("A3", "年度内未被一票否决", "automatic", "no_veto"),
            CriterionInput("M1", "建立政务诚信宣传教育制度", "manual"),
        ],
    )


def evidence(name: str = "制度文件.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def application_input(agency: Agency, **overrides: Any) -> ApplicationInput:
    values: dict[str, Any] = {
        "agency": agency,
        "year": 2026,
        "self_evaluation": "本街道对照创建标准逐项自评，各项均已达到。",
        "answers": {"M1": AnswerInput(met=True, note="已印发宣传教育制度并组织学习。", files=[evidence()])},
    }
    values.update(overrides)
    return ApplicationInput(**values)


def decided_commitments(actor: User, agency: Agency, *, kept: int, partly: int = 0, broken: int = 0) -> None:
    """Commitments of 2026 with their outcomes already decided (the commitments tests cover the deciding)."""
    for status, count in (
        (CommitmentStatus.KEPT, kept),
        (CommitmentStatus.PARTLY_KEPT, partly),
        (CommitmentStatus.BROKEN, broken),
    ):
        for _ in range(count):
            commitment = make_commitment(
                actor, agency, kind="town_service", service_area="employment", year=2026, due_on=D(2026, 12, 31)
            )
            Commitment.objects.filter(pk=commitment.pk).update(status=status)


def serious_record(
    actor: User, agency: Agency, decided: datetime.date, *, status: str = RecordStatus.PUBLISHED
) -> DishonestyRecord:
    record = make_record(actor, agency)
    DishonestyRecord.objects.filter(pk=record.pk).update(
        status=status, severity=Severity.SERIOUS, decision_date=decided
    )
    return DishonestyRecord.objects.get(pk=record.pk)


def in_notice(s: Streets) -> CreationApplication:
    decided_commitments(s.street_clerk, s.street, kept=4)
    application = application_create(actor=s.street_clerk, data=application_input(s.street))
    application = application_district_review(actor=s.world.office_a, application=application, passed=True)
    return application_city_review(actor=s.city_office, application=application, passed=True)
