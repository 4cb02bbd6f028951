"""The admin console: scoped like every other page, role-based, nothing deleted, writes through the services."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django import forms
from django.contrib import admin
from django.db import connection
from django.db.models import Model
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.admin import ScopedAdmin
from accounts.authentication import api_token_issue
from accounts.models import Role, User
from subjects.codes import make_uscc
from subjects.models import (
    AccessAction,
    Agency,
    AgencyEvent,
    AgencyEventKind,
    AgencyKind,
    AnnualAssessment,
    CivilServant,
    CivilServantMove,
    IntegrityTraining,
    PersonalDataAccess,
    PersonalMattersReport,
)
from subjects.personal_data import id_number_digest
from subjects.services import (
    assessment_record,
    civil_servant_file_read,
    civil_servant_move,
    matters_report_record,
    training_record,
)
from tests.conftest import City
from tests.factories import make_agency, make_person, make_user, next_id_number, next_uscc
from workcalendar.models import CalendarDay, CalendarYear
from workcalendar.services import calendar_year_seed

FULL_ID = "33010219850312148X"  # person_a's number (tests/conftest.py)
MASKED_ID = "3301**********148X"
CONSOLE_APPS = {"accounts", "subjects", "records", "workcalendar"}


def admin_url(model: type[Model], view: str, *args: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_data(response: Any) -> dict[str, Any]:
    """What a browser would post back from an admin change page left as it is (main form and inlines)."""
    forms_on_page = [response.context["adminform"].form]
    data: dict[str, Any] = {}
    for inline in response.context.get("inline_admin_formsets", []):
        management = inline.formset.management_form
        data.update({management.add_prefix(name): management[name].value() for name in management.fields})
        forms_on_page.extend(inline.formset.forms)
    for form in forms_on_page:
        for name, field in form.fields.items():
            value = form[name].value()
            if isinstance(field, forms.BooleanField):
                if value:
                    data[form.add_prefix(name)] = "on"
            else:
                data[form.add_prefix(name)] = "" if value is None else value
    return data


def result_pks(response: Any) -> set[int]:
    return {obj.pk for obj in response.context["cl"].result_list}


@pytest.fixture
def one_of_each(world: City) -> dict[type[Model], Model]:
    """A row of every model the console shows, written through the services."""
    mover = make_person(world.agency_a, "王芳")
    move = civil_servant_move(
        actor=world.admin, person=mover, to_agency=world.unit_a, moved_on=datetime.date(2025, 3, 1), reason="工作需要"
    )
    civil_servant_file_read(actor=world.admin, person=world.person_a, channel="web")
    token, _key = api_token_issue(user=world.clerk_a)
    return {
        Agency: world.agency_a,
        AgencyEvent: AgencyEvent.objects.filter(agency=world.agency_a).get(),
        CivilServant: world.person_a,
        CivilServantMove: move,
        PersonalDataAccess: PersonalDataAccess.objects.filter(person=world.person_a).first(),
        AnnualAssessment: assessment_record(actor=world.admin, person=world.person_a, year=2024, result="competent"),
        IntegrityTraining: training_record(
            actor=world.admin,
            person=world.person_a,
            title="政务诚信专题培训",
            attended_on=datetime.date(2025, 5, 20),
            hours=Decimal("3.0"),
        ),
        PersonalMattersReport: matters_report_record(
            actor=world.admin,
            person=world.person_a,
            year=2025,
            reported_on=datetime.date(2025, 1, 31),
            summary="本人有关事项无变化。",
        ),
        CalendarYear: calendar_year_seed(year=2025),
        User: world.clerk_a,
        token._meta.model: token,
    }


def test_it_opens_every_changelist_and_change_page_for_the_administrator(
    world: City, one_of_each: dict[type[Model], Model]
) -> None:
    client = client_for(world.admin)
    registered = {model: model_admin for model, model_admin in admin.site._registry.items()}
    console = {model: ma for model, ma in registered.items() if model._meta.app_label in CONSOLE_APPS}
    assert set(one_of_each) <= set(console)
    for model, model_admin in console.items():
        assert isinstance(model_admin, ScopedAdmin), model
        listing = client.get(admin_url(model, "changelist"))
        assert listing.status_code == 200, model
        assert "delete_selected" not in model_admin.get_actions(listing.wsgi_request), model
        obj = one_of_each.get(model)
        if obj is None:
            continue
        page = client.get(admin_url(model, "change", obj.pk))
        assert page.status_code == 200, model
        assert admin_url(model, "delete", obj.pk) not in page.content.decode(), model


def test_it_shows_the_credit_office_its_region_only(world: City) -> None:
    client = client_for(world.office_a)

    agencies = client.get(admin_url(Agency, "changelist"))
    people = client.get(admin_url(CivilServant, "changelist"))

    assert agencies.status_code == 200
    assert {world.district_a.pk, world.agency_a.pk, world.unit_a.pk} <= result_pks(agencies)
    assert not {world.city.pk, world.district_b.pk, world.agency_b.pk} & result_pks(agencies)
    assert world.person_a.pk in result_pks(people)
    assert world.person_b.pk not in result_pks(people)


def test_it_does_not_open_another_region_objects_for_the_credit_office(world: City) -> None:
    client = client_for(world.office_a)

    agency_page = client.get(admin_url(Agency, "change", world.agency_b.pk))
    person_page = client.get(admin_url(CivilServant, "change", world.person_b.pk))
    history = client.get(admin_url(Agency, "history", world.agency_b.pk))
    autocomplete = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "subjects", "model_name": "civilservant", "field_name": "agency", "term": "财政局"},
    )

    assert agency_page.status_code == 302
    assert agency_page.url == reverse("admin:index")
    assert person_page.status_code == 302
    assert history.status_code == 404
    assert world.agency_b.name not in agency_page.content.decode() + history.content.decode()
    found = {int(item["id"]) for item in autocomplete.json()["results"]}
    assert world.agency_a.pk in found
    assert world.agency_b.pk not in found


def test_it_keeps_the_credit_office_out_of_user_management(world: City) -> None:
    response = client_for(world.office_a).get(admin_url(User, "changelist"))

    assert response.status_code == 403


@pytest.mark.parametrize("persona", [None, "clerk_a", "reviewer_a", "inspector_a", "sector_a", "outsider"])
def test_it_sends_everyone_but_administrators_and_credit_offices_to_the_login(world: City, persona: str | None) -> None:
    client = client_for(getattr(world, persona)) if persona else Client()

    for url in (reverse("admin:index"), admin_url(Agency, "changelist"), admin_url(CivilServant, "changelist")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("admin:login")), url


def test_it_refuses_to_delete_anything(world: City) -> None:
    client = client_for(world.admin)

    page = client.post(admin_url(Agency, "delete", world.unit_a.pk), {"post": "yes"})
    action = client.post(
        admin_url(Agency, "changelist"),
        {"action": "delete_selected", "_selected_action": [world.unit_a.pk], "index": 0, "post": "yes"},
    )
    person = client.post(admin_url(CivilServant, "delete", world.person_a.pk), {"post": "yes"})

    assert page.status_code == 403
    assert person.status_code == 403
    assert action.status_code in {200, 302}
    assert Agency.objects.filter(pk=world.unit_a.pk).exists()
    assert CivilServant.objects.filter(pk=world.person_a.pk).exists()


def test_it_creates_an_agency_through_the_service(world: City) -> None:
    uscc = next_uscc(prefix="12", region="330102")

    response = client_for(world.office_a).post(
        admin_url(Agency, "add"),
        {
            "name": "东城区财政局票据管理中心",
            "kind": AgencyKind.PUBLIC_INSTITUTION,
            "uscc": uscc,
            "region_code": "330102",
            "parent": world.agency_a.pk,
            "reason": "东编〔2025〕12号",
        },
    )

    assert response.status_code == 302
    agency = Agency.objects.get(uscc=uscc)
    assert agency.path == f"{world.agency_a.path}{agency.pk}/"
    event = AgencyEvent.objects.get(agency=agency)
    assert (event.kind, event.actor, event.reason) == (AgencyEventKind.CREATED, world.office_a, "东编〔2025〕12号")


def test_it_shows_an_invalid_uscc_as_a_field_error_and_writes_nothing(world: City) -> None:
    valid = next_uscc(region="330102")
    wrong_check = valid[:-1] + ("0" if valid[-1] != "0" else "1")
    before = (Agency.objects.count(), AgencyEvent.objects.count())

    response = client_for(world.admin).post(
        admin_url(Agency, "add"),
        {
            "name": "错误代码单位",
            "kind": AgencyKind.DEPARTMENT,
            "uscc": wrong_check,
            "region_code": "330102",
            "parent": world.district_a.pk,
        },
    )

    assert response.status_code == 200
    assert "uscc" in response.context["adminform"].form.errors
    assert (Agency.objects.count(), AgencyEvent.objects.count()) == before


def test_it_refuses_an_agency_outside_the_credit_office_region(world: City) -> None:
    before = Agency.objects.count()

    response = client_for(world.office_a).post(
        admin_url(Agency, "add"),
        {
            "name": "西城区某单位",
            "kind": AgencyKind.DEPARTMENT,
            "uscc": next_uscc(region="330105"),
            "region_code": "330105",
            "parent": world.district_b.pk,
        },
    )

    assert response.status_code == 200
    assert "parent" in response.context["adminform"].form.errors
    assert Agency.objects.count() == before


def test_it_turns_a_refused_move_into_a_form_error_and_rolls_the_whole_save_back(world: City) -> None:
    client = client_for(world.office_a)
    data = page_data(client.get(admin_url(Agency, "change", world.agency_a.pk)))
    data.update({"name": "东城区财政局（新）", "parent": world.unit_a.pk, "reason": "试图移到下级单位之下"})

    response = client.post(admin_url(Agency, "change", world.agency_a.pk), data)

    assert response.status_code == 200
    assert "parent" in response.context["adminform"].form.errors
    world.agency_a.refresh_from_db()
    assert world.agency_a.name == "东城区财政局"
    assert world.agency_a.parent == world.district_a
    assert not AgencyEvent.objects.filter(agency=world.agency_a, kind=AgencyEventKind.RENAMED).exists()


def test_it_renames_and_moves_through_the_services_and_lists_the_change_in_the_history(world: City) -> None:
    client = client_for(world.admin)
    data = page_data(client.get(admin_url(Agency, "change", world.agency_a.pk)))
    data.update({"name": "东城区财政局（机构改革）", "parent": world.district_b.pk, "reason": "区划调整"})

    response = client.post(admin_url(Agency, "change", world.agency_a.pk), data)
    history = client.get(admin_url(Agency, "history", world.agency_a.pk))

    assert response.status_code == 302
    world.agency_a.refresh_from_db()
    world.unit_a.refresh_from_db()
    assert world.agency_a.path == f"{world.district_b.path}{world.agency_a.pk}/"
    assert world.unit_a.path.startswith(world.agency_a.path)
    kinds = set(AgencyEvent.objects.filter(agency=world.agency_a).values_list("kind", flat=True))
    assert {AgencyEventKind.RENAMED, AgencyEventKind.MOVED} <= kinds
    assert history.status_code == 200
    assert "东城区财政局（机构改革）" in history.content.decode()
    assert any(record.history_user == world.admin for record in history.context["page_obj"])


def test_it_registers_a_civil_servant_through_the_service(world: City) -> None:
    number = next_id_number()

    response = client_for(world.office_a).post(
        admin_url(CivilServant, "add"),
        {"name": "陈静", "id_number": number, "agency": world.agency_a.pk, "position": "科员", "rank": "一级科员"},
    )

    assert response.status_code == 302
    person = CivilServant.objects.get(id_number_digest=id_number_digest(number))
    assert (person.name, person.agency) == ("陈静", world.agency_a)
    assert number not in response.content.decode()


def test_it_shows_a_bad_id_number_on_its_field_and_writes_nothing(world: City) -> None:
    number = next_id_number()
    bad = number[:-1] + ("0" if number[-1] != "0" else "1")
    before = CivilServant.objects.count()

    response = client_for(world.admin).post(
        admin_url(CivilServant, "add"), {"name": "陈静", "id_number": bad, "agency": world.agency_a.pk}
    )

    assert response.status_code == 200
    assert "id_number" in response.context["adminform"].form.errors
    assert CivilServant.objects.count() == before


def test_it_moves_a_civil_servant_when_the_agency_changes(world: City) -> None:
    client = client_for(world.office_a)
    data = page_data(client.get(admin_url(CivilServant, "change", world.person_a.pk)))
    data.update({"agency": world.unit_a.pk, "moved_on": "2025-06-01", "move_reason": "轮岗"})

    response = client.post(admin_url(CivilServant, "change", world.person_a.pk), data)

    assert response.status_code == 302
    move = CivilServantMove.objects.get(person=world.person_a)
    assert (move.from_agency, move.to_agency, move.moved_on) == (
        world.agency_a,
        world.unit_a,
        datetime.date(2025, 6, 1),
    )


@pytest.mark.parametrize("persona", ["admin", "office_a"])
def test_it_never_shows_the_full_id_number(world: City, persona: str) -> None:
    client = client_for(getattr(world, persona))
    pages = [
        client.get(admin_url(CivilServant, "changelist")),
        client.get(admin_url(CivilServant, "change", world.person_a.pk)),
        client.get(admin_url(CivilServant, "history", world.person_a.pk)),
        client.get(admin_url(PersonalDataAccess, "changelist")),
    ]

    for page in pages:
        assert page.status_code == 200
        assert FULL_ID not in page.content.decode()
    assert MASKED_ID in pages[0].content.decode()
    assert MASKED_ID in pages[1].content.decode()


def test_it_logs_opening_a_person_in_the_console_as_a_file_read(world: City) -> None:
    client_for(world.office_a).get(admin_url(CivilServant, "change", world.person_a.pk))

    access = PersonalDataAccess.objects.get(person=world.person_a)
    assert (access.actor, access.action, access.channel) == (world.office_a, AccessAction.VIEW_FILE, "admin")


def test_it_records_an_assessment_through_the_service_and_shows_the_rule_as_a_form_error(world: City) -> None:
    client = client_for(world.office_a)

    first = client.post(
        admin_url(AnnualAssessment, "add"), {"person": world.person_a.pk, "year": 2024, "result": "competent"}
    )
    again = client.post(
        admin_url(AnnualAssessment, "add"), {"person": world.person_a.pk, "year": 2024, "result": "excellent"}
    )
    outside = client.post(
        admin_url(AnnualAssessment, "add"), {"person": world.person_b.pk, "year": 2024, "result": "competent"}
    )

    assert first.status_code == 302
    assessment = AnnualAssessment.objects.get(person=world.person_a)
    assert (assessment.result, assessment.recorded_by) == ("competent", world.office_a)
    assert again.status_code == 200
    assert again.context["adminform"].form.errors
    assert outside.status_code == 200
    assert "person" in outside.context["adminform"].form.errors
    assert AnnualAssessment.objects.count() == 1


def test_it_keeps_is_staff_in_step_with_the_role(world: City) -> None:
    client = client_for(world.admin)

    created = client.post(
        admin_url(User, "add"),
        {
            "username": "office-new",
            "usable_password": "true",
            "password1": "a-long-enough-password-42",
            "password2": "a-long-enough-password-42",
            "first_name": "赵敏",
            "role": Role.CREDIT_OFFICE,
            "agency": world.district_a.pk,
            "sector": "",
        },
    )
    user = User.objects.get(username="office-new")
    assert created.status_code == 302
    assert (user.is_staff, user.is_superuser, user.check_password("a-long-enough-password-42")) == (True, False, True)

    data = page_data(client.get(admin_url(User, "change", user.pk)))
    data.update({"role": Role.CLERK, "agency": world.agency_a.pk})
    changed = client.post(admin_url(User, "change", user.pk), data)

    assert changed.status_code == 302
    user.refresh_from_db()
    assert (user.role, user.agency, user.is_staff, user.is_superuser) == (Role.CLERK, world.agency_a, False, False)


def test_it_shows_a_sector_without_a_sector_authority_as_a_form_error(world: City) -> None:
    response = client_for(world.admin).post(
        admin_url(User, "add"),
        {
            "username": "sector-less",
            "usable_password": "false",
            "role": Role.SECTOR_AUTHORITY,
            "agency": world.district_a.pk,
            "sector": "",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not User.objects.filter(username="sector-less").exists()


def test_it_seeds_the_calendar_from_the_holiday_library(world: City) -> None:
    client = client_for(world.admin)

    response = client.post(reverse("admin:workcalendar_calendaryear_seed"))

    assert response.status_code == 302
    assert CalendarYear.objects.filter(year=2025).exists()
    assert CalendarDay.objects.filter(date=datetime.date(2025, 10, 1), kind="holiday").exists()


def test_it_lets_only_administrators_seed_the_calendar(world: City) -> None:
    response = client_for(world.office_a).post(reverse("admin:workcalendar_calendaryear_seed"))

    assert response.status_code == 403
    assert not CalendarYear.objects.exists()


def test_it_shows_calendar_day_rules_as_form_errors(world: City) -> None:
    client = client_for(world.admin)
    added = client.post(admin_url(CalendarYear, "add"), {"year": 2099, "source": "国务院办公厅通知（手工录入）"})
    year = CalendarYear.objects.get(year=2099)
    saturday = datetime.date(2099, 1, 3)
    assert added.status_code == 302
    assert saturday.weekday() == 5

    data = page_data(client.get(admin_url(CalendarYear, "change", year.pk)))
    data.update({"days-TOTAL_FORMS": "1", "days-0-date": saturday.isoformat(), "days-0-kind": "holiday"})
    data["days-0-calendar_year"] = year.pk
    response = client.post(admin_url(CalendarYear, "change", year.pk), data)

    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.errors[0]
    assert not CalendarDay.objects.filter(date=saturday).exists()


def test_it_fills_a_new_year_from_the_library_from_the_add_form(world: City) -> None:
    response = client_for(world.admin).post(admin_url(CalendarYear, "add"), {"year": 2025, "seed_from_library": "on"})

    assert response.status_code == 302
    year = CalendarYear.objects.get(year=2025)
    assert year.configured_by == world.admin
    assert year.days.count() > 10


def test_it_reports_a_year_the_library_does_not_cover_on_the_year_field(world: City) -> None:
    response = client_for(world.admin).post(admin_url(CalendarYear, "add"), {"year": 2099, "seed_from_library": "on"})

    assert response.status_code == 200
    assert "year" in response.context["adminform"].form.errors
    assert not CalendarYear.objects.exists()


def test_it_accepts_a_grassroots_committee_code_with_prefix_54(world: City) -> None:
    uscc = make_uscc("54330102MA0000001")
    response = client_for(world.admin).post(
        admin_url(Agency, "add"),
        {
            "name": "江滨社区居民委员会",
            "kind": AgencyKind.RESIDENTS_COMMITTEE,
            "uscc": uscc,
            "region_code": "330102",
            "parent": world.district_a.pk,
        },
    )

    assert response.status_code == 302
    assert Agency.objects.filter(uscc=uscc).exists()


def test_it_lets_the_credit_office_rename_the_top_of_its_region(world: City) -> None:
    # The parent of the office's own agency is outside its region: shown, not offered as a choice.
    client = client_for(world.office_a)
    page = client.get(admin_url(Agency, "change", world.district_a.pk))
    data = page_data(page)
    data.update({"name": "临江市东城区人民政府（新）", "reason": "更名"})

    response = client.post(admin_url(Agency, "change", world.district_a.pk), data)

    assert "parent" not in page.context["adminform"].form.fields
    assert response.status_code == 302
    world.district_a.refresh_from_db()
    assert (world.district_a.name, world.district_a.parent) == ("临江市东城区人民政府（新）", world.city)


def test_it_shows_the_credit_office_its_console_without_user_management(world: City) -> None:
    response = client_for(world.office_a).get(reverse("admin:index"))

    assert response.status_code == 200
    models = {model["object_name"] for app in response.context["app_list"] for model in app["models"]}
    assert {"Agency", "CivilServant", "AnnualAssessment", "CalendarYear"} <= models
    assert not {"User", "ApiToken"} & models


def test_it_never_reverts_a_historical_version(world: City) -> None:
    version = world.agency_a.history.earliest()
    url = reverse("admin:subjects_agency_simple_history", args=(world.agency_a.pk, version.history_id))
    client = client_for(world.admin)

    page = client.get(url)
    revert = client.post(url, {"name": "旧名称", "reason": ""})
    outsider_view = client_for(world.office_b).get(url)

    assert page.status_code == 200
    assert revert.status_code == 403
    assert outsider_view.status_code == 404
    world.agency_a.refresh_from_db()
    assert world.agency_a.name == "东城区财政局"


@pytest.mark.parametrize(
    "model", [Agency, CivilServant, AnnualAssessment, IntegrityTraining, AgencyEvent, PersonalDataAccess, User]
)
def test_it_lists_rows_in_a_constant_number_of_queries(world: City, model: type[Model]) -> None:
    client = client_for(world.admin if model is User else world.office_a)

    def queries_for_listing() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(admin_url(model, "changelist")).status_code == 200
        return len(queries)

    def add_rows() -> None:
        for year in range(2015, 2020):
            person = make_person(make_agency(parent=world.agency_a))
            assessment_record(actor=world.office_a, person=person, year=year, result="competent")
            civil_servant_file_read(actor=world.office_a, person=person, channel="web")
            training_record(
                actor=world.office_a,
                person=person,
                title="诚信教育",
                attended_on=datetime.date(year, 6, 1),
                hours=Decimal("2.0"),
            )
            make_user(Role.CLERK, person.agency)

    add_rows()
    before = queries_for_listing()
    add_rows()

    assert queries_for_listing() == before
