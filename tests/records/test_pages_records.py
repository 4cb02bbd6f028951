"""Dishonesty records, staff side: the list, a record's page, and the create and edit forms.

The full ID number of person_a (33010219850312148X) must appear on no record page or list, for any role.
"""

import datetime
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.scope import may_enter_records_for
from notices.models import Notification
from records.models import (
    DishonestyRecord,
    RecordEvent,
    RecordResponsibility,
    RecordStatus,
    ResponsibilityKind,
)
from records.services import record_publish, record_submit
from records.views import dishonesty as record_views
from subjects.codes import make_uscc
from subjects.forms import entering_agencies
from subjects.models import Agency
from tests.conftest import City
from tests.factories import make_agency, make_person, make_record

AssertNumQueries = Callable[..., CaptureQueriesContext]

FULL_ID = "33010219850312148X"
MASKED_ID = "3301**********148X"
NOW = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
EVERYONE = ["clerk_a", "reviewer_a", "office_a", "inspector_a", "sector_a", "admin", "outsider", "office_b"]
OUTSIDE_UCSS = make_uscc("11330100000000003")


@pytest.fixture(autouse=True)
def _frozen_time() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def calendar(db: None) -> None:
    from workcalendar.services import calendar_year_seed

    calendar_year_seed(year=2026)


def user(world: City, name: str) -> Any:
    return getattr(world, name)


def record_ids(response: Any) -> list[int]:
    return [record.pk for record in response.context["page"].object_list]


def published(world: City, **overrides: Any) -> DishonestyRecord:
    record = make_record(world.clerk_a, world.agency_a, **overrides)
    record_submit(actor=world.reviewer_a, record=record)
    return record_publish(actor=world.office_a, record=record)


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def form_data(world: City, **overrides: Any) -> dict[str, Any]:
    """A complete, valid create form as the browser posts it, with two blank responsible rows."""
    data: dict[str, Any] = {
        "subject_agency": world.agency_a.pk,
        "subject_person": "",
        "data_source_agency": world.agency_a.pk,
        "source": "administrative_penalty",
        "sector": "procurement",
        "severity": "general",
        "special_field": "",
        "document_number": "东财罚〔2026〕8号",
        "deciding_agency": "",
        "deciding_body_name": "临江市市场监督管理局",
        "deciding_body_uscc": OUTSIDE_UCSS,
        "decision_date": "2026-06-01",
        "facts": "拖欠中小企业货款逾期未支付。",
        "legal_basis": "《保障中小企业款项支付条例》第八条",
        "categories": "拖欠账款",
        "fine_amount": "1.5",
        "other_amount": "",
        "loss_description": "",
        "social_impact": "",
        "responsible-TOTAL_FORMS": "2",
        "responsible-INITIAL_FORMS": "0",
        "responsible-MIN_NUM_FORMS": "0",
        "responsible-MAX_NUM_FORMS": "1000",
        "responsible-0-person": "",
        "responsible-0-kind": "",
        "responsible-1-person": "",
        "responsible-1-kind": "",
    }
    data.update(overrides)
    return data


# The list ----------------------------------------------------------------------------------------------------------


def test_the_list_shows_the_records_in_scope(client: Client, world: City) -> None:
    mine = make_record(world.clerk_a, world.agency_a, document_number="东财〔2026〕1号")
    about_person = make_record(world.clerk_a, world.agency_a, subject_person=world.person_a)
    theirs = make_record(world.outsider, world.agency_b, document_number="西财〔2026〕1号")
    client.force_login(world.clerk_a)

    response = client.get("/staff/records/")

    assert response.status_code == 200
    assert set(record_ids(response)) == {mine.pk, about_person.pk}
    html = response.content.decode()
    assert "东财〔2026〕1号" in html
    assert "张伟" in html  # person names are fine for staff
    assert f'data-record-id="{mine.pk}" data-status="draft"' in html
    assert "西财〔2026〕1号" not in html
    assert theirs.pk not in record_ids(response)
    assert FULL_ID not in html


def test_the_outsider_sees_none_of_agency_a_records(client: Client, world: City) -> None:
    make_record(world.clerk_a, world.agency_a, document_number="东财〔2026〕1号")
    theirs = make_record(world.outsider, world.agency_b)
    client.force_login(world.outsider)

    response = client.get("/staff/records/")

    assert record_ids(response) == [theirs.pk]
    assert "东财〔2026〕1号" not in response.content.decode()


def test_the_sector_authority_sees_its_own_sector_only(client: Client, world: City) -> None:
    procurement = make_record(world.clerk_a, world.agency_a, sector="procurement")
    make_record(world.clerk_a, world.agency_a, sector="debt")
    client.force_login(world.sector_a)

    assert record_ids(client.get("/staff/records/")) == [procurement.pk]


def test_the_list_needs_a_login(client: Client, world: City) -> None:
    response = client.get("/staff/records/")

    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")


def test_it_filters_by_status_severity_and_text(client: Client, world: City) -> None:
    draft = make_record(world.clerk_a, world.agency_a, document_number="东财〔2026〕1号", severity="serious")
    submitted = make_record(world.clerk_a, world.agency_a, document_number="东财〔2026〕2号")
    record_submit(actor=world.reviewer_a, record=submitted)
    about_person = make_record(world.clerk_a, world.agency_a, subject_person=world.person_a)
    client.force_login(world.office_a)

    assert record_ids(client.get("/staff/records/", {"status": "submitted"})) == [submitted.pk]
    assert record_ids(client.get("/staff/records/", {"severity": "serious"})) == [draft.pk]
    assert record_ids(client.get("/staff/records/", {"q": "东财〔2026〕1"})) == [draft.pk]
    assert record_ids(client.get("/staff/records/", {"q": "张伟"})) == [about_person.pk]
    both = client.get("/staff/records/", {"status": ["draft", "submitted"], "severity": "general"})
    assert set(record_ids(both)) == {submitted.pk, about_person.pk}


def test_it_filters_by_agency_subtree_and_dates(client: Client, world: City) -> None:
    in_unit = make_record(
        world.clerk_a, world.unit_a, source_agency=world.agency_a, decision_date=datetime.date(2026, 3, 1)
    )
    in_agency = make_record(world.clerk_a, world.agency_a, decision_date=datetime.date(2026, 6, 1))
    client.force_login(world.office_a)

    below_unit = client.get("/staff/records/", {"subtree_of": world.unit_a.pk})
    below_agency = client.get("/staff/records/", {"subtree_of": world.agency_a.pk})
    spring = client.get("/staff/records/", {"decided_from": "2026-02-01", "decided_to": "2026-04-01"})

    assert record_ids(below_unit) == [in_unit.pk]
    assert set(record_ids(below_agency)) == {in_unit.pk, in_agency.pk}
    assert record_ids(spring) == [in_unit.pk]


def test_a_subtree_outside_the_scope_shows_nothing(client: Client, world: City) -> None:
    make_record(world.outsider, world.agency_b)
    make_record(world.clerk_a, world.agency_a)
    client.force_login(world.office_a)

    response = client.get("/staff/records/", {"subtree_of": world.district_b.pk})

    assert response.status_code == 200
    assert record_ids(response) == []
    assert 'id="empty-state"' in response.content.decode()


def test_the_agency_filter_takes_a_typed_name_within_the_scope(client: Client, world: City) -> None:
    in_unit = make_record(world.clerk_a, world.unit_a, source_agency=world.agency_a)
    elsewhere = make_record(world.office_a, world.district_a)
    client.force_login(world.office_a)

    response = client.get("/staff/records/", {"subtree_of": "东城区财政局国库支付中心"})
    outside = client.get("/staff/records/", {"subtree_of": world.agency_b.name})

    assert record_ids(response) == [in_unit.pk]
    assert elsewhere.pk not in record_ids(response)
    assert 'value="东城区财政局国库支付中心"' in response.content.decode()
    assert record_ids(outside) == []
    assert "subtree_of" in outside.context["form"].errors


def test_an_unreadable_filter_is_a_form_error_and_no_rows(client: Client, world: City) -> None:
    make_record(world.clerk_a, world.agency_a)
    client.force_login(world.clerk_a)

    response = client.get("/staff/records/", {"status": "nonsense", "decided_from": "yesterday"})

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"status", "decided_from"}
    assert record_ids(response) == []


def test_it_sorts_by_a_column_both_ways(client: Client, world: City) -> None:
    older = make_record(world.clerk_a, world.agency_a, decision_date=datetime.date(2026, 1, 5))
    newer = make_record(world.clerk_a, world.agency_a, decision_date=datetime.date(2026, 6, 1))
    client.force_login(world.clerk_a)

    default = client.get("/staff/records/")
    ascending = client.get("/staff/records/", {"ordering": "decision_date"})
    descending = client.get("/staff/records/", {"ordering": "-decision_date"})

    assert record_ids(default) == [newer.pk, older.pk]
    assert record_ids(ascending) == [older.pk, newer.pk]
    assert record_ids(descending) == [newer.pk, older.pk]
    assert ascending.context["sort"]["decision_date"]["sort"] == "ascending"
    assert "ordering=-decision_date" in ascending.context["sort"]["decision_date"]["url"]


def test_the_list_is_paginated_and_its_count_capped(
    client: Client, world: City, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(record_views, "PAGE_SIZE", 3)
    monkeypatch.setattr(record_views, "COUNT_CAP", 5)
    for _ in range(7):
        make_record(world.clerk_a, world.agency_a)
    client.force_login(world.clerk_a)

    first = client.get("/staff/records/")
    second = client.get("/staff/records/", {"page": 2})

    assert len(record_ids(first)) == 3
    assert first.context["page"].paginator.count == 5
    assert first.context["page"].paginator.capped is True
    assert 'data-capped="true"' in first.content.decode()
    assert len(record_ids(second)) == 2
    assert not set(record_ids(first)) & set(record_ids(second))


def test_the_count_is_exact_below_the_cap(client: Client, world: City) -> None:
    for _ in range(4):
        make_record(world.clerk_a, world.agency_a)
    client.force_login(world.clerk_a)

    response = client.get("/staff/records/")

    assert response.context["page"].paginator.count == 4
    assert response.context["page"].paginator.capped is False


def test_the_list_runs_the_same_queries_for_3_or_30_more_records(
    client: Client, world: City, django_assert_num_queries: AssertNumQueries
) -> None:
    client.force_login(world.office_a)
    url = "/staff/records/"

    def add(n: int) -> None:
        for i in range(n):
            unit = make_agency(parent=world.agency_a)
            person = make_person(unit) if i % 2 else None
            make_record(world.clerk_a, unit, subject_person=person, source_agency=world.agency_a)

    add(3)
    expected = count_queries(client, url)
    add(30)

    with django_assert_num_queries(expected):
        response = client.get(url)

    assert len(record_ids(response)) == 33


# One record --------------------------------------------------------------------------------------------------------


def test_the_record_page_shows_the_record_and_its_whole_story(client: Client, world: City, calendar: None) -> None:
    chief = make_person(world.agency_a, "刘局长", is_principal=True)
    record = published(world, categories="拖欠账款", fine_amount=Decimal("1.5"))
    client.force_login(world.office_a)

    response = client.get(f"/staff/records/{record.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["record"] == record
    assert record.document_number in html
    assert 'id="window-rule"' in html and record.disclosure_rule.citation in html
    assert 'id="window-repair">2026-09-01<' in html
    assert 'id="window-ends">2027-06-01<' in html
    assert f'data-person-id="{chief.pk}" data-kind="principal"' in html
    assert chief.id_number_masked in html
    kinds = [event.kind for event in response.context["events"]]
    assert kinds == ["created", "submitted", "published"]
    assert 'data-event-kind="published" data-from="submitted" data-to="published"' in html
    measures = response.context["measures"]
    assert {m.measure_type.code for m in measures} >= {"written_explanation", "rectification"}
    rectification = next(m.rect for m in measures if m.rect is not None)
    assert f'id="rectification-{rectification.pk}"' in html
    assert rectification.deadline.isoformat() in html
    assert response.context["history"][0].changes  # the publication changed the status
    assert any(change.new == "已发布" or change.new == "Published" for change in response.context["history"][0].changes)


def test_the_record_page_shows_a_person_subject_with_a_masked_id(client: Client, world: City) -> None:
    record = make_record(world.clerk_a, world.agency_a, subject_person=world.person_a)
    client.force_login(world.clerk_a)

    html = client.get(f"/staff/records/{record.pk}/").content.decode()

    assert 'id="subject-person"' in html
    assert MASKED_ID in html
    assert FULL_ID not in html


def test_edits_show_in_the_timeline_with_the_fields_they_changed(client: Client, world: City) -> None:
    record = make_record(world.clerk_a, world.agency_a)
    client.force_login(world.clerk_a)
    client.post(
        f"/staff/records/{record.pk}/edit/",
        form_data(world, document_number=record.document_number, facts="更正后的事实。"),
    )

    response = client.get(f"/staff/records/{record.pk}/")

    edited = [event for event in response.context["events"] if event.kind == "edited"]
    assert len(edited) == 1
    labels = {change.new for change in edited[0].shown_changes}
    assert "更正后的事实。" in labels


@pytest.mark.parametrize("name", ["outsider", "office_b"])
def test_the_outsider_gets_404_on_every_record_page(client: Client, world: City, name: str) -> None:
    record = make_record(world.clerk_a, world.agency_a)
    client.force_login(user(world, name))

    for url in ("", "edit/", "correct/"):
        assert client.get(f"/staff/records/{record.pk}/{url}").status_code == 404
    for action in ("submit", "return", "publish", "revoke", "evidence"):
        assert client.post(f"/staff/records/{record.pk}/{action}/", {"reason": "x"}).status_code == 404
    assert RecordEvent.objects.filter(record=record).count() == 1


def test_a_record_of_another_sector_is_404_for_the_sector_authority(client: Client, world: City) -> None:
    record = make_record(world.clerk_a, world.agency_a, sector="debt")
    client.force_login(world.sector_a)

    assert client.get(f"/staff/records/{record.pk}/").status_code == 404


def test_an_unknown_record_is_404(client: Client, world: City) -> None:
    client.force_login(world.admin)

    assert client.get("/staff/records/999999/").status_code == 404


@pytest.mark.parametrize("name", EVERYONE)
def test_no_record_page_shows_a_full_id_number(client: Client, world: City, calendar: None, name: str) -> None:
    make_person(world.agency_a, "刘局长", is_principal=True)
    about_person = make_record(world.clerk_a, world.agency_a, subject_person=world.person_a)
    responsible = make_record(world.clerk_a, world.agency_a, responsible=[(world.person_a, ResponsibilityKind.DIRECT)])
    record_submit(actor=world.reviewer_a, record=responsible)
    record_publish(actor=world.office_a, record=responsible)
    client.force_login(user(world, name))

    urls = ["/staff/records/", f"/staff/records/{about_person.pk}/", f"/staff/records/{responsible.pk}/"]
    urls += [f"/staff/records/{about_person.pk}/edit/", "/staff/records/new/", "/staff/queue/", "/staff/"]
    urls += [f"/staff/records/{responsible.pk}/correct/", "/staff/records/?q=张伟"]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 302, 403, 404), url
        assert FULL_ID not in response.content.decode(), url
        assert FULL_ID.lower() not in response.content.decode(), url


# Creating and editing ----------------------------------------------------------------------------------------------


def test_a_clerk_creates_a_record_with_its_responsible_persons(client: Client, world: City) -> None:
    deputy = make_person(world.agency_a, "王副局长")
    client.force_login(world.clerk_a)
    data = form_data(
        world,
        **{
            "responsible-0-person": deputy.pk,
            "responsible-0-kind": "principal",
            "responsible-1-person": world.person_a.pk,
            "responsible-1-kind": "direct",
        },
    )

    response = client.post("/staff/records/new/", data)

    record = DishonestyRecord.objects.get(document_number="东财罚〔2026〕8号")
    assert response.status_code == 302
    assert response["Location"] == f"/staff/records/{record.pk}/"
    assert record.status == RecordStatus.DRAFT
    assert record.subject_agency == world.agency_a
    assert record.data_source_agency == world.agency_a
    assert record.deciding_body_uscc == OUTSIDE_UCSS
    assert record.fine_amount == Decimal("1.5")
    assert record.created_by == world.clerk_a
    assert {(r.person_id, r.kind) for r in record.responsibilities.all()} == {
        (deputy.pk, "principal"),
        (world.person_a.pk, "direct"),
    }
    assert [(e.kind, e.actor) for e in RecordEvent.objects.filter(record=record)] == [("created", world.clerk_a)]


def test_a_record_about_a_civil_servant(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)

    response = client.post("/staff/records/new/", form_data(world, subject_person=world.person_a.pk))

    assert response.status_code == 302
    record = DishonestyRecord.objects.get()
    assert record.subject_person == world.person_a
    assert record.subject_name == "张伟"


def test_the_deciding_agency_gives_its_name_and_code(client: Client, world: City) -> None:
    client.force_login(world.office_a)

    response = client.post(
        "/staff/records/new/",
        form_data(world, deciding_agency=world.district_a.pk, deciding_body_name="", deciding_body_uscc=""),
    )

    assert response.status_code == 302
    record = DishonestyRecord.objects.get()
    assert record.deciding_agency == world.district_a
    assert (record.deciding_body_name, record.deciding_body_uscc) == (world.district_a.name, world.district_a.uscc)


def test_the_form_offers_the_agencies_the_user_enters_for(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)
    clerk = client.get("/staff/records/new/")
    client.force_login(world.office_a)
    office = client.get("/staff/records/new/")

    assert list(clerk.context["form"].fields["subject_agency"].queryset) == [world.agency_a]
    assert clerk.context["form"].initial["subject_agency"] == world.agency_a.pk
    assert list(office.context["form"].fields["subject_agency"].queryset) == [
        world.district_a,
        world.agency_a,
        world.unit_a,
    ]
    people = [value for value, _label in clerk.context["form"].fields["subject_person"].choices]
    assert people == ["", str(world.person_a.pk)]
    assert world.person_b.name not in clerk.content.decode()


def test_entering_agencies_agrees_with_the_scope_rule(world: City) -> None:
    agencies = list(Agency.objects.all())
    for name in EVERYONE:
        person = user(world, name)
        allowed = set(entering_agencies(person))
        assert allowed == {a for a in agencies if may_enter_records_for(person, a)}, name


@pytest.mark.parametrize("name", ["inspector_a", "sector_a"])
def test_roles_that_do_not_enter_records_get_403(client: Client, world: City, name: str) -> None:
    client.force_login(user(world, name))

    assert client.get("/staff/records/new/").status_code == 403
    assert client.post("/staff/records/new/", form_data(world)).status_code == 403
    assert not DishonestyRecord.objects.exists()


def test_missing_fields_are_field_errors_and_nothing_is_written(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)

    response = client.post(
        "/staff/records/new/",
        form_data(world, source="", document_number="", decision_date="not a date", facts="", fine_amount="many"),
    )

    assert response.status_code == 200
    assert {"source", "document_number", "decision_date", "facts", "fine_amount"} <= set(
        response.context["form"].errors
    )
    assert not DishonestyRecord.objects.exists()


def test_an_agency_outside_the_entering_scope_is_a_field_error(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)

    response = client.post(
        "/staff/records/new/", form_data(world, subject_agency=world.agency_b.pk, data_source_agency=world.agency_b.pk)
    )

    assert response.status_code == 200
    assert {"subject_agency", "data_source_agency"} <= set(response.context["form"].errors)
    assert not DishonestyRecord.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"decision_date": "2026-12-01"}, "decision_date"),
        ({"deciding_body_uscc": "11330100000000003X"}, "deciding_body_uscc"),
        ({"deciding_body_name": ""}, "deciding_body_name"),
        ({"fine_amount": "-1"}, "fine_amount"),
        ({"facts": "   "}, "facts"),
    ],
)
def test_a_service_refusal_lands_on_its_field(
    client: Client, world: City, overrides: dict[str, str], field: str
) -> None:
    client.force_login(world.clerk_a)

    response = client.post("/staff/records/new/", form_data(world, **overrides))

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not DishonestyRecord.objects.exists()


def test_amounts_read_the_same_on_the_record_page_and_in_its_form(client: Client, world: City) -> None:
    record = make_record(world.clerk_a, world.agency_a, fine_amount=Decimal("5"), other_amount=Decimal("1.2345"))
    client.force_login(world.clerk_a)

    page = client.get(f"/staff/records/{record.pk}/").content.decode()
    form = client.get(f"/staff/records/{record.pk}/edit/").content.decode()

    assert '<dd class="num-left" id="record-fine">5.00</dd>' in page
    assert '<dd class="num-left" id="record-other-amount">1.2345</dd>' in page
    assert 'name="fine_amount" value="5.00"' in form
    assert "5.000000" not in page + form


def test_every_rule_error_shows_at_once(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)
    data = form_data(
        world, fine_amount="-5", deciding_body_uscc="11330100000000003X", decision_date="2026-12-01", facts="  "
    )

    response = client.post("/staff/records/new/", data)

    errors = response.context["form"].errors
    assert {"fine_amount", "deciding_body_uscc", "decision_date", "facts"} <= set(errors)
    html = response.content.decode()
    for name in ("fine_amount", "deciding_body_uscc", "decision_date", "facts"):
        assert f'id="id_{name}_error"' in html
    assert 'value="-5"' in html  # what was typed stays
    assert not DishonestyRecord.objects.exists()


def test_rule_errors_show_beside_the_forms_own_errors(client: Client, world: City) -> None:
    """A missing field (the form's check) does not hide a bad code or a negative fine (the rules')."""
    client.force_login(world.clerk_a)

    response = client.post(
        "/staff/records/new/",
        form_data(world, document_number="", fine_amount="-5", deciding_body_uscc="11330100000000003X"),
    )

    assert {"document_number", "fine_amount", "deciding_body_uscc"} <= set(response.context["form"].errors)
    assert not DishonestyRecord.objects.exists()


def test_the_form_marks_its_required_fields(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)

    html = client.get("/staff/records/new/").content.decode()

    for name in ("subject_agency", "source", "severity", "document_number", "decision_date", "facts"):
        start = html.index(f'data-field="{name}"')
        assert 'class="required-mark"' in html[start : html.index("</label>", start)], name
    for name in ("categories", "fine_amount", "special_field"):
        start = html.index(f'data-field="{name}"')
        assert 'class="required-mark"' not in html[start : html.index("</label>", start)], name
    assert 'id="required-note"' in html


def test_the_clerk_saves_and_sends_for_review_in_one_step(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)

    response = client.post("/staff/records/new/", form_data(world, then="review"))

    record = DishonestyRecord.objects.get()
    assert response["Location"] == f"/staff/records/{record.pk}/"
    assert record.status == RecordStatus.AWAITING_REVIEW
    assert Notification.objects.filter(user=world.reviewer_a).exists()


def test_a_plain_save_keeps_the_draft_and_says_so(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)

    response = client.post("/staff/records/new/", form_data(world), follow=True)

    assert DishonestyRecord.objects.get().status == RecordStatus.DRAFT
    assert "已保存为草稿" in response.content.decode()


def test_only_the_clerk_is_offered_to_send_for_review(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)
    clerk_form = client.get("/staff/records/new/").content.decode()
    client.force_login(world.reviewer_a)
    reviewer_form = client.get("/staff/records/new/").content.decode()

    assert 'id="save-and-review"' in clerk_form
    assert 'id="save-and-review"' not in reviewer_form


def test_a_duplicate_document_number_is_a_field_error(client: Client, world: City) -> None:
    make_record(world.clerk_a, world.agency_a, document_number="东财罚〔2026〕8号", deciding_body_uscc=OUTSIDE_UCSS)
    client.force_login(world.clerk_a)

    response = client.post("/staff/records/new/", form_data(world))

    assert response.status_code == 200
    assert "document_number" in response.context["form"].errors
    assert DishonestyRecord.objects.count() == 1


def test_a_civil_servant_of_another_agency_is_a_field_error(client: Client, world: City) -> None:
    someone_in_unit = make_person(world.unit_a, "赵强")
    client.force_login(world.office_a)

    response = client.post("/staff/records/new/", form_data(world, subject_person=someone_in_unit.pk))

    assert response.status_code == 200
    assert "subject_person" in response.context["form"].errors
    assert not DishonestyRecord.objects.exists()


def test_a_person_listed_twice_is_an_error_on_the_responsible_persons(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)
    data = form_data(
        world,
        **{
            "responsible-0-person": world.person_a.pk,
            "responsible-0-kind": "principal",
            "responsible-1-person": world.person_a.pk,
            "responsible-1-kind": "direct",
        },
    )

    response = client.post("/staff/records/new/", data)

    assert response.status_code == 200
    assert response.context["formset"].non_form_errors()
    assert 'id="responsible-errors"' in response.content.decode()
    assert not DishonestyRecord.objects.exists()


def test_a_responsible_person_needs_a_kind(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)

    response = client.post("/staff/records/new/", form_data(world, **{"responsible-0-person": world.person_a.pk}))

    assert response.status_code == 200
    assert "kind" in response.context["formset"].forms[0].errors
    assert not DishonestyRecord.objects.exists()


def test_editing_a_draft_saves_it_and_writes_an_edited_event(client: Client, world: City) -> None:
    record = make_record(world.clerk_a, world.agency_a, responsible=[(world.person_a, ResponsibilityKind.DIRECT)])
    client.force_login(world.clerk_a)

    page = client.get(f"/staff/records/{record.pk}/edit/")
    response = client.post(
        f"/staff/records/{record.pk}/edit/",
        form_data(
            world,
            document_number=record.document_number,
            severity="serious",
            **{
                "responsible-TOTAL_FORMS": "1",
                "responsible-INITIAL_FORMS": "1",
                "responsible-0-person": world.person_a.pk,
                "responsible-0-kind": "principal",
            },
        ),
    )

    assert page.status_code == 200
    assert page.context["form"].initial["document_number"] == record.document_number
    assert page.context["formset"].forms[0].initial == {"person": str(world.person_a.pk), "kind": "direct"}
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.severity == "serious"
    assert record.disclosure_ends_on == datetime.date(2029, 6, 1)  # the serious tier's three years
    assert RecordResponsibility.objects.get(record=record).kind == "principal"
    edited = RecordEvent.objects.get(record=record, kind="edited")
    assert edited.actor == world.clerk_a
    assert edited.changes["severity"] == ["general", "serious"]


def test_a_bad_edit_changes_nothing(client: Client, world: City) -> None:
    record = make_record(world.clerk_a, world.agency_a)
    client.force_login(world.clerk_a)

    response = client.post(
        f"/staff/records/{record.pk}/edit/",
        form_data(world, document_number=record.document_number, decision_date="2027-01-01", severity="serious"),
    )

    assert response.status_code == 200
    assert "decision_date" in response.context["form"].errors
    record.refresh_from_db()
    assert record.severity == "general"
    assert not RecordEvent.objects.filter(record=record, kind="edited").exists()


def test_a_submitted_record_is_not_editable(client: Client, world: City) -> None:
    record = make_record(world.clerk_a, world.agency_a)
    record_submit(actor=world.reviewer_a, record=record)
    client.force_login(world.clerk_a)

    page = client.get(f"/staff/records/{record.pk}/edit/")
    post = client.post(f"/staff/records/{record.pk}/edit/", form_data(world, severity="serious"))

    assert page.status_code == 302
    assert page["Location"] == f"/staff/records/{record.pk}/"
    assert post.status_code == 302
    record.refresh_from_db()
    assert record.severity == "general"
    assert not RecordEvent.objects.filter(record=record, kind="edited").exists()


@pytest.mark.parametrize("name", ["inspector_a", "sector_a"])
def test_readers_may_not_edit(client: Client, world: City, name: str) -> None:
    record = make_record(world.clerk_a, world.agency_a)
    client.force_login(user(world, name))

    assert client.get(f"/staff/records/{record.pk}/edit/").status_code == 403
    assert client.post(f"/staff/records/{record.pk}/edit/", form_data(world)).status_code == 403


def test_an_agency_may_not_edit_a_record_the_credit_office_supplied(client: Client, world: City) -> None:
    record = make_record(world.office_a, world.agency_a, source_agency=world.district_a)
    client.force_login(world.clerk_a)

    assert client.get(f"/staff/records/{record.pk}/").status_code == 200  # it is about agency A
    assert client.get(f"/staff/records/{record.pk}/edit/").status_code == 403


def test_choosing_another_agency_offers_its_people_without_saving(client: Client, world: City) -> None:
    in_unit = make_person(world.unit_a, "赵强")
    client.force_login(world.office_a)
    first = client.get("/staff/records/new/")

    response = client.post(
        "/staff/records/new/",
        form_data(world, subject_agency=world.unit_a.pk, document_number="", reload_people="1"),
    )

    assert [v for v, _label in first.context["form"].fields["subject_person"].choices] == [""]
    assert response.status_code == 200
    assert not response.context["form"].is_bound
    assert response.context["form"].initial["subject_agency"] == str(world.unit_a.pk)
    assert response.context["form"].initial["facts"] == "拖欠中小企业货款逾期未支付。"
    people = [value for value, _label in response.context["form"].fields["subject_person"].choices]
    assert people == ["", str(in_unit.pk)]
    assert 'class="errorlist' not in response.content.decode()
    assert not DishonestyRecord.objects.exists()


def test_the_form_keeps_the_responsible_rows_across_a_reload(client: Client, world: City) -> None:
    client.force_login(world.clerk_a)

    response = client.post(
        "/staff/records/new/",
        form_data(
            world, reload_people="1", **{"responsible-0-person": world.person_a.pk, "responsible-0-kind": "direct"}
        ),
    )

    assert response.context["formset"].forms[0].initial == {"person": str(world.person_a.pk), "kind": "direct"}


def test_every_control_on_the_record_pages_has_a_label(client: Client, world: City, calendar: None) -> None:
    from tests.accounts.test_pages_accounts import audit

    draft = make_record(world.clerk_a, world.agency_a)
    record = published(world)
    pages = {
        world.clerk_a: [
            "/staff/records/",
            "/staff/records/?status=nonsense",
            "/staff/records/new/",
            f"/staff/records/{draft.pk}/",
            f"/staff/records/{draft.pk}/edit/",
            f"/staff/records/{record.pk}/",
            "/staff/queue/",
            "/staff/records/import/",
        ],
        world.office_a: [f"/staff/records/{record.pk}/", f"/staff/records/{record.pk}/correct/", "/staff/queue/"],
    }
    for person, urls in pages.items():
        client.force_login(person)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert audit(response.content.decode()).unlabelled() == [], url


def test_filters_the_form_does_not_show_travel_on_as_hidden_inputs(client: Client, world: City) -> None:
    mine = make_record(world.clerk_a, world.agency_a)
    make_record(world.office_a, world.agency_a, source_agency=world.district_a)
    client.force_login(world.office_a)

    response = client.get("/staff/records/", {"status": "draft", "data_source_agency": world.agency_a.pk})

    assert record_ids(response) == [mine.pk]
    html = response.content.decode()
    assert f'<input type="hidden" name="data_source_agency" value="{world.agency_a.pk}">' in html
    assert 'id="unshown-filters"' in html
