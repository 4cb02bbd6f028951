"""The generic outbox (outbox/): any registered kind of object emits platform changes in the writer's transaction,
one per version; what the floors above registered runs once after the commit, never on a rollback; delivery sends
every kind in order per object, and the operations page shows each kind to the agencies it belongs to."""

import contextlib
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.db.models.functions import Now
from django.test import Client
from django.urls import reverse

from delivery import client as platform_client
from delivery import services
from outbox.hooks import change_queued, public_changed
from outbox.kinds import kind_register, kind_unregister
from outbox.models import RECORD_KIND, ChangeType, OutboxStatus, PlatformChange
from outbox.services import outbox_emit
from subjects.models import Agency
from tests.conftest import City

# A stand-in for the kinds to come (a commitment, a sector finding, a supervision case): a note about an agency.
NOTE = "agency_note"

CaptureOnCommit = Callable[..., contextlib.AbstractContextManager[list[Callable[[], None]]]]


@pytest.fixture
def note_kind() -> Iterator[str]:
    kind_register(NOTE, model=Agency)  # seen by agency (outbox.kinds.agency_scope)
    yield NOTE
    kind_unregister(NOTE)


@pytest.fixture
def heard() -> Iterator[list[str]]:
    """What ran after commit, in order: a receiver on each hook."""
    calls: list[str] = []

    def on_change() -> None:
        calls.append("change queued")

    def on_public() -> None:
        calls.append("public changed")

    change_queued.register(on_change)
    public_changed.register(on_public)
    yield calls
    change_queued.unregister(on_change)
    public_changed.unregister(on_public)


def note(agency: Agency, version: int, text: str = "整改通知") -> PlatformChange:
    return outbox_emit(
        kind=NOTE,
        obj=agency,
        version=version,
        change_type=ChangeType.PUBLISHED,
        payload={"text": text, "version": version},
        agency=agency,
    )


# Writing a change


def test_a_change_names_its_kind_object_and_agency(world: City, note_kind: str) -> None:
    change = note(world.agency_a, 1)
    change.refresh_from_db()
    assert (change.kind, change.obj, change.agency, change.version) == (NOTE, world.agency_a, world.agency_a, 1)
    assert change.record is None  # the record column is only a record's
    assert (change.status, change.attempts, change.generation) == (OutboxStatus.PENDING, 0, 0)
    assert change.payload == {"text": "整改通知", "version": 1}


def test_a_version_of_an_object_is_queued_once(world: City, note_kind: str) -> None:
    note(world.agency_a, 1)
    note(world.agency_b, 1)  # the same version of another object
    with pytest.raises(IntegrityError), transaction.atomic():
        note(world.agency_a, 1, "重试的事务")
    assert PlatformChange.objects.filter(kind=NOTE).count() == 2


def test_the_record_column_is_the_object_of_a_records_change_only(world: City, note_kind: str) -> None:
    from tests.factories import make_record

    record = make_record(world.clerk_a, world.agency_a)
    change = note(world.agency_a, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        PlatformChange.objects.filter(pk=change.pk).update(record=record)
    with pytest.raises(IntegrityError), transaction.atomic():
        PlatformChange.objects.filter(pk=change.pk).update(kind=RECORD_KIND)


def test_it_refuses_a_kind_nobody_registered_or_an_object_of_another_model(world: City, note_kind: str) -> None:
    with pytest.raises(LookupError):
        outbox_emit(
            kind="unknown", obj=world.agency_a, version=1, change_type="published", payload={}, agency=world.agency_a
        )
    with pytest.raises(TypeError):
        outbox_emit(
            kind=NOTE, obj=world.person_a, version=1, change_type="published", payload={}, agency=world.agency_a
        )
    assert not PlatformChange.objects.exists()


# After commit


def test_what_the_floors_above_registered_runs_once_after_the_commit(
    world: City, note_kind: str, heard: list[str], django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        note(world.agency_a, 1)
        note(world.agency_a, 2)
        note(world.agency_b, 1)
        assert heard == []  # nothing before the commit
    assert heard == ["change queued"]  # three changes, one run


def test_nothing_runs_when_the_transaction_rolls_back(
    world: City, note_kind: str, heard: list[str], django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    with django_capture_on_commit_callbacks(execute=True), contextlib.suppress(RuntimeError), transaction.atomic():
        note(world.agency_a, 1)
        public_changed.announce()
        raise RuntimeError("the change failed")
    assert heard == []
    assert not PlatformChange.objects.exists()


def test_public_changes_without_a_platform_change_are_heard_too(
    world: City, heard: list[str], django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    from subjects.services import agency_rename

    with django_capture_on_commit_callbacks(execute=True):
        agency_rename(actor=world.admin, agency=world.agency_a, name="临江市东区财政局（新）", reason="更名")
    assert heard == ["public changed"]


def test_delivery_and_the_public_cache_are_registered_by_their_apps() -> None:
    from delivery.kick import _start
    from disclosure.cache import public_version_renew

    assert public_version_renew in change_queued.receivers and _start in change_queued.receivers
    assert public_version_renew in public_changed.receivers and _start not in public_changed.receivers


# Delivery and the operations page


@pytest.fixture
def platform(settings: Any, monkeypatch: pytest.MonkeyPatch) -> list[list[dict[str, Any]]]:
    """A platform that accepts everything; each batch it received, decoded."""
    settings.PLATFORM_URL = "http://platform.invalid"
    batches: list[list[dict[str, Any]]] = []

    def post_items(batch_id: str, items_json: list[str], *, now: float | None = None) -> platform_client.Answer:
        items = [json.loads(text) for text in items_json]
        batches.append(items)
        return platform_client.Answer(
            http_status=200, results={item["delivery_key"]: ("accepted", "") for item in items}
        )

    monkeypatch.setattr(platform_client, "post_items", post_items)
    return batches


def test_delivery_sends_any_kind_in_order_per_object(
    world: City, note_kind: str, platform: list[list[dict[str, Any]]]
) -> None:
    first, second, other = note(world.agency_a, 1), note(world.agency_a, 2), note(world.agency_b, 1)

    outcome = services.deliver_due()

    assert outcome.delivered == 3
    assert [[(i["object_id"], i["version"]) for i in batch] for batch in platform] == [
        [(world.agency_a.pk, 1), (world.agency_b.pk, 1)],  # version 2 waits for version 1 of the same object
        [(world.agency_a.pk, 2)],
    ]
    assert platform[0][0] == {
        "delivery_key": first.delivery_key,
        "kind": NOTE,
        "object_id": world.agency_a.pk,
        "version": 1,
        "change_type": "published",
        "payload": {"text": "整改通知", "version": 1},
    }
    assert set(PlatformChange.objects.values_list("status", flat=True)) == {OutboxStatus.DELIVERED}
    assert {second.pk, other.pk} <= set(
        PlatformChange.objects.filter(delivered_at__isnull=False).values_list("pk", flat=True)
    )


def test_the_operations_page_shows_a_kinds_parked_change_to_its_agencys_operators_only(
    client: Client, world: City, note_kind: str
) -> None:
    change = note(world.agency_a, 1)
    PlatformChange.objects.filter(pk=change.pk).update(status=OutboxStatus.FAILED, failed_at=Now(), attempts=10)

    client.force_login(world.office_a)
    html = client.get(reverse("delivery:operations")).content.decode()
    assert f'id="change-{change.pk}"' in html and world.agency_a.name in html
    assert client.get(reverse("delivery:change", args=[change.pk])).status_code == 200

    client.force_login(world.office_b)
    assert f'id="change-{change.pk}"' not in client.get(reverse("delivery:operations")).content.decode()
    assert client.get(reverse("delivery:change", args=[change.pk])).status_code == 404
    assert client.post(reverse("delivery:replay", args=[change.pk])).status_code == 404
