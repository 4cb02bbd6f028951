from django.db import transaction

from disclosure.cache import public_version_bump
from records.models import ChangeType, DishonestyRecord, PlatformChange
from records.platform import platform_payload


def platform_change_emit(
    *, record: DishonestyRecord, change_type: str, under_objection: bool = False
) -> PlatformChange:
    """Queues the record as it now stands for the platform; call inside the transaction of the change. Delivery
    starts once that transaction commits (delivery.kick)."""
    from delivery.kick import delivery_kick

    change = PlatformChange.objects.create(
        record=record,
        change_type=change_type,
        version=record.version,
        payload=platform_payload(record, change_type=change_type, under_objection=under_objection),
    )
    delivery_kick()
    public_version_bump()
    return change


def record_objection_flag(*, record: DishonestyRecord, under_objection: bool) -> DishonestyRecord:
    """An objection was accepted (or rejected): the platform must show the record as under objection (or no longer)
    — a new version of the record. Called by repair.services inside their transaction."""
    with transaction.atomic():
        record = DishonestyRecord.objects.select_for_update().get(pk=record.pk)
        record.version += 1
        record.save(update_fields=["version", "updated_at"])
        platform_change_emit(
            record=record,
            change_type=ChangeType.OBJECTION_OPENED if under_objection else ChangeType.OBJECTION_CLOSED,
            under_objection=under_objection,
        )
    return record
