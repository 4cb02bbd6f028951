"""NPC suggestions and CPPCC proposals: the workflow with its event rows and calendar-month deadlines, the approved
extension, the re-handling of an unsatisfied one, the class-B reply that becomes a commitment, the outsider, bad
input with every error at once and nothing written, the evaluation sources and the warnings."""

import pytest
from django.utils import translation

from commitments.models import Commitment, CommitmentStatus
from kernel.errors import DomainError, NotAllowed
from kernel.sources import source
from outbox.models import PlatformChange
from supervision.models import Suggestion, SuggestionEvent
from supervision.models.suggestions import SuggestionStatus
from supervision.services.suggestions import (
    SUGGESTION_RESULT_KIND,
    add_months,
    suggestion_consult,
    suggestion_create,
    suggestion_extend,
    suggestion_feedback,
    suggestion_reply,
    suggestions_create_many,
)
from supervision.warnings import suggestion_warnings
from tests.supervision.suggestions_support import (
    TODAY,
    D,
    at,
    make_suggestion,
    replied,
    reply_input,
    suggestion_input,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    with at(TODAY), translation.override("zh-hans"):
        yield


def test_the_reply_is_due_three_calendar_months_after_the_assignment_and_six_with_the_approval(world, settings):
    assert add_months(D(2026, 11, 30), 3) == D(2027, 2, 28)
    suggestion = make_suggestion(world.clerk_a, world.agency_a, assigned_on=D(2026, 8, 31))
    assert suggestion.due_on == D(2026, 11, 30) and suggestion.status == SuggestionStatus.ASSIGNED
    with pytest.raises(NotAllowed):
        suggestion_extend(actor=world.clerk_a, suggestion=suggestion, approval="市政府办公室批复")
    with pytest.raises(DomainError) as empty:
        suggestion_extend(actor=world.office_a, suggestion=suggestion, approval=" ")
    assert empty.value.field == "approval"
    extended = suggestion_extend(actor=world.office_a, suggestion=suggestion, approval="市政府办公室2026-10-10批复")
    assert extended.due_on == D(2027, 2, 28) and extended.extended
    with pytest.raises(DomainError) as twice:
        suggestion_extend(actor=world.office_a, suggestion=extended, approval="再次延期")
    assert "已延期" in str(twice.value.message)
    settings.SUPERVISION_SUGGESTION_DUE_MONTHS = 2
    assert make_suggestion(world.clerk_a, world.agency_a, assigned_on=D(2026, 9, 1)).due_on == D(2026, 11, 1)
    kinds = list(SuggestionEvent.objects.filter(suggestion=suggestion).values_list("kind", flat=True))
    assert kinds == ["assigned", "extended"]


def test_a_satisfied_opinion_closes_the_suggestion_and_the_reply_is_published(world):
    suggestion = make_suggestion(world.clerk_a, world.agency_a, co_units=[world.agency_b])
    suggestion_consult(actor=world.clerk_a, suggestion=suggestion, held_on=D(2026, 9, 20), note="上门面商")
    suggestion = suggestion_reply(actor=world.clerk_a, suggestion=suggestion, data=reply_input())
    assert suggestion.status == SuggestionStatus.REPLIED and suggestion.replied_on_time
    change = PlatformChange.objects.get(kind=SUGGESTION_RESULT_KIND, object_id=suggestion.pk)
    assert change.payload["reply_class"] == "A" and "13800000000" not in str(change.payload)
    closed = suggestion_feedback(
        actor=world.clerk_a, suggestion=suggestion, satisfaction="basically", feedback_on=D(2026, 10, 25)
    )
    assert closed.status == SuggestionStatus.CLOSED and closed.last_satisfaction == "basically"
    kinds = list(SuggestionEvent.objects.filter(suggestion=suggestion).values_list("kind", flat=True))
    assert kinds == ["assigned", "consulted", "replied", "satisfied"]
    # The co-handling unit sees it; it does not reply.
    assert Suggestion.objects.visible_to(world.outsider).filter(pk=suggestion.pk).exists()


def test_an_unsatisfied_opinion_is_handled_again_within_one_to_three_months_and_closed_by_the_second_opinion(world):
    suggestion = replied(world.clerk_a, world.agency_a)
    with pytest.raises(DomainError) as missing:
        suggestion_feedback(
            actor=world.clerk_a, suggestion=suggestion, satisfaction="unsatisfied", feedback_on=D(2026, 10, 25)
        )
    assert missing.value.field == "rehandle_due_on" and "1 至 3 个月" in missing.value.message
    with pytest.raises(DomainError) as too_late:
        suggestion_feedback(
            actor=world.clerk_a,
            suggestion=suggestion,
            satisfaction="unsatisfied",
            feedback_on=D(2026, 10, 25),
            rehandle_due_on=D(2027, 1, 26),
        )
    assert "2026-11-25" in too_late.value.message and "2027-01-25" in too_late.value.message
    again = suggestion_feedback(
        actor=world.clerk_a,
        suggestion=suggestion,
        satisfaction="unsatisfied",
        feedback_on=D(2026, 10, 25),
        rehandle_due_on=D(2027, 1, 25),
    )
    assert again.status == SuggestionStatus.REHANDLING and again.current_due_on == D(2027, 1, 25)
    assert Suggestion.objects.unsatisfied().filter(pk=again.pk).exists()
    second = suggestion_reply(
        actor=world.clerk_a, suggestion=again, data=reply_input(reply_class="C", replied_on=D(2026, 11, 1))
    )
    assert second.status == SuggestionStatus.REREPLIED and second.rereply_class == "C" and second.reply_class == "A"
    closed = suggestion_feedback(
        actor=world.clerk_a, suggestion=second, satisfaction="unsatisfied", feedback_on=D(2026, 11, 2)
    )
    assert closed.status == SuggestionStatus.CLOSED and closed.final_satisfaction == "unsatisfied"
    assert Suggestion.objects.attention(TODAY).filter(pk=closed.pk).exists()
    assert PlatformChange.objects.filter(kind=SUGGESTION_RESULT_KIND, object_id=closed.pk).count() == 2


def test_a_class_b_reply_becomes_a_commitment_due_on_the_promised_date_linked_both_ways(world):
    suggestion = make_suggestion(world.clerk_a, world.agency_a)
    with pytest.raises(DomainError) as missing:
        suggestion_reply(actor=world.reviewer_a, suggestion=suggestion, data=reply_input(reply_class="B"))
    assert missing.value.field == "promised_due_on"
    assert Commitment.objects.count() == 0
    suggestion = suggestion_reply(
        actor=world.reviewer_a,
        suggestion=suggestion,
        data=reply_input(reply_class="B", promised_due_on=D(2027, 3, 31)),
    )
    commitment = suggestion.commitment
    assert commitment is not None and commitment.due_on == D(2027, 3, 31)
    assert commitment.agency == world.agency_a and commitment.source_document_number == suggestion.number
    # The reviewer may submit: the commitment goes to the credit office at once.
    assert commitment.status == CommitmentStatus.SUBMITTED
    assert Commitment.objects.get(pk=commitment.pk).suggestion == suggestion


def test_the_outsider_and_other_units_may_not_act(world):
    with pytest.raises(NotAllowed):
        make_suggestion(world.outsider, world.agency_a)
    suggestion = make_suggestion(world.clerk_a, world.agency_a)
    assert not Suggestion.objects.visible_to(world.outsider).filter(pk=suggestion.pk).exists()
    assert not Suggestion.objects.visible_to(world.office_b).filter(pk=suggestion.pk).exists()
    with pytest.raises(NotAllowed):
        suggestion_reply(actor=world.outsider, suggestion=suggestion, data=reply_input())
    with pytest.raises(NotAllowed):
        suggestion_extend(actor=world.office_b, suggestion=suggestion, approval="批复")


def test_bad_input_reports_every_error_at_once_in_chinese_and_writes_nothing(world):
    taken = make_suggestion(world.clerk_a, world.agency_a)
    with pytest.raises(DomainError) as refused:
        suggestion_create(
            actor=world.clerk_a,
            data=suggestion_input(
                world.agency_a,
                number=taken.number,
                kind="letter",
                session="",
                title="",
                deputy="",
                assigned_on=D(2026, 12, 1),
            ),
        )
    errors = refused.value.field_errors()
    assert set(errors) == {"number", "kind", "session", "title", "deputy", "assigned_on"}
    assert errors["number"] == ["另一条建议或提案已使用此编号。"]
    with pytest.raises(DomainError) as late_due:
        suggestion_create(
            actor=world.clerk_a, data=suggestion_input(world.agency_a, due_on=D(2027, 6, 1), co_units=[world.agency_a])
        )
    assert set(late_due.value.field_errors()) == {"due_on", "co_units"}
    suggestion = make_suggestion(world.clerk_a, world.agency_a)
    with pytest.raises(DomainError) as reply_refused:
        suggestion_reply(
            actor=world.clerk_a,
            suggestion=suggestion,
            data=reply_input(reply_class="E", replied_on=D(2026, 12, 1), text=""),
        )
    assert set(reply_refused.value.field_errors()) == {"reply_class", "replied_on", "text"}
    assert Suggestion.objects.count() == 2
    assert Suggestion.objects.get(pk=suggestion.pk).status == SuggestionStatus.ASSIGNED


def test_a_batch_is_refused_whole_with_every_row_problem(world):
    items = [suggestion_input(world.agency_a), suggestion_input(world.agency_a, title=""), suggestion_input(None)]
    items.append(suggestion_input(world.agency_a, number=items[0].number))
    with pytest.raises(DomainError) as refused:
        suggestions_create_many(actor=world.clerk_a, items=items)
    assert set(refused.value.refusals) == {1, 2, 3}  # type: ignore[attr-defined]
    assert Suggestion.objects.count() == 0


def test_the_sources_count_replies_on_time_and_satisfaction_per_lead_unit(world):
    on_time = replied(world.clerk_a, world.agency_a)  # due 2026-11-30, replied 2026-10-20
    suggestion_feedback(actor=world.clerk_a, suggestion=on_time, satisfaction="satisfied", feedback_on=TODAY)
    late = make_suggestion(world.clerk_a, world.agency_a, assigned_on=D(2026, 7, 1), due_on=D(2026, 10, 1))
    suggestion_reply(actor=world.clerk_a, suggestion=late, data=reply_input(replied_on=D(2026, 10, 5)))
    make_suggestion(world.clerk_a, world.agency_a, assigned_on=D(2026, 9, 15))  # due 2026-12-15, not replied
    replies = source("supervision.suggestion_replies_on_time")
    satisfaction = source("supervision.suggestion_satisfaction")
    assert replies is not None and satisfaction is not None
    measures = replies.fetch(D(2026, 1, 1), D(2026, 12, 31), None)
    assert (measures[world.agency_a.pk].total, measures[world.agency_a.pk].good) == (3, 1)
    assert replies.fetch(D(2026, 1, 1), D(2026, 12, 31), [world.agency_b.pk]) == {}
    liked = satisfaction.fetch(D(2026, 1, 1), D(2026, 12, 31), None)[world.agency_a.pk]
    assert (liked.total, liked.good) == (1, 1)
    items = replies.items(world.agency_a.pk, D(2026, 1, 1), D(2026, 12, 31))
    assert [item.good for item in items] == [False, True, False]


def test_the_warnings_list_replies_due_soon_and_overdue_as_plain_dicts(world):
    overdue = make_suggestion(world.clerk_a, world.agency_a, assigned_on=D(2026, 7, 1))  # due 2026-10-01
    soon = make_suggestion(world.clerk_a, world.agency_a, assigned_on=D(2026, 8, 10))  # due 2026-11-10
    make_suggestion(world.clerk_a, world.agency_a, assigned_on=D(2026, 10, 10))  # due 2027-01-10: not yet
    warnings = suggestion_warnings(world.office_a, TODAY)
    assert [(w["url"].rstrip("/").rsplit("/", 1)[-1], w["level"]) for w in warnings] == [
        (str(overdue.pk), "overdue"),
        (str(soon.pk), "due"),
    ]
    assert warnings[0]["unit"] == world.agency_a.name and warnings[0]["due"] == D(2026, 10, 1)
    assert suggestion_warnings(world.outsider, TODAY) == []
