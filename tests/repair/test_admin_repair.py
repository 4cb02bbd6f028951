"""The admin console for objections, complaints and credit repair: scoped per region, read-only, steps only through the
services, nothing deleted, and never a query code's digest on screen."""

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.contrib import admin
from django.db import connection
from django.db.models import Model
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.admin import ScopedAdmin
from accounts.models import User
from notices.models import Notification
from records.models import DishonestyRecord
from records.services import record_publish, record_submit
from repair.models import CaseEvent, Complaint, Mitigation, Objection, RepairApplication
from repair.services import complaint_file, mitigation_grant, objection_accept, objection_file, repair_apply
from subjects.models import Agency
from tests.conftest import City
from tests.factories import make_person, make_record
from workcalendar.models import CalendarYear
from workcalendar.services import calendar_year_seed

D = datetime.date
# A serious record decided in June 2026 is still on disclosure and already repairable.
REPAIR_DAY = datetime.datetime(2027, 7, 1, 10, 0, tzinfo=datetime.UTC)
FULL_ID = "33010219850312148X"  # person_a's number (tests/conftest.py)
REPAIR_MODELS = [Objection, Complaint, RepairApplication, CaseEvent, Mitigation, Notification]
CASE_MODELS = [Objection, Complaint, RepairApplication]


@pytest.fixture(autouse=True)
def _july_2027(db: None) -> Iterator[None]:
    calendar_year_seed(year=2026)
    CalendarYear.objects.get_or_create(year=2027, defaults={"source": "测试"})
    with time_machine.travel(REPAIR_DAY, tick=False):
        yield


def admin_url(model: type[Model], view: str, *args: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def result_pks(response: Any) -> set[int]:
    assert response.status_code == 200
    return {obj.pk for obj in response.context["cl"].result_list}


def published(world: City, subject: Agency, clerk: User, office: User, **overrides: Any) -> DishonestyRecord:
    record = make_record(clerk, subject, severity="serious", decision_date=D(2026, 6, 1), **overrides)
    record = record_submit(actor=world.admin, record=record)  # not the publishing office: four eyes
    return record_publish(actor=office, record=record, today=D(2026, 11, 2))


def filer(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "statement": "文书号与法院判决不一致。",
        "filer_name": "王律师",
        "filer_contact": "13800000000",
        "commitment_signed": True,
    }
    values.update(overrides)
    return values


@pytest.fixture
def two_regions(world: City) -> dict[str, dict[type[Model], Model]]:
    """A case of every kind, an event, a mitigation and a notification, in district A and in district B."""
    rows: dict[str, dict[type[Model], Model]] = {}
    for region, subject, clerk, office, person in (
        ("a", world.agency_a, world.clerk_a, world.office_a, world.person_a),
        ("b", world.agency_b, world.outsider, world.office_b, world.person_b),
    ):
        record = published(world, subject, clerk, office)
        objection, _code = objection_file(record=record, grounds="wrong", **filer())
        complaint, _code = complaint_file(record=record, **filer(statement="异议超期未处理。"))
        repair, _code = repair_apply(record=record, **filer(statement="已履行。"), filed_by=office)
        about_person = published(world, subject, clerk, office, subject_person=person)
        measure = about_person.measures.get(measure_type__code="no_honours")
        rows[region] = {
            Objection: objection,
            Complaint: complaint,
            RepairApplication: repair,
            CaseEvent: CaseEvent.objects.get(objection=objection),
            Mitigation: mitigation_grant(actor=office, measure=measure, kind="mitigated", reason="主动挽回损失"),
            Notification: Notification.objects.filter(agency=subject).order_by("pk").first(),
        }
    return rows


# Every page, scope, no deletion ------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["admin", "office_a"])
def test_it_opens_every_repair_page_on_the_scoped_mixin_without_a_delete_button(
    world: City, two_regions: dict[str, dict[type[Model], Model]], persona: str
) -> None:
    client = client_for(getattr(world, persona))
    for model in REPAIR_MODELS:
        model_admin = admin.site._registry[model]
        assert isinstance(model_admin, ScopedAdmin), model
        listing = client.get(admin_url(model, "changelist"))
        assert listing.status_code == 200, model
        assert "delete_selected" not in model_admin.get_actions(listing.wsgi_request), model
        obj = two_regions["a"][model]
        page = client.get(admin_url(model, "change", obj.pk))
        assert page.status_code == 200, model
        assert admin_url(model, "delete", obj.pk) not in page.content.decode(), model


@pytest.mark.parametrize("model", REPAIR_MODELS)
def test_each_credit_office_lists_its_own_region_only(
    world: City, two_regions: dict[str, dict[type[Model], Model]], model: type[Model]
) -> None:
    a, b = two_regions["a"][model].pk, two_regions["b"][model].pk

    seen_by_a = result_pks(client_for(world.office_a).get(admin_url(model, "changelist")))
    seen_by_b = result_pks(client_for(world.office_b).get(admin_url(model, "changelist")))
    seen_by_admin = result_pks(client_for(world.admin).get(admin_url(model, "changelist")))

    assert a in seen_by_a and b not in seen_by_a
    assert b in seen_by_b and a not in seen_by_b
    assert {a, b} <= seen_by_admin


@pytest.mark.parametrize("model", REPAIR_MODELS)
def test_another_regions_rows_are_not_found(
    world: City, two_regions: dict[str, dict[type[Model], Model]], model: type[Model]
) -> None:
    page = client_for(world.office_b).get(admin_url(model, "change", two_regions["a"][model].pk))

    assert page.status_code == 302
    assert page.url == reverse("admin:index")


@pytest.mark.parametrize("model", CASE_MODELS)
def test_another_regions_case_history_is_not_found(
    world: City, two_regions: dict[str, dict[type[Model], Model]], model: type[Model]
) -> None:
    case = two_regions["a"][model]

    assert client_for(world.office_b).get(admin_url(model, "history", case.pk)).status_code == 404
    assert client_for(world.office_a).get(admin_url(model, "history", case.pk)).status_code == 200


@pytest.mark.parametrize("persona", [None, "clerk_a", "reviewer_a", "inspector_a", "sector_a", "outsider"])
def test_only_console_roles_get_in(world: City, persona: str | None) -> None:
    client = client_for(getattr(world, persona)) if persona else Client()

    for model in REPAIR_MODELS:
        response = client.get(admin_url(model, "changelist"))
        assert response.status_code == 302, model
        assert response.url.startswith(reverse("admin:login")), model


@pytest.mark.parametrize("model", REPAIR_MODELS)
def test_nothing_is_deleted(world: City, two_regions: dict[str, dict[type[Model], Model]], model: type[Model]) -> None:
    obj = two_regions["a"][model]
    client = client_for(world.admin)

    page = client.post(admin_url(model, "delete", obj.pk), {"post": "yes"})
    action = client.post(
        admin_url(model, "changelist"),
        {"action": "delete_selected", "_selected_action": [obj.pk], "index": 0, "post": "yes"},
    )

    assert page.status_code == 403
    assert action.status_code in {200, 302}
    assert model._default_manager.filter(pk=obj.pk).exists()


@pytest.mark.parametrize("model", REPAIR_MODELS)
def test_everything_is_read_only(
    world: City, two_regions: dict[str, dict[type[Model], Model]], model: type[Model]
) -> None:
    obj = two_regions["a"][model]
    client = client_for(world.admin)

    page = client.get(admin_url(model, "change", obj.pk))

    assert not page.context["adminform"].form.fields  # every field is shown read-only
    assert client.get(admin_url(model, "add")).status_code == 403
    assert client.post(admin_url(model, "change", obj.pk), {"status": "upheld"}).status_code == 403
    assert model._default_manager.get(pk=obj.pk).__dict__.get("status") == obj.__dict__.get("status")


@pytest.mark.parametrize("model", CASE_MODELS)
def test_a_query_codes_digest_is_never_shown(
    world: City, two_regions: dict[str, dict[type[Model], Model]], model: type[Model]
) -> None:
    case: Any = two_regions["a"][model]
    client = client_for(world.admin)

    pages = [
        client.get(admin_url(model, "changelist")),
        client.get(admin_url(model, "change", case.pk)),
        client.get(admin_url(model, "history", case.pk)),
        client.get(admin_url(model, "changelist"), {"q": case.query_code_digest}),
    ]

    for page in pages[:3]:
        assert page.status_code == 200
        text = page.content.decode()
        assert case.query_code_digest not in text
        assert "query_code_digest" not in text
    assert result_pks(pages[3]) == set()  # not searchable either


def test_a_case_page_shows_its_timeline_and_masks_an_id_number_in_the_statement(world: City) -> None:
    record = published(world, world.agency_a, world.clerk_a, world.office_a)
    objection, _code = objection_file(
        record=record, grounds="wrong", **filer(statement=f"本人（身份证号{FULL_ID}）认为记录有误。")
    )
    objection_accept(actor=world.office_a, objection=objection)

    page = client_for(world.office_a).get(admin_url(Objection, "change", objection.pk))

    text = page.content.decode()
    assert FULL_ID not in text
    assert "3301**********148X" in text
    assert "office-a" in text  # the event inline names who accepted it


# Steps through the services ---------------------------------------------------------------------------------------


def changelist_action(client: Client, model: type[Model], action: str, pks: list[int], **extra: str) -> Any:
    return client.post(
        admin_url(model, "changelist"),
        {"action": action, "_selected_action": pks, "index": 0, **extra},
        follow=True,
    )


def test_the_credit_office_accepts_and_rejects_objections_through_the_services(
    world: City, two_regions: dict[str, dict[type[Model], Model]]
) -> None:
    mine: Any = two_regions["a"][Objection]
    theirs: Any = two_regions["b"][Objection]
    client = client_for(world.office_a)

    accepted = changelist_action(client, Objection, "accept_objections", [mine.pk, theirs.pk])
    mine.refresh_from_db()
    suspended = set(mine.record.measures.values_list("state", flat=True))
    before = CaseEvent.objects.count()
    without_reason = changelist_action(client, Objection, "reject_objections", [mine.pk], reason="  ")
    after_refusal = CaseEvent.objects.count()
    rejected = changelist_action(client, Objection, "reject_objections", [mine.pk], reason="经核实无误")

    assert accepted.status_code == rejected.status_code == 200
    theirs.refresh_from_db()
    assert theirs.status == "filed"  # another region's id is simply not selected
    assert suspended == {"suspended"}
    assert [m.level_tag for m in without_reason.context["messages"]] == ["error"]  # the service's "give the reasons"
    assert after_refusal == before
    mine.refresh_from_db()
    assert (mine.status, mine.decision_reason) == ("rejected", "经核实无误")
    events = list(CaseEvent.objects.filter(objection=mine).order_by("pk").values_list("to_status", "actor"))
    assert events == [("filed", None), ("checking", world.office_a.pk), ("rejected", world.office_a.pk)]
    assert set(mine.record.measures.values_list("state", flat=True)) == {"active"}


def test_an_illegal_step_is_reported_and_writes_nothing(
    world: City, two_regions: dict[str, dict[type[Model], Model]]
) -> None:
    complaint: Any = two_regions["a"][Complaint]
    before = CaseEvent.objects.count()

    response = changelist_action(
        client_for(world.office_a), Complaint, "resolve_complaints", [complaint.pk], reason="已督促"
    )

    messages = [(m.level_tag, str(m)) for m in response.context["messages"]]
    assert len(messages) == 1 and messages[0][0] == "error"
    assert CaseEvent.objects.count() == before
    complaint.refresh_from_db()
    assert complaint.status == "filed"


def test_complaints_and_repairs_move_through_the_services(
    world: City, two_regions: dict[str, dict[type[Model], Model]]
) -> None:
    complaint: Any = two_regions["a"][Complaint]
    repair: Any = two_regions["a"][RepairApplication]
    client = client_for(world.office_a)

    changelist_action(client, Complaint, "accept_complaints", [complaint.pk])
    changelist_action(client, Complaint, "dismiss_complaints", [complaint.pk], reason="投诉不成立")
    changelist_action(client, RepairApplication, "accept_repairs", [repair.pk])
    changelist_action(client, RepairApplication, "refuse_repairs", [repair.pk], reason="仍未履行")

    complaint.refresh_from_db()
    repair.refresh_from_db()
    assert (complaint.status, complaint.decision_reason) == ("dismissed", "投诉不成立")
    assert (repair.status, repair.decided_by) == ("refused", world.office_a)
    assert CaseEvent.objects.filter(repair=repair).latest("pk").actor == world.office_a


def test_overdue_cases_are_one_filter_away(world: City, two_regions: dict[str, dict[type[Model], Model]]) -> None:
    objection: Any = two_regions["a"][Objection]
    on_time = result_pks(client_for(world.office_a).get(admin_url(Objection, "changelist"), {"overdue": "yes"}))
    with time_machine.travel(datetime.datetime(2027, 7, 9, 10, 0, tzinfo=datetime.UTC), tick=False):
        # Filed on Thursday 1 July with two working days to accept: late from Tuesday 6 July.
        late = result_pks(client_for(world.office_a).get(admin_url(Objection, "changelist"), {"overdue": "yes"}))

    assert on_time == set()
    assert late == {objection.pk}


# Query counts ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", REPAIR_MODELS)
def test_the_lists_take_a_constant_number_of_queries(world: City, model: type[Model]) -> None:
    client = client_for(world.office_a)

    def queries_for_listing() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(admin_url(model, "changelist")).status_code == 200
        return len(queries)

    def add_rows(count: int) -> None:
        for _ in range(count):
            person = make_person(world.agency_a)
            record = published(world, world.agency_a, world.clerk_a, world.office_a, subject_person=person)
            objection_file(record=record, grounds="wrong", **filer())
            complaint_file(record=record, **filer())
            repair_apply(record=record, **filer(), filed_by=world.office_a)
            measure = record.measures.get(measure_type__code="no_honours")
            mitigation_grant(actor=world.office_a, measure=measure, kind="mitigated", reason="主动挽回损失")

    add_rows(2)
    before = queries_for_listing()
    add_rows(4)

    assert queries_for_listing() == before
