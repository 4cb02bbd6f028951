"""Sets DishonestyRecord.under_objection from the objections open today, and tells the platform where it was misled.

Until now "under objection" was derived from the objections on every read, and every platform change other than
objection opened/closed said yybz "0": a record corrected, expired, repaired or revoked while an accepted objection
was open left the platform believing it was not under objection. For each such record the platform gets one more
version, its latest payload with yybz "1" (an "objection opened" change), delivered by the sweeper like any other.

Reverse: the flag goes back to False everywhere (the column itself goes with records 0015's reverse); changes
already queued for the platform stay, as anything sent must.
"""

from typing import Any

from django.db import migrations
from django.db.models import Exists, OuterRef

# repair.models.UNDER_OBJECTION_STATUSES as it stands at this migration: accepted and not yet decided.
UNDER_OBJECTION_STATUSES = ("checking", "verifying")


def flag_records_under_objection(apps: Any, schema_editor: Any) -> None:
    DishonestyRecord = apps.get_model("records", "DishonestyRecord")
    Objection = apps.get_model("repair", "Objection")
    PlatformChange = apps.get_model("records", "PlatformChange")
    open_objection = Objection.objects.filter(record=OuterRef("pk"), status__in=UNDER_OBJECTION_STATUSES)
    records = DishonestyRecord.objects.filter(Exists(open_objection)).order_by("pk")
    records.update(under_objection=True)
    for record in records.select_for_update():
        latest = PlatformChange.objects.filter(record=record).order_by("-version").first()
        if latest is None or latest.payload.get("yybz") == "1":
            continue
        record.version += 1
        record.save(update_fields=["version", "updated_at"])
        PlatformChange.objects.create(
            record=record,
            change_type="objection_opened",
            version=record.version,
            payload={**latest.payload, "version": record.version, "change_type": "objection_opened", "yybz": "1"},
        )


def unflag_records(apps: Any, schema_editor: Any) -> None:
    DishonestyRecord = apps.get_model("records", "DishonestyRecord")
    DishonestyRecord.objects.filter(under_objection=True).update(under_objection=False)


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0015_record_under_objection"),
        ("repair", "0002_case_deadline_basis"),
    ]

    operations = [migrations.RunPython(flag_records_under_objection, unflag_records)]
