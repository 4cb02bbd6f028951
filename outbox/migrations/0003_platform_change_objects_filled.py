"""Fills the new columns of the existing changes, all of them records' changes: the record is the object, and its
subject agency the agency. One UPDATE, whatever the size of the outbox. Its own migration (and transaction): on
PostgreSQL the foreign keys it fills are checked at commit, before 0004 alters the table."""

from typing import Any

from django.db import migrations
from django.db.models import F, OuterRef, Subquery


def fill(apps: Any, schema_editor: Any) -> None:
    alias = schema_editor.connection.alias
    changes = apps.get_model("outbox", "PlatformChange").objects.using(alias).filter(object_id__isnull=True)
    if not changes.exists():
        return
    content_types = apps.get_model("contenttypes", "ContentType").objects.using(alias)
    record_type, _created = content_types.get_or_create(app_label="records", model="dishonestyrecord")
    records = apps.get_model("records", "DishonestyRecord").objects.using(alias)
    changes.update(
        kind="record",
        object_type=record_type,
        object_id=F("record_id"),
        agency_id=Subquery(records.filter(pk=OuterRef("record_id")).values("subject_agency_id")[:1]),
    )


def refuse_other_kinds(apps: Any, schema_editor: Any) -> None:
    """Back to an outbox of records only: possible only while it holds nothing else."""
    changes = apps.get_model("outbox", "PlatformChange").objects.using(schema_editor.connection.alias)
    others = changes.exclude(kind="record").count()
    if others:
        raise RuntimeError(f"The outbox holds {others} changes of objects other than records; it cannot go back.")


class Migration(migrations.Migration):
    dependencies = [("outbox", "0002_platform_change_generic_columns")]

    operations = [migrations.RunPython(fill, refuse_other_kinds)]
