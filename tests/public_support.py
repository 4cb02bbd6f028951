"""Shared by the public-site tests: a fixed "today" and records taken through the real workflow."""

import copy
import datetime
import re
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from django.test import Client

from records.models import DishonestyRecord
from records.services import record_publish, record_submit
from subjects.models import Agency
from tests.conftest import City
from tests.factories import make_record

D = datetime.date
SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = D(2026, 11, 20)
PUBLISHED_ON = D(2026, 11, 2)


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=SHANGHAI)


def fixed_today() -> Iterator[time_machine.Traveller]:
    """For an autouse fixture: "today" is 20 November 2026, and publishing has its working-day calendar."""
    from workcalendar.services import calendar_year_seed

    with time_machine.travel(at(TODAY), tick=True) as traveller:
        calendar_year_seed(year=2026)
        yield traveller


def draft(world: City, subject: Agency | None = None, **overrides: Any) -> DishonestyRecord:
    # Agency A supplies the records (its clerk and reviewer); the subject can be any agency of district A.
    overrides.setdefault("source_agency", world.agency_a)
    return make_record(world.clerk_a, subject or world.agency_a, **overrides)


def submitted(world: City, subject: Agency | None = None, **overrides: Any) -> DishonestyRecord:
    return record_submit(actor=world.reviewer_a, record=draft(world, subject, **overrides))


def published(world: City, subject: Agency | None = None, **overrides: Any) -> DishonestyRecord:
    record = submitted(world, subject, **overrides)
    return record_publish(actor=world.office_a, record=record, today=PUBLISHED_ON)


def html(client: Client, url: str, **params: Any) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def copies(record: DishonestyRecord, count: int) -> list[DishonestyRecord]:
    """`count` more rows like `record`, each published a minute before the last (bulk: for volume tests only)."""
    template = DishonestyRecord.objects.get(pk=record.pk)
    rows = []
    for n in range(1, count + 1):
        row = copy.copy(template)
        row.pk = None
        row.document_number = f"{template.document_number}-{n}"
        if template.published_at is not None:
            row.published_at = template.published_at - datetime.timedelta(minutes=n)
        rows.append(row)
    return DishonestyRecord.objects.bulk_create(rows)


def record_ids(page_html: str) -> list[int]:
    """The records a page lists, in order (every row and record card carries data-record)."""
    return [int(pk) for pk in re.findall(r'data-record="(\d+)"', page_html)]
