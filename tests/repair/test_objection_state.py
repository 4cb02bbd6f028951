"""Whether a record is under objection is stored on the record, and every version the platform receives, the public
page and the public record API say the same.

Before, the public site derived the state from the objections and every platform change other than objection
opened/closed said yybz "0": a record corrected, revoked, repaired or expired while an accepted objection was open
reached the platform as not under objection.
"""

import datetime
import importlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest
import time_machine
from django.apps import apps as django_apps
from django.contrib.contenttypes.models import ContentType
from django.test import Client

from outbox.models import RECORD_KIND, ChangeType, PlatformChange
from records.models import DishonestyRecord, MeasureState, RecordStatus
from records.services import record_correct, record_publish, record_revoke, record_submit, records_expire_due
from repair.models import Objection
from repair.services import (
    objection_accept,
    objection_file,
    objection_not_accept,
    objection_reject,
    objection_send_for_verification,
    objection_uphold,
    repair_accept,
    repair_apply,
    repair_grant,
)
from tests.conftest import City
from tests.factories import make_record

D = datetime.date
TODAY = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=datetime.UTC)  # a Monday
CaptureOnCommit = Callable[..., AbstractContextManager[list[Callable[[], None]]]]
DATA_MIGRATION = "repair.migrations.0003_record_under_objection_from_open_objections"

pytestmark = pytest.mark.usefixtures("_on_a_monday")


@pytest.fixture
def _on_a_monday() -> Iterator[None]:
    with time_machine.travel(TODAY, tick=False):
        yield


def published(world: City, **overrides: object) -> DishonestyRecord:
    """A general record decided 2026-06-01: disclosed until 2027-06-01, repairable from 2026-09-01."""
    from workcalendar.services import calendar_year_seed

    calendar_year_seed(year=2026)
    record = make_record(world.clerk_a, world.agency_a, decision_date=D(2026, 6, 1), **overrides)
    record_submit(actor=world.reviewer_a, record=record)
    return record_publish(actor=world.office_a, record=record, today=D(2026, 11, 2))


@pytest.fixture
def record(world: City) -> DishonestyRecord:
    return published(world)


def filed(record: DishonestyRecord, grounds: str = "wrong") -> Objection:
    objection, _code = objection_file(
        record=record,
        grounds=grounds,
        statement="文书号与法院判决不一致。",
        filer_name="王律师",
        filer_contact="13800000000",
        commitment_signed=True,
    )
    return objection


def accepted(world: City, record: DishonestyRecord, grounds: str = "wrong") -> Objection:
    return objection_accept(actor=world.office_a, objection=filed(record, grounds))


def latest(record: DishonestyRecord) -> tuple[str, str]:
    change = PlatformChange.objects.filter(record=record).order_by("-version").first()
    assert change is not None
    assert change.version == DishonestyRecord.objects.get(pk=record.pk).version
    return change.change_type, change.payload["yybz"]


def stored_flag(record: DishonestyRecord) -> bool:
    return DishonestyRecord.objects.values_list("under_objection", flat=True).get(pk=record.pk)


def correct(world: City, record: DishonestyRecord) -> None:
    record_correct(actor=world.office_a, record=record, changes={"facts": "拖欠货款已部分支付。"}, reason="更正事实")


def revoke(world: City, record: DishonestyRecord) -> None:
    record_revoke(actor=world.office_a, record=record, reason="决定已被撤销")


def repair(world: City, record: DishonestyRecord) -> None:
    application, _code = repair_apply(
        record=record,
        statement="已全额支付拖欠款项。",
        filer_name="东城区财政局",
        filer_contact="0571-0000000",
        commitment_signed=True,
        filed_by=world.office_a,
    )
    repair_accept(actor=world.office_a, application=application)
    repair_grant(actor=world.office_a, application=application, reason="已履行义务")


def expire(world: City, record: DishonestyRecord) -> None:
    # Shown on its last day, expired the day after.
    assert records_expire_due(on=record.disclosure_ends_on + datetime.timedelta(days=1)) == 1


CHANGES: dict[str, Callable[[City, DishonestyRecord], None]] = {
    ChangeType.CORRECTED: correct,
    ChangeType.REVOKED: revoke,
    ChangeType.REPAIRED: repair,
    ChangeType.EXPIRED: expire,
}


# Every change type, while an accepted objection is open and after it closed -----------------------------------------


def test_an_accepted_objection_is_stored_and_sent_as_a_new_version(world: City, record: DishonestyRecord) -> None:
    objection = filed(record)
    assert (stored_flag(record), latest(record)) == (False, ("published", "0"))  # filed is not yet accepted

    objection_accept(actor=world.office_a, objection=objection)

    assert stored_flag(record) is True
    assert latest(record) == ("objection_opened", "1")


@pytest.mark.parametrize("change", CHANGES)
def test_a_change_while_an_objection_is_open_reaches_the_platform_as_under_objection(
    world: City, record: DishonestyRecord, change: str
) -> None:
    accepted(world, record)

    CHANGES[change](world, record)

    assert latest(record) == (change, "1")
    assert stored_flag(record) is True


@pytest.mark.parametrize("change", CHANGES)
def test_a_change_after_the_objection_was_rejected_reaches_the_platform_as_not_under_objection(
    world: City, record: DishonestyRecord, change: str
) -> None:
    objection = accepted(world, record)
    objection_reject(actor=world.office_a, objection=objection, reason="经核实，信息准确。")
    assert latest(record) == ("objection_closed", "0")

    CHANGES[change](world, record)

    assert latest(record) == (change, "0")
    assert stored_flag(record) is False


def test_a_record_published_while_another_of_its_agency_is_under_objection_is_not(
    world: City, record: DishonestyRecord
) -> None:
    # Objections are filed against published records only, so a record is never published under objection; the
    # state belongs to the record, not to its subject.
    accepted(world, record)

    other = published(world)

    assert latest(other) == ("published", "0")
    assert stored_flag(other) is False
    assert latest(record) == ("objection_opened", "1")


def test_a_second_objection_adds_no_version_and_the_record_stays_under_objection_until_both_are_decided(
    world: City, record: DishonestyRecord
) -> None:
    first = accepted(world, record, "wrong")
    versions = PlatformChange.objects.filter(record=record).count()
    second = accepted(world, record, "missing")
    assert PlatformChange.objects.filter(record=record).count() == versions

    objection_send_for_verification(actor=world.office_a, objection=first)
    objection_reject(actor=world.office_a, objection=first, reason="经核实无误。")
    assert (stored_flag(record), latest(record)) == (True, ("objection_opened", "1"))
    correct(world, record)
    assert latest(record) == ("corrected", "1")

    objection_reject(actor=world.office_a, objection=second, reason="经核实无误。")
    assert (stored_flag(record), latest(record)) == (False, ("objection_closed", "0"))


def test_an_objection_upheld_by_correction_closes_with_the_correction_itself(
    world: City, record: DishonestyRecord
) -> None:
    objection = accepted(world, record)

    objection_uphold(
        actor=world.office_a,
        objection=objection,
        outcome="corrected",
        changes={"severity": "serious"},
        reason="应为严重",
    )

    assert latest(record) == ("corrected", "0")
    assert stored_flag(record) is False
    assert list(PlatformChange.objects.filter(record=record).values_list("change_type", flat=True)) == [
        "published",
        "objection_opened",
        "corrected",
    ]


def test_an_objection_upheld_while_another_is_open_leaves_the_record_under_objection(
    world: City, record: DishonestyRecord
) -> None:
    upheld = accepted(world, record, "wrong")
    accepted(world, record, "mismatch")

    objection_uphold(
        actor=world.office_a, objection=upheld, outcome="corrected", changes={"facts": "更正后的事实。"}, reason="属实"
    )

    assert latest(record) == ("corrected", "1")
    assert stored_flag(record) is True
    # The other objection is still being verified: the measures stay suspended.
    assert set(record.measures.values_list("state", flat=True)) == {MeasureState.SUSPENDED}


def test_an_objection_upheld_by_revocation_closes_with_the_revocation(world: City, record: DishonestyRecord) -> None:
    objection = accepted(world, record, "should_not_disclose")

    objection_uphold(actor=world.office_a, objection=objection, outcome="revoked", reason="判决已撤销")

    assert latest(record) == ("revoked", "0")
    assert DishonestyRecord.objects.get(pk=record.pk).status == RecordStatus.REVOKED
    assert stored_flag(record) is False


def test_an_objection_not_accepted_changes_nothing(world: City, record: DishonestyRecord) -> None:
    objection = filed(record)

    objection_not_accept(actor=world.office_a, objection=objection, reason="不属于受理范围")

    assert (stored_flag(record), latest(record)) == (False, ("published", "0"))


# The public page and the public record API ---------------------------------------------------------------------


def public_views(record: DishonestyRecord) -> tuple[bool, bool, bool]:
    """(the page shows the notice, the API detail's flag, the API list's flag)."""
    client = Client()
    page = client.get(f"/records/{record.pk}/")
    detail = client.get(f"/api/v1/public/records/{record.pk}/")
    listed = client.get("/api/v1/public/records/")
    assert (page.status_code, detail.status_code, listed.status_code) == (200, 200, 200)
    [row] = [row for row in listed.json()["results"] if row["id"] == record.pk]
    shown_on_page = 'id="record-under-objection"' in page.content.decode()
    return shown_on_page, detail.json()["under_objection"], row["under_objection"]


def test_the_public_page_and_the_public_api_say_the_same_while_open_and_after(
    world: City, record: DishonestyRecord, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    assert public_views(record) == (False, False, False)
    with django_capture_on_commit_callbacks(execute=True):
        objection = accepted(world, record)
    assert public_views(record) == (True, True, True)
    with django_capture_on_commit_callbacks(execute=True):
        objection_reject(actor=world.office_a, objection=objection, reason="经核实无误。")
    assert public_views(record) == (False, False, False)


def test_the_public_reads_the_flag_stored_on_the_record(world: City, record: DishonestyRecord) -> None:
    # No objection row at all: what the public sees can only come from the record.
    DishonestyRecord.objects.filter(pk=record.pk).update(under_objection=True)

    assert public_views(record) == (True, True, True)


def test_the_public_api_documents_the_flag(client: Client) -> None:
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    field = schema["components"]["schemas"]["PublicRecord"]["properties"]["under_objection"]

    assert field["type"] == "boolean" and field["readOnly"] is True
    assert "yybz" in field["description"]


# The data migration ----------------------------------------------------------------------------------------------


class AppsOfTheMigration:
    """The models as the data migration knew them: the outbox was records.PlatformChange, of records' changes only,
    before it moved to the outbox app (outbox/migrations/0001) and named its objects by kind, type and id."""

    class RecordChanges:
        class objects:
            filter = staticmethod(PlatformChange.objects.filter)

            @staticmethod
            def create(*, record: DishonestyRecord, **fields: Any) -> PlatformChange:
                return PlatformChange.objects.create(
                    kind=RECORD_KIND,
                    object_type=ContentType.objects.get_for_model(record),
                    object_id=record.pk,
                    record=record,
                    agency_id=record.subject_agency_id,
                    **fields,
                )

    def get_model(self, app_label: str, model_name: str) -> Any:
        if (app_label, model_name) == ("records", "PlatformChange"):
            return self.RecordChanges
        return django_apps.get_model(app_label, model_name)


def test_the_data_migration_sets_the_flag_from_open_objections_and_tells_the_platform_where_it_was_misled(
    world: City,
) -> None:
    migration = importlib.import_module(DATA_MIGRATION)
    misled = published(world)  # corrected under objection before the fix: the platform was told yybz "0"
    accepted(world, misled)
    correct(world, misled)
    told = published(world)  # under objection, and the platform's latest version says so
    accepted(world, told)
    only_filed = published(world)  # an objection not yet accepted
    filed(only_filed)
    rejected = published(world)
    objection_reject(actor=world.office_a, objection=accepted(world, rejected), reason="经核实无误。")
    # The database as the fix found it: no stored flag, and the correction sent with yybz "0".
    DishonestyRecord.objects.update(under_objection=False)
    wrong = PlatformChange.objects.filter(record=misled).order_by("-version").first()
    PlatformChange.objects.filter(pk=wrong.pk).update(payload={**wrong.payload, "yybz": "0"})
    changes_before = {r.pk: PlatformChange.objects.filter(record=r).count() for r in (told, only_filed, rejected)}

    migration.flag_records_under_objection(AppsOfTheMigration(), None)

    assert {r.pk for r in DishonestyRecord.objects.filter(under_objection=True)} == {misled.pk, told.pk}
    fix = PlatformChange.objects.filter(record=misled).order_by("-version").first()
    assert (fix.change_type, fix.version, fix.payload) == (
        "objection_opened",
        wrong.version + 1,
        {**wrong.payload, "version": wrong.version + 1, "change_type": "objection_opened", "yybz": "1"},
    )
    assert DishonestyRecord.objects.get(pk=misled.pk).version == wrong.version + 1
    assert {r.pk: PlatformChange.objects.filter(record=r).count() for r in (told, only_filed, rejected)} == (
        changes_before
    )

    migration.unflag_records(django_apps, None)

    assert not DishonestyRecord.objects.filter(under_objection=True).exists()
