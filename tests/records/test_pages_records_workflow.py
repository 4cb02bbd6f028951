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

from notices.models import Notification
from outbox.models import PlatformChange
from records.models import (
    AppliedMeasure,
    DishonestyRecord,
    MeasureEvent,
    MeasureState,
    RecordEvent,
    RecordStatus,
    Rectification,
)
from records.services import (
    record_publish,
    record_publish_preview,
    record_request_review,
    record_return,
    record_revoke,
    record_submit,
)
from records.views import record_actions
from tests.conftest import City
from tests.factories import make_record

NOW = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
# The box ticked on the confirmation page of publish and revoke.
CONFIRMED = {"confirm": "on"}
ROLES = ["clerk_a", "reviewer_a", "office_a", "inspector_a", "sector_a", "admin"]
BUTTON_IDS = {
    "edit": 'id="edit-link"',
    "request_review": 'id="request-review-form"',
    "submit": 'id="submit-form"',
    "send_back": 'id="send-back-form"',
    "return": 'id="return-form"',
    "publish": 'id="publish-link"',
    "correct": 'id="correct-link"',
    "revoke": 'id="revoke-link"',
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
    if status == "awaiting_review":
        return record_request_review(actor=world.clerk_a, record=record)
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
        "clerk_a": ["edit", "request_review", "attach_evidence"],
        "reviewer_a": ["edit", "submit", "attach_evidence"],
        "office_a": ["edit", "submit", "attach_evidence"],
        "inspector_a": [],
        "sector_a": [],
        "admin": ["edit", "submit", "attach_evidence"],
    },
    "awaiting_review": {
        "clerk_a": ["edit", "attach_evidence"],
        "reviewer_a": ["edit", "submit", "send_back", "attach_evidence"],
        "office_a": ["edit", "submit", "send_back", "attach_evidence"],
        "inspector_a": [],
        "sector_a": [],
        "admin": ["edit", "submit", "send_back", "attach_evidence"],
    },
    "returned": {
        "clerk_a": ["edit", "request_review", "attach_evidence"],
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

    for action in ("request-review", "submit", "send-back", "evidence"):
        assert client.get(f"/staff/records/{record.pk}/{action}/").status_code == 405
    record.refresh_from_db()
    assert record.status == RecordStatus.DRAFT


@pytest.mark.parametrize(("status", "action"), [("submitted", "publish"), ("published", "revoke")])
def test_a_get_of_publish_or_revoke_only_shows_the_confirmation(
    client: Client, world: City, status: str, action: str
) -> None:
    record = in_state(world, status)
    client.force_login(world.office_a)

    response = client.get(f"/staff/records/{record.pk}/{action}/")

    assert response.status_code == 200
    assert f'id="confirm-{action}"' in response.content.decode()
    record.refresh_from_db()
    assert record.status == status


def test_actions_need_a_login(client: Client, world: City) -> None:
    record = in_state(world, "draft")

    response = client.post(f"/staff/records/{record.pk}/submit/")

    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")


# The hand-off between clerk and reviewer -----------------------------------------------------------------------


def test_the_clerk_sends_a_draft_for_review_and_the_reviewer_hears_of_it(client: Client, world: City) -> None:
    record = in_state(world, "draft")
    client.force_login(world.clerk_a)

    response = client.post(f"/staff/records/{record.pk}/request-review/")

    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == RecordStatus.AWAITING_REVIEW
    assert events(record)[-1] == ("review_requested", "draft", "awaiting_review")
    notice = Notification.objects.get(user=world.reviewer_a)
    assert record.document_number in notice.subject
    assert notice.link == f"/staff/records/{record.pk}/"
    page = client.get(f"/staff/records/{record.pk}/").content.decode()
    assert 'id="awaiting-review"' in page
    assert "待审核" in page


def test_the_reviewer_returns_a_record_to_the_clerk_with_a_reason(client: Client, world: City) -> None:
    record = record_request_review(actor=world.clerk_a, record=in_state(world, "draft"))
    client.force_login(world.reviewer_a)

    response = client.post(f"/staff/records/{record.pk}/send-back/", {"reason": "文书号有误，请核对"})

    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == RecordStatus.RETURNED
    event = RecordEvent.objects.filter(record=record).last()
    assert (event.kind, event.from_status, event.reason, event.actor) == (
        "returned",
        "awaiting_review",
        "文书号有误，请核对",
        world.reviewer_a,
    )
    notice = Notification.objects.get(user=world.clerk_a)
    assert notice.body == "文书号有误，请核对"
    client.force_login(world.clerk_a)
    html = client.get(f"/staff/records/{record.pk}/").content.decode()
    # The reason heads the record, above its data, and says who returned it.
    assert 'data-returned-from="awaiting_review"' in html and "单位审核员退回" in html
    assert html.index('id="return-reason"') < html.index('id="record-facts"')
    assert "文书号有误，请核对" in html[html.index('id="return-reason"') : html.index('id="record-facts"')]


def test_returning_to_the_clerk_needs_a_reason(client: Client, world: City) -> None:
    record = record_request_review(actor=world.clerk_a, record=in_state(world, "draft"))
    client.force_login(world.reviewer_a)

    response = client.post(f"/staff/records/{record.pk}/send-back/", {"reason": " "})

    assert response.status_code == 200
    assert 'id="send_back-reason_error"' in response.content.decode()
    record.refresh_from_db()
    assert record.status == RecordStatus.AWAITING_REVIEW
    assert not Notification.objects.filter(user=world.clerk_a).exists()


@pytest.mark.parametrize(("name", "status"), [("clerk_a", 403), ("inspector_a", 403), ("outsider", 404)])
def test_only_the_reviewer_returns_to_the_clerk(client: Client, world: City, name: str, status: int) -> None:
    record = record_request_review(actor=world.clerk_a, record=in_state(world, "draft"))
    client.force_login(user(world, name))

    response = client.post(f"/staff/records/{record.pk}/send-back/", {"reason": "x"})

    assert response.status_code == status
    record.refresh_from_db()
    assert record.status == RecordStatus.AWAITING_REVIEW


def test_a_record_waiting_for_review_cannot_be_sent_again(client: Client, world: City) -> None:
    record = record_request_review(actor=world.clerk_a, record=in_state(world, "draft"))
    client.force_login(world.clerk_a)

    response = client.post(f"/staff/records/{record.pk}/request-review/")

    assert response.status_code == 409
    assert 'id="action-error" data-code="illegal_transition"' in response.content.decode()
    assert [kind for kind, _f, _t in events(record)].count("review_requested") == 1


def test_the_reviewer_submits_a_record_sent_for_review(client: Client, world: City) -> None:
    record = record_request_review(actor=world.clerk_a, record=in_state(world, "draft"))
    client.force_login(world.reviewer_a)

    response = client.post(f"/staff/records/{record.pk}/submit/")

    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == RecordStatus.SUBMITTED
    assert events(record)[-1] == ("submitted", "awaiting_review", "submitted")


def test_a_return_by_the_credit_office_reaches_the_clerk_and_the_reviewer(world: City) -> None:
    record = in_state(world, "submitted")

    record_return(actor=world.office_a, record=record, reason="缺少判决书")

    notices = Notification.objects.filter(body="缺少判决书")
    assert {notice.user for notice in notices} == {world.clerk_a, world.reviewer_a}


# Dangerous actions come after the data, and are confirmed ------------------------------------------------------


@pytest.mark.parametrize(("status", "marker"), [("submitted", 'id="publish-link"'), ("published", 'id="revoke-link"')])
def test_publish_and_revoke_come_after_the_records_data(client: Client, world: City, status: str, marker: str) -> None:
    record = in_state(world, status)
    client.force_login(world.office_a)

    html = client.get(f"/staff/records/{record.pk}/").content.decode()

    assert html.index('id="record-facts"') < html.index('id="responsible-heading"') < html.index(marker)


def test_publishing_says_what_will_happen_before_it_happens(client: Client, world: City) -> None:
    record = in_state(world, "submitted")  # general tier, decided 2026-06-01: 2026 rule, 3 months to a year
    client.force_login(world.office_a)

    response = client.get(f"/staff/records/{record.pk}/publish/")

    html = response.content.decode()
    assert 'data-starts="2026-06-01" data-ends="2027-06-01"' in html
    assert 'data-repair="2026-09-01"' in html
    assert 'id="consequence-platform"' in html
    assert "市公共信用信息平台" in html
    for measure_type in record_publish_preview(record=record).measure_types:
        assert measure_type.name in html
    record.refresh_from_db()
    assert record.status == RecordStatus.SUBMITTED


def test_publishing_without_ticking_the_box_publishes_nothing(client: Client, world: City) -> None:
    record = in_state(world, "submitted")
    client.force_login(world.office_a)

    response = client.post(f"/staff/records/{record.pk}/publish/", {})

    assert response.status_code == 400
    assert 'id="publish-confirm_error"' in response.content.decode()
    record.refresh_from_db()
    assert record.status == RecordStatus.SUBMITTED
    assert not AppliedMeasure.objects.exists()
    assert not PlatformChange.objects.filter(record=record).exists()


def test_revoking_says_what_will_happen_and_needs_the_box_ticked(client: Client, world: City) -> None:
    record = in_state(world, "published")
    in_force = AppliedMeasure.objects.filter(record=record, state=MeasureState.ACTIVE).count()
    client.force_login(world.office_a)

    page = client.get(f"/staff/records/{record.pk}/revoke/").content.decode()
    unticked = client.post(f"/staff/records/{record.pk}/revoke/", {"reason": "重复录入"})

    assert f'id="consequence-measures" data-count="{in_force}"' in page
    assert 'id="consequence-platform"' in page
    assert unticked.status_code == 400
    assert 'id="revoke-confirm_error"' in unticked.content.decode()
    record.refresh_from_db()
    assert record.status == RecordStatus.PUBLISHED


def test_the_confirmation_page_of_a_record_that_moved_on_offers_no_button(client: Client, world: City) -> None:
    record = in_state(world, "published")
    client.force_login(world.office_a)

    response = client.get(f"/staff/records/{record.pk}/publish/")

    html = response.content.decode()
    assert 'id="action-error" data-code="illegal_transition"' in html
    assert 'id="confirm-button"' not in html


# Publish -----------------------------------------------------------------------------------------------------------


def test_the_credit_office_publishes_and_the_measures_follow(client: Client, world: City) -> None:
    record = in_state(world, "submitted")
    client.force_login(world.office_a)

    response = client.post(f"/staff/records/{record.pk}/publish/", CONFIRMED)

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

    response = client.post(f"/staff/records/{record.pk}/publish/", CONFIRMED)

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

    response = client.post(f"/staff/records/{record.pk}/publish/", CONFIRMED)

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

    response = client.post(f"/staff/records/{record.pk}/publish/", CONFIRMED, follow=True)

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
    client.force_login(world.clerk_a)
    html = client.get(f"/staff/records/{record.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'data-returned-from="submitted"' in html and "信用办退回" in html and "缺少判决书" in html
    event = RecordEvent.objects.filter(record=record).last()
    assert (event.kind, event.reason, event.actor) == ("returned", "缺少判决书", world.office_a)


def test_a_return_needs_a_reason(client: Client, world: City) -> None:
    record = in_state(world, "submitted")
    client.force_login(world.office_a)

    response = client.post(f"/staff/records/{record.pk}/return/", {"reason": "  "})

    assert response.status_code == 200
    assert "reason" in response.context["reason_forms"]["return"].errors
    assert 'id="return-reason_error"' in response.content.decode()
    record.refresh_from_db()
    assert record.status == RecordStatus.SUBMITTED
    assert len(events(record)) == 2


def test_a_revocation_needs_a_reason(client: Client, world: City) -> None:
    record = in_state(world, "published")
    client.force_login(world.office_a)

    response = client.post(f"/staff/records/{record.pk}/revoke/", {"reason": "  ", "confirm": "on"})

    assert response.status_code == 400
    assert "reason" in response.context["form"].errors
    assert 'id="revoke-reason_error"' in response.content.decode()
    record.refresh_from_db()
    assert record.status == RecordStatus.PUBLISHED
    assert len(events(record)) == 3


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

    response = client.post(f"/staff/records/{record.pk}/revoke/", {"reason": "判决被撤销", "confirm": "on"})

    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == RecordStatus.REVOKED
    assert events(record)[-1] == ("revoked", "published", "revoked")
    assert set(AppliedMeasure.objects.filter(record=record).values_list("state", flat=True)) == {"lifted"}


def test_revoking_a_draft_is_refused_cleanly(client: Client, world: City) -> None:
    record = in_state(world, "submitted")
    client.force_login(world.office_a)

    response = client.post(f"/staff/records/{record.pk}/revoke/", {"reason": "重复录入", "confirm": "on"})

    assert response.status_code == 409
    assert 'id="action-error"' in response.content.decode()
    record.refresh_from_db()
    assert record.status == RecordStatus.SUBMITTED


def test_the_credit_office_of_another_district_cannot_reach_the_record(client: Client, world: City) -> None:
    record = in_state(world, "submitted")
    client.force_login(world.office_b)

    assert client.post(f"/staff/records/{record.pk}/publish/", CONFIRMED).status_code == 404
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
