from django.db import transaction

from disclosure.cache import public_version_bump
from records.models import ChangeType, DishonestyRecord, PlatformChange
from records.platform import platform_payload


def platform_change_emit(*, record: DishonestyRecord, change_type: str) -> PlatformChange:
    """Queues the record as it now stands for the platform; call inside the transaction of the change. Delivery
    starts once that transaction commits (delivery.kick)."""
    from delivery.kick import delivery_kick

    change = PlatformChange.objects.create(
        record=record,
        change_type=change_type,
        version=record.version,
        payload=platform_payload(record, change_type=change_type),
    )
    delivery_kick()
    public_version_bump()
    return change


def record_objection_flag(
    *, record: DishonestyRecord, under_objection: bool, announce: bool = True
) -> DishonestyRecord:
    """Stores whether an accepted objection is open for the record (repair.services.objections decides, inside
    their transaction). A change of the flag is a new version for the platform (objection opened / closed), unless
    `announce` is False: then the caller's next change in the same transaction (the correction or revocation that
    upholds the objection) carries the flag with it. Setting the flag it already has changes nothing."""
    with transaction.atomic():
        record = DishonestyRecord.objects.select_for_update().get(pk=record.pk)
        if record.under_objection == under_objection:
            return record
        record.under_objection = under_objection
        if not announce:
            record.save(update_fields=["under_objection", "updated_at"])
            return record
        record.version += 1
        record.save(update_fields=["under_objection", "version", "updated_at"])
        platform_change_emit(
            record=record,
            change_type=ChangeType.OBJECTION_OPENED if under_objection else ChangeType.OBJECTION_CLOSED,
        )
    return record
