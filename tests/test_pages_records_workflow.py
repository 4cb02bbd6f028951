"""The workflow buttons on a record's page: who sees which, what each POST does, and how refusals look.

Every move goes through the service, which writes the event row; a refused move changes nothing.
"""

import datetime
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from records.models import (
    AppliedMeasure,
    DishonestyRecord,
    MeasureEvent,
    MeasureState,
    RecordEvent,
    RecordStatus,
    Rectification,
)
from records.services import record_publish, record_return, record_revoke, record_submit
from records.views import record_actions
from tests.conftest import City
from tests.factories import make_record

NOW = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
ROLES = ["clerk_a", "reviewer_a", "office_a", "inspector_a", "sector_a", "admin"]
BUTTON_IDS = {
    "edit": 'id="edit-link"',
    "submit": 'id="submit-form"',
    "return": 'id="return-form"',
    "publish": 'id="publish-form"',
    "correct": 'id="correct-link"',
    "revoke": 'id="revoke-form"',
    "attach_evidence": 'id="evidence-form"',
}


@pytest.fixture(autouse=True)
def _frozen_time() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def calendar(db: None) -> None:
    from workcalendar.services import calendar_year_seed

    calendar_year_seed(year=2026)


def user(world: City, name: str) -> Any:
    return getattr(world, name)


def events(record: DishonestyRecord) -> list[tuple[str, str, str]]:
    return [(e.kind, e.from_status, e.to_status) for e in RecordEvent.objects.filter(record=record)]


def in_state(world: City, status: str) -> DishonestyRecord:
    record = make_record(world.clerk_a, world.agency_a)
    if status == "draft":
        return record
    record = record_submit(actor=world.reviewer_a, record=record)
    if status == "submitted":
        return record
    if status == "returned":
        return record_return(actor=world.office_a, record=record, reason="材料不全")
    record = record_publish(actor=world.office_a, record=record)
    if status == "revoked":
        return record_revoke(actor=world.office_a, record=record, reason="判决被撤销")
    return record


# Who sees which button ---------------------------------------------------------------------------------------------

EXPECTED_ACTIONS = {
    "draft": {
        "clerk_a": ["edit", "attach_evidence"],
        "reviewer_a": ["edit", "submit", "attach_evidence"],
        "office_a": ["edit", "submit", "attach_evidence"],
        "inspector_a": [],
        "sector_a": [],
        "admin": ["edit", "submit", "attach_evidence"],
    },
    "returned": {
        "clerk_a": ["edit", "attach_evidence"],
        "reviewer_a": ["edit", "submit", "attach_evidence"],
        "office_a": ["edit", "submit", "attach_evidence"],
        "inspector_a": [],
        "sector_a": [],
        "admin": ["edit", "submit", "attach_evidence"],
    },
    "submitted": {
        "clerk_a": [],
        "reviewer_a": [],
        "office_a": ["return", "publish", "attach_evidence"],
        "inspector_a": [],
        "sector_a": [],
        "admin": ["return", "publish", "attach_evidence"],
    },
    "published": {
        "clerk_a": [],
        "reviewer_a": [],
        "office_a": ["correct", "revoke", "attach_evidence"],
        "inspector_a": [],
        "sector_a": [],
        "admin": ["correct", "revoke", "attach_evidence"],
    },
    "revoked": {name: (["attach_evidence"] if name in ("office_a", "admin") else []) for name in ROLES},
}


@pytest.mark.parametrize("status", list(EXPECTED_ACTIONS))
def test_each_role_sees_exactly_its_buttons(client: Client, world: City, status: str) -> None:
    record = in_state(world, status)
    assert record.status == status
    for name in ROLES:
        client.force_login(user(world, name))
        expected = EXPECTED_ACTIONS[status][name]

        response = client.get(f"/staff/records/{record.pk}/")

        assert response.status_code == 200, name
        assert response.context["actions"] == expected, (status, name)
        html = response.content.decode()
        for action, marker in BUTTON_IDS.items():
            assert (marker in html) == (action in expected), (status, name, action)


def test_a_record_the_credit_office_supplied_is_not_the_agencys_to_edit(world: City) -> None:
    record = make_record(world.office_a, world.agency_a, source_agency=world.district_a)

    assert record_actions(world.office_a, record) == ["edit", "submit", "attach_evidence"]
    assert record_actions(world.clerk_a, record) == []


# Submit ------------------------------------------------------------------------------------------------------------


def test_the_reviewer_submits_a_draft(client: Client, world: City) -> None:
    record = in_state(world, "draft")
    client.force_login(world.reviewer_a)

    response = client.post(f"/staff/records/{record.pk}/submit/")

    assert response.status_code == 302
    assert response["Location"] == f"/staff/records/{record.pk}/"
    record.refresh_from_db()
    assert record.status == RecordStatus.SUBMITTED
    event = RecordEvent.objects.filter(record=record).last()
    assert (event.kind, event.from_status, event.to_status, event.actor) == (
        "submitted",
        "draft",
        "submitted",
        world.reviewer_a,
    )


@pytest.mark.parametrize("name", ["clerk_a", "inspector_a", "sector_a"])
def test_others_may_not_submit(client: Client, world: City, name: str) -> None:
    record = in_state(world, "draft")
    client.force_login(user(world, name))

    response = client.post(f"/staff/records/{record.pk}/submit/")

    assert response.status_code == 403
    record.refresh_from_db()
    assert record.status == RecordStatus.DRAFT
    assert events(record) == [("created", "", "draft")]


def test_actions_are_post_only(client: Client, world: City) -> None:
    record = in_state(world, "draft")
    client.force_login(world.reviewer_a)

    for action in ("submit", "return", "publish", "revoke", "evidence"):
        assert client.get(f"/staff/records/{record.pk}/{action}/").status_code == 405
    record.refresh_from_db()
    assert record.status == RecordStatus.DRAFT


def test_actions_need_a_login(client: Client, world: City) -> None:
    record = in_state(world, "draft")

    response = client.post(f"/staff/records/{record.pk}/submit/")

    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")


# Publish -----------------------------------------------------------------------------------------------------------


def test_the_credit_office_publishes_and_the_measures_follow(client: Client, world: City) -> None:
    record = in_state(world, "submitted")
    client.force_login(world.office_a)

    response = client.post(f"/staff/records/{record.pk}/publish/")

    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == RecordStatus.PUBLISHED
    assert events(record)[-1] == ("published", "submitted", "published")
    assert RecordEvent.objects.filter(record=record).last().actor == world.office_a
    assert AppliedMeasure.objects.filter(record=record).exists()
    assert Rectification.objects.filter(measure__record=record).count() == 1


@pytest.mark.parametrize("name", ["clerk_a", "reviewer_a", "inspector_a", "sector_a"])
def test_only_the_credit_office_publishes(client: Client, world: City, name: str) -> None:
    record = in_state(world, "submitted")
    client.force_login(user(world, name))

    response = client.post(f"/staff/records/{record.pk}/publish/")

    assert response.status_code == 403
    record.refresh_from_db()
    assert record.status == RecordStatus.SUBMITTED
    assert not AppliedMeasure.objects.exists()


def test_a_record_already_published_by_someone_else_shows_a_clean_error(client: Client, world: City) -> None:
    record = in_state(world, "submitted")
    client.force_login(world.office_a)
    page = client.get(f"/staff/records/{record.pk}/")
    assert "publish" in page.context["actions"]
    record_publish(actor=world.admin, record=record)  # another hand is quicker

    response = client.post(f"/staff/records/{record.pk}/publish/")

    assert response.status_code == 409
    html = response.content.decode()
    assert 'id="action-error" data-code="illegal_transition"' in html
    assert response.context["record"].status == RecordStatus.PUBLISHED
    assert [kind for kind, _from, _to in events(record)].count("published") == 1
    assert AppliedMeasure.objects.filter(record=record).count() == len(
        {m.measure_type_id for m in AppliedMeasure.objects.filter(record=record)}
    )


def test_publishing_with_no_calendar_configured_counts_the_deadline_provisionally(client: Client, world: City) -> None:
    from records.models import Rectification
    from workcalendar.models import CalendarYear

    record = in_state(world, "submitted")
    CalendarYear.objects.all().delete()
    client.force_login(world.office_a)

    response = client.post(f"/staff/records/{record.pk}/publish/", follow=True)

    assert response.status_code == 200
    record.refresh_from_db()
    assert record.status == RecordStatus.PUBLISHED
    rectifications = list(Rectification.objects.filter(measure__record=record))
    assert rectifications
    assert all(r.deadline_provisional for r in rectifications)
    html = client.get(f"/staff/records/{record.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'class="deadline-provisional"' in html


# Return and revoke -------------------------------------------------------------------------------------------------


def test_the_credit_office_returns_with_a_reason(client: Client, world: City) -> None:
    record = in_state(world, "submitted")
    client.force_login(world.office_a)

    response = client.post(f"/staff/records/{record.pk}/return/", {"reason": "缺少判决书"})

    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == RecordStatus.RETURNED
    event = RecordEvent.objects.filter(record=record).last()
    assert (event.kind, event.reason, event.actor) == ("returned", "缺少判决书", world.office_a)


@pytest.mark.parametrize("action", ["return", "revoke"])
def test_a_return_or_revocation_needs_a_reason(client: Client, world: City, action: str) -> None:
    record = in_state(world, "submitted" if action == "return" else "published")
    before = record.status
    client.force_login(world.office_a)

    response = client.post(f"/staff/records/{record.pk}/{action}/", {"reason": "  "})

    assert response.status_code == 200
    assert "reason" in response.context["reason_forms"][action].errors
    assert f'id="{action}-reason_error"' in response.content.decode()
    record.refresh_from_db()
    assert record.status == before
    assert len(events(record)) == (2 if action == "return" else 3)


def test_the_reviewer_may_not_return(client: Client, world: City) -> None:
    record = in_state(world, "submitted")
    client.force_login(world.reviewer_a)

    response = client.post(f"/staff/records/{record.pk}/return/", {"reason": "x"})

    assert response.status_code == 403
    record.refresh_from_db()
    assert record.status == RecordStatus.SUBMITTED


def test_the_credit_office_revokes_and_the_measures_are_lifted(client: Client, world: City) -> None:
    record = in_state(world, "published")
    client.force_login(world.office_a)

    response = client.post(f"/staff/records/{record.pk}/revoke/", {"reason": "判决被撤销"})

    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == RecordStatus.REVOKED
    assert events(record)[-1] == ("revoked", "published", "revoked")
    assert set(AppliedMeasure.objects.filter(record=record).values_list("state", flat=True)) == {"lifted"}


def test_revoking_a_draft_is_refused_cleanly(client: Client, world: City) -> None:
    record = in_state(world, "submitted")
    client.force_login(world.office_a)

    response = client.post(f"/staff/records/{record.pk}/revoke/", {"reason": "重复录入"})

    assert response.status_code == 409
    assert 'id="action-error"' in response.content.decode()
    record.refresh_from_db()
    assert record.status == RecordStatus.SUBMITTED


def test_the_credit_office_of_another_district_cannot_reach_the_record(client: Client, world: City) -> None:
    record = in_state(world, "submitted")
    client.force_login(world.office_b)

    assert client.post(f"/staff/records/{record.pk}/publish/").status_code == 404
    record.refresh_from_db()
    assert record.status == RecordStatus.SUBMITTED


# Correct -----------------------------------------------------------------------------------------------------------


def test_the_correction_form_is_prefilled(client: Client, world: City) -> None:
    record = in_state(world, "published")
    client.force_login(world.office_a)

    response = client.get(f"/staff/records/{record.pk}/correct/")

    assert response.status_code == 200
    assert response.context["form"].initial["facts"] == record.facts
    assert "subject_agency" not in response.context["form"].fields


def test_the_credit_office_corrects_a_published_record(client: Client, world: City) -> None:
    record = in_state(world, "published")
    client.force_login(world.office_a)
    data = {
        "severity": "serious",
        "special_field": "",
        "decision_date": "2026-06-01",
        "document_number": record.document_number,
        "facts": "更正后的事实。",
        "legal_basis": record.legal_basis,
        "categories": "",
        "fine_amount": "",
        "other_amount": "",
        "loss_description": "",
        "social_impact": "",
        "reason": "文书笔误",
    }

    response = client.post(f"/staff/records/{record.pk}/correct/", data)

    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == RecordStatus.CORRECTED
    assert (record.severity, record.facts) == ("serious", "更正后的事实。")
    assert record.disclosure_ends_on == datetime.date(2029, 6, 1)
    event = RecordEvent.objects.filter(record=record).last()
    assert (event.kind, event.reason, event.actor) == ("corrected", "文书笔误", world.office_a)
    assert set(event.changes) == {"severity", "facts"}


def test_a_correction_needs_a_reason_and_a_change(client: Client, world: City) -> None:
    record = in_state(world, "published")
    client.force_login(world.office_a)
    unchanged = {
        "severity": record.severity,
        "decision_date": "2026-06-01",
        "document_number": record.document_number,
        "facts": record.facts,
        "legal_basis": record.legal_basis,
    }

    no_reason = client.post(f"/staff/records/{record.pk}/correct/", {**unchanged, "facts": "新", "reason": ""})
    no_change = client.post(f"/staff/records/{record.pk}/correct/", {**unchanged, "reason": "核对"})
    future = client.post(
        f"/staff/records/{record.pk}/correct/", {**unchanged, "decision_date": "2027-01-01", "reason": "核对"}
    )

    assert no_reason.status_code == 200
    assert "reason" in no_reason.context["form"].errors
    assert no_change.status_code == 200
    assert no_change.context["form"].non_field_errors()
    assert "decision_date" in future.context["form"].errors
    record.refresh_from_db()
    assert record.status == RecordStatus.PUBLISHED
    assert not RecordEvent.objects.filter(record=record, kind="corrected").exists()


@pytest.mark.parametrize("name", ["clerk_a", "reviewer_a", "inspector_a"])
def test_only_the_credit_office_corrects(client: Client, world: City, name: str) -> None:
    record = in_state(world, "published")
    client.force_login(user(world, name))

    assert client.get(f"/staff/records/{record.pk}/correct/").status_code == 403
    assert client.post(f"/staff/records/{record.pk}/correct/", {"reason": "x"}).status_code == 403


def test_a_draft_cannot_be_corrected(client: Client, world: City) -> None:
    record = in_state(world, "submitted")
    client.force_login(world.office_a)

    response = client.get(f"/staff/records/{record.pk}/correct/")

    assert response.status_code == 302
    assert response["Location"] == f"/staff/records/{record.pk}/"


# Measures ----------------------------------------------------------------------------------------------------------


def test_the_credit_office_suspends_a_measure(client: Client, world: City) -> None:
    record = in_state(world, "published")
    measure = AppliedMeasure.objects.filter(record=record).first()
    client.force_login(world.office_a)
    page = client.get(f"/staff/records/{record.pk}/")
    assert f'id="measure-{measure.pk}-state-form"' in page.content.decode()

    response = client.post(
        f"/staff/records/measures/{measure.pk}/state/", {"to_state": "suspended", "reason": "异议核查中"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/staff/records/{record.pk}/#measure-{measure.pk}"
    measure.refresh_from_db()
    assert measure.state == MeasureState.SUSPENDED
    event = MeasureEvent.objects.filter(measure=measure).last()
    assert (event.from_state, event.to_state, event.reason, event.actor) == (
        "active",
        "suspended",
        "异议核查中",
        world.office_a,
    )


def test_a_measure_change_needs_a_reason(client: Client, world: City) -> None:
    record = in_state(world, "published")
    measure = AppliedMeasure.objects.filter(record=record).first()
    client.force_login(world.office_a)

    response = client.post(f"/staff/records/measures/{measure.pk}/state/", {"to_state": "suspended", "reason": ""})

    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="measure-{measure.pk}-reason_error"' in html
    measure.refresh_from_db()
    assert measure.state == MeasureState.ACTIVE


def test_an_illegal_measure_move_is_refused_cleanly(client: Client, world: City) -> None:
    record = in_state(world, "revoked")
    measure = AppliedMeasure.objects.filter(record=record).first()
    client.force_login(world.office_a)

    response = client.post(f"/staff/records/measures/{measure.pk}/state/", {"to_state": "active", "reason": "恢复"})

    assert response.status_code == 409
    assert 'id="action-error"' in response.content.decode()
    measure.refresh_from_db()
    assert measure.state == MeasureState.LIFTED


@pytest.mark.parametrize(("name", "status"), [("clerk_a", 403), ("inspector_a", 403), ("outsider", 404)])
def test_only_the_credit_office_changes_measures(client: Client, world: City, name: str, status: int) -> None:
    record = in_state(world, "published")
    measure = AppliedMeasure.objects.filter(record=record).first()
    client.force_login(user(world, name))

    response = client.post(f"/staff/records/measures/{measure.pk}/state/", {"to_state": "suspended", "reason": "x"})

    assert response.status_code == status
    measure.refresh_from_db()
    assert measure.state == MeasureState.ACTIVE


def test_the_measure_form_is_not_shown_to_the_agency(client: Client, world: City) -> None:
    record = in_state(world, "published")
    client.force_login(world.clerk_a)

    response = client.get(f"/staff/records/{record.pk}/")

    assert "-state-form" not in response.content.decode()
    assert all(measure.next_states == [] for measure in response.context["measures"])


# Rectification -----------------------------------------------------------------------------------------------------


def rectification_of(record: DishonestyRecord) -> Rectification:
    return Rectification.objects.get(measure__record=record)


@pytest.mark.parametrize("name", ["clerk_a", "reviewer_a"])
def test_the_agency_answers_its_rectification(client: Client, world: City, name: str) -> None:
    record = in_state(world, "published")
    rectification = rectification_of(record)
    client.force_login(user(world, name))
    page = client.get(f"/staff/records/{record.pk}/")
    assert f'id="rectification-{rectification.pk}-form"' in page.content.decode()

    response = client.post(
        f"/staff/records/rectifications/{rectification.pk}/answer/", {"explanation": "已支付全部欠款。"}
    )

    assert response.status_code == 302
    rectification.refresh_from_db()
    assert rectification.explanation == "已支付全部欠款。"
    assert rectification.submitted_by == user(world, name)
    after = client.get(f"/staff/records/{record.pk}/").content.decode()
    assert f'id="rectification-{rectification.pk}-form"' not in after
    assert 'data-answered="true"' in after


def test_an_empty_answer_is_a_field_error(client: Client, world: City) -> None:
    record = in_state(world, "published")
    rectification = rectification_of(record)
    client.force_login(world.clerk_a)

    response = client.post(f"/staff/records/rectifications/{rectification.pk}/answer/", {"explanation": " "})

    assert response.status_code == 200
    assert f'id="rectification-{rectification.pk}-explanation_error"' in response.content.decode()
    rectification.refresh_from_db()
    assert rectification.submitted_at is None


@pytest.mark.parametrize(("name", "status"), [("inspector_a", 403), ("sector_a", 403), ("outsider", 404)])
def test_others_may_not_answer_a_rectification(client: Client, world: City, name: str, status: int) -> None:
    record = in_state(world, "published")
    rectification = rectification_of(record)
    client.force_login(user(world, name))

    response = client.post(f"/staff/records/rectifications/{rectification.pk}/answer/", {"explanation": "x"})

    assert response.status_code == status
    rectification.refresh_from_db()
    assert rectification.submitted_at is None


def test_an_overdue_rectification_is_flagged(client: Client, world: City) -> None:
    record = in_state(world, "published")
    rectification = rectification_of(record)

    with time_machine.travel(datetime.datetime(2026, 12, 20, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        client.force_login(world.office_a)  # a session from November would have expired
        response = client.get(f"/staff/records/{record.pk}/")

    assert f'id="rectification-{rectification.pk}-overdue"' in response.content.decode()
    assert 'data-overdue="true"' in response.content.decode()


def test_a_rectification_of_a_lifted_measure_cannot_be_answered(client: Client, world: City) -> None:
    record = in_state(world, "revoked")
    rectification = rectification_of(record)
    client.force_login(world.clerk_a)

    response = client.post(f"/staff/records/rectifications/{rectification.pk}/answer/", {"explanation": "已整改"})

    assert response.status_code == 409
    rectification.refresh_from_db()
    assert rectification.submitted_at is None
