"""After migration 0017 narrowed the 2023 rule to penalties, `manage.py records_recompute_windows` puts the records
already stored under the rule that governs them, never worse for their subject than what was published, and tells
the platform (docs/disclosure-periods.md)."""

import datetime
import importlib
import io
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command

from outbox.models import PlatformChange
from records.models import DisclosureRule, DishonestyRecord, RecordEvent, RecordStatus
from records.services import record_publish, record_revoke, record_submit
from tests.conftest import City
from tests.factories import make_record
from tests.public_support import at
from workcalendar.services import calendar_year_seed

D = datetime.date
pytestmark = pytest.mark.django_db
MIGRATION = importlib.import_module("records.migrations.0017_disclosure_rules_2023_by_source")
TIERS = MIGRATION.OTHER_SOURCES_CITATION  # the tiers in force before the 2023 rule, for the sources it leaves out
PENALTIES_2023 = "国家发展改革委令2023年第58号"


@pytest.fixture(autouse=True)
def _march_2026() -> Iterator[None]:
    # Still under the 2023 rule's years, so records decided then are fresh.
    with time_machine.travel(at(D(2026, 3, 20)), tick=False):
        calendar_year_seed(year=2026)
        yield


def stored(world: City, status: str, **overrides: Any) -> DishonestyRecord:
    """A record as the rules before 0017 computed it (every source under the 2023 penalty periods)."""
    record = make_record(world.clerk_a, world.agency_a, **overrides)
    if status == "draft":
        return record
    record = record_submit(actor=world.reviewer_a, record=record)
    record = record_publish(actor=world.office_a, record=record)
    if status == "revoked":
        record = record_revoke(actor=world.office_a, record=record, reason="判决被撤销")
    return record


@pytest.fixture
def before_0017(world: City) -> dict[str, DishonestyRecord]:
    MIGRATION.widen(apps, None)
    records = {
        "judgment": stored(world, "published", source="judicial_judgment", decision_date=D(2025, 12, 1)),
        "old_judgment": stored(world, "published", source="judicial_judgment", decision_date=D(2025, 1, 10)),
        "serious_judgment": stored(
            world, "published", source="judicial_judgment", severity="serious", decision_date=D(2025, 12, 1)
        ),
        "draft_judgment": stored(world, "draft", source="judicial_judgment", decision_date=D(2025, 12, 1)),
        "penalty": stored(world, "published", source="administrative_penalty", decision_date=D(2025, 12, 1)),
        "revoked_judgment": stored(world, "revoked", source="judicial_judgment", decision_date=D(2025, 12, 1)),
    }
    MIGRATION.narrow(apps, None)
    return records


def recompute() -> str:
    out = io.StringIO()
    call_command("records_recompute_windows", stdout=out)
    return out.getvalue()


def window(record: DishonestyRecord) -> tuple[str, datetime.date, datetime.date, str, int]:
    record.refresh_from_db()
    return (
        record.disclosure_rule.citation,
        record.earliest_repair_on,
        record.disclosure_ends_on,
        record.status,
        record.version,
    )


def test_before_the_fix_a_general_judgment_had_the_penalties_three_years(before_0017: dict[str, Any]) -> None:
    assert before_0017["judgment"].disclosure_ends_on == D(2028, 12, 1)
    assert before_0017["serious_judgment"].earliest_repair_on == D(2026, 3, 1)


def test_the_command_moves_open_records_to_the_rule_that_governs_them(before_0017: dict[str, Any]) -> None:
    versions = {name: record.version for name, record in before_0017.items()}

    output = recompute()

    assert output == "Recomputed 4 disclosure windows; 1 records expired.\n"
    # A general judgment in force: a year, not three; a new version the platform receives as a correction.
    assert window(before_0017["judgment"]) == (TIERS, D(2026, 3, 1), D(2026, 12, 1), "published", 3)
    change = PlatformChange.objects.filter(record=before_0017["judgment"]).latest("pk")
    assert (change.change_type, change.version, change.payload["cf_gsjzq"]) == ("corrected", 3, "2026-12-01")
    event = RecordEvent.objects.filter(record=before_0017["judgment"]).latest("pk")
    assert (event.kind, event.actor, event.from_status, event.to_status) == (
        "recomputed",
        None,
        "published",
        "published",
    )
    assert event.changes["disclosure_ends_on"] == ["2028-12-01", "2026-12-01"]
    # Decided in January 2025, its year ended in January 2026: it leaves public view now.
    assert window(before_0017["old_judgment"])[2:4] == (D(2026, 1, 10), RecordStatus.EXPIRED)
    assert before_0017["old_judgment"] not in DishonestyRecord.objects.disclosed()
    # A serious judgment: six months' minimum now, but repair opened after three for it and stays open; the maximum
    # is the same, so the platform hears nothing.
    assert window(before_0017["serious_judgment"]) == (
        TIERS,
        D(2026, 3, 1),
        D(2028, 12, 1),
        "published",
        versions["serious_judgment"],
    )
    assert RecordEvent.objects.filter(record=before_0017["serious_judgment"], kind="recomputed").exists()
    # A draft simply gets the new window; nobody outside has seen it.
    assert window(before_0017["draft_judgment"]) == (TIERS, D(2026, 3, 1), D(2026, 12, 1), "draft", 1)
    assert not PlatformChange.objects.filter(record=before_0017["draft_judgment"]).exists()
    # A penalty keeps the 2023 rule; a revoked record keeps the window it closed with.
    assert window(before_0017["penalty"]) == (PENALTIES_2023, D(2026, 3, 1), D(2028, 12, 1), "published", 2)
    assert window(before_0017["revoked_judgment"])[1:4] == (D(2026, 3, 1), D(2028, 12, 1), "revoked")
    assert not RecordEvent.objects.filter(
        record__in=[before_0017["penalty"], before_0017["revoked_judgment"]], kind="recomputed"
    ).exists()


def test_running_it_again_changes_nothing(before_0017: dict[str, Any]) -> None:
    recompute()
    written = (RecordEvent.objects.count(), PlatformChange.objects.count())

    assert recompute() == "Recomputed 0 disclosure windows; 0 records expired.\n"
    assert (RecordEvent.objects.count(), PlatformChange.objects.count()) == written


def test_the_migration_reverses_after_the_command_moved_records(before_0017: dict[str, Any]) -> None:
    recompute()

    MIGRATION.widen(apps, None)

    judgment = DishonestyRecord.objects.get(pk=before_0017["judgment"].pk)
    assert (judgment.disclosure_rule.citation, judgment.disclosure_rule.source) == (PENALTIES_2023, "")
    assert not DisclosureRule.objects.filter(citation=MIGRATION.OTHER_SOURCES_CITATION).exists()
    MIGRATION.narrow(apps, None)
    assert DisclosureRule.objects.filter(citation=MIGRATION.OTHER_SOURCES_CITATION).count() == 2
