"""Bad-behaviour scoring: the cycle (calendar year and rolling 12 months), thresholds crossed on the right day, points
expiring, one score per party, the versioned scheme, publication and archiving."""

from typing import Any

import pytest
import time_machine

from kernel.errors import DomainError, NotAllowed
from outbox.models import PlatformChange
from sectors.models import BadBehaviour, ScoringItem, ScoringScheme, TenderParty, TenderSanction
from sectors.services.tendering import (
    SANCTION_KIND,
    behaviour_publish,
    parties_with_scores,
    party_score,
    scheme_item_update,
    tendering_daily_run,
)
from tests.conftest import City
from tests.factories import next_uscc
from tests.sectors.procurement_support import at
from tests.sectors.tendering_support import D, expert_id, make_scheme, record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock() -> Any:
    with at(D(2026, 11, 2)):
        yield


def test_points_add_up_within_the_calendar_year_and_expire_with_it(world: City) -> None:
    make_scheme(world.office_a)
    record(world.clerk_a, world.agency_a, item_code="B03", decided_on=D(2025, 12, 30))
    record(world.clerk_a, world.agency_a, item_code="B03", decided_on=D(2026, 2, 1))
    party = TenderParty.objects.get()
    assert party_score(party, D(2025, 12, 31)) == 3
    assert party_score(party, D(2026, 1, 1)) == 0  # last year's points expired with the cycle
    assert party_score(party, D(2026, 2, 1)) == 3
    assert TenderParty.objects.count() == 1  # one party, one score


def test_a_rolling_cycle_keeps_points_twelve_months(world: City) -> None:
    make_scheme(world.office_a, cycle="rolling_12")
    record(world.clerk_a, world.agency_a, item_code="B03", decided_on=D(2025, 12, 30))
    party = TenderParty.objects.get()
    assert party_score(party, D(2026, 6, 1)) == 3
    assert party_score(party, D(2026, 12, 29)) == 3
    assert party_score(party, D(2026, 12, 30)) == 0


def test_a_party_crossing_a_threshold_is_sanctioned_from_that_day(world: City) -> None:
    make_scheme(world.office_a)
    record(world.clerk_a, world.agency_a, item_code="B03", decided_on=D(2026, 3, 2))
    assert not TenderSanction.objects.exists()
    record(world.clerk_a, world.agency_a, item_code="B03", decided_on=D(2026, 4, 7))  # 6 points: a warning
    warning = TenderSanction.objects.get()
    assert (warning.kind, warning.starts_on, warning.score) == ("warning", D(2026, 4, 7), 6)
    record(world.clerk_a, world.agency_a, item_code="B02", decided_on=D(2026, 5, 11))  # 12 points: suspended
    suspension = TenderSanction.objects.get(kind="suspension")
    assert (suspension.starts_on, suspension.ends_on) == (D(2026, 5, 11), D(2026, 11, 10))
    assert list(TenderSanction.objects.in_force(D(2026, 5, 10)).filter(kind="suspension")) == []
    assert list(TenderSanction.objects.in_force(D(2026, 5, 11)).filter(kind="suspension")) == [suspension]
    # A later record in the same cycle does not apply the same threshold again.
    record(world.clerk_a, world.agency_a, item_code="B03", decided_on=D(2026, 6, 1))
    assert TenderSanction.objects.count() == 2


def test_points_that_expired_do_not_cross_a_threshold(world: City) -> None:
    make_scheme(world.office_a)
    record(world.clerk_a, world.agency_a, item_code="B02", decided_on=D(2025, 11, 3))  # 6: a warning in 2025
    record(world.clerk_a, world.agency_a, item_code="B02", decided_on=D(2026, 1, 5))  # 6 in 2026: a new warning
    kinds = list(TenderSanction.objects.order_by("starts_on").values_list("kind", "starts_on"))
    assert kinds == [("warning", D(2025, 11, 3)), ("warning", D(2026, 1, 5))]


def test_a_single_deduction_blacklists_at_once(world: City) -> None:
    make_scheme(world.office_a)
    record(world.clerk_a, world.agency_a, item_code="B01", decided_on=D(2026, 9, 1))
    kinds = set(TenderSanction.objects.values_list("kind", flat=True))
    assert kinds == {"warning", "suspension", "blacklist"}
    blacklist = TenderSanction.objects.get(kind="blacklist")
    assert (blacklist.starts_on, blacklist.ends_on) == (D(2026, 9, 1), D(2028, 8, 31))


def test_a_record_is_scored_with_the_version_in_effect_on_its_day(world: City) -> None:
    make_scheme(world.office_a)
    make_scheme(
        world.office_a,
        effective_from=D(2026, 7, 1),
        items=[behaviour_item("B02", 8)],
        thresholds=[],
    )
    before = record(world.clerk_a, world.agency_a, item_code="B02", decided_on=D(2026, 6, 30))
    after = record(world.clerk_a, world.agency_a, item_code="B02", decided_on=D(2026, 7, 1))
    assert (before.points, before.item.scheme.version) == (6, 1)
    assert (after.points, after.item.scheme.version) == (8, 2)


def behaviour_item(code: str, points: int) -> Any:
    from sectors.services.tendering import ItemInput

    return ItemInput("bidder", code, "提供虚假材料", points, "《招标投标法》第五十四条")


def test_a_scheme_in_use_is_never_edited(world: City) -> None:
    scheme = make_scheme(world.office_a)
    item = ScoringItem.objects.get(scheme=scheme, code="B03")
    scheme_item_update(actor=world.office_a, item=item, points=4, description="无正当理由放弃中标", basis="同上")
    record(world.clerk_a, world.agency_a, item_code="B03")
    with pytest.raises(DomainError, match="新建版本"):
        scheme_item_update(actor=world.office_a, item=item, points=5, description="x", basis="y")
    assert ScoringItem.objects.get(pk=item.pk).points == 4


def test_a_new_version_must_take_effect_after_the_latest(world: City) -> None:
    make_scheme(world.office_a)
    with pytest.raises(DomainError):
        make_scheme(world.office_a, effective_from=D(2024, 1, 1))
    assert ScoringScheme.objects.count() == 1


def test_a_clerk_may_not_keep_the_scheme(world: City) -> None:
    with pytest.raises(NotAllowed):
        make_scheme(world.clerk_a)


def test_bad_input_is_refused_in_chinese_with_every_problem_and_nothing_written(world: City) -> None:
    make_scheme(world.office_a)
    with pytest.raises(DomainError) as caught:
        record(
            world.clerk_a,
            world.agency_a,
            party_uscc="123",
            item_code="NOPE",
            document_number="",
            facts=" ",
            decided_on=D(2026, 3, 2),
        )
    errors = caught.value.field_errors()
    assert set(errors) >= {"party_uscc", "item_code", "document_number", "facts"}
    assert "决定书" in " ".join(errors["document_number"])
    assert not TenderParty.objects.exists() and not BadBehaviour.objects.exists()


def test_an_outsider_may_not_record_for_agency_a(world: City) -> None:
    make_scheme(world.office_a)
    with pytest.raises(NotAllowed):
        record(world.outsider, world.agency_a)
    assert not BadBehaviour.objects.exists()


def test_an_experts_id_number_is_kept_masked_and_encrypted(world: City) -> None:
    make_scheme(world.office_a)
    number = expert_id()
    record(
        world.clerk_a,
        world.agency_a,
        party_kind="expert",
        party_name="王建国",
        party_id_number=number,
        party_uscc="",
        item_code="E01",
    )
    expert = TenderParty.objects.get(kind="expert")
    assert expert.public_name == "王某"
    assert expert.id_number_masked == number[:4] + "*" * 10 + number[-4:]
    assert number not in expert.id_number_encrypted
    # Same person again: the same party, and 12 points blacklist the expert.
    record(
        world.clerk_a,
        world.agency_a,
        party_kind="expert",
        party_name="王建国",
        party_id_number=number,
        party_uscc="",
        item_code="E01",
        decided_on=D(2026, 4, 1),
    )
    assert TenderParty.objects.filter(kind="expert").count() == 1
    assert TenderSanction.objects.get(party=expert).kind == "blacklist"


def test_records_are_published_by_their_working_day_limit_and_archived_after_the_public_period(
    world: City, settings: Any
) -> None:
    settings.TENDERING_PUBLISH_WITHIN_WORKING_DAYS = 5
    settings.TENDERING_PUBLIC_MONTHS = 6
    make_scheme(world.office_a)
    with at(D(2026, 3, 2)):
        behaviour = record(world.clerk_a, world.agency_a, item_code="B01", decided_on=D(2026, 3, 2))
    assert behaviour.publish_by == D(2026, 3, 9)
    assert tendering_daily_run(today=D(2026, 3, 6)).published == 0
    assert tendering_daily_run(today=D(2026, 3, 9)).published == 1
    behaviour.refresh_from_db()
    assert (behaviour.published_on, behaviour.public_until) == (D(2026, 3, 9), D(2026, 9, 8))
    assert list(BadBehaviour.objects.public(D(2026, 9, 8))) == [behaviour]
    assert list(BadBehaviour.objects.public(D(2026, 9, 9))) == []
    assert tendering_daily_run(today=D(2026, 9, 9)).archived == 1
    behaviour.refresh_from_db()
    assert behaviour.archived_on == D(2026, 9, 9)
    assert BadBehaviour.objects.visible_to(world.clerk_a).filter(pk=behaviour.pk).exists()  # staff still query it
    # The sanctions it triggered were published with it, and the platform hears of them.
    assert TenderSanction.objects.published().count() == 3
    assert PlatformChange.objects.filter(kind=SANCTION_KIND).count() == 3


def test_publishing_twice_is_refused(world: City) -> None:
    make_scheme(world.office_a)
    behaviour = record(world.clerk_a, world.agency_a)
    behaviour_publish(actor=world.clerk_a, behaviour=behaviour)
    with pytest.raises(DomainError):
        behaviour_publish(actor=world.clerk_a, behaviour=behaviour)


def test_scores_of_many_parties_take_one_query(world: City, django_assert_num_queries: Any) -> None:
    make_scheme(world.office_a)
    record(world.clerk_a, world.agency_a, item_code="B03")
    record(world.clerk_a, world.agency_a, item_code="B03", party_uscc=next_uscc("91"))
    with django_assert_num_queries(2):
        scores = sorted(p.score for p in parties_with_scores(TenderParty.objects.all()))
    assert scores == [3, 3]


def test_the_daily_run_twice_changes_nothing_more(world: City) -> None:
    make_scheme(world.office_a)
    record(world.clerk_a, world.agency_a, decided_on=D(2026, 3, 2))
    with time_machine.travel(D(2026, 11, 2)):
        first = tendering_daily_run(today=D(2026, 11, 2))
        second = tendering_daily_run(today=D(2026, 11, 2))
    assert first.published == 1 and second.published == 0
