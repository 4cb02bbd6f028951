"""The demo city's NPC suggestions and court cases: every state, through the services; and the scale generator."""

import io
import random

import pytest
from django.core.management import call_command

from demo.supervision_suggestions import (
    create_suggestion_rows,
    demo_supervision_suggestions,
    demo_supervision_suggestions_loaded,
)
from records.models import RecordSource, RecordStatus
from supervision.models import CourtCase, Suggestion
from tests.conftest import City
from tests.supervision.suggestions_support import TODAY, at

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_suggestion_and_a_case_in_each_state(world: City) -> None:
    users = {"demo-clerk": world.clerk_a, "demo-reviewer": world.reviewer_a, "demo-office": world.office_a}
    with at(TODAY):
        assert not demo_supervision_suggestions_loaded()
        loaded = demo_supervision_suggestions(users)
        assert demo_supervision_suggestions_loaded()
        statuses = set(Suggestion.objects.values_list("status", flat=True))
        assert statuses == {"assigned", "replied", "rehandling", "closed"}
        assert Suggestion.objects.overdue().exists() and Suggestion.objects.filter(extended=True).exists()
        assert Suggestion.objects.filter(commitment__isnull=False, reply_class="B").exists()
        assert Suggestion.objects.filter(status="closed", rereply_class__gt="").exists()
        assert set(CourtCase.objects.values_list("status", flat=True)) == {
            "pending",
            "to_perform",
            "performed",
            "closed",
        }
        overdue = CourtCase.objects.get(record__isnull=False)
        assert overdue.record is not None and overdue.record.status == RecordStatus.CANDIDATE
        assert overdue.record.source == RecordSource.DISHONEST_DEBTOR
    assert loaded["suggestions"] == 8 and loaded["court_cases"] == 6


def test_the_scale_rows_and_the_generator_option(world: City) -> None:
    assert create_suggestion_rows([world.agency_a, world.agency_b], 30, random.Random(1), TODAY, "T-") == 30
    call_command("generate_scale", agencies=3, people=0, commitments=0, suggestions=12, stdout=io.StringIO())
    assert Suggestion.objects.count() == 42
