from celery import shared_task

from records.services import import_job_run, records_expire_due


@shared_task
def expire_due_records() -> int:
    """Hourly: records whose disclosure window has closed become expired (idempotent, catches up)."""
    return records_expire_due()


@shared_task(acks_late=True)
def run_import_job(job_id: int) -> str:
    """Checks and imports one uploaded workbook; a second delivery finds the job claimed and does nothing."""
    return import_job_run(job_id=job_id).status
