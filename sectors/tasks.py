"""Scheduled jobs of the sector duties: each calls one idempotent service."""

from celery import shared_task

from sectors.services.procurement import procurement_overdue_run


@shared_task
def procurement_overdue() -> dict[str, int]:
    """Daily: SME payments' overdue status, days and interest; reminders; breach candidates."""
    run = procurement_overdue_run()
    return {"recomputed": run.recomputed, "reminded": run.reminded, "breaches": run.breaches}
