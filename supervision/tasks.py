"""Scheduled jobs of supervision: each calls one idempotent service."""

from celery import shared_task

from supervision.services.complaints import complaints_overdue_run


@shared_task
def complaints_overdue() -> dict[str, int]:
    """Daily: breach complaint stages past their working-day deadline marked late and announced, once each."""
    return {"marked": complaints_overdue_run().marked}
