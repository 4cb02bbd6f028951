"""PPP staff pages, API, public card and Excel: the happy path, the outsider refused, bad input in Chinese with
nothing written, and lists in a number of queries that does not grow with their rows."""

import io
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook
from rest_framework.test import APIClient

from accounts.models import Role, Sector, User
from outbox.models import PlatformChange
from sectors.excel.ppp import PAYMENTS, PROJECTS, build_template
from sectors.models import PppPaymentObligation, PppProject, PppStageAssignment
from sectors.services.ppp import (
    PppPaymentInput,
    ppp_payment_add,
    ppp_project_publish,
    ppp_stage_advance,
    ppp_stage_assign,
)
from tests.conftest import City
from tests.factories import make_person, make_user
from tests.sectors.ppp_support import TODAY, D, at, make_project, ppp_authority

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def full_project(world: City, name: str = "城东污水处理厂PPP项目") -> PppProject:
    project = make_project(world.clerk_a, world.agency_a, name=name)
    for stage, day in (("preparation", D(2020, 9, 1)), ("procurement", D(2021, 1, 4)), ("execution", D(2021, 7, 1))):
        project = ppp_stage_advance(actor=world.clerk_a, project=project, to_stage=stage, on=day)
    ppp_stage_assign(
        actor=world.clerk_a,
        project=project,
        stage="execution",
        agency=world.agency_a,
        person=world.person_a,
        starts_on=D(2021, 7, 1),
    )
    ppp_payment_add(
        actor=world.clerk_a,
        data=PppPaymentInput(
            project=project, year=2026, kind="availability", amount_due=Decimal("1200"), due_on=D(2026, 6, 30)
        ),
    )
    return project


def test_the_list_counts_by_stage_and_the_card_shows_the_timeline(world: City) -> None:
    with at(TODAY):
        project = full_project(world)
        make_project(world.clerk_a, world.agency_a, name="体育中心PPP项目")
        client = signed_in(world.clerk_a)
        listed = client.get("/staff/sectors/ppp/")
        card = client.get(f"/staff/sectors/ppp/{project.pk}/")
    assert listed.status_code == 200
    page = listed.content.decode()
    assert 'data-stage="identification"><a href="?stage=identification"><strong>1</strong>' in page
    assert 'data-stage="execution"><a href="?stage=execution"><strong>1</strong>' in page
    assert card.status_code == 200
    text = card.content.decode()
    assert "张伟" in text and "城东污水处理厂" in text and "PPP项目" in text


def test_the_outsider_gets_not_found_everywhere(world: City) -> None:
    with at(TODAY):
        project = full_project(world)
        client = signed_in(world.outsider)
        assert client.get(f"/staff/sectors/ppp/{project.pk}/").status_code == 404
        assert (
            client.post(
                f"/staff/sectors/ppp/{project.pk}/stage/", {"to_stage": "handover", "on": "2026-10-01"}
            ).status_code
            == 404
        )
        assert str(project.code) not in client.get("/staff/sectors/ppp/").content.decode()
        assert api(world.outsider).get(f"/api/v1/sectors/ppp/projects/{project.pk}/").status_code == 404
        assert api(world.outsider).get("/api/v1/sectors/ppp/projects/").json()["results"] == []
        refused = api(world.outsider).post(
            f"/api/v1/sectors/ppp/projects/{project.pk}/breaches/", {"occurred_on": "2023-01-01", "facts": "x"}
        )
        # A procurement authority reads no PPP data either.
        assert api(world.sector_a).get(f"/api/v1/sectors/ppp/projects/{project.pk}/").status_code == 404
    assert refused.status_code == 404
    project.refresh_from_db()
    assert project.stage == "execution"


def test_bad_input_is_refused_in_chinese_and_nothing_is_written(world: City) -> None:
    with at(TODAY):
        client = signed_in(world.clerk_a)
        response = client.post(
            "/staff/sectors/ppp/new/",
            {
                "agency": world.agency_a.pk,
                "name": "",
                "industry": "water",
                "mode": "bot",
                "return_mechanism": "user_pays",
                "regime": "new_2023",
                "term_years": "0",
                "total_investment": "-5",
                "identification_on": "2022-01-01",
                "partner_uscc": "123",
            },
        )
        answer = api(world.clerk_a).post(
            "/api/v1/sectors/ppp/projects/",
            {
                "agency": world.agency_a.pk,
                "name": "x",
                "industry": "water",
                "mode": "bot",
                "return_mechanism": "user_pays",
                "regime": "legacy",
                "term_years": 120,
                "total_investment": "100",
                "identification_on": "2030-01-01",
            },
            format="json",
        )
    assert response.status_code == 400
    text = response.content.decode()
    for words in ("项目名称", "1至99年", "2023年11月3日", "统一社会信用代码"):
        assert words in text
    assert answer.status_code == 400
    body = answer.json()
    assert set(body["error"]["fields"]) >= {"term_years", "identification_on"}
    assert PppProject.objects.count() == 0


def test_a_handover_through_the_page_closes_the_old_row(world: City) -> None:
    successor = make_person(world.agency_a, "王芳")
    with at(TODAY):
        project = full_project(world)
        client = signed_in(world.clerk_a)
        response = client.post(
            f"/staff/sectors/ppp/{project.pk}/handover/",
            {
                "stage": "execution",
                "agency": world.agency_a.pk,
                "person": successor.pk,
                "on": "2025-01-02",
                "note": "交接资料清单",
            },
        )
        missing = client.post(
            f"/staff/sectors/ppp/{project.pk}/handover/",
            {
                "stage": "execution",
                "agency": world.agency_a.pk,
                "person": world.person_a.pk,
                "on": "2025-06-02",
                "note": "",
            },
        )
    assert response.status_code == 302
    rows = list(
        PppStageAssignment.objects.filter(project=project).order_by("starts_on").values_list("person", "ends_on")
    )
    assert rows == [(world.person_a.pk, D(2025, 1, 1)), (successor.pk, None)]
    assert missing.status_code == 400 and "交接说明" in missing.content.decode()
    assert PppStageAssignment.objects.filter(project=project).count() == 2


def test_publishing_emits_a_change_and_the_public_card_masks_persons(
    world: City, django_capture_on_commit_callbacks: Any
) -> None:
    authority = ppp_authority(world.district_a)
    with at(TODAY):
        project = full_project(world)
        assert Client().get(f"/ppp/{project.pk}/").status_code == 404
        # The public pages' cache is renewed after the commit of the publication.
        with django_capture_on_commit_callbacks(execute=True):
            ppp_project_publish(actor=authority, project=project)
        ppp_payment_add(
            actor=world.clerk_a,
            data=PppPaymentInput(
                project=project, year=2027, kind="availability", amount_due=Decimal("1250"), due_on=D(2027, 6, 30)
            ),
        )
        public = Client().get(f"/ppp/{project.pk}/")
        listed = Client().get("/ppp/")
    changes = list(
        PlatformChange.objects.filter(kind="ppp_project").order_by("version").values_list("change_type", "version")
    )
    assert changes == [
        ("published", project.version + 1 - 0 if False else changes[0][1]),
        ("corrected", changes[0][1] + 1),
    ]
    assert changes[0][0] == "published"
    text = public.content.decode()
    assert public.status_code == 200
    assert "张某" in text and "张伟" not in text
    assert "临江水务投资有限公司" in text and "1250" in text
    assert project.name in listed.content.decode()


def test_the_clerk_may_not_publish(world: City) -> None:
    with at(TODAY):
        project = full_project(world)
        response = signed_in(world.clerk_a).post(f"/staff/sectors/ppp/{project.pk}/publish/")
    assert response.status_code == 403
    project.refresh_from_db()
    assert project.published_at is None


def test_lists_take_the_same_queries_for_few_and_many_projects(world: City) -> None:
    def counted(path: str, client: object) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)  # type: ignore[attr-defined]
        assert response.status_code == 200
        return len(captured)

    with at(TODAY):
        full_project(world)
        client, rest = signed_in(world.clerk_a), api(world.clerk_a)
        few = (counted("/staff/sectors/ppp/", client), counted("/api/v1/sectors/ppp/projects/", rest))
        project = PppProject.objects.get()
        few_card = counted(f"/api/v1/sectors/ppp/projects/{project.pk}/", rest)
        for index in range(6):
            full_project(world, name=f"项目{index}")
        ppp_payment_add(
            actor=world.clerk_a,
            data=PppPaymentInput(
                project=project, year=2027, kind="availability", amount_due=Decimal("1"), due_on=D(2027, 6, 30)
            ),
        )
        many = (counted("/staff/sectors/ppp/", client), counted("/api/v1/sectors/ppp/projects/", rest))
        many_card = counted(f"/api/v1/sectors/ppp/projects/{project.pk}/", rest)
    assert many == few
    assert many_card == few_card


def _workbook(sheet: object, rows: list[list[object]]) -> io.BytesIO:
    workbook = Workbook()
    data = workbook.active
    data.title = sheet.data_sheet  # type: ignore[attr-defined]
    data.append([column.header for column in sheet.columns])  # type: ignore[attr-defined]
    for row in rows:
        data.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "项目.xlsx"
    return buffer


def test_excel_imports_every_row_or_none_and_exports_what_it_reads(world: City) -> None:
    good = [
        world.agency_a.uscc,
        "",
        "智慧停车PPP项目",
        "市政工程",
        "BOT",
        "使用者付费",
        "新机制（国办函〔2023〕115号）",
        20,
        9000,
        "2024-03-01",
    ]
    bad = [world.agency_b.uscc, "", "", "不存在", "BOT", "政府付费", "存量项目（原机制）", 0, -1, "昨天"]
    with at(TODAY):
        client = signed_in(world.clerk_a)
        assert client.get("/staff/sectors/ppp/excel/projects/template/").status_code == 200
        refused = client.post("/staff/sectors/ppp/excel/projects/import/", {"file": _workbook(PROJECTS, [good, bad])})
        assert PppProject.objects.count() == 0
        accepted = client.post("/staff/sectors/ppp/excel/projects/import/", {"file": _workbook(PROJECTS, [good])})
        code = PppProject.objects.get().code
        payments = client.post(
            "/staff/sectors/ppp/excel/payments/import/",
            {"file": _workbook(PAYMENTS, [[code, 2026, "可用性付费", 500, "2026-12-31"]])},
        )
        exported = client.get("/staff/sectors/ppp/excel/projects/export/")
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "项目名称" in text and 'data-row="3"' in text
    assert accepted.status_code == 302 and payments.status_code == 302
    assert PppPaymentObligation.objects.get().amount_due == Decimal("500")
    sheet = load_workbook(io.BytesIO(b"".join(exported.streaming_content))).active  # type: ignore[attr-defined]
    assert [cell.value for cell in sheet[2]][2] == "智慧停车PPP项目"
    assert build_template(PAYMENTS)[:2] == b"PK"


def test_the_ppp_pages_are_in_chinese(world: City) -> None:
    from tests.visible_text import english_words

    authority = ppp_authority(world.district_a)
    with at(TODAY):
        project = full_project(world)
        ppp_project_publish(actor=authority, project=project)
        data = frozenset({project.code, *User.objects.values_list("username", flat=True)})
        staff = [
            "/staff/sectors/ppp/",
            "/staff/sectors/ppp/?stage=execution&late=on",
            "/staff/sectors/ppp/new/",
            f"/staff/sectors/ppp/{project.pk}/",
            f"/staff/sectors/ppp/{project.pk}/edit/",
            "/staff/sectors/ppp/excel/projects/import/",
            "/staff/sectors/ppp/excel/payments/import/",
        ]
        found = {}
        for user in (world.clerk_a, world.office_a, authority):
            client = signed_in(user)
            for path in staff:
                response = client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans")
                if response.status_code == 200:
                    found[f"{user.username} {path}"] = english_words(response.content.decode(), data=data)
        for path in ("/ppp/", f"/ppp/{project.pk}/"):
            found[path] = english_words(Client().get(path, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode(), data=data)
    assert {path: words for path, words in found.items() if words} == {}


def test_the_ppp_authority_names_a_stage_holder_though_it_reads_no_integrity_files(world: City) -> None:
    successor = make_person(world.agency_a, "王芳")
    authority = ppp_authority(world.district_a)
    with at(TODAY):
        project = full_project(world)
        client = signed_in(authority)
        form = client.get(f"/staff/sectors/ppp/{project.pk}/").content.decode()
        assert "王芳" in form and f'value="{successor.pk}"' in form
        assert client.get(f"/staff/people/{successor.pk}/").status_code == 403  # the role reads no integrity files
        response = client.post(
            f"/staff/sectors/ppp/{project.pk}/handover/",
            {
                "stage": "execution",
                "agency": world.agency_a.pk,
                "person": successor.pk,
                "on": "2025-01-02",
                "note": "交接",
            },
        )
    assert response.status_code == 302
    assert PppStageAssignment.objects.filter(project=project, person=successor, ends_on__isnull=True).exists()
    # Another sector's authority finds neither the project nor the people.
    other = make_user(Role.SECTOR_AUTHORITY, world.district_a, username="proc-a", sector=Sector.PROCUREMENT)
    assert signed_in(other).get(f"/staff/sectors/ppp/{project.pk}/").status_code == 404
