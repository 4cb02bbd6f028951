"""`generate_scale --records`: benchmark records in every state and tier, with the windows the rules give them."""

import io
from collections import Counter
from collections.abc import Iterator

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from disclosure.search import RECORD_COUNT_CAP, PublicSearch, records_matching
from records.disclosure import window_for
from records.models import DishonestyRecord, RecordSource, RecordStatus, Severity
from subjects.models import Agency, CivilServant
from subjects.search import grams_of
from tests.public_support import fixed_today, html, record_ids


@pytest.fixture(autouse=True)
def _today(db: None) -> Iterator[time_machine.Traveller]:
    yield from fixed_today()


@pytest.fixture
def generated() -> list[DishonestyRecord]:
    out = io.StringIO()
    call_command("generate_scale", agencies=60, people=180, records=3000, batch_size=500, stdout=out)
    assert "dishonesty records: 3000 rows" in out.getvalue()
    return list(DishonestyRecord.objects.select_related("subject_person"))


def test_records_cover_every_state_and_tier_mostly_in_force(generated: list[DishonestyRecord]) -> None:
    statuses = Counter(r.status for r in generated)
    disclosed = DishonestyRecord.objects.disclosed().count()

    assert len(generated) == 3000
    # Candidates (and dismissed ones) are breaches another app found: they need an origin row, so none is generated.
    assert set(statuses) == set(RecordStatus.values) - {RecordStatus.CANDIDATE, RecordStatus.DISMISSED}
    assert {r.severity for r in generated} == set(Severity.values)
    assert statuses[RecordStatus.PUBLISHED] + statuses[RecordStatus.CORRECTED] > 0.6 * len(generated)
    assert disclosed > 0.5 * len(generated)
    assert len({(r.deciding_body_uscc, r.document_number) for r in generated}) == len(generated)


def test_each_window_is_the_one_the_rules_give(generated: list[DishonestyRecord]) -> None:
    for record in generated[::15]:
        window = window_for(
            decision_date=record.decision_date,
            severity=record.severity,
            source=record.source,
            special_field=record.special_field,
        )
        assert (
            record.disclosure_rule_id,
            record.publicly_disclosed,
            record.disclosure_starts_on,
            record.earliest_repair_on,
            record.disclosure_ends_on,
        ) == (window.rule.pk, window.publicly_disclosed, window.starts_on, window.earliest_repair_on, window.ends_on)


def test_subjects_names_and_grams_are_filled_and_consistent(generated: list[DishonestyRecord]) -> None:
    names = dict(Agency.objects.values_list("pk", "name"))
    people = [r for r in generated if r.subject_person_id]

    assert 0.05 * len(generated) < len(people) < 0.3 * len(generated)
    for record in generated:
        person: CivilServant | None = record.subject_person
        expected = person.name if person else names[record.subject_agency_id]
        assert record.subject_name == expected
        assert record.search_grams == grams_of(expected)
        if person:
            assert person.agency_id == record.subject_agency_id


def test_publication_times_follow_the_states(generated: list[DishonestyRecord]) -> None:
    unpublished = {RecordStatus.DRAFT, RecordStatus.AWAITING_REVIEW, RecordStatus.SUBMITTED, RecordStatus.RETURNED}
    for record in generated:
        assert (record.published_at is None) == (record.status in unpublished)
        if record.published_at:
            assert record.published_at <= timezone.now()
        if record.status in unpublished and record.severity != Severity.MINOR:
            # Entered within the last four months: not yet past even the shortest (one-year) public window.
            assert record.disclosure_ends_on > timezone.localdate()


def test_the_public_site_serves_the_generated_city(client: Client, generated: list[DishonestyRecord]) -> None:
    search = client.get("/search/", {"q": "第1区"})
    recent = html(client, "/records/")

    assert any(hit.records_in_force for hit in search.context["hits"])
    shown = {r.pk: r for r in generated if r.pk in set(record_ids(recent))}
    assert len(shown) == 20
    assert all(r.is_disclosed_on(timezone.localdate()) for r in shown.values())
    for record in shown.values():
        if record.subject_person_id:
            assert record.subject_name not in recent


def test_the_record_search_agrees_with_a_plain_reading_of_the_generated_city(generated: list[DishonestyRecord]) -> None:
    """Every combination of words and filters finds exactly the disclosed records a reader would pick by hand."""
    today = timezone.localdate()
    names = dict(Agency.objects.values_list("pk", "name"))
    disclosed = [r for r in generated if r.is_disclosed_on(today)]
    years = sorted({r.decision_date.year for r in disclosed})
    searches = [
        PublicSearch(text="第1区 村"),
        PublicSearch(text="委员会 第2", severity=Severity.SERIOUS),
        PublicSearch(text="财政", source=RecordSource.BREACH_OF_CONTRACT, year=years[-1]),
        PublicSearch(severity=Severity.GENERAL, year=years[0]),
        PublicSearch(source=RecordSource.UTILITY_ARREARS),
    ]
    for search in searches:
        expected = {
            r.pk
            for r in disclosed
            if all(word in names[r.subject_agency_id] for word in search.words)
            and search.severity in ("", r.severity)
            and search.source in ("", r.source)
            and search.year in (None, r.decision_date.year)
        }
        assert 0 < len(expected) < RECORD_COUNT_CAP, search
        assert set(records_matching(search).values_list("pk", flat=True)) == expected, search
