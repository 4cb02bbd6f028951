from records.models import DishonestyRecord, PlatformChange
from records.platform import platform_payload


def platform_change_emit(*, record: DishonestyRecord, change_type: str) -> PlatformChange:
    """Queues the record as it now stands for the platform; call inside the transaction of the change."""
    return PlatformChange.objects.create(
        record=record,
        change_type=change_type,
        version=record.version,
        payload=platform_payload(record, change_type=change_type),
    )
