"""Scheduled jobs of supervision: each calls one idempotent service."""

from celery import shared_task

from supervision.services.complaints import complaints_overdue_run
from supervision.services.courts import court_judgments_watch as judgments_watch


@shared_task
def court_judgments_watch() -> dict[str, int]:
    """Daily: judgments not performed by their deadline propose their candidate record, once."""
    run = judgments_watch()
    return {"proposed": run.proposed}


@shared_task
def complaints_overdue() -> dict[str, int]:
    """Daily: breach complaint stages past their working-day deadline marked late and announced, once each."""
    return {"marked": complaints_overdue_run().marked}
