"""The public record page leads to the subject's rights and says when a record is under objection."""

import datetime
from collections.abc import Callable
from contextlib import AbstractContextManager

import time_machine
from django.test import Client

from records.models import DishonestyRecord
from records.services import record_publish, record_submit
from repair.services import objection_accept, objection_file, objection_reject
from tests.conftest import City
from tests.factories import make_record

D = datetime.date
CaptureOnCommit = Callable[..., AbstractContextManager[list[Callable[[], None]]]]


def published(world: City, **overrides: object) -> DishonestyRecord:
    from workcalendar.services import calendar_year_seed

    calendar_year_seed(year=2026)
    record = make_record(world.clerk_a, world.agency_a, **overrides)
    record_submit(actor=world.reviewer_a, record=record)
    return record_publish(actor=world.office_a, record=record, today=D(2026, 11, 2))


@time_machine.travel(datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC), tick=False)
def test_the_record_page_offers_objection_complaint_and_tracking(world: City) -> None:
    record = published(world, decision_date=D(2026, 6, 1))
    page = Client().get(f"/records/{record.pk}/").content.decode()
    assert f'href="/objections/new/{record.pk}/"' in page
    assert f'href="/complaints/new/{record.pk}/"' in page
    assert 'href="/track/"' in page


@time_machine.travel(datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC), tick=False)
def test_the_repair_button_turns_on_at_the_earliest_repair_date(world: City) -> None:
    early = published(world, decision_date=D(2026, 10, 1))  # general: repair from 2027-01-01
    ready = published(world, decision_date=D(2026, 6, 1))  # repair from 2026-09-01
    early_page = Client().get(f"/records/{early.pk}/").content.decode()
    ready_page = Client().get(f"/records/{ready.pk}/").content.decode()
    assert 'id="record-repair-closed"' in early_page and "2027-01-01" in early_page
    assert f'href="/repair/apply/{early.pk}/"' not in early_page
    assert f'href="/repair/apply/{ready.pk}/"' in ready_page


@time_machine.travel(datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC), tick=False)
def test_the_public_sees_a_record_under_objection_until_it_is_decided(
    world: City, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    record = published(world, decision_date=D(2026, 6, 1))
    objection, _code = objection_file(
        record=record,
        grounds="wrong",
        statement="事实有误",
        filer_name="王某",
        filer_contact="138",
        commitment_signed=True,
    )
    assert 'id="record-under-objection"' not in Client().get(f"/records/{record.pk}/").content.decode()
    # Each decision commits (its after-commit work runs), as it does outside a test: the kept page goes stale.
    with django_capture_on_commit_callbacks(execute=True):
        objection_accept(actor=world.office_a, objection=objection)
    assert 'id="record-under-objection"' in Client().get(f"/records/{record.pk}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        objection_reject(actor=world.office_a, objection=objection, reason="经核实无误")
    assert 'id="record-under-objection"' not in Client().get(f"/records/{record.pk}/").content.decode()


@time_machine.travel(datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC), tick=False)
def test_public_lists_escape_what_staff_typed(world: City) -> None:
    # Rows are built in Python for speed (disclosure/queries.py record_rows_html): every value must be escaped.
    record = published(world, decision_date=D(2026, 6, 1), document_number='<script>alert("x")</script>号')
    for path in ("/records/", f"/agencies/{world.agency_a.pk}/", "/"):
        page = Client().get(path).content.decode()
        assert '<script>alert("x")</script>' not in page
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;号" in page, path
    assert record.pk
