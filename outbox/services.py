from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from outbox.hooks import change_queued
from outbox.kinds import kind_of
from outbox.models import RECORD_KIND, PlatformChange


def outbox_emit(
    *,
    kind: str,
    obj: models.Model,
    version: int,
    change_type: str,
    payload: dict[str, Any],
    agency: models.Model,
) -> PlatformChange:
    """Queues `obj` at `version` for the platform, in the caller's transaction: call it inside the transaction of the
    change itself, so that the change and its row commit or roll back together. `payload` is the object as the
    platform receives it; `agency` the agency it belongs to. Once the transaction commits, `change_queued` runs
    (outbox.hooks). A version is queued once per object (IntegrityError on a second)."""
    registered = kind_of(kind)
    if not isinstance(obj, registered.model):
        raise TypeError(f"a {kind!r} change is about a {registered.model.__name__}, not a {type(obj).__name__}")
    change = PlatformChange.objects.create(
        kind=kind,
        object_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        record_id=obj.pk if kind == RECORD_KIND else None,
        agency_id=agency.pk,
        change_type=change_type,
        version=version,
        payload=payload,
    )
    change_queued.announce()
    return change
