"""The evaluation sources of the inspections and the ledger answer every unit in one query, the services mark the
units they change (kernel.sources.unit_changed), and the warnings read in two queries whatever their number."""

import pytest

from kernel import sources
from supervision.services.inspections import item_submit
from supervision.services.ledger import status_set
from supervision.warnings_ledger import supervision_warnings
from tests.factories import make_agency
from tests.supervision.inspections_support import DUE, TODAY, D, at, lead_of, make_item, make_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def marks(monkeypatch):
    seen: list[tuple[list[int], object]] = []
    monkeypatch.setattr(sources, "_listeners", [lambda ids, on: seen.append((list(ids), on))])
    return seen


def test_the_services_mark_the_units_they_change(world, marks):
    with at(TODAY):
        item = make_item(world)
        task = make_task(world)
        item_submit(actor=world.clerk_a, item=item, report="已整改。", files=[])
        status_set(actor=world.clerk_a, assignment=lead_of(task), status="in_progress", note="推进中")
    units = [ids for ids, _on in marks]
    assert [world.agency_a.pk] in units and sorted([world.agency_a.pk, world.unit_a.pk]) in [sorted(u) for u in units]
    assert (([world.agency_a.pk], DUE)) in marks


def test_the_sources_and_the_warnings_read_in_constant_queries(world, django_assert_num_queries):
    with at(TODAY):
        for n in range(3):
            unit = make_agency(f"东城区测试单位{n}", parent=world.district_a)
            make_item(world, agency=unit, due_on=D(2026, 11, 10))
            make_task(world, number=n + 1)
        with django_assert_num_queries(1):
            rect = sources.source("supervision.rectification_on_time").fetch(D(2026, 1, 1), D(2026, 12, 31), None)
        with django_assert_num_queries(1):
            ledger = sources.source("supervision.ledger_tasks_done").fetch(D(2026, 1, 1), D(2026, 12, 31), None)
        with django_assert_num_queries(2):
            warnings = supervision_warnings(within_days=30)
        items = sources.source("supervision.ledger_tasks_done").items(world.agency_a.pk, D(2026, 1, 1), D(2026, 12, 31))
    assert len(rect) == 3 and all(m.total == 1 and m.good == 0 for m in rect.values())
    assert ledger[world.agency_a.pk].total == 3
    assert len(warnings) == 3 + 6 and warnings[0]["kind"] == "rectification"
    assert len(items) == 3 and items[0].url.startswith("/staff/supervision/ledger/tasks/")
