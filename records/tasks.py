from celery import shared_task

from records.services import import_job_run, import_jobs_sweep, records_expire_due


@shared_task
def expire_due_records() -> int:
    """Hourly: records whose disclosure window has closed become expired (idempotent, catches up)."""
    return records_expire_due()


@shared_task(acks_late=True)
def run_import_job(job_id: int) -> str:
    """Checks and imports one uploaded workbook; a second delivery finds the job claimed and does nothing."""
    return import_job_run(job_id=job_id).status


@shared_task
def sweep_import_jobs() -> dict[str, int]:
    """Every five minutes: import jobs whose task was lost are queued again; those whose worker died are failed."""
    queued, failed = import_jobs_sweep()
    return {"queued": queued, "failed": failed}
