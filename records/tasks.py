from celery import shared_task

from records.services import records_expire_due


@shared_task
def expire_due_records() -> int:
    """Hourly: records whose disclosure window has closed become expired (idempotent, catches up)."""
    return records_expire_due()
