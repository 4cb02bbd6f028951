from django.db import transaction

from outbox.models import RECORD_KIND, ChangeType, PlatformChange
from outbox.services import outbox_emit
from records.models import DishonestyRecord
from records.platform import platform_payload


def platform_change_emit(*, record: DishonestyRecord, change_type: str) -> PlatformChange:
    """Queues the record as it now stands for the platform; call inside the transaction of the change. Delivery
    starts, and the public site's kept pages go stale, once that transaction commits (outbox.hooks)."""
    payload = platform_payload(record, change_type=change_type)
    return outbox_emit(
        kind=RECORD_KIND,
        obj=record,
        version=record.version,
        change_type=change_type,
        payload=payload,
        agency=record.subject_agency,
    )


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
